package pcm.bench.pio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import pcm.core.api.cpu.HostInfo;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.vm.VmExit;
import pcm.vmx.internal.kvm.KvmHypervisor;
import pcm.vmx.internal.kvm.KvmVcpu;
import pcm.vmx.internal.kvm.KvmVm;

/**
 * PIO exit round trips per second through the pcm.vmx KVM backend, against the C program
 * {@code guest/test-vmm/pio_bench.c} running the identical guest (same bytes, same boot state), compiled
 * with gcc into a temp dir and run in the same invocation, interleaved with the Java rounds.
 * <p>
 * Guest at GPA 0x100000, CPL0 (emulated on PVM): {@code xor %eax,%eax; 1: inc %eax; out %al,$0x80; jmp 1b}.
 * Each iteration is one {@code run()} returning {@code PortOut(0x80, 1, i & 0xff)}, checked, then the next run.
 * <p>
 * Options (system properties): {@code -Dn=200000} iterations per round, {@code -Drounds=3},
 * {@code -Dwarmup=50000}, {@code -Dc.source=guest/test-vmm/pio_bench.c}, or {@code -Dc.binary=<built pio_bench>}
 * where there is no gcc (the emulated SVM host of bin/svm-host, issue 12).
 * Output: {@code java <n>/s  c <n>/s  ratio <x>} (best round of each).
 */
public final class PioRoundTripBench {

    static final long RAM_SIZE = 2L << 20;
    static final int PORT = 0x80;
    static final byte[] CODE = {0x31, (byte) 0xc0, (byte) 0xff, (byte) 0xc0, (byte) 0xe6, (byte) PORT, (byte) 0xeb, (byte) 0xfa};

    public static void main(String[] args) throws Throwable {
        long n = Long.getLong("n", 200_000);
        int rounds = Integer.getInteger("rounds", 3);
        long warmup = Long.getLong("warmup", 50_000);
        Path cSource = Path.of(System.getProperty("c.source", "guest/test-vmm/pio_bench.c"));

        KvmHypervisor hv = KvmHypervisor.standard();
        HostInfo info = hv.hostInfo();
        if (!info.available()) {
            System.out.println("KVM not available: " + info.problem());
            System.exit(2);
        }
        System.out.println("host: " + info.description());

        String prebuilt = System.getProperty("c.binary");
        Path cBinary = prebuilt != null ? Path.of(prebuilt) : compile(cSource);
        MemorySegment ram = mmap(RAM_SIZE);
        List<Double> javaRates = new ArrayList<>();
        List<Double> cRates = new ArrayList<>();
        try (KvmVm vm = hv.createVm()) {
            setUpGuest(ram);
            vm.setMemoryRegion(0, 0, ram, false);
            KvmVcpu cpu = vm.createVcpu(0);
            setUpCpu(cpu);
            long[] counter = {0};
            loop(cpu, 1, counter);           // first exit: entry, page walks (not timed, as in C)
            loop(cpu, warmup, counter);      // JIT warm-up
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                loop(cpu, n, counter);
                long dt = System.nanoTime() - t0;
                double rate = n * 1e9 / dt;
                javaRates.add(rate);
                System.out.printf("round %d: java %.0f/s (%.3f us each)", r + 1, rate, dt / 1e3 / n);
                if (cBinary != null) {
                    double c = runC(cBinary, n);
                    cRates.add(c);
                    System.out.printf("   c %.0f/s (%.3f us each)", c, 1e6 / c);
                }
                System.out.println();
            }
        } finally {
            hv.close();
        }
        double j = javaRates.stream().max(Comparator.naturalOrder()).orElse(0.0);
        if (cRates.isEmpty()) {
            System.out.printf("java %.0f/s  c n/a/s  ratio n/a%n", j);
            return;
        }
        double c = cRates.stream().max(Comparator.naturalOrder()).orElse(0.0);
        System.out.printf("java %.0f/s  c %.0f/s  ratio %.3f%n", j, c, j / c);
    }

    /** n round trips; checks every exit like pio_bench.c does. */
    static void loop(KvmVcpu cpu, long n, long[] counter) throws Exception {
        long i = counter[0];
        for (long k = 0; k < n; k++) {
            VmExit e = cpu.run();
            if (e instanceof VmExit.PortOut(int port, int size, long data) && port == PORT && size == 1
                    && data == ((i + 1) & 0xff)) {
                i++;
                continue;
            }
            if (e instanceof VmExit.Interrupted) {
                k--;
                continue;
            }
            throw new IllegalStateException("unexpected exit " + e + " at iteration " + i);
        }
        counter[0] = i;
    }

    /** The boot state of pio_bench.c. */
    static void setUpGuest(MemorySegment m) {
        ValueLayout.OfLong L = JAVA_LONG;
        m.set(L, 0x1000 + 8, 0x00AF9A000000FFFFL);
        m.set(L, 0x1000 + 16, 0x00CF92000000FFFFL);
        m.set(L, 0x2000, 0x3000 | 7);
        m.set(L, 0x3000, 0x4000 | 7);
        m.set(L, 0x4000, 0x87);
        MemorySegment.copy(MemorySegment.ofArray(CODE), 0, m, 0x100000, CODE.length);
    }

    static void setUpCpu(KvmVcpu cpu) throws Exception {
        SpecialRegisters cur = cpu.specialRegisters();
        Segment cs = new Segment(0, 0xFFFFFFFF, 0x08, 11, true, 0, false, true, true, true, false, false);
        Segment ds = new Segment(0, 0xFFFFFFFF, 0x10, 3, true, 0, true, true, false, true, false, false);
        Segment tr = new Segment(0, 0x67, 0, 11, true, 0, false, false, false, false, false, false);
        Segment ldt = new Segment(0, 0xFFFF, 0, 2, true, 0, false, false, false, false, false, true);
        cpu.setSpecialRegisters(new SpecialRegisters(cs, ds, ds, ds, ds, ds, tr, ldt,
                new SpecialRegisters.DescriptorTable(0x1000, 23), new SpecialRegisters.DescriptorTable(0, 0),
                0x80010033L, 0, 0x2000, 0x620, 0, 0xD01, cur.apicBase()));
        long[] r = Registers.ZERO.toArray();
        r[6] = 0x90000;
        r[16] = 0x100000;
        r[17] = 2;
        cpu.setRegisters(Registers.fromArray(r));
    }

    static Path compile(Path source) throws IOException, InterruptedException {
        if (!Files.isRegularFile(source)) {
            System.out.println("C reference " + source + " not found (run from the repository root or set -Dc.source)");
            return null;
        }
        Path dir = Files.createTempDirectory("pio_bench");
        Path bin = dir.resolve("pio_bench");
        Process p = new ProcessBuilder("gcc", "-O2", "-Wall", "-std=gnu11", "-o", bin.toString(), source.toString())
                .inheritIO().start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            System.out.println("gcc failed for " + source);
            return null;
        }
        bin.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return bin;
    }

    static double runC(Path bin, long n) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(bin.toString(), Long.toString(n)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pio_bench failed: " + out);
        }
        try (Stream<String> lines = out.lines()) {
            return lines.filter(l -> l.startsWith("pio-roundtrips-per-sec "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1).trim()))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no result from pio_bench: " + out));
        }
    }

    /** Anonymous private mmap, as pio_bench.c does. */
    static MemorySegment mmap(long len) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        MemorySegment p = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, len, 3, 0x22, -1, 0L);
        if (p.address() == -1L) {
            throw new IllegalStateException("mmap failed");
        }
        return p.reinterpret(len);
    }

}
