package pcm.core.internal.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.verify.Verdict;

/**
 * A scan whose window listing was taken before a window completed must not drop that window's cached verdicts when
 * it prunes the windows retention deleted: the next verifier's verdict then re-read the file, which did not hold the
 * first verdict yet (here: never, the verdict directory cannot be written), and the window had one verdict instead of
 * two in memory — pcm:run reported it "without a MATCH of each configured verifier". Seen as a rare failure of
 * WindowVerificationsTest.awaitIdleReturnsOnlyWhenEveryClosedWindowHasItsVerdicts under load.
 */
class VerdictCacheRaceTest {

    @TempDir
    Path dir;

    @Test
    void aStaleListingDoesNotDropTheVerdictsOfAWindowThatCompletedMeanwhile() throws Exception {
        Path blocked = dir.resolve("verdicts");
        Files.writeString(blocked, "a file where the directory should be"); // verdicts stay in memory only
        CountDownLatch listingTaken = new CountDownLatch(1);
        CountDownLatch listingMayReturn = new CountDownLatch(1);
        WindowVerificationsTest.FakeSampler stale = new WindowVerificationsTest.FakeSampler() {
            @Override
            public List<WindowInfo> windows() {
                List<WindowInfo> snapshot = super.windows();
                if (scanUnderTest.get()) {              // the scan under test: listed, then slow to return
                    listingTaken.countDown();
                    await(listingMayReturn);
                }
                return snapshot;
            }
        };
        CountDownLatch releaseB = new CountDownLatch(1);
        WindowVerifications service = new WindowVerifications(blocked, WindowVerificationsTest.config("a", "b"));
        try {
            service.addVerifier(WindowVerificationsTest.verifier("a", w -> Verdict.match("a", w.id(), 7)));
            service.addVerifier(WindowVerificationsTest.verifier("b", w -> {
                await(releaseB);
                return Verdict.match("b", w.id(), 7);
            }));
            service.setSampler(stale);
            assertTrue(service.awaitIdle(10_000));

            scanUnderTest.set(true);
            Thread scan = Thread.ofPlatform().start(service::scan);   // lists the store before x exists
            assertTrue(listingTaken.await(10, TimeUnit.SECONDS));
                stale.close("x");
            service.windowComplete("x");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (service.verdicts("x").isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(1, service.verdicts("x").size(), "a's verdict, in memory");
            listingMayReturn.countDown();                           // the stale scan prunes now
            scan.join(10_000);
            releaseB.countDown();
            assertTrue(service.awaitIdle(10_000));
            assertEquals(2, service.verdicts("x").size(), "both verdicts of x: " + service.verdicts("x"));
        } finally {
            listingMayReturn.countDown();
            releaseB.countDown();
            service.deactivate();
        }
    }

    /** The windows() call of the scan this test starts blocks; the service's own scans do not. */
    private final AtomicBoolean scanUnderTest = new AtomicBoolean();

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
