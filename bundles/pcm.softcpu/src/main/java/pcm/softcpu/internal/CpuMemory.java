package pcm.softcpu.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import pcm.core.api.vm.VmExit;

/**
 * Linear and physical memory of the soft CPU: the direct-mapped TLB, 4-level paging with A/D bits,
 * the fast and slow access paths (MMIO as exits), cached code pages and instruction fetch.
 */
abstract class CpuMemory extends CpuState {

    // ---- TLB: direct mapped, 4 KiB entries, tag = vpn << 1 | ukey ----
    static final int TLB_BITS = 12, TLB_SIZE = 1 << TLB_BITS, TLB_MASK = TLB_SIZE - 1;
    final long[] rTag = new long[TLB_SIZE], wTag = new long[TLB_SIZE], xTag = new long[TLB_SIZE];
    final long[] rOff = new long[TLB_SIZE], wOff = new long[TLB_SIZE], xOff = new long[TLB_SIZE];
    final MemorySegment[] rSeg = new MemorySegment[TLB_SIZE], wSeg = new MemorySegment[TLB_SIZE],
            xSeg = new MemorySegment[TLB_SIZE];
    int seenDirtyGeneration;

    // fetch window: [fetchLo, fetchHi) linear, bytes in fetchCode (a copy of the code page)
    long fetchLo, fetchHi;
    byte[] fetchCode;
    /** The pre-decoded instructions of the fetch window's page (valid while the window is). */
    DecodedInsn[] fetchOps;
    /** The code page of the fetch window (valid while the window is). */
    CodePage fetchPage;
    /** The block compiler, or null when it is off (BlockCompiler; docs/block-compiler.md). */
    BlockCompiler jit;
    /** Moves whenever bytes of a cached code page change: a translated block stops after a store that moved it. */
    int codeWrites;
    /** Copies of the physical pages instructions were fetched from, by page number. */
    final java.util.HashMap<Long, CodePage> codePages = new java.util.HashMap<>();
    /** Per execute-TLB entry: the code page copy. */
    final CodePage[] xCode = new CodePage[TLB_SIZE];
    /**
     * Bumped at every run(): a code page is compared with RAM once per run before use, so writes made
     * outside this vCPU between runs (VMM, devices) are seen.
     */
    int runEpoch;

    static final class CodePage {
        final byte[] bytes = new byte[4096];
        /** Pre-decoded instructions by offset of their first byte (null: not decoded yet). */
        final DecodedInsn[] ops = new DecodedInsn[4096];
        final MemorySegment seg;
        final long off;
        int epoch;
        /** Pre-decoded instructions of this page that head a translated block (BlockCompiler), or null. */
        java.util.ArrayList<DecodedInsn> jitHeads;

        CodePage(MemorySegment seg, long off, int epoch) {
            this.seg = seg;
            this.off = off;
            this.epoch = epoch;
            MemorySegment.copy(seg, B, off, bytes, 0, 4096);
        }

        /** Compares the copy with RAM once per run; returns whether it changed (all pre-decoded entries dropped). */
        boolean validate(int now) {
            if (epoch == now) return false;
            epoch = now;
            if (MemorySegment.mismatch(seg, off, off + 4096, MemorySegment.ofArray(bytes), 0, 4096) != -1) {
                MemorySegment.copy(seg, B, off, bytes, 0, 4096);
                Arrays.fill(ops, null);
                return true;
            }
            return false;
        }
    }

    /**
     * Told every data access to RAM while a memory tracer is armed (null otherwise). While set, the TLB never maps a
     * page for loads or stores, so every access takes the slow path, where it is reported: the fast path costs
     * nothing more when no tracer is armed.
     */
    pcm.core.api.tracer.MemoryAccessListener accessListener;

