package pcm.vmx.internal;

import java.util.Map;

/**
 * Ends {@link EmulatedHostTestRunner} when one test runs longer than its bound, with every thread's stack on stdout:
 * stop 22's CI saw the kvmtests scenario of the emulated SVM host run silently until the whole VM's timeout, which
 * cost the later scenarios and said nothing about where it stood. Status 3 then, and the scenario's output names the
 * test and what each thread was doing.
 */
final class TestWatchdog {

    private final long boundNanos;
    private String test;
    private long since;

    TestWatchdog(long boundSeconds) {
        this.boundNanos = boundSeconds * 1_000_000_000L;
        Thread t = Thread.ofPlatform().daemon().name("svm-test-watchdog").unstarted(this::watch);
        t.start();
    }

    synchronized void started(String name) {
        test = name;
        since = System.nanoTime();
    }

    synchronized void finished() {
        test = null;
    }

    private void watch() {
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            String late;
            synchronized (this) {
                late = test != null && System.nanoTime() - since > boundNanos ? test : null;
            }
            if (late == null) continue;
            System.out.println("SVM-TEST " + late + " TIMEOUT after " + boundNanos / 1_000_000_000L + " s (-Dpcm.svm.testSeconds); threads:");
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                System.out.println("SVM-TEST   thread " + e.getKey().getName() + " " + e.getKey().getState());
                for (int i = 0; i < Math.min(12, e.getValue().length); i++) System.out.println("SVM-TEST     at " + e.getValue()[i]);
            }
            System.out.println("SVM-TESTS timeout in " + late);
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }
    }
}
