package pcm.boot.internal;

import static pcm.boot.api.BootImageException.Problem.BAD_MAGIC;
import static pcm.boot.api.BootImageException.Problem.BAD_OFFSET;
import static pcm.boot.api.BootImageException.Problem.TRUNCATED;
import static pcm.boot.api.BootImageException.Problem.UNSUPPORTED;
import static pcm.boot.internal.Bytes.hex;
import static pcm.boot.internal.Bytes.u16;
import static pcm.boot.internal.Bytes.u32;
import static pcm.boot.internal.Bytes.u64;
import static pcm.boot.internal.Bytes.u8;

import java.util.ArrayList;
import java.util.List;

import pcm.boot.api.BootImageException;

/**
 * An ELF64 x86-64 vmlinux: its PT_LOAD segments, loaded at their physical addresses, and its entry.
 * vmlinux's e_entry is already physical (the linker script says ENTRY(phys_startup_64)); a virtual entry
 * is translated through the segment that contains it.
 */
record ElfKernel(byte[] file, List<Segment> segments, long entry) {

    record Segment(long fileOffset, long physAddr, long virtAddr, long fileSize, long memSize) {
        long physEnd() { return physAddr + memSize; }
    }

    static final int PT_LOAD = 1;

    static boolean looksLikeElf(byte[] f) {
        return f.length >= 4 && f[0] == 0x7F && f[1] == 'E' && f[2] == 'L' && f[3] == 'F';
    }

    static ElfKernel parse(byte[] f) throws BootImageException {
        if (f.length < 64) throw new BootImageException(TRUNCATED, "ELF file of " + f.length + " bytes: shorter than the 64-byte ELF64 header");
        if (!looksLikeElf(f)) throw new BootImageException(BAD_MAGIC, "no ELF magic");
        if (u8(f, 4) != 2) throw new BootImageException(UNSUPPORTED, "ELF class " + u8(f, 4) + ": only ELF64 kernels are loaded");
        if (u8(f, 5) != 1) throw new BootImageException(UNSUPPORTED, "ELF data encoding " + u8(f, 5) + " is not little endian");
        if (u16(f, 18) != 62) throw new BootImageException(UNSUPPORTED, "ELF machine " + u16(f, 18) + " is not x86-64 (62)");
        if (u16(f, 16) != 2) throw new BootImageException(UNSUPPORTED, "ELF type " + u16(f, 16) + " is not an executable (2)");
        long entry = u64(f, 24);
        long phoff = u64(f, 32);
        int phentsize = u16(f, 54);
        int phnum = u16(f, 56);
        if (phentsize < 56) throw new BootImageException(UNSUPPORTED, "program header entries of " + phentsize + " bytes (ELF64 has 56)");
        if (phnum == 0) throw new BootImageException(BAD_OFFSET, "no program headers");
        if (phoff < 64 || phoff + (long) phnum * phentsize > f.length) {
            throw new BootImageException(BAD_OFFSET, phnum + " program headers at " + hex(phoff) + " are not within the " + f.length + "-byte file");
        }
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) i * phentsize);
            if (u32(f, p) != PT_LOAD) continue;
            Segment s = new Segment(u64(f, p + 8), u64(f, p + 24), u64(f, p + 16), u64(f, p + 32), u64(f, p + 40));
            if (s.fileSize() > s.memSize()) throw new BootImageException(BAD_OFFSET, "PT_LOAD " + i + ": file size " + hex(s.fileSize())
                    + " exceeds its memory size " + hex(s.memSize()));
            if (s.fileOffset() < 0 || s.fileSize() < 0 || s.fileOffset() + s.fileSize() > f.length || s.fileOffset() + s.fileSize() < 0) {
                throw new BootImageException(BAD_OFFSET, "PT_LOAD " + i + " [" + hex(s.fileOffset()) + ", +" + hex(s.fileSize())
                        + ") is not within the " + f.length + "-byte file");
            }
            if (s.physAddr() < 0 || s.physEnd() < s.physAddr() || s.physEnd() > 1L << 46) {
                throw new BootImageException(BAD_OFFSET, "PT_LOAD " + i + " at physical " + hex(s.physAddr()) + " +" + hex(s.memSize()) + " is not addressable");
            }
            segments.add(s);
        }
        if (segments.isEmpty()) throw new BootImageException(BAD_OFFSET, "no PT_LOAD segment");
        long physEntry = physicalEntry(entry, segments);
        return new ElfKernel(f, List.copyOf(segments), physEntry);
    }

    private static long physicalEntry(long entry, List<Segment> segments) throws BootImageException {
        for (Segment s : segments) if (entry >= s.physAddr() && entry < s.physEnd()) return entry;
        for (Segment s : segments) {
            if (entry >= s.virtAddr() && entry - s.virtAddr() < s.memSize()) return s.physAddr() + (entry - s.virtAddr());
        }
        throw new BootImageException(BAD_OFFSET, "entry " + hex(entry) + " lies in no PT_LOAD segment");
    }

    long lowestPhys() { return segments.stream().mapToLong(Segment::physAddr).min().orElseThrow(); }

    long highestPhysEnd() { return segments.stream().mapToLong(Segment::physEnd).max().orElseThrow(); }
}
