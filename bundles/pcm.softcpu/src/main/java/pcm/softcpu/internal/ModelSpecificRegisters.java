package pcm.softcpu.internal;

import java.util.Set;

import pcm.core.api.vm.VmExit;

/**
 * Model-specific registers: the MSRs the CPU holds itself (as KVM does) and RDMSR/WRMSR. An MSR the CPU
 * does not hold leaves as an exit for the VMM (logged as an input) when it is forwarded, else the guest
 * gets #GP(0) as on hardware for an MSR that does not exist.
 */
abstract class ModelSpecificRegisters extends ControlFlow {

    ModelSpecificRegisters(PhysicalMemory mem) {
        super(mem);
    }

    static final int MSR_TSC = 0x10, MSR_APIC_BASE = 0x1B, MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175,
            MSR_SYSENTER_EIP = 0x176, MSR_PAT = 0x277, MSR_EFER = 0xC0000080, MSR_STAR = 0xC0000081,
            MSR_LSTAR = 0xC0000082, MSR_CSTAR = 0xC0000083, MSR_SFMASK = 0xC0000084, MSR_FS_BASE = 0xC0000100,
            MSR_GS_BASE = 0xC0000101, MSR_KERNEL_GS_BASE = 0xC0000102, MSR_TSC_AUX = 0xC0000103;

    static final int MSR_UCODE_REV = 0x8B, MSR_MISC_ENABLE = 0x1A0;

    /**
     * AMD's hardware configuration register, present on the AMD model only. Linux reads it on an AMD vendor string
     * (bsp_init_amd) and warns "TSC doesn't count with P0 frequency!" unless TscFreqSel (bit 24) is set — and before,
     * with no such MSR, it logged an "unchecked MSR access error" (#GP) first. Fixed here: TscFreqSel, the only bit the
     * model has; a write of another value raises #GP (the model holds no other HWCR state, and a write it ignored
     * would read back differently from hardware).
     */
    static final int MSR_AMD_HWCR = 0xC0010015;
    static final long AMD_HWCR = 1L << 24;

    /**
     * The MSRs not held here whose RDMSR/WRMSR leave as exits by default (the VMM answers them, the recorder
     * logs the values read): the TSC, IA32_MISC_ENABLE and the microcode revision (Linux reads the last two on
     * Intel without a fault handler). Every other MSR the CPU does not hold raises #GP(0) in the guest, as on
     * a CPU without it (issue 13 item 3; before, every unknown MSR left as an exit).
     */
    static final Set<Integer> DEFAULT_FORWARDED_MSRS = Set.of(MSR_TSC, MSR_UCODE_REV, MSR_MISC_ENABLE);

    /** The forwarded MSRs of this vCPU ({@link SoftVcpu#setForwardedMsrs}). */
    Set<Integer> forwardedMsrs = DEFAULT_FORWARDED_MSRS;


    boolean isInternalMsr(int index) {
        if (index == MSR_AMD_HWCR) return !intelFlags;
        switch (index) {
            case MSR_APIC_BASE: case MSR_SYSENTER_CS: case MSR_SYSENTER_ESP: case MSR_SYSENTER_EIP: case MSR_PAT:
            case MSR_EFER: case MSR_STAR: case MSR_LSTAR: case MSR_CSTAR: case MSR_SFMASK: case MSR_FS_BASE:
            case MSR_GS_BASE: case MSR_KERNEL_GS_BASE: case MSR_TSC_AUX:
                return true;
            default:
                return false;
        }
    }

    long readInternalMsr(int index) {
        switch (index) {
            case MSR_AMD_HWCR: return AMD_HWCR;
            case MSR_APIC_BASE: return apicBase;
            case MSR_SYSENTER_CS: return sysenterCs;
            case MSR_SYSENTER_ESP: return sysenterEsp;
            case MSR_SYSENTER_EIP: return sysenterEip;
            case MSR_PAT: return pat;
            case MSR_EFER: return efer;
            case MSR_STAR: return star;
            case MSR_LSTAR: return lstar;
            case MSR_CSTAR: return cstar;
            case MSR_SFMASK: return sfmask;
            case MSR_FS_BASE: return segBase[FS];
            case MSR_GS_BASE: return segBase[GS];
            case MSR_KERNEL_GS_BASE: return kernelGsBase;
            case MSR_TSC_AUX: return tscAux;
            default: throw new IllegalArgumentException("MSR 0x" + Integer.toHexString(index));
        }
    }

    /** Returns false when the value is invalid (the guest gets #GP). */
    boolean writeInternalMsr(int index, long v) {
        switch (index) {
            case MSR_AMD_HWCR: return v == AMD_HWCR;
            case MSR_APIC_BASE: apicBase = v; return true;
            case MSR_SYSENTER_CS: sysenterCs = v; return true;
            case MSR_SYSENTER_ESP: sysenterEsp = v; return true;
            case MSR_SYSENTER_EIP: sysenterEip = v; return true;
            case MSR_PAT: pat = v; return true;
            case MSR_EFER: {
                if ((v & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) != 0) return false;
                long lma = efer & EFER_LMA;
                efer = (v & ~EFER_LMA) | lma;
                flushTlb();
                return true;
            }
            case MSR_STAR: star = v; return true;
            case MSR_LSTAR: if (!canonical(v)) return false; lstar = v; return true;
            case MSR_CSTAR: if (!canonical(v)) return false; cstar = v; return true;
            case MSR_SFMASK: sfmask = v & 0xFFFFFFFFL; return true;
            case MSR_FS_BASE: if (!canonical(v)) return false; segBase[FS] = v; return true;
            case MSR_GS_BASE: if (!canonical(v)) return false; segBase[GS] = v; return true;
            case MSR_KERNEL_GS_BASE: if (!canonical(v)) return false; kernelGsBase = v; return true;
            case MSR_TSC_AUX: tscAux = v & 0xFFFFFFFFL; return true;
            default: return false;
        }
    }

    final void rdmsr() {
        if (cpl != 0) throw gp(0);
        int index = (int) r[1];
        if (isInternalMsr(index)) {
            long v = readInternalMsr(index);
            r[0] = v & 0xFFFFFFFFL;
            r[2] = v >>> 32;
            return;
        }
        if (!forwardedMsrs.contains(index)) throw gp(0);
        pendingExit = new VmExit.MsrRead(index);
        completion = C_EDXEAX;
    }

    final void wrmsr() {
        if (cpl != 0) throw gp(0);
        int index = (int) r[1];
        long v = (r[0] & 0xFFFFFFFFL) | (r[2] << 32);
        if (isInternalMsr(index)) {
            if (!writeInternalMsr(index, v)) throw gp(0);
            return;
        }
        if (!forwardedMsrs.contains(index)) throw gp(0);
        pendingExit = new VmExit.MsrWrite(index, v);
    }
}
