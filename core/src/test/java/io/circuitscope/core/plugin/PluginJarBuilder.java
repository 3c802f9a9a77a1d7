package io.circuitscope.core.plugin;

import io.circuitscope.spi.HeadDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.pf4j.ExtensionPoint;

/**
 * Builds a plugin jar the way a third party would: Java sources compiled by javac against the spi jar and PF4J alone
 * (whose annotation processor writes the extension index), packed with a manifest of PF4J fields. Tests vary the
 * manifest, bundle host classes, or add raw entries to build the broken jars a host must survive.
 */
public final class PluginJarBuilder {
    private final Map<String, String> manifest = new LinkedHashMap<>();
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final List<Class<?>> bundled = new ArrayList<>();
    private final Map<String, String> entries = new LinkedHashMap<>();
    private boolean withManifest = true;

    private PluginJarBuilder(String id, String version) {
        manifest.put("Plugin-Id", id);
        manifest.put("Plugin-Version", version);
        manifest.put("Plugin-Requires", ">=0.1.0 & <0.2.0");
        manifest.put("Plugin-Provider", "circuitscope tests");
    }

    public static PluginJarBuilder plugin(String id, String version) {
        return new PluginJarBuilder(id, version);
    }

    /** Sets a manifest field; a null value removes it. */
    public PluginJarBuilder manifest(String field, String value) {
        if (value == null) {
            manifest.remove(field);
        } else {
            manifest.put(field, value);
        }
        return this;
    }

    /** Writes the jar with no manifest at all. */
    public PluginJarBuilder noManifest() {
        withManifest = false;
        return this;
    }

    /** Adds one Java source file, named by its fully qualified class name. */
    public PluginJarBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Copies a host class's bytecode into the jar, as a plugin built without scope provided would. */
    public PluginJarBuilder bundle(Class<?> hostClass) {
        bundled.add(hostClass);
        return this;
    }

    /** Adds a file with the given text, for example a hand-written extension index. */
    public PluginJarBuilder entry(String name, String text) {
        entries.put(name, text);
        return this;
    }

    /** Compiles the sources and writes {@code <dir>/<fileName>}. */
    public Path writeTo(Path dir, String fileName) throws IOException {
        Path work = Files.createTempDirectory(dir, ".build-");
        Path classes = compile(work);
        Path jar = dir.resolve(fileName);
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = withManifest ? new JarOutputStream(file, manifest()) : new JarOutputStream(file)) {
            try (Stream<Path> walk = Files.walk(classes)) {
                for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
            for (Map.Entry<String, String> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.closeEntry();
            }
            for (Class<?> c : bundled) {
                String name = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(name));
                try (InputStream in = c.getClassLoader().getResourceAsStream(name)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    private Manifest manifest() {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.forEach((k, v) -> m.getMainAttributes().put(new Attributes.Name(k), v));
        return m;
    }

    private Path compile(Path work) throws IOException {
        Path src = work.resolve("src");
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--release", "17",
                "-classpath", classpath(), "-processor", "org.pf4j.processor.ExtensionAnnotationProcessor"));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        if (sources.isEmpty()) {
            return classes;
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        int rc = javac.run(null, messages, messages, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("javac failed for " + sources.keySet() + ":\n" + messages);
        }
        return classes;
    }

    /** The spi jar (or classes folder) and PF4J: nothing else a third party would have. */
    static String classpath() {
        return String.join(java.io.File.pathSeparator, location(HeadDetector.class), location(ExtensionPoint.class));
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
