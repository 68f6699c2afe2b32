package pcm.vmx.internal.kvm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc functions the KVM backend needs, as FFM downcalls. Calls that set errno capture it
 * ({@link Linker.Option#captureCallState}) into a caller-supplied segment of {@link #CAPTURE_LAYOUT};
 * {@link #errno(MemorySegment)} reads it. The {@code *Checked} helpers use a per-thread capture segment.
 */
@SuppressWarnings("restricted")
final class Libc {

    private Libc() {}

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
            CAPTURE_LAYOUT.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int PROT_READ = 1, PROT_WRITE = 2;
    static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    /** glibc's sigset_t is 1024 bits. */
    static final long SIGSET_SIZE = 128;
    /** glibc's struct sigaction on x86-64: handler(8) mask(128) flags(4)+pad(4) restorer(8). */
    static final long SIGACTION_SIZE = 152;
    static final long SIG_DFL = 0, SIG_IGN = 1;

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment addr = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc: " + name));
        return LINKER.downcallHandle(addr, fd, options);
    }

    /** int open(const char *path, int flags, ...mode) */
    static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            ERRNO, Linker.Option.firstVariadicArg(2));
    /** int close(int fd) */
    static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
    /** int ioctl(int fd, unsigned long request, void *arg): (capture, fd, request, arg) */
    static final MethodHandle IOCTL_PTR = handle("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO, Linker.Option.firstVariadicArg(2));
    /** int ioctl(int fd, unsigned long request, unsigned long arg): (capture, fd, request, arg) */
    static final MethodHandle IOCTL_LONG = handle("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO, Linker.Option.firstVariadicArg(2));
    /** void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) */
    static final MethodHandle MMAP = handle("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO);
    /** int munmap(void *addr, size_t len) */
    static final MethodHandle MUNMAP = handle("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    /** pid_t gettid(void) */
    static final MethodHandle GETTID = handle("gettid", FunctionDescriptor.of(JAVA_INT));
    /** pid_t getpid(void) */
    static final MethodHandle GETPID = handle("getpid", FunctionDescriptor.of(JAVA_INT));
    /** int tgkill(pid_t tgid, pid_t tid, int sig) */
    static final MethodHandle TGKILL = handle("tgkill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    /** int pthread_sigmask(int how, const sigset_t *set, sigset_t *old): returns the error number */
    static final MethodHandle PTHREAD_SIGMASK = handle("pthread_sigmask",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout) */
    static final MethodHandle SIGTIMEDWAIT = handle("sigtimedwait",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), ERRNO);
    /** int sigaction(int sig, const struct sigaction *act, struct sigaction *old) */
    static final MethodHandle SIGACTION = handle("sigaction",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO);
    /** int sigpending(sigset_t *set) */
    static final MethodHandle SIGPENDING = handle("sigpending", FunctionDescriptor.of(JAVA_INT, ADDRESS), ERRNO);

    static final MemorySegment MAP_FAILED = MemorySegment.ofAddress(-1L);

    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURE_LAYOUT));

    /** A new errno capture segment (one per thread that calls on a hot path). */
    static MemorySegment newCapture(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO_HANDLE.get(capture, 0L);
    }

    static MemorySegment threadCapture() {
        return CAPTURE.get();
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** ioctl with a pointer argument; returns the result, or -errno. */
    static int ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment cap = CAPTURE.get();
        try {
            int r = (int) IOCTL_PTR.invokeExact(cap, fd, request, arg);
            return r < 0 ? -errno(cap) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl with an integer argument; returns the result, or -errno. */
    static int ioctl(int fd, long request, long arg) {
        MemorySegment cap = CAPTURE.get();
        try {
            int r = (int) IOCTL_LONG.invokeExact(cap, fd, request, arg);
            return r < 0 ? -errno(cap) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Opens a path read/write, close-on-exec; returns the fd or -errno. */
    static int open(String path, int flags) {
        MemorySegment cap = CAPTURE.get();
        try (Arena a = Arena.ofConfined()) {
            int r = (int) OPEN.invokeExact(cap, a.allocateFrom(path), flags, 0);
            return r < 0 ? -errno(cap) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void close(int fd) {
        if (fd < 0) return;
        try {
            int ignored = (int) CLOSE.invokeExact(CAPTURE.get(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mmap; returns the mapping reinterpreted to {@code len} bytes, or null and the errno in {@code err[0]}. */
    static MemorySegment mmap(long len, int prot, int flags, int fd, long offset, int[] err) {
        MemorySegment cap = CAPTURE.get();
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(cap, MemorySegment.NULL, len, prot, flags, fd, offset);
            if (p.address() == -1L) {
                err[0] = errno(cap);
                return null;
            }
            return p.reinterpret(len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Anonymous private read/write memory, page aligned and zeroed (e.g. guest RAM in tests and benches). */
    static MemorySegment mmapAnonymous(long len) {
        int[] err = new int[1];
        MemorySegment m = mmap(len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0, err);
        if (m == null) {
            throw new IllegalStateException("mmap(" + len + ") failed: " + Errno.describe(err[0]));
        }
        return m;
    }

    static void munmap(MemorySegment m) {
        if (m == null) return;
        try {
            int ignored = (int) MUNMAP.invokeExact(CAPTURE.get(), m, m.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets bit {@code sig} in a sigset (glibc or kernel layout: bit sig-1, little endian). */
    static void sigaddset(MemorySegment set, int sig) {
        long word = (sig - 1) / 64;
        long bit = 1L << ((sig - 1) % 64);
        set.set(JAVA_LONG, word * 8, set.get(JAVA_LONG, word * 8) | bit);
    }

    static boolean sigismember(MemorySegment set, int sig) {
        long word = (sig - 1) / 64;
        return (set.get(JAVA_LONG, word * 8) & (1L << ((sig - 1) % 64))) != 0;
    }
}
