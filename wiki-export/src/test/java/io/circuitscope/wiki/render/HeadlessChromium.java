package io.circuitscope.wiki.render;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium} driven from the command line in headless mode: it loads a page from {@code file://},
 * runs its scripts, and gives back the DOM and every console message, or saves a screenshot.
 */
final class HeadlessChromium {
    private static final long TIMEOUT_SECONDS = 60;

    private final Path binary;
    private final Path profile;

    private HeadlessChromium(Path binary, Path profile) {
        this.binary = binary;
        this.profile = profile;
    }

    /** The DOM after load and the console messages the page produced. */
    record Page(String dom, List<String> console) {
    }

    /** Chromium from the PATH, or empty when it is not installed. */
    static Optional<HeadlessChromium> find(Path profile) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(new HeadlessChromium(p, profile));
                }
            }
        }
        return Optional.empty();
    }

    Page load(Path html) throws IOException, InterruptedException {
        Run r = run("--dump-dom", html.toUri().toString());
        List<String> console = r.err().lines().filter(l -> l.contains(":CONSOLE")).toList();
        return new Page(r.out(), console);
    }

    void screenshot(Path html, Path png, int width, int height) throws IOException, InterruptedException {
        Files.createDirectories(png.getParent());
        run("--screenshot=" + png, "--window-size=" + width + "," + height, "--hide-scrollbars",
                html.toUri().toString());
        if (!Files.isRegularFile(png)) {
            throw new IOException("chromium wrote no screenshot " + png);
        }
    }

    private record Run(String out, String err) {
    }

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(profile.getParent(), "out", ".txt");
        Path err = Files.createTempFile(profile.getParent(), "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IOException("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command);
        }
        return new Run(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
