package pcm.softcpu.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import pcm.softcpu.internal.x87.FpuVendor;

/**
 * The CPUID answers of the soft backend: a host-like table (vendor, family/model/stepping and brand
 * from {@code /proc/cpuinfo}) whose feature bits describe exactly what the interpreter implements — the
 * one place where the advertised set is kept ({@link #hostLike}). Entries can be overridden
 * ({@link #parse}). CPUID results are recorded as inputs: replay uses the logged values, so windows
 * recorded with an earlier table replay unchanged.
 */
final class CpuidTable {

    record Entry(int eax, int ebx, int ecx, int edx) {}

    private final Map<Long, Entry> entries = new HashMap<>();
    private final int maxBasic;
    private final int maxExtended;

    private CpuidTable(Map<Long, Entry> entries) {
        this.entries.putAll(entries);
        this.maxBasic = this.entries.getOrDefault(key(0, 0), new Entry(0, 0, 0, 0)).eax();
        this.maxExtended = this.entries.getOrDefault(key(0x80000000, 0), new Entry(0, 0, 0, 0)).eax();
    }

    static long key(int leaf, int subleaf) { return ((long) leaf << 32) | (subleaf & 0xFFFFFFFFL); }

    /** Leaves whose result depends on the subleaf (ECX). */
    private static boolean indexed(int leaf) { return leaf == 4 || leaf == 7 || leaf == 0xB || leaf == 0xD || leaf == 0x1F; }

    Entry lookup(int leaf, int subleaf) {
        boolean ext = leaf < 0 ;
        if (!ext && Integer.compareUnsigned(leaf, maxBasic) > 0 || ext && Integer.compareUnsigned(leaf, maxExtended) > 0) {
            // Intel: out-of-range leaves return the highest basic leaf
            leaf = maxBasic;
        }
        Entry e = entries.get(key(leaf, indexed(leaf) ? subleaf : 0));
        return e == null ? new Entry(0, 0, 0, 0) : e;
    }

    /** The host's CPUID vendor string from /proc/cpuinfo ("GenuineIntel" if unreadable). */
    static String hostVendor() {
        String v = cpuinfo().getOrDefault("vendor_id", "GenuineIntel");
        return v.length() == 12 ? v : "GenuineIntel";
    }

    /**
     * Whether the table advertises FPU, FXSR, SSE and SSE2 (64-bit Linux requires all four: "no FPU found" without).
     * On since stop 21: the x87 engine ({@link X87Slot}) and the SSE/SSE2 families ({@code SseSlot}) are in the decode
     * table, each checked against the host CPU natively. Every SSE/SSE2 encoding is implemented; RCPPS/RCPSS/RSQRTPS/
     * RSQRTSS, whose bits are the implementation's, stop the vCPU naming themselves where the soft CPU has no exact model
     * of the CPU it stands for (Intel, AMD families not measured: {@code SseRecip}), never a guessed result. With them
     * on, Debian's kernel boots to busybox's shell on the soft CPU (docs/linux-boot.md). MMX stays off: only the six
     * SSE/SSE2 conversions with an MMX operand are implemented, not the MMX instructions themselves.
     */
    static final boolean ADVERTISE_X87_AND_SSE = true;

    /** The TSC frequency the table reports when none is given (SoftExitHandler's default). */
    static final long DEFAULT_TSC_HZ = 2_000_000_000L;

    /** The default table from the host's /proc/cpuinfo (vendor "GenuineIntel" if unreadable). */
    static CpuidTable hostLike(String vendorOverride, Map<Long, Entry> overrides) {
        return hostLike(vendorOverride, overrides, DEFAULT_TSC_HZ, ADVERTISE_X87_AND_SSE);
    }

