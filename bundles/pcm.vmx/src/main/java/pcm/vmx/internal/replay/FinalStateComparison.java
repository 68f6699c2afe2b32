package pcm.vmx.internal.replay;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Window;

/**
 * The kvm RCP's end of a replay: the replayed registers, segments, control registers and RAM against the window's
 * final snapshot, and where a memory difference can be placed when only logged DMA wrote the differing bytes.
 */
final class FinalStateComparison {

    private final Window window;

    FinalStateComparison(Window window) {
        this.window = window;
    }

    /** Differences between the replay's state and the final snapshot (empty: equal). */
    List<String> compare(Registers registers, SpecialRegisters gs, MemorySegment ram) {
        Snapshot f = window.end();
        List<String> d = new ArrayList<>();
        long[] got = registers.toArray(), want = f.registers().toArray();
        for (int k = 0; k < got.length; k++) {
            if (got[k] != want[k]) d.add(Registers.NAMES[k] + ": replay 0x" + Long.toHexString(got[k]) + " != recorded 0x" + Long.toHexString(want[k]));
        }
        SpecialRegisters ws = f.specialRegisters();
        seg(d, "cs", gs.cs(), ws.cs());
        seg(d, "ss", gs.ss(), ws.ss());
        seg(d, "ds", gs.ds(), ws.ds());
        seg(d, "es", gs.es(), ws.es());
        seg(d, "fs", gs.fs(), ws.fs());
        seg(d, "gs", gs.gs(), ws.gs());
        cr(d, "cr0", gs.cr0(), ws.cr0());
        cr(d, "cr3", gs.cr3(), ws.cr3());
        cr(d, "cr4", gs.cr4(), ws.cr4());
        cr(d, "efer", gs.efer(), ws.efer());
        long size = ram.byteSize();
        byte[] want4k = new byte[4096], got4k = new byte[4096];
        int pages = 0;
        for (long at = 0; at < size; at += 4096) {
            f.memory().read(at, want4k, 0, 4096);
            MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, at, got4k, 0, 4096);
            int off = Arrays.mismatch(got4k, want4k);
            if (off >= 0) {
                int diff = 0; // the bytes before off are equal
                for (int k = off; k < 4096; k++) {
                    if (got4k[k] != want4k[k]) {
                        diff++;
                        if (differingBytes.size() < MAX_DIFFERING_BYTES) differingBytes.add(at + k);
                    }
                }
                if (++pages <= 16) {
                    d.add(String.format("page 0x%x offset 0x%x: replay 0x%x != recorded 0x%x (%d bytes differ)", at, off,
                            got4k[off] & 0xFF, want4k[off] & 0xFF, diff));
                }
            }
        }
        if (pages > 16) d.add((pages - 16) + " more pages differ");
        return d;
    }

    /** Guest-physical addresses of the bytes {@link #compare} found different (the first {@value #MAX_DIFFERING_BYTES}). */
    final List<Long> differingBytes = new ArrayList<>();
    private static final int MAX_DIFFERING_BYTES = 4096;

    /**
     * Where a final memory difference can be placed without tracking guest writes: if every differing byte was
     * written by a logged DMA_WRITE of the window, the replay's memory has differed there at the latest since
     * the last such write (an earlier difference would have been overwritten by it), so the earliest of those
     * positions bounds the divergence from below — and is exactly it for a wrong input byte the guest leaves
     * alone. Null if some differing byte was not written by DMA (then only the soft verifier's last-writer
     * tracing locates it).
     */
    Divergence dmaBound(List<String> differences) {
        if (differingBytes.isEmpty() || differingBytes.size() >= MAX_DIFFERING_BYTES) return null;
        // The last DMA_WRITE of each differing byte, in one pass over the events (compare() found the bytes in
        // address order, so those a write covers are a run found by binary search).
        long[] bytes = differingBytes.stream().mapToLong(Long::longValue).toArray();
        PcmEvent[] lastWriter = new PcmEvent[bytes.length];
        for (PcmEvent e : window.events()) {
            if (e.kind() != EventKind.DMA_WRITE || e.data() == null) continue;
            int k = Arrays.binarySearch(bytes, e.address());
            for (k = k >= 0 ? k : -k - 1; k < bytes.length && bytes[k] < e.address() + e.data().length; k++) lastWriter[k] = e;
        }
        PcmEvent earliest = null;
        for (PcmEvent last : lastWriter) {
            if (last == null) return null;
            if (earliest == null || last.position() < earliest.position()) earliest = last;
        }
        List<String> what = new ArrayList<>();
        what.add("every differing byte was last written by a logged DMA_WRITE: the divergence lies at or after the"
                + " earliest of those writes, at position " + earliest.position() + " (0x" + Long.toHexString(earliest.address())
                + ", " + earliest.data().length + " bytes) — exactly there if that input was wrong (the kvm verifier"
                + " does not trace guest writes after it)");
        what.addAll(differences);
        return new Divergence(earliest.position(), earliest.rip(), what);
    }

    private static void seg(List<String> d, String n, Segment g, Segment w) {
        if (g.selector() != w.selector()) d.add(n + ".selector: replay 0x" + Integer.toHexString(g.selector()) + " != recorded 0x" + Integer.toHexString(w.selector()));
        if (g.base() != w.base()) d.add(n + ".base: replay 0x" + Long.toHexString(g.base()) + " != recorded 0x" + Long.toHexString(w.base()));
    }

    private static void cr(List<String> d, String n, long g, long w) {
        if (g != w) d.add(n + ": replay 0x" + Long.toHexString(g) + " != recorded 0x" + Long.toHexString(w));
    }
}
