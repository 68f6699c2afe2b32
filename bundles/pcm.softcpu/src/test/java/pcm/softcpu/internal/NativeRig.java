package pcm.softcpu.internal;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host CPU as a {@link Rig}, without KVM (issue 13 item 4): {@code src/test/c/native_runner.c}, built
 * with the machine's {@code gcc} into {@code target/}, runs each sequence natively in user mode at the
 * addresses {@link DiffRig} uses (code 0x10000, scratch 0x20000-0x21FFF, stack page 0x2F000), single-stepped
 * by RFLAGS.TF, and streams back the state after every instruction with the memory words that changed; this
 * class keeps a mirror of those areas in {@link #ram()}. The runner reports the host's CPUID vendor
 * ({@link #vendor}): native execution always shows the real CPU, whatever /proc/cpuinfo says.
 *
 * <p>Every sequence also gets an FXSAVE image (x87, MXCSR, XMM) loaded before it; {@link #fpImage} is the
 * one used (FCW 0x37F, MXCSR 0x1F80, registers zero unless a caller sets them; {@link X87DiffRunner} gives each
 * sequence its own) and, with {@link #reportFp}, the image after every step is in {@link #lastFp}, which
 * {@link X87DiffRunner} compares with the interpreter's.
 */
final class NativeRig implements Rig {

    static final long SCRATCH_END = DiffGen.SCRATCH + DiffGen.SCRATCH_SIZE;

    final String vendor;
    final int signature;
    /** CPUID 0x40000000's signature ("" on bare metal; "TCGTCGTCGTCG" under QEMU's emulator). */
    final String hypervisor;
    final byte[] fpImage = defaultFp();
    boolean reportFp;
    byte[] lastFp;

    private final Process proc;
    private final DataInputStream in;
    private final OutputStream outs;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ram = arena.allocate(DiffRig.RAM, 4096);
    private final ArrayDeque<Object[]> trace = new ArrayDeque<>();

    private NativeRig(Process proc) throws IOException {
        this.proc = proc;
        in = new DataInputStream(new java.io.BufferedInputStream(proc.getInputStream(), 1 << 16));
        outs = new java.io.BufferedOutputStream(proc.getOutputStream(), 1 << 16);
        byte[] hello = in.readNBytes(32);
        if (hello.length != 32 || !new String(hello, 0, 4, StandardCharsets.US_ASCII).equals("PCMN")) {
            throw new IOException("native runner: bad hello (" + hello.length + " bytes): " + stderr());
        }
        vendor = new String(hello, 4, 12, StandardCharsets.US_ASCII);
        signature = (int) le(hello, 16, 4);
        hypervisor = new String(hello, 20, 12, StandardCharsets.US_ASCII).replace("\0", "");
    }

    /** The vendor model of the undefined flags this CPU has: tcg under QEMU's emulator, else intel unless AuthenticAMD/HygonGenuine. */
    String flagModel() {
        if (hypervisor.equals("TCGTCGTCGTCG")) return pcm.core.api.cpu.CpuIdentity.TCG_FLAGS;
        String model = pcm.core.api.cpu.CpuIdentity.flagsOfVendor(vendor);
        return model.isEmpty() ? pcm.core.api.cpu.CpuIdentity.INTEL_FLAGS : model;
    }

    /**
     * The command that runs the runner: itself, or under {@code -Dpcm.native.emulator} (e.g. {@code qemu-x86_64}, from
     * Debian's qemu-user), which makes QEMU's TCG the "native" CPU: how the tcg flag model is measured.
     */
    static List<String> runnerCommand(Path runner) {
        String emulator = System.getProperty("pcm.native.emulator", "").strip();
        return emulator.isEmpty() ? List.of(runner.toString()) : List.of(emulator, runner.toString());
    }

    /** Why no native runner can be built here, or null when one can (x86-64 Linux with gcc). */
    static String unavailable() {
        return HostProgram.unavailable("the native oracle's runner");
    }

    /** Builds the runner into {@code target/} (module directory: the working directory) and starts it. */
    static NativeRig start() throws IOException, InterruptedException {
        return new NativeRig(new ProcessBuilder(runnerCommand(HostProgram.build("native_runner.c", "native-runner"))).start());
    }

    private static byte[] defaultFp() {
        byte[] fp = new byte[512];
        fp[0] = 0x7F;
        fp[1] = 0x03;
        fp[24] = (byte) 0x80;
        fp[25] = 0x1F;
        return fp;
    }

    @Override
    public String name() { return "native"; }

    /** Linux reports a user-mode #PF on a kernel-half address with P=1 always (it hides the kernel's mappings). */
    @Override
    public long errorCodeMask(int vector) { return vector == 14 ? ~1L : -1; }

    @Override
    public MemorySegment ram() { return ram; }

    /** Steps per sequence before the runner gives up (as DiffRunner's bound). */
    int maxSteps = 4096;

    /** A sequence written to the runner (by the writer thread) whose trace is not read yet. */
    private record Request(byte[] code, byte[] scratch, byte[] stack) {}

    private final ArrayDeque<Request> pending = new ArrayDeque<>();
    /** Writes requests so that the runner works on the next sequences while this side compares (no pipe deadlock). */
    private final java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "native-runner-writer");
        t.setDaemon(true);
        return t;
    });
    private volatile IOException writeFailure;

    /**
     * Queues a sequence; the next {@link #start} with the same code takes its trace. Callers that submit
     * ahead must call {@link #start} for each in order, or {@link #drain}.
     */
    void submit(byte[] code, byte[] scratch, byte[] stack, long[] r, long flags) {
        ByteBuffer h = ByteBuffer.allocate(12 + 128 + 8).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(code.length).putInt(maxSteps).putInt(reportFp ? 1 : 0);
        for (int i = 0; i < 16; i++) h.putLong(r[i]);
        h.putLong(flags);
        byte[] s = java.util.Arrays.copyOf(scratch, (int) DiffGen.SCRATCH_SIZE), st = java.util.Arrays.copyOf(stack, 4096);
        byte[] fp = fpImage.clone(), c = code.clone();
        pending.add(new Request(c, s, st));
        writer.execute(() -> {
            try {
                outs.write(h.array());
                outs.write(fp);
                outs.write(c);
                outs.write(s);
                outs.write(st);
                outs.flush();
            } catch (IOException e) {
                writeFailure = e;
            }
        });
    }

    /** Reads and drops the traces of submitted sequences nobody started. */
    void drain() {
        while (!pending.isEmpty()) start(pending.peek().code, null, null, null, 0);
    }

    @Override
    public void start(byte[] code, byte[] scratch, byte[] stack, long[] r, long flags) {
        if (pending.isEmpty()) submit(code, scratch, stack, r, flags);
        Request q = pending.poll();
        if (!java.util.Arrays.equals(q.code, code)) throw new IllegalStateException("native: started a sequence not submitted next");
        try {
            trace.clear();
            ram.asSlice(DiffRig.CODE, 0x1000).fill((byte) 0xF4);
            MemorySegment.copy(q.code, 0, ram, ValueLayout.JAVA_BYTE, DiffRig.CODE, q.code.length);
            MemorySegment.copy(q.scratch, 0, ram, ValueLayout.JAVA_BYTE, DiffGen.SCRATCH, q.scratch.length);
            MemorySegment.copy(q.stack, 0, ram, ValueLayout.JAVA_BYTE, DiffRig.STACK_PAGE, q.stack.length);
            byte[] rec = new byte[16 + 144];
            while (true) {
                if (writeFailure != null) throw writeFailure;
                in.readFully(rec);
                int vector = (int) le(rec, 0, 4), n = (int) le(rec, 4, 4);
                if (vector == -1) {
                    if (reportFp) in.readFully(new byte[512]);
                    break;
                }
                long[] regs = new long[16];
                for (int i = 0; i < 16; i++) regs[i] = le(rec, 16 + 8 * i, 8);
                State st2 = new State(regs, le(rec, 144, 8), le(rec, 152, 8), vector, le(rec, 8, 8));
                byte[] fp = reportFp ? in.readNBytes(512) : null;
                byte[] d = in.readNBytes(16 * n);
                if (d.length != 16 * n) throw new IOException("truncated trace");
                trace.add(new Object[] {st2, fp, d});
            }
        } catch (IOException e) {
            throw new IllegalStateException("native runner failed: " + e.getMessage() + " " + stderr(), e);
        }
    }

    @Override
    public State step() {
        Object[] t = trace.poll();
        if (t == null) throw new IllegalStateException("native: the runner reported no further step");
        lastFp = (byte[]) t[1];
        byte[] d = (byte[]) t[2];
        for (int i = 0; i < d.length; i += 16) ram.set(DiffRig.L, le(d, i, 8), le(d, i + 8, 8));
        return (State) t[0];
    }

    private static long le(byte[] b, int at, int n) {
        long v = 0;
        for (int k = n - 1; k >= 0; k--) v = v << 8 | (b[at + k] & 0xFF);
        return n == 4 ? (int) v : v;
    }

    private String stderr() {
        try {
            if (proc.isAlive()) return "";
            InputStream e = proc.getErrorStream();
            return "(exit " + proc.exitValue() + ": " + new String(e.readAllBytes(), StandardCharsets.UTF_8).strip() + ")";
        } catch (IOException | IllegalThreadStateException x) {
            return "";
        }
    }

    private boolean closed;

    @Override
    public void close() {
        if (closed) return; // a DiffRunner closes its rig, and so does the test class that made it
        closed = true;
        try {
            drain();
            writer.submit(() -> {
                outs.write(new byte[12]);
                outs.flush();
                return null;
            }).get(5, TimeUnit.SECONDS);
            proc.waitFor(5, TimeUnit.SECONDS);
        } catch (RuntimeException | InterruptedException | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            // the runner is gone already
        } finally {
            writer.shutdownNow();
            proc.destroy();
            arena.close();
        }
    }
}
