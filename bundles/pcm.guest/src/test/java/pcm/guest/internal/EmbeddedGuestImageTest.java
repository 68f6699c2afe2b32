package pcm.guest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedGuestImageTest {

    static final Path GUEST_SOURCES = Path.of(System.getProperty("pcm.guest.src", "../../guest"));

    @Test
    void imageLoadsWithItsHash() {
        EmbeddedGuestImage image = new EmbeddedGuestImage();
        assertTrue(image.image().length > 512, "image too small to be the guest");
        assertEquals(0x100000, image.entryPoint());
        assertEquals(EmbeddedGuestImage.sha256(image.image()), image.sha256());
    }

    /** The shipped image must be exactly what the sources in the repository build (reproducible build). */
    @Test
    void shippedImageIsWhatTheSourcesBuild(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(GUEST_SOURCES.resolve("build.sh")), "guest sources not found at " + GUEST_SOURCES.toAbsolutePath());
        assumeTrue(toolPresent("gcc") && toolPresent("ld") && toolPresent("objcopy"),
                "gcc/ld/objcopy not installed: the rebuild comparison is skipped");
        Path copy = tmp.resolve("guest");
        copyTree(GUEST_SOURCES, copy);
        Process p = new ProcessBuilder("sh", copy.resolve("build.sh").toString()).directory(copy.toFile())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "guest build timed out");
        assertEquals(0, p.exitValue(), "guest build failed:\n" + log);
        byte[] rebuilt = Files.readAllBytes(copy.resolve("out/default-guest.bin"));
        assertArrayEquals(new EmbeddedGuestImage().image(), rebuilt,
                "the shipped image differs from a rebuild of guest/: run guest/build.sh and copy out/default-guest.bin into "
                        + "bundles/pcm.guest/src/main/resources/pcm/guest/");
    }

    private static boolean toolPresent(String tool) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path src : (Iterable<Path>) files::iterator) {
                Path rel = from.relativize(src);
                if (rel.startsWith("out") || rel.startsWith("test-vmm")) continue;
                Path dst = to.resolve(rel.toString());
                if (Files.isDirectory(src)) Files.createDirectories(dst);
                else Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
