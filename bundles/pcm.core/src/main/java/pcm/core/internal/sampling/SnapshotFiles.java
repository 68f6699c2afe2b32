package pcm.core.internal.sampling;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.sampling.WindowDamagedException.Problem;
import pcm.core.api.verify.MalformedWindowException;
import pcm.core.api.verify.MemoryImage;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.WindowShape;
import pcm.core.internal.log.DurableRename;
import pcm.core.internal.log.LogFormat;
import pcm.core.internal.log.LogHeader;
import pcm.core.internal.log.LogReader;

/**
 * The snapshot files of a window (docs/sampling.md, "Files"): {@code <prefix>_cpu.bin} with the
 * initial and final vCPU state, {@code <prefix>_mem-initial.bin} with the non-zero pages of the
 * initial memory and {@code <prefix>_mem-final.bin} with the pages that differ at the end — from minor 3
 * on as page maps into the directory's {@link PageStore} ({@link PageMaps}), before inline. One
 * container for both: a 28-byte header with its own CRC, a body, the body's CRC32C. Written as
 * {@code .part}, fsynced and renamed: a file under its final name is complete.
 * <p>
 * Every file names its window (id) and its role (type; initial or final memory). From minor 1 on the
 * CPU file also binds the window together ({@link Binding}): the start time of the event log it was
 * recorded with and the body CRCs of its two memory files, which are written first.
 */
final class SnapshotFiles {

    static final byte[] MAGIC = {(byte) 0x89, 'P', 'C', 'M', 'S', 'N', 'P', '\n'};
    /** Minor 3: memory files are page maps into the {@link PageStore}; 2: pages deflated inline; 1: the CPU file's binding. */
    static final int MAJOR = 1, MINOR = 3;
    /** The first minor whose memory pages are stored deflated (per page: stored length, then the bytes). */
    static final int MINOR_DEFLATED = 2;
    /** The first minor whose memory files name their pages by SHA-256 in the page store (per page: number, hash). */
    static final int MINOR_PAGE_MAP = 3;
    static final int TYPE_CPU = 1, TYPE_MEMORY = 2, TYPE_TRACE = 3;
    static final int HEADER = 28;
    static final int INITIAL = 1, FINAL = 2;
    static final String CPU_SUFFIX = "_cpu.bin", MEM_INITIAL_SUFFIX = "_mem-initial.bin", MEM_FINAL_SUFFIX = "_mem-final.bin";

    private SnapshotFiles() {}

    /**
     * What ties the files of one recorded window together (CPU file, minor 1 on).
     *
     * @param logStartEpochNanos the {@code startEpochNanos} of the window's event log header
     * @param memInitialCrc      the body CRC32C of its mem-initial file
     * @param memFinalCrc        the body CRC32C of its mem-final file
     */
    record Binding(long logStartEpochNanos, int memInitialCrc, int memFinalCrc, List<TraceFiles.TraceRef> traces) {
        static final int SIZE = 16;

        Binding {
            traces = traces == null ? List.of() : List.copyOf(traces);
        }

        /** Without traces (no tracer armed, or a CPU file before minor 4). */
        Binding(long logStartEpochNanos, int memInitialCrc, int memFinalCrc) {
            this(logStartEpochNanos, memInitialCrc, memFinalCrc, List.of());
        }
    }

    /** Minor of the CPU file from 4 on: its binding lists the window's traces ({@link TraceFiles}). */
    static final int MINOR_TRACES = 4;

    /** Contents of a CPU file; {@code binding} is null in a file of minor 0 (it cannot prove more than its id). */
    record CpuFile(String windowId, String backend, CpuState initial, CpuState end, Binding binding, int minor) {}

    /**
     * Contents of a memory file; {@code bodyCrc} is its stored (and verified) body CRC32C. A page map (minor 3)
     * has its pages in {@code refs} (page number to SHA-256, not loaded yet: {@link PageMaps#resolve}) and an
     * {@code image} without them; an older file has them in {@code image} and no refs.
     */
    record MemoryFile(String windowId, int which, PageImage image, int bodyCrc, Map<Long, PageStore.Key> refs, int minor) {}