    /**
     * Setting a listener flushes the TLB (mapped pages would bypass it) and must happen on the vCPU's thread between
     * runs; removing one (null) does not touch the TLB, so it is safe from any thread (a window given up by another
     * thread): later accesses simply fill the TLB again.
     */
    final void setAccessListener(pcm.core.api.tracer.MemoryAccessListener l) {
        accessListener = l;
        if (l != null) flushTlb();
    }

    CpuMemory(PhysicalMemory mem) {
        super(mem);
        flushTlb();
    }

    // =====================================================================================
    // TLB and paging

    final void flushTlb() {
        Arrays.fill(rTag, -1L);
        Arrays.fill(wTag, -1L);
        Arrays.fill(xTag, -1L);
        Arrays.fill(rSeg, null);
        Arrays.fill(wSeg, null);
        Arrays.fill(xSeg, null);
        fetchLo = fetchHi = 0;
        fetchCode = null;
        fetchOps = null;
        fetchPage = null;
        Arrays.fill(xCode, null);
    }

    final void flushWriteTlb() {
        Arrays.fill(wTag, -1L);
        Arrays.fill(wSeg, null);
    }

    final void setCpl(int newCpl) {
        cpl = newCpl;
        ukey = newCpl == 3 ? 1 : 0;
        fetchLo = fetchHi = 0;
    }

    static final int ACC_WRITE = 1, ACC_USER = 2, ACC_FETCH = 4;

    private MemorySegment walkSeg;
    private long walkOff;

    static boolean canonical(long a) { return (a << 16 >> 16) == a; }

    /**
     * Translates a linear address for an access ({@link #ACC_WRITE} etc.), setting accessed/dirty bits,
     * raising #PF/#GP; returns the physical address. Fills the TLB when the page is RAM.
     */
    final long translate(long lin, int acc) {
        if (!canonical(lin)) throw gp(0);
        long pa;
        boolean writable = true, user = true;
        if ((cr0 & CR0_PG) == 0) {
            pa = lin & 0xFFFFFFFFL;
        } else {
            boolean nx = false;
            long tableAddr = cr3 & 0x000FFFFFFFFFF000L;
            long e = 0;
            long eAddr = 0;
            int level = 4;
            long pageMask = 0;
            while (true) {
                int shift = 12 + 9 * (level - 1);
                eAddr = tableAddr + ((lin >>> shift) & 0x1FF) * 8;
                e = physRead64(eAddr);
                if ((e & 1) == 0) throw pageFault(lin, acc, false);
                if ((e & 2) == 0) writable = false;
                if ((e & 4) == 0) user = false;
                if (e < 0) nx = true;
                boolean leaf = level == 1 || (level <= 3 && (e & 0x80) != 0);
                if (leaf) {
                    pageMask = (1L << shift) - 1;
                    break;
                }
                if ((e & 0x20) == 0) physWrite64(eAddr, e | 0x20);
                tableAddr = e & 0x000FFFFFFFFFF000L;
                level--;
            }
            boolean isUser = (acc & ACC_USER) != 0;
            if (isUser && !user) throw pageFault(lin, acc, true);
            if ((acc & ACC_WRITE) != 0 && !writable && (isUser || (cr0 & CR0_WP) != 0)) throw pageFault(lin, acc, true);
            if ((acc & ACC_FETCH) != 0 && nx && (efer & EFER_NXE) != 0) throw pageFault(lin, acc, true);
            long ne = e | 0x20 | ((acc & ACC_WRITE) != 0 ? 0x40 : 0);
            if (ne != e) physWrite64(eAddr, ne);
            pa = ((e & 0x000FFFFFFFFFF000L) & ~pageMask) | (lin & pageMask);
        }
        PhysicalMemory.Region reg = mem.find(pa);
        if (reg != null) {
            long off = (pa & ~0xFFFL) - reg.gpa;
            walkSeg = reg.host;
            walkOff = off;
            long vpn = lin >>> 12;
            int i = (int) vpn & TLB_MASK;
            long key = vpn << 1 | ukey;
            boolean tagUser = ukey == 1;
            // entries are keyed by the current CPL; only fill for accesses made at that privilege; none for data while
            // a memory tracer listens (every access must reach the slow path)
            if (accessListener != null && (acc & ACC_FETCH) == 0) {
                if ((acc & ACC_WRITE) != 0 && reg.logDirty) reg.markDirty(pa);
            } else if (((acc & ACC_USER) != 0) == tagUser) {
                if ((acc & ACC_FETCH) != 0) {
                    xTag[i] = key; xOff[i] = off; xSeg[i] = reg.host; xCode[i] = null;
                } else if ((acc & ACC_WRITE) != 0) {
                    if (reg.logDirty) reg.markDirty(pa);
                    // pages holding cached code are never write-mapped: their writes patch the copy (slow path)
                    if (codePages.isEmpty() || !codePages.containsKey(pa >>> 12)) {
                        wTag[i] = key; wOff[i] = off; wSeg[i] = reg.host;
                    }
                    rTag[i] = key; rOff[i] = off; rSeg[i] = reg.host;
                } else {
                    rTag[i] = key; rOff[i] = off; rSeg[i] = reg.host;
                }
            } else if ((acc & ACC_WRITE) != 0 && reg.logDirty) {
                reg.markDirty(pa);
            }
        } else {
            walkSeg = null;
        }
        return pa;
    }

