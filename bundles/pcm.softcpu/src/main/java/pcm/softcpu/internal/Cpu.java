package pcm.softcpu.internal;

import pcm.core.api.vm.VmExit;

/**
 * The x86-64 interpreter's top layer: the run loop (exits, injected interrupts, single-step, kicks), the
 * byte decoder ({@link #stepDecode}: prefixes and opcode map, then {@link DecodeTable}); the pre-decoded
 * fast path is the layer below ({@link PredecodedPath#runDecoded}). 64-bit mode only.
 * <p>
 * The instruction semantics live in the layers below, one per family: {@link IntegerAlu},
 * {@link ShiftsAndBits}, {@link DataMovement}, {@link StringInsns}, {@link ControlFlow},
 * {@link ModelSpecificRegisters}, {@link SystemInsns} (and {@link PredecodedPath} above them), on top of
 * {@link CpuDecode} (operands),
 * {@link CpuBase} (segments, delivery), {@link CpuMemory} (paging, TLB, fetch) and {@link CpuState}
 * (registers, flags). A layer is an abstract class so its methods reach the state directly and C2
 * compiles them as before the split; each family declares its encodings in its {@code register}.
 */
final class Cpu extends PredecodedPath {

    // ---- x87 (issue 13 item 1): the unit lives in pcm.softcpu.internal.x87, behind X87Host (UnitBridge, shared with SSE); X87Slot registers it ----
    final pcm.softcpu.internal.x87.X87State x87State = new pcm.softcpu.internal.x87.X87State();
    final pcm.softcpu.internal.x87.X87Unit x87 = new pcm.softcpu.internal.x87.X87Unit(x87State);
    final UnitBridge x87Host = new UnitBridge(this);
    // ---- SSE/SSE2 (issue 13 item 2): pcm.softcpu.internal.sse on the same XMM/MXCSR state; SseSlot registers it ----
    final pcm.softcpu.internal.sse.SseUnit sse = new pcm.softcpu.internal.sse.SseUnit(x87State, x87Host);

    // ---- run control ----
    static final int BATCH = 4096;
    volatile boolean kicked;
    boolean singleStep;
    int injectVector = -1;
    boolean debugPending;
    UnsupportedInstructionException lastError;

    private static final boolean[] PREFIX = new boolean[256];
    static {
        for (int p : new int[] {0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65}) PREFIX[p] = true;
    }

    Cpu(PhysicalMemory mem) {
        super(mem);
        if (BlockCompiler.DEFAULT_ON) jit = new BlockCompiler();
        // the x87 pointer / MXCSR_MASK model follows the same vendor as the undefined flags (SoftVcpu.setVendorModel)
        x87State.setVendor(intelFlags ? pcm.softcpu.internal.x87.FpuVendor.INTEL : pcm.softcpu.internal.x87.FpuVendor.AMD);
        // and so does the RCPPS/RSQRTPS model, with the host's family (the soft CPUID shows the host's signature)
        pcm.softcpu.internal.sse.SseRecip.configure(sse, intelFlags ? pcm.core.api.cpu.CpuIdentity.INTEL_FLAGS
                : tcgFlags ? pcm.core.api.cpu.CpuIdentity.TCG_FLAGS : pcm.core.api.cpu.CpuIdentity.AMD_FLAGS,
                pcm.core.api.cpu.CpuIdentity.host().signature());
    }

    // =====================================================================================
    // run loop

    VmExit run() {
        if (kicked) {
            kicked = false;
            return new VmExit.Interrupted();
        }
        if (mem.dirtyGeneration != seenDirtyGeneration) {
            seenDirtyGeneration = mem.dirtyGeneration;
            flushWriteTlb();
        }
        completion = C_NONE;
        runEpoch++;
        fetchLo = fetchHi = 0;
        if (debugPending) {
            debugPending = false;
            return new VmExit.Debug(rip, 0x4000, 1);
        }
        if (tfTrapPending) {
            tfTrapPending = false;
            try {
                deliver(DB, 0, false, false, rip);
            } catch (Fault f) {
                VmExit e = handleFault();
                if (e != null) return e;
            } catch (UnsupportedInstructionException u) {
                return internalError(u);
            }
        }
        if (injectVector >= 0) {
            int v = injectVector;
            injectVector = -1;
            try {
                deliver(v, 0, false, false, rip);
            } catch (Fault f) {
                VmExit e = handleFault();
                if (e != null) return e;
            } catch (UnsupportedInstructionException u) {
                return internalError(u);
            }
        }
        if (singleStep) {
            long before = icount;
            VmExit e = execute(1);
            if (e != null) {
                if (icount != before) debugPending = true;
                return e;
            }
            return new VmExit.Debug(rip, 0x4000, 1);
        }
        while (true) {
            if (windowRequested && interruptible()) return new VmExit.InterruptWindow();
            VmExit e = execute(BATCH);
            if (e != null) return e;
            if (kicked) {
                kicked = false;
                return new VmExit.Interrupted();
            }
        }
    }