    /** What storing a window's snapshots cost: its memory pages, and what of them the page store did not hold yet. */
    record Stored(int initialPages, int finalPages, int newPages, long newPageBytes, long mapBytes, long scanMillis,
                  long pagesMillis, long filesMillis) {}

    // ---------------------------------------------------------------- a whole window

    /**
     * Writes the snapshot files of the window whose committed event log is {@code log}, next to it and named
     * after it: both memory files first, then the CPU file that binds them to each other and to the log.
     */
    static Stored writeWindow(Path log, String windowId, String backend, CpuState initialCpu, CpuState finalCpu,
                              List<PageImage.Region> regions, MemoryImage initialMemory, MemoryImage finalMemory,
                              PageStore store) throws IOException {
        return writeWindow(log, windowId, backend, initialCpu, finalCpu, regions, initialMemory, finalMemory, store, List.of());
    }

    /**
     * As above, with the window's traces: the trace files are written first (before the pages, maps and the CPU file
     * that lists them), so a CPU file under its final name names only trace files that are there.
     */
    static Stored writeWindow(Path log, String windowId, String backend, CpuState initialCpu, CpuState finalCpu,
                              List<PageImage.Region> regions, MemoryImage initialMemory, MemoryImage finalMemory,
                              PageStore store, List<pcm.core.api.tracer.Trace> traces) throws IOException {
        LogHeader header;
        try (LogReader r = LogReader.open(log)) {
            header = r.header();
        }
        if (!header.windowId().equals(windowId)) {
            throw new IOException(log.getFileName() + " is the log of window " + header.windowId() + ", not " + windowId);
        }
        String name = log.getFileName().toString();
        String prefix = name.substring(0, name.length() - LogFormat.SUFFIX.length());
        Path dir = log.toAbsolutePath().getParent();
        List<TraceFiles.TraceRef> traceRefs = TraceFiles.write(dir, prefix, windowId, traces);
        if (store != null) {
            return PageMaps.writeWindow(dir.resolve(prefix), windowId, backend, initialCpu, finalCpu, regions, initialMemory,
                    finalMemory, store, header.startEpochNanos(), traceRefs);
        }
        // format 1.2, pages inline (what PCM wrote before the page store; for tests of old windows)
        int initialCrc = writeMemory(dir.resolve(prefix + MEM_INITIAL_SUFFIX), windowId, INITIAL, regions, initialMemory,
                (n, page) -> !PageImage.isZero(page));
        byte[] before = new byte[PageImage.PAGE];
        int finalCrc = writeMemory(dir.resolve(prefix + MEM_FINAL_SUFFIX), windowId, FINAL, regions, finalMemory,
                (n, page) -> {
                    initialMemory.read(n << 12, before, 0, PageImage.PAGE);
                    return !java.util.Arrays.equals(before, page);
                });
        writeCpu(dir.resolve(prefix + CPU_SUFFIX), windowId, backend, initialCpu, finalCpu,
                new Binding(header.startEpochNanos(), initialCrc, finalCrc, traceRefs));
        return null;
    }

    // ---------------------------------------------------------------- CPU