    private Fault pageFault(long lin, int acc, boolean present) {
        cr2 = lin;
        int err = (present ? 1 : 0) | ((acc & ACC_WRITE) != 0 ? 2 : 0) | ((acc & ACC_USER) != 0 ? 4 : 0)
                | ((acc & ACC_FETCH) != 0 && (efer & EFER_NXE) != 0 ? 16 : 0);
        return raise(PF_, err);
    }

    final long physRead64(long pa) {
        PhysicalMemory.Region reg = mem.find(pa);
        if (reg == null || pa - reg.gpa > reg.size - 8) {
            throw new UnsupportedInstructionException(rip, fetchBytesQuietly(rip),
                    "page-table access outside RAM at gpa 0x" + Long.toHexString(pa));
        }
        return reg.host.get(I64, pa - reg.gpa);
    }

    final void physWrite64(long pa, long v) {
        PhysicalMemory.Region reg = mem.find(pa);
        if (reg == null || pa - reg.gpa > reg.size - 8) {
            throw new UnsupportedInstructionException(rip, fetchBytesQuietly(rip),
                    "page-table access outside RAM at gpa 0x" + Long.toHexString(pa));
        }
        reg.host.set(I64, pa - reg.gpa, v);
        if (reg.logDirty) reg.markDirty(pa);
        patchCode(pa, 8, v);
    }

    /** Keeps a cached code page in step with a write to it (self-modifying code). */
    final void patchCode(long pa, int size, long v) {
        if (codePages.isEmpty()) return;
        CodePage cp = codePages.get(pa >>> 12);
        if (cp == null) return;
        boolean changed = false;
        for (int k = 0; k < size; k++) {
            int o = (int) ((pa + k) & 0xFFF);
            byte nb = (byte) (v >>> (8 * k));
            if (cp.bytes[o] != nb) {
                cp.bytes[o] = nb;
                changed = true;
            }
        }
        if (changed) { // drop the pre-decoded instructions that may contain the changed bytes (up to 15 long)
            int o = (int) (pa & 0xFFF);
            Arrays.fill(cp.ops, Math.max(0, o - 14), Math.min(4096, o + size), null);
            codeWrites++;
            if (jit != null) jit.invalidate(cp, o, size);
        }
    }

    abstract byte[] fetchBytesQuietly(long at);

    // =====================================================================================
    // linear memory access: fast path through the TLB, slow path translates / MMIO

    final int acc() { return cpl == 3 ? ACC_USER : 0; }