    /**
     * The default table: vendor, signature and brand of the host, and exactly the features the interpreter
     * implements (issue 13 item 3). Each bit names the file that implements it. Not advertised, and #UD in
     * the decode table or absent: VME, DE, PSE/PSE36 (no 32-bit paging), MCE/MCA, SEP (SYSENTER/SYSEXIT not implemented), MTRR (not modelled), MMX, SSE3 and later,
     * MONITOR, XSAVE/AVX, BMI1/BMI2 (TZCNT runs, ANDN etc. do not), SMAP/SMEP, FSGSBASE, INVPCID, PKU, RTM.
     * {@code tscHz} is the rate of the TSC the VMM answers RDTSC with (invariant: nanoTime-based).
     */
    static CpuidTable hostLike(String vendorOverride, Map<Long, Entry> overrides, long tscHz, boolean x87AndSse) {
        Map<String, String> info = cpuinfo();
        String vendor = vendorOverride != null && vendorOverride.length() == 12 ? vendorOverride
                : info.getOrDefault("vendor_id", "GenuineIntel");
        if (vendor.length() != 12) vendor = "GenuineIntel";
        int family = parseInt(info.get("cpu family"), 6);
        int model = parseInt(info.get("model"), 0x55);
        int stepping = parseInt(info.get("stepping"), 0);
        String brand = info.getOrDefault("model name", "PCM soft CPU");

        Map<Long, Entry> t = new HashMap<>();
        byte[] v = vendor.getBytes(StandardCharsets.US_ASCII);
        t.put(key(0, 0), new Entry(0x16, le(v, 0), le(v, 8), le(v, 4))); // up to the frequency leaves 15h/16h
        int fam = Math.min(family, 0xF), extFam = family > 0xF ? family - 0xF : 0;
        int sig = stepping & 0xF | (model & 0xF) << 4 | fam << 8 | (model >> 4 & 0xF) << 16 | extFam << 20;
        int leaf1Edx = 1 << 4 /* TSC: SystemInsns.rdtsc (exit, CR4.TSD) */
                | 1 << 5 /* MSR: ModelSpecificRegisters.rdmsr/wrmsr */
                | 1 << 6 /* PAE: CpuMemory.translate (4-level paging) */
                | 1 << 8 /* CX8: IntegerAlu.cmpxchg8b16b */
                | 1 << 9 /* APIC: the local APIC is a platform device (pcm.irq.lapic at 0xFEE00000), the APIC_BASE MSR is
                            ModelSpecificRegisters'; a platform without one tells the kernel nolapic (pcm.boot) */
                | 1 << 13 /* PGE: CR4.PGE accepted; the TLB is flushed whole on every CR3/CR4 write */
                | 1 << 15 /* CMOV: DataMovement.cmovcc */
                | 1 << 16 /* PAT: ModelSpecificRegisters (IA32_PAT held; memory types have no effect) */
                | 1 << 19; /* CLFSH: SystemInsns (CLFLUSH, no cache to flush); line size in EBX */
        if (x87AndSse) {
            leaf1Edx |= 1 /* FPU: pcm.softcpu.internal.x87 via X87Slot */
                    | 1 << 24 /* FXSR: FXSAVE/FXRSTOR (SSE family) */
                    | 1 << 25 /* SSE: SSE family */
                    | 1 << 26; /* SSE2: SSE family */
        }
        int leaf1Ecx = 1 << 13 /* CX16: IntegerAlu.cmpxchg8b16b */
                | 1 << 23 /* POPCNT: ShiftsAndBits.popcnt */
                | 1 << 30 /* RDRAND: SystemInsns.rdrandSeed (exit) */
                | 1 << 31; /* hypervisor present */
        int leaf1Ebx = 8 << 8 /* CLFLUSH line 64 bytes */ | 1 << 16 /* 1 logical CPU */;
        t.put(key(1, 0), new Entry(sig, leaf1Ebx, leaf1Ecx, leaf1Edx));
        t.put(key(7, 0), new Entry(0 /* max subleaf */, 1 << 18 /* RDSEED: SystemInsns.rdrandSeed (exit) */,
                1 << 22 /* RDPID: SystemInsns (TSC_AUX) */, 0));
        // TSC frequency: crystal 1 MHz x (tscHz / 1 MHz); 16h: base and maximum MHz, bus 100 MHz
        long mhz = Math.max(1, tscHz / 1_000_000L);
        t.put(key(0x15, 0), new Entry(1, (int) mhz, 1_000_000, 0));
        t.put(key(0x16, 0), new Entry((int) mhz & 0xFFFF, (int) mhz & 0xFFFF, 100, 0));
        t.put(key(0x80000000, 0), new Entry(0x80000008, 0, 0, 0));
        // MisAlignSse on an AMD vendor: the AMD vendor model (FpuVendor.AMD, the soft vCPU's on an AMD host) has MXCSR.MM
        // in MXCSR_MASK and lifts the packed-operand alignment check with it (SseUnit.src128)
        boolean amd = FpuVendor.ofCpuidVendor(vendor) == FpuVendor.AMD;
        t.put(key(0x80000001, 0), new Entry(0, 0,
                1 /* LAHF/SAHF in 64-bit mode: DataMovement */ | 1 << 5 /* LZCNT: ShiftsAndBits.bitScan */
                        | (amd && x87AndSse ? 1 << 7 : 0) /* MisAlignSse: SseUnit.src128 */,
                1 << 11 /* SYSCALL/SYSRET: SystemInsns */ | 1 << 20 /* NX: CpuMemory.translate */
                        | 1 << 26 /* 1 GiB pages: CpuMemory.translate */ | 1 << 27 /* RDTSCP: SystemInsns.rdtscp */
                        | 1 << 29 /* LM */));
        byte[] b = java.util.Arrays.copyOf(brand.getBytes(StandardCharsets.US_ASCII), 48);
        for (int i = 0; i < 3; i++) {
            t.put(key(0x80000002 + i, 0), new Entry(le(b, i * 16), le(b, i * 16 + 4), le(b, i * 16 + 8), le(b, i * 16 + 12)));
        }
        t.put(key(0x80000007, 0), new Entry(0, 0, 0, 1 << 8 /* invariant TSC: SoftExitHandler.tsc (nanoTime-based) */));
        t.put(key(0x80000008, 0), new Entry(0x3030, 0, 0, 0));
        if (overrides != null) t.putAll(overrides);
        return new CpuidTable(t);
    }

