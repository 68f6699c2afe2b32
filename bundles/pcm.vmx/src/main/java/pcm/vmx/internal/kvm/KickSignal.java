package pcm.vmx.internal.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-time signal that kicks a vCPU thread out of {@code KVM_RUN}.
 * <ul>
 * <li>Its process-wide disposition is {@code SIG_IGN}: a stray instance (e.g. sent to a thread that
 * has just stopped running the vCPU) is discarded instead of killing the JVM.</li>
 * <li>Each vCPU thread blocks it ({@code pthread_sigmask}) and lets KVM unblock it only while inside
 * {@code KVM_RUN} ({@code KVM_SET_SIGNAL_MASK}). A blocked signal is never ignored (Linux keeps it
 * pending even with SIG_IGN while it is in {@code blocked} or {@code real_blocked}), so a kick sent
 * while the thread is outside {@code KVM_RUN} stays pending and makes the next {@code KVM_RUN} return
 * {@code EINTR} at once; inside {@code KVM_RUN} it makes the kernel leave the guest with
 * {@code EINTR}. The vCPU then consumes it with {@code sigtimedwait} (zero timeout).</li>
 * <li>The kick targets one thread ({@code tgkill}), never the process.</li>
 * </ul>
 * The number defaults to 40 (SIGRTMIN+6 with glibc, unused by HotSpot); system property
 * {@code pcm.kvm.kickSignal} overrides it.
 */
final class KickSignal {

    private static final Logger LOG = LoggerFactory.getLogger(KickSignal.class);

    static final int SIGNAL = Integer.getInteger("pcm.kvm.kickSignal", 40);
    static final int PID = Libc.getpid();

    /** Sigset (glibc size) holding only {@link #SIGNAL}. */
    private static final MemorySegment SET;
    /** struct timespec {0, 0} */
    private static final MemorySegment ZERO_TIMEOUT;

    static {
        Arena g = Arena.global();
        SET = g.allocate(Libc.SIGSET_SIZE, 8);
        Libc.sigaddset(SET, SIGNAL);
        ZERO_TIMEOUT = g.allocate(16, 8);
        installIgnore();
    }

    private KickSignal() {}

    private static void installIgnore() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment old = a.allocate(Libc.SIGACTION_SIZE, 8);
            int r = (int) Libc.SIGACTION.invokeExact(Libc.threadCapture(), SIGNAL, MemorySegment.NULL, old);
            if (r != 0) {
                throw new IllegalStateException("sigaction(" + SIGNAL + ") query failed: "
                        + Errno.describe(Libc.errno(Libc.threadCapture())));
            }
            long handler = old.get(JAVA_LONG, 0);
            if (handler != Libc.SIG_DFL && handler != Libc.SIG_IGN) {
                LOG.warn("kick signal {} already has a handler (0x{}); leaving it in place. Set -Dpcm.kvm.kickSignal"
                        + " to a free real-time signal", SIGNAL, Long.toHexString(handler));
                return;
            }
            MemorySegment act = a.allocate(Libc.SIGACTION_SIZE, 8);
            act.set(JAVA_LONG, 0, Libc.SIG_IGN);
            r = (int) Libc.SIGACTION.invokeExact(Libc.threadCapture(), SIGNAL, act, MemorySegment.NULL);
            if (r != 0) {
                throw new IllegalStateException("sigaction(" + SIGNAL + ", SIG_IGN) failed: "
                        + Errno.describe(Libc.errno(Libc.threadCapture())));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Blocks the signal in the calling thread and writes into {@code kvmMask} (a kvm_signal_mask) the
     * mask KVM must use inside KVM_RUN: the thread's previous mask without the signal.
     */
    static void blockInCurrentThread(MemorySegment kvmMask) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment old = a.allocate(Libc.SIGSET_SIZE, 8);
            int r = (int) Libc.PTHREAD_SIGMASK.invokeExact(Libc.SIG_BLOCK, SET, old);
            if (r != 0) {
                throw new IllegalStateException("pthread_sigmask failed: " + Errno.describe(r));
            }
            long mask = old.get(JAVA_LONG, 0) & ~(1L << (SIGNAL - 1));
            kvmMask.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 8);
            kvmMask.set(java.lang.foreign.ValueLayout.JAVA_INT, 4, (int) mask);
            kvmMask.set(java.lang.foreign.ValueLayout.JAVA_INT, 8, (int) (mask >>> 32));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Sends the signal to one thread of this process. */
    static void send(MemorySegment capture, int tid) {
        try {
            int ignored = (int) Libc.TGKILL.invokeExact(capture, PID, tid, SIGNAL);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Consumes every pending instance in the calling thread (where it is blocked); returns how many. */
    static int drain(MemorySegment capture) {
        int n = 0;
        try {
            while ((int) Libc.SIGTIMEDWAIT.invokeExact(capture, SET, MemorySegment.NULL, ZERO_TIMEOUT) == SIGNAL) {
                n++;
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        return n;
    }

    /** Whether the signal is pending for the calling thread or the process (tests). */
    static boolean pendingHere() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment set = a.allocate(Libc.SIGSET_SIZE, 8);
            int r = (int) Libc.SIGPENDING.invokeExact(Libc.threadCapture(), set);
            return r == 0 && Libc.sigismember(set, SIGNAL);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