    /** Writes a CPU file; without a binding in the format of minor 0 (what older PCMs wrote: for tests). */
    static void writeCpu(Path file, String windowId, String backend, CpuState initial, CpuState end, Binding binding)
            throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
        putString(b, windowId);
        putString(b, backend);
        b.put((byte) 2);
        b.put((byte) INITIAL);
        b = putState(b, initial);
        b.put((byte) FINAL);
        b = putState(b, end);
        if (binding != null) {
            b.putLong(binding.logStartEpochNanos()).putInt(binding.memInitialCrc()).putInt(binding.memFinalCrc());
            b = TraceFiles.putRefs(b, binding.traces());
        }
        b.flip();
        try (ContainerWriter w = new ContainerWriter(file, TYPE_CPU, b.remaining(), binding == null ? 0 : MINOR_TRACES)) {
            w.write(b);
        }
    }

    private static ByteBuffer putState(ByteBuffer b, CpuState s) {
        int need = 8 + 18 * 8 + 8 * 17 + 2 * 12 + 7 * 8 + 4 + s.fpu().length + 2 + s.msrs().size() * 12 + 2
                + s.refused().size() * 4 + 4 + (s.pending() == null ? 0 : s.pending().length) + 1 + Binding.SIZE;
        if (b.remaining() < need) {
            ByteBuffer bigger = ByteBuffer.allocate(b.capacity() + need * 2).order(ByteOrder.LITTLE_ENDIAN);
            b.flip();
            bigger.put(b);
            b = bigger;
        }
        b.putLong(s.position());
        for (long r : s.registers().toArray()) b.putLong(r);
        SpecialRegisters sr = s.specialRegisters();
        for (Segment seg : List.of(sr.cs(), sr.ds(), sr.es(), sr.fs(), sr.gs(), sr.ss(), sr.tr(), sr.ldt())) {
            b.putLong(seg.base()).putInt(seg.limit()).putShort((short) seg.selector()).put((byte) seg.type())
                    .put((byte) seg.dpl());
            int flags = (seg.present() ? 1 : 0) | (seg.db() ? 2 : 0) | (seg.s() ? 4 : 0) | (seg.l() ? 8 : 0)
                    | (seg.g() ? 16 : 0) | (seg.avl() ? 32 : 0) | (seg.unusable() ? 64 : 0);
            b.put((byte) flags);
        }
        b.putLong(sr.gdt().base()).putInt(sr.gdt().limit());
        b.putLong(sr.idt().base()).putInt(sr.idt().limit());
        b.putLong(sr.cr0()).putLong(sr.cr2()).putLong(sr.cr3()).putLong(sr.cr4()).putLong(sr.cr8()).putLong(sr.efer())
                .putLong(sr.apicBase());
        b.putInt(s.fpu().length).put(s.fpu());
        b.putShort((short) s.msrs().size());
        // file order: the order of CpuState.MSRS, whatever the map's
        for (int index : CpuState.MSRS) {
            Long v = s.msrs().get(index);
            if (v != null) b.putInt(index).putLong(v);
        }
        for (Map.Entry<Integer, Long> e : s.msrs().entrySet()) {
            if (!contains(CpuState.MSRS, e.getKey())) b.putInt(e.getKey()).putLong(e.getValue());
        }
        b.putShort((short) s.refused().size());
        for (int r : s.refused()) b.putInt(r);
        if (s.pending() == null) {
            b.putInt(-1);
        } else {
            b.putInt(s.pending().length).put(s.pending());
        }
        return b;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) if (x == v) return true;
        return false;
    }

    static CpuFile readCpu(Path file) throws IOException {
        Container c = readContainer(file, TYPE_CPU);
        ByteBuffer body = c.body();
        try {
            String id = getString(body);
            String backend = getString(body);
            int n = Byte.toUnsignedInt(body.get());
            if (n != 2) throw new IllegalArgumentException(n + " states, not 2 (initial and final)");
            CpuState initial = null, end = null;
            for (int i = 0; i < n; i++) {
                int which = Byte.toUnsignedInt(body.get());
                String role = which == INITIAL ? "initial" : which == FINAL ? "final" : null;
                if (role == null) throw new IllegalArgumentException("state #" + i + " has role " + which);
                CpuState s = getState(body, role);
                if ((which == INITIAL ? initial : end) != null) throw new IllegalArgumentException("two " + role + " states");
                if (which == INITIAL) initial = s;
                else end = s;
            }
            Binding binding = null;
            if (c.minor() >= 1) {
                long start = body.getLong();
                int ic = body.getInt(), fc = body.getInt();
                binding = new Binding(start, ic, fc, c.minor() >= MINOR_TRACES ? TraceFiles.getRefs(body) : List.of());
            }
            if (c.minor() <= MINOR_TRACES && body.hasRemaining()) {
                throw new IllegalArgumentException(body.remaining() + " bytes after the fields of a version "
                        + MAJOR + "." + c.minor() + " file");
            }
            return new CpuFile(id, backend, initial, end, binding, c.minor());
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new SnapshotFormatException(file, Problem.CORRUPT, HEADER + body.position(),
                    "fields do not fit the body (" + e.getMessage() + ")");
        }
    }

    private static CpuState getState(ByteBuffer b, String role) {
        long position = b.getLong();
        long[] r = new long[18];
        for (int i = 0; i < 18; i++) r[i] = b.getLong();
        Segment[] seg = new Segment[8];
        for (int i = 0; i < 8; i++) {
            long base = b.getLong();
            int limit = b.getInt();
            int selector = Short.toUnsignedInt(b.getShort());
            int type = Byte.toUnsignedInt(b.get());
            int dpl = Byte.toUnsignedInt(b.get());
            int f = Byte.toUnsignedInt(b.get());
            // the replays narrow these: a value that does not fit would be read as another one
            if (type > 0xF || dpl > 3 || (f & 0x80) != 0) {
                throw new IllegalArgumentException(role + " segment #" + i + ": type " + type + ", dpl " + dpl
                        + ", flags 0x" + Integer.toHexString(f) + " out of range");
            }
            seg[i] = new Segment(base, limit, selector, type, (f & 1) != 0, dpl, (f & 2) != 0, (f & 4) != 0,
                    (f & 8) != 0, (f & 16) != 0, (f & 32) != 0, (f & 64) != 0);
        }
        var gdt = new SpecialRegisters.DescriptorTable(b.getLong(), b.getInt());
        var idt = new SpecialRegisters.DescriptorTable(b.getLong(), b.getInt());
        if ((gdt.limit() & ~0xFFFF) != 0 || (idt.limit() & ~0xFFFF) != 0) {
            throw new IllegalArgumentException(role + " GDT/IDT limit 0x" + Integer.toHexString(gdt.limit()) + "/0x"
                    + Integer.toHexString(idt.limit()) + " is not 16-bit");
        }
        SpecialRegisters sr = new SpecialRegisters(seg[0], seg[1], seg[2], seg[3], seg[4], seg[5], seg[6], seg[7], gdt, idt,
                b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong());
        byte[] fpu = new byte[checkedLength(b, b.getInt())];
        b.get(fpu);
        int nm = Short.toUnsignedInt(b.getShort());
        Map<Integer, Long> msrs = new LinkedHashMap<>();
        for (int i = 0; i < nm; i++) {
            int index = b.getInt();
            if (msrs.put(index, b.getLong()) != null) {
                throw new IllegalArgumentException(role + " MSR 0x" + Integer.toHexString(index) + " appears twice");
            }
        }
        int nr = Short.toUnsignedInt(b.getShort());
        List<Integer> refused = new ArrayList<>();
        for (int i = 0; i < nr; i++) {
            int index = b.getInt();
            if (refused.contains(index) || msrs.containsKey(index)) {
                throw new IllegalArgumentException(role + " refused MSR 0x" + Integer.toHexString(index)
                        + " is listed twice or also has a value");
            }
            refused.add(index);
        }
        int pl = b.getInt();
        if (pl != -1) {
            // no writer of format 1.x records pending events and no verifier reads them
            throw new IllegalArgumentException(role + " pending-event state of " + pl + " bytes (1.x files have none)");
        }
        Registers regs = Registers.fromArray(r);
        Snapshot view = new Snapshot(position, regs, sr, fpu, msrs, null);
        try {
            WindowShape.checkState(role, view);
        } catch (MalformedWindowException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return new CpuState(position, regs, sr, fpu, msrs, List.copyOf(refused), null);
    }

    private static int checkedLength(ByteBuffer b, int n) {
        if (n < 0 || n > b.remaining()) throw new IllegalArgumentException("length " + n);
        return n;
    }

    // ---------------------------------------------------------------- memory

    /**
     * Writes the pages of {@code image} that {@code keep} selects (the non-zero ones for an initial
     * snapshot, the ones that differ from the initial for a final one).
     */
    /** @return the body CRC32C of the file (what the CPU file's {@link Binding} names it by) */
    static int writeMemory(Path file, String windowId, int which, List<PageImage.Region> regions, MemoryImage image,
                           PageFilter keep) throws IOException {
        List<Long> selected = new ArrayList<>();
        byte[] page = new byte[PageImage.PAGE];
        for (PageImage.Region r : regions) {
            for (long a = r.gpa(); a < r.gpa() + r.size(); a += PageImage.PAGE) {
                image.read(a, page, 0, PageImage.PAGE);
                if (keep.keep(a >>> 12, page)) selected.add(a >>> 12);
            }
        }
        ByteBuffer head = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        putString(head, windowId);
        head.put((byte) which).putLong(image.size()).putInt(PageImage.PAGE);
        head.putInt(regions.size());
        for (PageImage.Region r : regions) head.putLong(r.gpa()).putLong(r.size());
        head.putLong(selected.size());
        head.flip();
        // each page deflated on its own (a reader inflates only what it needs); one that does not shrink stays raw
        List<byte[]> stored = new ArrayList<>(selected.size());
        long bodyLength = head.remaining();
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED, true);
        try {
            byte[] out = new byte[PageImage.PAGE];
            for (long n : selected) {
                image.read(n << 12, page, 0, PageImage.PAGE);
                deflater.reset();
                deflater.setInput(page);
                deflater.finish();
                int len = deflater.deflate(out);
                byte[] s = deflater.finished() && len < PageImage.PAGE ? java.util.Arrays.copyOf(out, len) : page.clone();
                stored.add(s);
                bodyLength += 8 + 4 + s.length;
            }
        } finally {
            deflater.end();
        }
        try (ContainerWriter w = new ContainerWriter(file, TYPE_MEMORY, bodyLength, MINOR_DEFLATED)) {
            w.write(head);
            ByteBuffer rec = ByteBuffer.allocate(12 + PageImage.PAGE).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < selected.size(); i++) {
                byte[] s = stored.get(i);
                rec.clear();
                rec.putLong(selected.get(i)).putInt(s.length).put(s).flip();
                w.write(rec);
            }
            return w.bodyCrc();
        }
    }

    /** One page of a minor-2 memory body: {@code stored} bytes, raw if 4096, else a raw DEFLATE stream of exactly one page. */
    private static byte[] inflatePage(ByteBuffer body, java.util.zip.Inflater inflater) {
        int stored = body.getInt();
        if (stored <= 0 || stored > PageImage.PAGE || stored > body.remaining()) throw new IllegalArgumentException("stored page length " + stored);
        byte[] s = new byte[stored];
        body.get(s);
        if (stored == PageImage.PAGE) return s;
        byte[] p = new byte[PageImage.PAGE];
        inflater.reset();
        inflater.setInput(s);
        try {
            int n = inflater.inflate(p);
            if (n != PageImage.PAGE || !inflater.finished() || inflater.getRemaining() != 0) {
                throw new IllegalArgumentException("a deflated page holds " + n + " bytes" + (inflater.finished() ? "" : " and more")
                        + (inflater.getRemaining() != 0 ? " and " + inflater.getRemaining() + " stray bytes" : "") + ", not one page");
            }
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("a deflated page is damaged: " + e.getMessage());
        }
        return p;
    }

    /** Chooses the pages a memory file keeps. */
    interface PageFilter {
        boolean keep(long pageNumber, byte[] page);
    }

    /** Reads a memory file; {@code base} is the initial image under a final file (null for an initial one). */
    static MemoryFile readMemory(Path file, PageImage base) throws IOException {
        Container c = readContainer(file, TYPE_MEMORY);
        ByteBuffer body = c.body();
        try {
            String id = getString(body);
            int which = Byte.toUnsignedInt(body.get());
            if (which != INITIAL && which != FINAL) throw new IllegalArgumentException("role " + which);
            long size = body.getLong();
            int pageSize = body.getInt();
            if (pageSize != PageImage.PAGE) throw new IllegalArgumentException("page size " + pageSize);
            int nr = body.getInt();
            if (nr < 0 || nr > 4096) throw new IllegalArgumentException("regions " + nr);
            List<PageImage.Region> regions = new ArrayList<>();
            for (int i = 0; i < nr; i++) {
                PageImage.Region r = new PageImage.Region(body.getLong(), body.getLong());
                PageImage.Region prev = regions.isEmpty() ? null : regions.getLast();
                if (r.size() <= 0 || ((r.gpa() | r.size()) & (PageImage.PAGE - 1)) != 0 || r.gpa() + r.size() < r.gpa()
                        || (prev != null && Long.compareUnsigned(r.gpa(), prev.gpa() + prev.size()) < 0)) {
                    throw new IllegalArgumentException("region 0x" + Long.toHexString(r.gpa()) + "+0x"
                            + Long.toHexString(r.size()) + " is not page-aligned, empty, or overlaps or precedes the previous one");
                }
                regions.add(r);
            }
            long count = body.getLong();
            if (c.minor() >= MINOR_PAGE_MAP) {
                Map<Long, PageStore.Key> refs = PageMaps.readRefs(body, count, regions, c.minor() <= MINOR);
                PageImage image = new PageImage(regions, Map.of(), base);
                if (image.size() != size) throw new IllegalArgumentException("size " + size);
                if (base != null && !base.regions().equals(image.regions())) {
                    throw new IllegalArgumentException("its RAM regions differ from the initial memory's");
                }
                return new MemoryFile(id, which, image, c.bodyCrc(), refs, c.minor());
            }
            boolean deflated = c.minor() >= MINOR_DEFLATED;
            if (count < 0 || (deflated ? count > body.remaining() / 13
                    : count > body.remaining() / (8 + PageImage.PAGE) || count * (8 + PageImage.PAGE) != body.remaining())) {
                throw new IllegalArgumentException("page count " + count);
            }
            java.util.zip.Inflater inflater = deflated ? new java.util.zip.Inflater(true) : null;
            Map<Long, byte[]> pages = new LinkedHashMap<>();
            long prev = -1;
            for (long i = 0; i < count; i++) {
                long n = body.getLong();
                if (n <= prev) throw new IllegalArgumentException("pages out of order");
                prev = n;
                long gpa = n << 12;
                if (n >>> 52 != 0 || regions.stream().noneMatch(r -> r.contains(gpa, PageImage.PAGE))) {
                    // nobody could read it: a verifier would never see what it holds
                    throw new IllegalArgumentException("page 0x" + Long.toHexString(n) + " lies outside the RAM regions");
                }
                byte[] p;
                if (deflated) {
                    p = inflatePage(body, inflater);
                } else {
                    p = new byte[PageImage.PAGE];
                    body.get(p);
                }
                pages.put(n, p);
            }
            if (inflater != null) inflater.end();
            if (deflated && body.hasRemaining() && c.minor() <= MINOR) {
                throw new IllegalArgumentException(body.remaining() + " bytes after the last page");
            }
            PageImage image = new PageImage(regions, pages, base);
            if (image.size() != size) throw new IllegalArgumentException("size " + size);
            if (base != null && !base.regions().equals(image.regions())) {
                throw new IllegalArgumentException("its RAM regions differ from the initial memory's");
            }
            return new MemoryFile(id, which, image, c.bodyCrc(), Map.of(), c.minor());
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new SnapshotFormatException(file, Problem.CORRUPT, HEADER + body.position(),
                    "fields do not fit the body (" + e.getMessage() + ")");
        }
    }

    // ---------------------------------------------------------------- container

    /** A container's verified body, its minor version and its body CRC. */
    record Container(ByteBuffer body, int minor, int bodyCrc) {}

    static Container readContainer(Path file, int type) throws IOException {
        if (!Files.exists(file)) throw new SnapshotFormatException(file, Problem.MISSING, -1, "no such file");
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 64) throw new SnapshotFormatException(file, Problem.CORRUPT, -1, "too large: " + size);
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < Math.min(all.length, MAGIC.length); i++) {
            if (all[i] != MAGIC[i]) {
                if (startsWith(all, LOG_MAGIC)) {
                    throw new SnapshotFormatException(file, Problem.MISMATCHED, 0, "an event log, not a snapshot file");
                }
                throw new SnapshotFormatException(file, Problem.CORRUPT, 0, "not a PCM snapshot (bad magic)");
            }
        }
        if (all.length < HEADER) {
            throw new SnapshotFormatException(file, Problem.TRUNCATED, all.length, "file ends inside the header");
        }
        if (crc(all, 0, 24) != b.getInt(24)) throw new SnapshotFormatException(file, Problem.CORRUPT, 0, "header CRC mismatch");
        int major = Short.toUnsignedInt(b.getShort(8));
        if (major != MAJOR) {
            throw new SnapshotFormatException(file, Problem.UNSUPPORTED, 8, "format version " + major + "."
                    + Short.toUnsignedInt(b.getShort(10)) + " (this reader knows " + MAJOR + ".x)");
        }
        int t = b.getInt(12);
        if (t != type) {
            // the header CRC matched: an intact snapshot of the other type, not damage
            throw new SnapshotFormatException(file, t == TYPE_CPU || t == TYPE_MEMORY || t == TYPE_TRACE ? Problem.MISMATCHED : Problem.CORRUPT, 12,
                    "a " + typeName(t) + " file, loaded as a " + typeName(type) + " file");
        }
        long bodyLength = b.getLong(16);
        if (bodyLength < 0) throw new SnapshotFormatException(file, Problem.CORRUPT, 16, "body length " + bodyLength);
        long expected = HEADER + bodyLength + 4;
        if (all.length < expected) {
            throw new SnapshotFormatException(file, Problem.TRUNCATED, all.length, "file ends after " + all.length
                    + " of " + expected + " bytes");
        }
        if (all.length > expected) {
            throw new SnapshotFormatException(file, Problem.CORRUPT, expected, (all.length - expected) + " bytes after the end");
        }
        int body = (int) bodyLength;
        int bodyCrc = b.getInt(HEADER + body);
        if (crc(all, HEADER, body) != bodyCrc) {
            throw new SnapshotFormatException(file, Problem.CORRUPT, HEADER, "body CRC mismatch");
        }
        // a higher minor version may append fields to the body: readers ignore what follows the fields they know
        return new Container(ByteBuffer.wrap(all, HEADER, body).slice().order(ByteOrder.LITTLE_ENDIAN),
                Short.toUnsignedInt(b.getShort(10)), bodyCrc);
    }

    /** The magic of an event log (docs/event-log-format.md), to tell a misplaced log from garbage. */
    private static final byte[] LOG_MAGIC = {(byte) 0x89, 'P', 'C', 'M', 'L', 'O', 'G', '\n'};

    static boolean startsWith(byte[] a, byte[] prefix) {
        return a.length >= prefix.length && java.util.Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Whether {@code file} begins like a snapshot file (for a log role holding one). */
    static boolean isSnapshot(Path file) {
        try (var in = Files.newInputStream(file)) {
            return startsWith(in.readNBytes(MAGIC.length), MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    private static String typeName(int t) {
        return t == TYPE_CPU ? "CPU" : t == TYPE_MEMORY ? "memory" : t == TYPE_TRACE ? "trace" : "type-" + t;
    }

    private static int crc(byte[] a, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(a, off, len);
        return (int) c.getValue();
    }

    static void putString(ByteBuffer b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) u.length).put(u);
    }

    static String getString(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        byte[] u = new byte[checkedLength(b, n)];
        b.get(u);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(u)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a string is not UTF-8");
        }
    }
}