    /**
     * Parses overrides: entries separated by ';' or whitespace, each {@code leaf[.subleaf]=eax,ebx,ecx,edx} in hex,
     * e.g. {@code 0=d,756e6547,6c65746e,49656e69}.
     */
    static Map<Long, Entry> parse(String spec) {
        Map<Long, Entry> m = new HashMap<>();
        if (spec == null || spec.isBlank()) return m;
        for (String item : spec.trim().split("[;\\s]+")) {
            String[] kv = item.split("=", 2);
            if (kv.length != 2) throw new IllegalArgumentException("bad CPUID entry '" + item + "'");
            String[] ls = kv[0].split("\\.");
            int leaf = Integer.parseUnsignedInt(strip(ls[0]), 16);
            int sub = ls.length > 1 ? Integer.parseUnsignedInt(strip(ls[1]), 16) : 0;
            String[] regs = kv[1].split(",");
            if (regs.length != 4) throw new IllegalArgumentException("bad CPUID entry '" + item + "': need 4 registers");
            m.put(key(leaf, sub), new Entry(Integer.parseUnsignedInt(strip(regs[0]), 16), Integer.parseUnsignedInt(strip(regs[1]), 16),
                    Integer.parseUnsignedInt(strip(regs[2]), 16), Integer.parseUnsignedInt(strip(regs[3]), 16)));
        }
        return m;
    }

    private static String strip(String s) {
        s = s.trim();
        return s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
    }

    private static int le(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    private static int parseInt(String s, int dflt) {
        try {
            return s == null ? dflt : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** The first processor's /proc/cpuinfo fields, read once (CpuBase.HOST_INTEL and every hostLike table use them). */
    private static Map<String, String> cpuinfo() { return HostCpuinfo.FIELDS; }

    private static final class HostCpuinfo {
        static final Map<String, String> FIELDS = Map.copyOf(read());
    }

    private static Map<String, String> read() {
        Map<String, String> m = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.isBlank()) break; // first processor only
                int c = line.indexOf(':');
                if (c > 0) m.putIfAbsent(line.substring(0, c).trim(), line.substring(c + 1).trim());
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: defaults
        }
        return m;
    }
}
