package io.circuitscope.core.plugin;

import io.circuitscope.spi.SpiVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.pf4j.DefaultVersionManager;

/**
 * Checks a plugin jar before PF4J opens it, so that each way a jar can be unfit gets a message a plugin author can
 * act on: an unreadable archive, a manifest without {@code Plugin-Id} or {@code Plugin-Version}, a malformed
 * {@code Plugin-Requires}, dependencies on other plugins, no extension index, or bundled copies of the classes the
 * host provides.
 */
final class PluginJarCheck {
    /**
     * Packages the host provides. A plugin that bundles its own copy would load it first (PF4J looks in the plugin
     * before the application), and its detectors would then implement a different {@code HeadDetector} from the
     * host's and silently never be found.
     */
    private static final List<String> HOST_PACKAGES = List.of("io/circuitscope/spi/", "io/circuitscope/core/",
            "org/pf4j/", "ai/djl/");

    static final String EXTENSION_INDEX = "META-INF/extensions.idx";

    private PluginJarCheck() {
    }

    /** What is wrong with the jar, or empty when PF4J may load it. */
    static Optional<String> problem(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null) {
                return Optional.of("has no META-INF/MANIFEST.MF; a plugin declares Plugin-Id and Plugin-Version there");
            }
            Attributes main = manifest.getMainAttributes();
            for (String field : List.of("Plugin-Id", "Plugin-Version")) {
                String value = main.getValue(field);
                if (value == null || value.isBlank()) {
                    return Optional.of("its manifest has no " + field);
                }
            }
            String requires = main.getValue("Plugin-Requires");
            if (requires != null && !requires.isBlank()) {
                try {
                    // Parsed as PF4J will parse it, so a malformed expression is named here, not deep inside PF4J.
                    new DefaultVersionManager().checkVersionConstraint(SpiVersion.CURRENT, requires.trim());
                } catch (RuntimeException e) {
                    return Optional.of("its Plugin-Requires '" + requires.trim() + "' is not a version expression "
                            + "(for example >=0.1.0 & <0.2.0)");
                }
            }
            String dependencies = main.getValue("Plugin-Dependencies");
            if (dependencies != null && !dependencies.isBlank()) {
                return Optional.of("declares Plugin-Dependencies (" + dependencies.trim()
                        + "); a circuitscope plugin must stand alone");
            }
            TreeSet<String> bundled = new TreeSet<>();
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                for (String p : HOST_PACKAGES) {
                    if (name.startsWith(p) && name.endsWith(".class")) {
                        bundled.add(p.replace('/', '.') + "*");
                    }
                }
            }
            if (!bundled.isEmpty()) {
                return Optional.of("bundles classes the host provides (" + String.join(", ", bundled)
                        + "); depend on circuitscope-spi with <scope>provided</scope>");
            }
            if (file.getEntry(EXTENSION_INDEX) == null) {
                return Optional.of("has no " + EXTENSION_INDEX + ": annotate each detector or task with "
                        + "@org.pf4j.Extension and compile with pf4j on the classpath, whose annotation processor "
                        + "writes the index");
            }
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of("is not a readable jar (" + e.getMessage() + ")");
        }
    }
}