    final int rd8(long a) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn << 1 | ukey)) return rSeg[i].get(B, rOff[i] + (a & 0xFFF)) & 0xFF;
        return (int) readSlow(a, 1, acc());
    }

    final int rd16(long a) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFFE) return rSeg[i].get(S16, rOff[i] + (a & 0xFFF)) & 0xFFFF;
        return (int) readSlow(a, 2, acc());
    }

    final long rd32(long a) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFFC) return rSeg[i].get(I32, rOff[i] + (a & 0xFFF)) & 0xFFFFFFFFL;
        return readSlow(a, 4, acc());
    }

    final long rd64(long a) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFF8) return rSeg[i].get(I64, rOff[i] + (a & 0xFFF));
        return readSlow(a, 8, acc());
    }

    final long read(long a, int size) {
        switch (size) {
            case 1: return rd8(a);
            case 2: return rd16(a);
            case 4: return rd32(a);
            default: return rd64(a);
        }
    }

    final void wr8(long a, long v) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn << 1 | ukey)) wSeg[i].set(B, wOff[i] + (a & 0xFFF), (byte) v);
        else writeSlow(a, 1, v, acc());
    }

    final void wr16(long a, long v) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFFE) wSeg[i].set(S16, wOff[i] + (a & 0xFFF), (short) v);
        else writeSlow(a, 2, v, acc());
    }

    final void wr32(long a, long v) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFFC) wSeg[i].set(I32, wOff[i] + (a & 0xFFF), (int) v);
        else writeSlow(a, 4, v, acc());
    }

    final void wr64(long a, long v) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFF8) wSeg[i].set(I64, wOff[i] + (a & 0xFFF), v);
        else writeSlow(a, 8, v, acc());
    }

    final void write(long a, int size, long v) {
        switch (size) {
            case 1: wr8(a, v); break;
            case 2: wr16(a, v); break;
            case 4: wr32(a, v); break;
            default: wr64(a, v); break;
        }
    }

    /** Supervisor (implicit) accesses: descriptor tables, TSS, interrupt frames at CPL0. */
    final long sysRead(long a, int size) { return readSlow(a, size, 0); }

    final void sysWrite(long a, int size, long v) { writeSlow(a, size, v, 0); }

    final long readSlow(long a, int size, int acc) {
        if ((a & 0xFFF) + size > 0x1000) { // crosses a page: byte by byte (both pages checked first)
            translate(a, acc);
            translate(a + size - 1, acc);
            long v = 0;
            for (int k = 0; k < size; k++) v |= readSlow(a + k, 1, acc) << (8 * k);
            return v;
        }
        long pa = translate(a, acc);
        if (walkSeg != null) {
            long off = walkOff + (a & 0xFFF);
            long v = switch (size) {
                case 1 -> walkSeg.get(B, off) & 0xFF;
                case 2 -> walkSeg.get(S16, off) & 0xFFFF;
                case 4 -> walkSeg.get(I32, off) & 0xFFFFFFFFL;
                default -> walkSeg.get(I64, off);
            };
            if (accessListener != null) accessListener.access(icount, pa, false, size, v);
            return v;
        }
        return mmioRead(pa, size);
    }

    final void writeSlow(long a, int size, long v, int acc) {
        if ((a & 0xFFF) + size > 0x1000) {
            translate(a, acc | ACC_WRITE);
            translate(a + size - 1, acc | ACC_WRITE);
            for (int k = 0; k < size; k++) writeSlow(a + k, 1, v >>> (8 * k), acc);
            return;
        }
        long pa = translate(a, acc | ACC_WRITE);
        if (walkSeg != null) {
            long off = walkOff + (a & 0xFFF);
            switch (size) {
                case 1: walkSeg.set(B, off, (byte) v); break;
                case 2: walkSeg.set(S16, off, (short) v); break;
                case 4: walkSeg.set(I32, off, (int) v); break;
                default: walkSeg.set(I64, off, v); break;
            }
            patchCode(pa, size, v);
            if (accessListener != null) accessListener.access(icount, pa, true, size, v & MASK[size]);
            return;
        }
        mmioWrite(pa, size, v);
    }

    /**
     * Reads the destination of a read-modify-write instruction: the access is checked as a write first, so
     * that a fault reports W=1 as on hardware (which translates it for writing before the read; issue 13
     * item 4: the native oracle saw error code 6 where the interpreter gave 4).
     */
    final long readRmw(long a, int size) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] != (vpn << 1 | ukey) || (a & 0xFFF) + size > 0x1000) probeWrite(a, size);
        return read(a, size);
    }

    /** Checks that a write would succeed (so that an exit can be taken before committing). */
    final void probeWrite(long a, int size) {
        translate(a, acc() | ACC_WRITE);
        if ((a & 0xFFF) + size > 0x1000) translate(a + size - 1, acc() | ACC_WRITE);
    }

    final long mmioRead(long pa, int size) {
        if (mmioValid && mmioAddr == pa && mmioSize == size) {
            mmioValid = false;
            return mmioValue & MASK[size];
        }
        if (pendingExit != null) {
            throw new UnsupportedInstructionException(rip, fetchBytesQuietly(rip), "two MMIO accesses in one instruction");
        }
        pendingExit = new VmExit.MmioRead(pa, size);
        throw exitSignal;
    }

    final void mmioWrite(long pa, int size, long v) {
        if (pendingExit != null) {
            throw new UnsupportedInstructionException(rip, fetchBytesQuietly(rip), "two MMIO accesses in one instruction");
        }
        pendingExit = new VmExit.MmioWrite(pa, size, v & MASK[size]);
    }

    // =====================================================================================
    // instruction fetch

    final int fetch8() {
        long a = nip;
        if (a >= fetchLo && a < fetchHi) {
            nip = a + 1;
            return fetchCode[(int) (a - fetchLo)] & 0xFF;
        }
        return fetchSlow();
    }

    private int fetchSlow() {
        long a = nip;
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        CodePage page;
        if (xTag[i] == (vpn << 1 | ukey) && xCode[i] != null) {
            page = xCode[i];
            if (page.validate(runEpoch)) codeChangedBehind(page);
        } else {
            long pa = translate(a, acc() | ACC_FETCH);
            if (walkSeg == null) {
                throw new UnsupportedInstructionException(rip, new byte[0],
                        "instruction fetch from MMIO at gpa 0x" + Long.toHexString(pa));
            }
            page = codePages.get(pa >>> 12);
            if (page == null) {
                page = new CodePage(walkSeg, walkOff, runEpoch);
                codePages.put(pa >>> 12, page);
                flushWriteTlb(); // writes to this page must now take the slow path
            } else if (page.validate(runEpoch)) {
                codeChangedBehind(page);
            }
            if (xTag[i] == (vpn << 1 | ukey)) xCode[i] = page;
        }
        fetchLo = a & ~0xFFFL;
        fetchHi = fetchLo + 0x1000;
        fetchCode = page.bytes;
        fetchOps = page.ops;
        fetchPage = page;
        nip = a + 1;
        return fetchCode[(int) (a - fetchLo)] & 0xFF;
    }

    /** RAM under a cached code page changed between runs (VMM, DMA): its translations go with its decodings. */
    private void codeChangedBehind(CodePage page) {
        codeWrites++;
        if (jit != null) jit.dropPage(page);
    }

    final int fetch16() {
        int lo = fetch8();
        return lo | fetch8() << 8;
    }

    final int fetch32() {
        long a = nip;
        if (a >= fetchLo && a + 4 <= fetchHi) {
            nip = a + 4;
            return (int) INT_LE.get(fetchCode, (int) (a - fetchLo));
        }
        int v = fetch8();
        v |= fetch8() << 8;
        v |= fetch8() << 16;
        return v | fetch8() << 24;
    }

    final long fetch64() {
        long lo = fetch32() & 0xFFFFFFFFL;
        return lo | (long) fetch32() << 32;
    }

}
