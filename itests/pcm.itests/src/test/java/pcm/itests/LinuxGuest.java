package pcm.itests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Debian's test guest of bin/linux-guest, for the Linux ITs: where it is cached, and reading its console. */
final class LinuxGuest {

    private LinuxGuest() {}

    static Optional<Path> guest() throws IOException {
        String env = System.getenv("PCM_LINUX_GUEST_CACHE");
        Path cache = env != null ? Path.of(env) : Path.of(System.getenv().getOrDefault("HOME", "/root"), ".cache", "pcm-linux-guest"); // user.home is target/home here (pom)
        if (!Files.isDirectory(cache)) return Optional.empty();
        try (Stream<Path> dirs = Files.list(cache)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("vmlinuz")) && Files.isRegularFile(d.resolve("initramfs.cpio.gz")))
                .sorted().findFirst();
        }
    }

    /** Reads the process output into {@code seen} until {@code mark} appears after {@code from}; false at end or timeout. */
    static boolean await(InputStream in, StringBuilder seen, String mark, int from, long deadline) throws IOException {
        byte[] buf = new byte[4096];
        while (seen.indexOf(mark, from) < 0) {
            // the guest ended without showing the mark (an unsupported instruction, a panic): nothing more will come,
            // so fail now with what it printed rather than at the deadline (a VERW stop cost 270 s of the suite)
            if (System.nanoTime() > deadline || seen.indexOf("guest stopped: ", from) >= 0) return false;
            if (in.available() == 0) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                continue;
            }
            int n = in.read(buf);
            if (n < 0) return seen.indexOf(mark, from) >= 0;
            seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        return true;
    }
}
