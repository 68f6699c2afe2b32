package pcm.softcpu.internal.sse.fp;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import pcm.softcpu.internal.HostProgram;

/**
 * The host CPU's RCPPS/RSQRTPS over all 2^23 operands of one sign and exponent ({@code src/test/c/recip_probe.c},
 * built with the machine's gcc): the ground truth of {@link RecipModel} implementations and the measurement
 * {@link RecipTableGen} derives {@link AmdRecipTables} from. {@code -Dpcm.native.emulator=qemu-x86_64} runs it under
 * QEMU's user-mode emulator (TCG).
 */
final class RecipProbe implements AutoCloseable {

    static final int RCP = 0, RSQRT = 1;

    /** One exponent's results: {@code value[k]} for the fractions from {@code first[k]} up to the next run. */
    record Runs(int[] first, int[] value, int mxcsrAfter) {
        /** The result for fraction {@code f} (0 .. 2^23-1). */
        int at(int f) {
            int k = java.util.Arrays.binarySearch(first, f);
            return value[k >= 0 ? k : -k - 2];
        }
    }

    /** What executes the instructions: CPUID vendor, signature and hypervisor signature, from the probe itself. */
    final String vendor, hypervisor;
    final int signature;
    private final Process p;
    private final OutputStream out;
    private final DataInputStream in;

    RecipProbe() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        String emu = System.getProperty("pcm.native.emulator");
        if (emu != null && !emu.isEmpty()) cmd.add(emu);
        cmd.add(HostProgram.build("recip_probe.c", "recip-probe").toString());
        p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        out = p.getOutputStream();
        in = new DataInputStream(new java.io.BufferedInputStream(p.getInputStream(), 1 << 16));
        byte[] hello = in.readNBytes(28);
        if (hello.length != 28) throw new IOException("probe did not start");
        vendor = new String(hello, 0, 12, java.nio.charset.StandardCharsets.US_ASCII);
        signature = ByteBuffer.wrap(hello, 12, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        hypervisor = new String(hello, 16, 12, java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "");
    }

    /** The vendor model of the executing CPU: tcg under QEMU's emulator, else its vendor's. */
    String vendorModel() {
        if (hypervisor.equals("TCGTCGTCGTCG")) return pcm.core.api.cpu.CpuIdentity.TCG_FLAGS;
        return pcm.core.api.cpu.CpuIdentity.flagsOfVendor(vendor);
    }

    static String unavailable() { return HostProgram.unavailable("the RCPPS/RSQRTPS probe"); }

    Runs measure(int op, int sign, int exponent, int mxcsr) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(op).putInt(sign).putInt(exponent).putInt(mxcsr);
        out.write(b.array());
        out.flush();
        int n = u32(in);
        if (n < 1 || n > 1 << 23) throw new IOException("probe answered " + n + " runs");
        int[] first = new int[n], value = new int[n];
        byte[] raw = in.readNBytes(8 * n);
        if (raw.length != 8 * n) throw new IOException("probe ended");
        java.nio.IntBuffer ib = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        for (int k = 0; k < n; k++) {
            first[k] = ib.get();
            value[k] = ib.get();
        }
        return new Runs(first, value, u32(in));
    }

    private static int u32(InputStream in) throws IOException {
        int a = in.read(), b = in.read(), c = in.read(), d = in.read();
        if ((a | b | c | d) < 0) throw new IOException("probe ended");
        return a | b << 8 | c << 16 | d << 24;
    }

    @Override
    public void close() {
        try {
            out.close();
            p.waitFor();
        } catch (IOException | InterruptedException e) {
            p.destroy();
        }
    }
}
