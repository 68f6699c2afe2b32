package pcm.softcpu.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The byte decoder's opcode table: maps an opcode — its map (primary, {@code 0F}, {@code 0F 38},
 * {@code 0F 3A}), its mandatory prefix (none, {@code 66}, {@code F3}, {@code F2}) and, for group opcodes,
 * the ModRM {@code reg} field, register or memory form and (register form) the {@code rm} field — to an
 * {@link Entry}: the handler, the family that implements it, and its operand form, which tells
 * {@link Cpu#stepDecode} what to decode before the handler runs (ModRM/SIB/displacement into
 * {@code mod/reg/rm/ea}, with the immediate length for RIP-relative addresses) and whether a LOCK prefix is
 * allowed.
 * <p>
 * <b>What is not registered raises #UD in the guest</b>: undefined encodings and instructions the CPUID
 * table does not advertise. Encodings that exist on the advertised CPU but are not implemented yet are
 * registered as {@linkplain Builder#unsupported placeholders}: they stop the vCPU with an
 * {@link UnsupportedInstructionException} naming them (x87 and MMX/SSE/SSE2 until those families land,
 * far CALL/JMP, LAR/LSL, ...). A family registers over a placeholder; registering over a real entry is an
 * error (two families claiming one encoding).
 * <p>
 * <b>Adding a family</b> (see the module README): write the semantics as small methods (a layer of the CPU
 * class chain, or static methods taking the {@link Cpu}, as the x87 package does), add a
 * {@code static void register(DecodeTable.Builder t)} that declares its encodings, and call it from
 * {@link #build}. The prefix sets matter: in the primary map 66/F2/F3 are operand-size/REP modifiers
 * (register with {@link #ANY}); in the 0F map the SSE instructions are told apart by them.
 * <p>
 * The table is immutable once built and shared by all vCPUs. Hot instruction forms do not come here: they
 * run pre-decoded ({@link DecodedInsn}, {@link Cpu#runDecoded}).
 */
final class DecodeTable {

    /** Opcode maps. */
    static final int MAP_PRIMARY = 0, MAP_0F = 1, MAP_0F38 = 2, MAP_0F3A = 3;

    /** Mandatory-prefix sets (bit masks): no prefix, 66, F3, F2 (F2/F3 take precedence over 66, as on hardware). */
    static final int P_NONE = 1, P_66 = 2, P_F3 = 4, P_F2 = 8, ANY = P_NONE | P_66 | P_F3 | P_F2;

    /** Prefix index of a decoded instruction (the bit number in the sets above). */
    static int prefixIndex(int rep, boolean o16) {
        return rep == 0xF3 ? 2 : rep == 0xF2 ? 3 : o16 ? 1 : 0;
    }

    /** ModRM forms of a group entry. */
    static final int MEM = 1, REG = 2, EITHER = MEM | REG;

    /** Operand forms: what {@link Cpu#stepDecode} decodes after the opcode, before the handler. */
    static final int F_NONE = 0, F_MODRM = 1, F_MODRM_REG = 2;

    /**
     * Immediate bytes after the ModRM operand (only for the RIP-relative displacement, which counts from the
     * end of the instruction): none, 1, 2, or "z" (2 with a 66 prefix, else 4). Handlers fetch their
     * immediates themselves ({@code c.imm(n)}, {@code c.fetch8()}).
     */
    static final int I_NONE = 0, I_B = 1, I_W = 2, I_Z = 3;

    /** Executes one instruction: its opcode byte is {@code opcode}; ModRM is decoded as the entry's form says. */
    @FunctionalInterface
    interface Handler {
        void exec(Cpu c, int opcode);
    }

    /** One encoding: handler and operand form, or (for group opcodes) the sub-entries selected by ModRM. */
    static final class Entry {
        final String family;
        final String mnemonic;
        final Handler handler;
        final int form;
        final int imm;
        final boolean lockable;
        final boolean placeholder;
        /** Group opcode: sub-entries by {@code reg * 2 + (mod == 3 ? 1 : 0)}; null for a plain entry. */
        final Entry[] byReg;
        /** Group opcode, register forms selected by the whole ModRM ({@code 0F 01 C1}, ...): by {@code reg * 8 + rm}. */
        Entry[] byRegRm;

        Entry(String family, String mnemonic, Handler handler, int form, int imm, boolean lockable, boolean placeholder) {
            this.family = family;
            this.mnemonic = mnemonic;
            this.handler = handler;
            this.form = form;
            this.imm = imm;
            this.lockable = lockable;
            this.placeholder = placeholder;
            this.byReg = null;
        }

        private Entry() { // a group
            family = null;
            mnemonic = null;
            handler = null;
            form = F_MODRM;
            imm = I_NONE;
            lockable = false;
            placeholder = false;
            byReg = new Entry[16];
        }

        boolean isGroup() { return byReg != null; }

        /** The sub-entry of a group for ModRM byte {@code m}, or null (#UD). */
        Entry select(int m) {
            int reg = (m >> 3) & 7;
            if ((m & 0xC0) == 0xC0 && byRegRm != null) {
                Entry e = byRegRm[reg * 8 + (m & 7)];
                if (e != null) return e;
            }
            return byReg[reg * 2 + ((m & 0xC0) == 0xC0 ? 1 : 0)];
        }

        /** Immediate bytes for {@link Cpu#modrm}. */
        int immBytes(int osz) {
            return imm == I_Z ? (osz == 2 ? 2 : 4) : imm;
        }

        @Override
        public String toString() { return isGroup() ? "group" : family + ":" + mnemonic; }
    }

    private final Entry[] entries;

    private DecodeTable(Entry[] entries) { this.entries = entries; }

    private static int index(int map, int prefix, int opcode) { return (map * 4 + prefix) * 256 + opcode; }

    /** The entry for an opcode byte of a map under prefix index {@code prefix} ({@link #prefixIndex}); null = #UD. */
    Entry lookup(int map, int prefix, int opcode) { return entries[index(map, prefix, opcode)]; }

    /** The shared table. */
    static final DecodeTable STANDARD = build();

    /**
     * The registration point: every family registers its encodings here. Order does not matter except
     * that a family may replace the placeholders another one declared.
     */
    static DecodeTable build() {
        Builder t = new Builder();
        IntegerAlu.register(t);
        ShiftsAndBits.register(t);
        DataMovement.register(t);
        StringInsns.register(t);
        ControlFlow.register(t);
        SystemInsns.register(t);
        X87Slot.register(t);
        SseSlot.register(t);
        return new DecodeTable(t.entries);
    }

    /** A human-readable list of the registered encodings (for the README and tests). */
    List<String> describe() {
        List<String> out = new ArrayList<>();
        String[] maps = {"", "0F ", "0F 38 ", "0F 3A "};
        String[] pfx = {"", "66 ", "F3 ", "F2 "};
        for (int map = 0; map < 4; map++) {
            for (int p = 0; p < 4; p++) {
                for (int op = 0; op < 256; op++) {
                    Entry e = entries[index(map, p, op)];
                    if (e == null) continue;
                    String name = pfx[p] + maps[map] + String.format("%02X", op);
                    if (!e.isGroup()) {
                        out.add(name + " " + e);
                        continue;
                    }
                    for (int i = 0; i < 16; i++) {
                        if (e.byReg[i] != null) out.add(name + " /" + (i >> 1) + ((i & 1) != 0 ? " reg " : " mem ") + e.byReg[i]);
                    }
                    if (e.byRegRm != null) {
                        for (int i = 0; i < 64; i++) {
                            if (e.byRegRm[i] != null) out.add(name + String.format(" %02X ", 0xC0 | i) + e.byRegRm[i]);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Collects the entries while the families register. */
    static final class Builder {
        private final Entry[] entries = new Entry[4 * 4 * 256];

        /** A plain entry (the opcode alone selects it) for each prefix in {@code prefixes}. */
        void op(String family, int map, int opcode, int prefixes, int form, int imm, boolean lockable, String mnemonic,
                Handler h) {
            Entry e = new Entry(family, mnemonic, h, form, imm, lockable, false);
            for (int p = 0; p < 4; p++) {
                if ((prefixes & (1 << p)) == 0) continue;
                int i = index(map, p, opcode);
                Entry old = entries[i];
                if (old != null && !old.placeholder) throw conflict(map, p, opcode, old, e);
                entries[i] = e;
            }
        }

        /** A plain entry without a LOCK-able form. */
        void op(String family, int map, int opcode, int prefixes, int form, int imm, String mnemonic, Handler h) {
            op(family, map, opcode, prefixes, form, imm, false, mnemonic, h);
        }

        /** {@link #op} for each opcode {@code lo..hi}. */
        void range(String family, int map, int lo, int hi, int prefixes, int form, int imm, String mnemonic, Handler h) {
            for (int o = lo; o <= hi; o++) op(family, map, o, prefixes, form, imm, false, mnemonic, h);
        }

        /**
         * A group entry: ModRM {@code reg} field {@code reg}, in the ModRM forms {@code mods} ({@link #MEM},
         * {@link #REG}); the decoder has decoded ModRM (form {@link #F_MODRM}) when the handler runs.
         */
        void group(String family, int map, int opcode, int prefixes, int reg, int mods, int imm, boolean lockable,
                String mnemonic, Handler h) {
            Entry e = new Entry(family, mnemonic, h, F_MODRM, imm, lockable, false);
            for (int p = 0; p < 4; p++) {
                if ((prefixes & (1 << p)) == 0) continue;
                Entry g = groupAt(map, p, opcode);
                for (int m = 0; m < 2; m++) {
                    if ((mods & (m == 0 ? MEM : REG)) == 0) continue;
                    Entry old = g.byReg[reg * 2 + m];
                    if (old != null && !old.placeholder) throw conflict(map, p, opcode, old, e);
                    g.byReg[reg * 2 + m] = e;
                }
            }
        }

        /** A register-form group entry selected by the whole ModRM byte {@code modrm} (0xC0..0xFF). */
        void groupRm(String family, int map, int opcode, int prefixes, int modrm, String mnemonic, Handler h) {
            Entry e = new Entry(family, mnemonic, h, F_MODRM, I_NONE, false, false);
            for (int p = 0; p < 4; p++) {
                if ((prefixes & (1 << p)) == 0) continue;
                Entry g = groupAt(map, p, opcode);
                if (g.byRegRm == null) g.byRegRm = new Entry[64];
                Entry old = g.byRegRm[modrm & 0x3F];
                if (old != null && !old.placeholder) throw conflict(map, p, opcode, old, e);
                g.byRegRm[modrm & 0x3F] = e;
            }
        }

        /**
         * Declares encodings that exist but are not implemented: they stop the vCPU with an
         * {@link UnsupportedInstructionException} naming {@code what} instead of raising #UD. A family that
         * implements them registers over these.
         */
        void unsupported(String family, int map, int lo, int hi, int prefixes, String what) {
            Entry e = new Entry(family, what, (c, op) -> { throw c.unsupported(what); }, F_NONE, I_NONE, false, true);
            for (int o = lo; o <= hi; o++) {
                for (int p = 0; p < 4; p++) {
                    if ((prefixes & (1 << p)) == 0) continue;
                    int i = index(map, p, o);
                    if (entries[i] == null || entries[i].placeholder) entries[i] = e;
                }
            }
        }

        /** {@link #unsupported} for one group slot. */
        void unsupportedGroup(String family, int map, int opcode, int prefixes, int reg, int mods, String what) {
            Entry e = new Entry(family, what, (c, op) -> { throw c.unsupported(what); }, F_NONE, I_NONE, false, true);
            for (int p = 0; p < 4; p++) {
                if ((prefixes & (1 << p)) == 0) continue;
                Entry g = groupAt(map, p, opcode);
                for (int m = 0; m < 2; m++) {
                    if ((mods & (m == 0 ? MEM : REG)) == 0) continue;
                    if (g.byReg[reg * 2 + m] == null) g.byReg[reg * 2 + m] = e;
                }
            }
        }

        private Entry groupAt(int map, int p, int opcode) {
            int i = index(map, p, opcode);
            Entry g = entries[i];
            if (g == null || g.placeholder) {
                g = new Entry();
                entries[i] = g;
            } else if (!g.isGroup()) {
                throw new IllegalStateException("opcode " + Integer.toHexString(opcode) + " of map " + map
                        + " is a plain entry (" + g + "), not a group");
            }
            return g;
        }

        private static IllegalStateException conflict(int map, int p, int opcode, Entry old, Entry e) {
            return new IllegalStateException("encoding map " + map + " prefix " + p + " opcode 0x" + Integer.toHexString(opcode)
                    + " registered twice: " + old + " and " + e);
        }
    }
}