    /** Runs up to {@code n} instructions; returns an exit or null. */
    VmExit execute(int n) {
        jitActive = jit != null && !singleStep && accessListener == null;
        int k = 0;
        while (k < n) {
            long before = icount;
            try {
                // a run of pre-decoded instructions (each retires: icount counts them), else one step
                runDecoded(n - k);
                int done = (int) (icount - before);
                if (done == 0) {
                    stepDecode();
                    k++;
                } else {
                    k += done;
                }
            } catch (Fault f) {
                k += (int) (icount - before) + 1; // the faulting step counts, as one step
                VmExit e = handleFault();
                if (e != null) return e;
                continue;
            } catch (ExitSignal s) {
                VmExit e = pendingExit;
                pendingExit = null;
                return e;
            } catch (UnsupportedInstructionException u) {
                pendingExit = null;
                return internalError(u);
            }
            if (pendingExit != null) {
                VmExit e = pendingExit;
                pendingExit = null;
                return e;
            }
            if (windowRequested && interruptible()) return null;
        }
        return null;
    }

    private VmExit internalError(UnsupportedInstructionException u) {
        lastError = u;
        return new VmExit.InternalError(1, u.getMessage());
    }

    /** Delivers the pending fault, escalating to #DF and to a triple fault (shutdown). */
    VmExit handleFault() {
        int vec = faultVec;
        pendingExit = null;
        try {
            deliverFault(vec, faultErr, faultHasErr);
            return null;
        } catch (Fault f2) {
            if (vec == DF_) return new VmExit.Shutdown(-1, "triple fault");
            try {
                deliverFault(DF_, 0, true);
                return null;
            } catch (Fault f3) {
                return new VmExit.Shutdown(-1, "triple fault");
            }
        }
    }

    // =====================================================================================
    // the byte decoder: prefixes, opcode map, then the decode table

    private static final DecodeTable TABLE = DecodeTable.STANDARD;

    /** Decodes (byte by byte) and executes one instruction. */
    final void stepDecode() {
        nip = rip;
        stepTf = (flags & TF) != 0;
        delivered = false;
        rfLoaded = false;
        int b = fetch8();
        boolean o16 = false;
        boolean lk = false;
        a32 = false;
        rep = 0;
        sbase = 0;
        segOverride = -1;
        int rx = 0;
        if (PREFIX[b]) {
            while (true) {
                switch (b) {
                    case 0x66: o16 = true; break;
                    case 0x67: a32 = true; break;
                    case 0xF2: case 0xF3: rep = b; break;
                    case 0x64: sbase = segBase[FS]; segOverride = FS; break;
                    case 0x65: sbase = segBase[GS]; segOverride = GS; break;
                    case 0xF0: lk = true; break;
                    default: break; // CS/SS/DS/ES overrides: base 0 in 64-bit mode
                }
                b = fetch8();
                if (!PREFIX[b]) break;
                if (nip - rip > 14) throw gp(0);
            }
        }
        if ((b & 0xF0) == 0x40) {
            rx = b;
            b = fetch8();
            // only a REX right before the opcode counts: more REX bytes replace it, a legacy prefix after it voids it
            while ((b & 0xF0) == 0x40 || PREFIX[b]) {
                if (nip - rip > 14) throw gp(0);
                if (PREFIX[b]) {
                    rx = 0;
                    switch (b) {
                        case 0x66: o16 = true; break;
                        case 0x67: a32 = true; break;
                        case 0xF2: case 0xF3: rep = b; break;
                        case 0x64: sbase = segBase[FS]; segOverride = FS; break;
                        case 0x65: sbase = segBase[GS]; segOverride = GS; break;
                        case 0xF0: lk = true; break;
                        default: break;
                    }
                } else {
                    rx = b;
                }
                b = fetch8();
            }
        }
        rex = rx;
        lock = lk;
        osz = (rx & 8) != 0 ? 8 : o16 ? 2 : 4;
        int map = DecodeTable.MAP_PRIMARY;
        if (b == 0x0F) {
            b = fetch8();
            map = DecodeTable.MAP_0F;
            if (b == 0x38 || b == 0x3A) {
                map = b == 0x38 ? DecodeTable.MAP_0F38 : DecodeTable.MAP_0F3A;
                b = fetch8();
            }
        }
        dispatch(TABLE.lookup(map, DecodeTable.prefixIndex(rep, o16), b), b);
        rip = nip;
        icount++;
        completedRf();
        if (stepTf && !delivered) singleStepTrap();
    }

    /**
     * Selects the group member by ModRM, enforces the LOCK rules (#UD unless the instruction is lockable and
     * its destination is memory), decodes the operand form and runs the handler. No entry: #UD.
     */
    private void dispatch(DecodeTable.Entry e, int b) {
        if (e == null) throw ud();
        if (e.isGroup()) {
            long save = nip;
            int m = fetch8();
            nip = save;
            e = e.select(m);
            if (e == null) throw ud();
            if (lock && (!e.lockable || (m & 0xC0) == 0xC0)) throw ud();
        } else if (lock) {
            if (!e.lockable || e.form != DecodeTable.F_MODRM) throw ud();
            long save = nip;
            int m = fetch8();
            nip = save;
            if ((m & 0xC0) == 0xC0) throw ud();
        }
        switch (e.form) {
            case DecodeTable.F_MODRM: modrm(e.immBytes(osz)); break;
            case DecodeTable.F_MODRM_REG: regModrm(); break;
            default: break;
        }
        e.handler.exec(this, b);
    }
}
