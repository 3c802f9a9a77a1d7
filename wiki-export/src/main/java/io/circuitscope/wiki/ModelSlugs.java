package io.circuitscope.wiki;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Folder names for models in the site: the zoo name or the directory's name, reduced to letters, digits, dots,
 * dashes and underscores so it is safe in a URL and on every file system, and made unique with a numeric suffix.
 */
public final class ModelSlugs {
    private ModelSlugs() {
    }

    /** One slug per source, in order; equal names get -2, -3, ... */
    public static List<String> of(List<String> sources) {
        Set<String> taken = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (String source : sources) {
            String base = base(source);
            String slug = base;
            for (int i = 2; !taken.add(slug.toLowerCase(Locale.ROOT)); i++) {
                slug = base + "-" + i;
            }
            out.add(slug);
        }
        return out;
    }

    static String base(String source) {
        String name = source.startsWith("zoo:") ? source.substring(4) : lastName(source);
        String safe = name.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[.-]+|[.-]+$", "");
        return safe.isEmpty() ? "model" : safe;
    }

    private static String lastName(String source) {
        Path p = Path.of(source).toAbsolutePath().normalize();
        return p.getFileName() == null ? "" : p.getFileName().toString();
    }
}
