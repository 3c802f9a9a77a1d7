package io.circuitscope.wiki.render;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The site's Mustache templates, loaded from the classpath. Mustache escapes every {@code {{value}}} for HTML, and
 * the templates never use the unescaped form, so token text and file names always reach the page as text.
 */
final class Templates {
    private static final String ROOT = "io/circuitscope/wiki/templates";

    private final MustacheFactory factory = new DefaultMustacheFactory(ROOT);

    /** Renders {@code name}.mustache with {@code view}. */
    String render(String name, Object view) {
        Mustache m = factory.compile(name + ".mustache");
        StringWriter out = new StringWriter();
        try {
            m.execute(out, view).flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
