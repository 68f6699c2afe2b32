package pcm.softcpu.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The C programs the native oracles run on the host CPU ({@code src/test/c}): built with the machine's gcc into
 * {@code target/} when missing or older than their source. One place for the oracles of every family
 * ({@link NativeRig}, the SSE floating-point oracle).
 */
public final class HostProgram {

    private HostProgram() {}

    /** Why {@code what} cannot run here, or null when it can (x86-64 Linux with gcc). */
    public static String unavailable(String what) {
        String arch = System.getProperty("os.arch"), os = System.getProperty("os.name");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return what + " needs x86-64 Linux, this is " + os + "/" + arch;
        }
        if (gcc() == null) return "no gcc on the PATH: " + what + " cannot be built";
        return null;
    }

    private static Path gcc() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String n : List.of("gcc", "cc")) {
                Path p = Path.of(dir, n);
                if (Files.isExecutable(p)) return p;
            }
        }
        return null;
    }

    /**
     * {@code src/test/c/<source>} built as {@code target/<executable>} of this module (the working directory, or the
     * repository root above it); rebuilt when the source is newer.
     */
    public static synchronized Path build(String source, String executable) throws IOException, InterruptedException {
        Path base = Path.of(System.getProperty("user.dir"));
        if (!Files.exists(base.resolve("src/test/c/" + source))) base = base.resolve("bundles/pcm.softcpu");
        Path src = base.resolve("src/test/c/" + source);
        Path exe = base.resolve("target/" + executable);
        if (!Files.exists(exe) || Files.getLastModifiedTime(exe).compareTo(Files.getLastModifiedTime(src)) < 0) {
            Files.createDirectories(exe.getParent());
            Path tmp = Files.createTempFile(exe.getParent(), executable, ".tmp");
            Process cc = new ProcessBuilder(gcc().toString(), "-O2", "-Wall", "-o", tmp.toString(), src.toString())
                    .redirectErrorStream(true).start();
            String msg = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (cc.waitFor() != 0) throw new IOException("gcc failed on " + src + ":\n" + msg);
            Files.move(tmp, exe, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return exe;
    }
}
