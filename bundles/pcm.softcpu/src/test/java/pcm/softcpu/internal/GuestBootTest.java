package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GuestBootTest {

    private static String boot(long param, long hz, long tick, long[] countOut) throws Exception {
        try (GuestHarness h = new GuestHarness(param, hz, tick)) {
            String out = h.run(10_000_000);
            assertEquals(0, h.status, () -> "status " + h.status + " (" + h.stopReason + ")\n" + out);
            if (countOut != null) countOut[0] = h.vcpu.instructionCount();
            return out;
        }
    }

    @Test
    void bootsToDoneWithParam16() throws Exception {
        String out = boot(16, 100, 200_000, null);
        assertTrue(out.startsWith("PCM default guest 1\ncpu vendor "), out);
        assertTrue(out.contains("testdev id 0000000150434d31 param 16\n"), out);
        assertTrue(out.endsWith("PCM-GUEST-DONE 78c2de34d5282ecf\n"), out);
    }

    @Test
    void otherParams() throws Exception {
        assertTrue(boot(1, 0, 0, null).endsWith("PCM-GUEST-DONE 5bf4e12ca77e85db\n"));
        assertTrue(boot(64, 100, 1_000_000, null).endsWith("PCM-GUEST-DONE 67f47fca0bf021c1\n"));
    }

    @Test
    void instructionCountIsDeterministic() throws Exception {
        long[] a = new long[1], b = new long[1], c = new long[1], d = new long[1];
        String o1 = boot(16, 0, 0, a);
        String o2 = boot(16, 0, 0, b);
        assertEquals(o1, o2);
        assertEquals(a[0], b[0]);
        String o3 = boot(16, 100, 50_000, c);
        String o4 = boot(16, 100, 50_000, d);
        assertEquals(o3, o4);
        assertEquals(c[0], d[0]);
        assertTrue(a[0] > 100_000, "count " + a[0]);
    }
}
