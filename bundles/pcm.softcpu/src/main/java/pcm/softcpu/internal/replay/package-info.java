/**
 * The software RCP ({@code ReplayVerifier}, {@code pcm.rcp.id=soft}): replays a recorded window on a
 * fresh software CPU and compares.
 *
 * <h2>What a window must hold</h2>
 * Initial snapshot: registers, special registers (64-bit long mode, CR0.PG, EFER.LMA, CS.L), FXSAVE
 * image (512 bytes, or empty = not captured), MSRs (those the interpreter holds are loaded: EFER, STAR,
 * LSTAR, CSTAR, SFMASK, FS/GS/KERNEL_GS base, TSC_AUX, SYSENTER_*, PAT, APIC base), memory readable as
 * one RAM range from GPA 0 of {@code memory().size()} bytes (everything above is MMIO). Events in
 * position order, ending with END; final snapshot with the same parts (its position 0 or END's).
 * Missing parts, unordered events, no END, a memory image with holes → INCONCLUSIVE with the reason.
 *
 * <h2>Event conventions (docs/sampling.md)</h2>
 * <ul>
 * <li>Exit inputs (RDTSC, RDTSCP, RDRAND, RDSEED, RDPMC, CPUID, MSR_READ, VMCALL, PIO_IN, MMIO_READ) and
 * MMIO_WRITE: {@code position} = instructions retired before the instruction that exited. The replay runs
 * until its next exit; it must be of that kind, at that position, for the same port / MMIO address /
 * CPUID leaf / MSR index (MMIO_WRITE: and the same value), else DIVERGED there ("log: … replay: …").
 * An input exit the log does not have, or a logged input whose instruction retires without exiting, is
 * DIVERGED at that position too. The logged value is fed (CPUID: EAX..EDX from the data's first 16
 * bytes; RDRAND/RDSEED with data {0}: CF=0); no device is asked. Port writes and MSR writes are not
 * inputs and are ignored; HLT continues.</li>
 * <li>INTERRUPT: delivered when exactly {@code position} instructions had retired; its RIP and RCX must
 * be the replay's there (else DIVERGED), the replay must be interruptible (IF=1, no shadow; else DIVERGED),
 * then the vector ({@code address}) is injected. Inside a REP string instruction the interpreter can
 * stop only between its chunks: a position/RCX it cannot reach → INCONCLUSIVE. NMI → INCONCLUSIVE (not
 * supported).</li>
 * <li>DMA_WRITE: the bytes are written at {@code address} when {@code position} instructions have retired
 * (logged before an exit event at the same position: before that instruction; logged after it: during
 * the exit, after it retired). Outside RAM → INCONCLUSIVE.</li>
 * <li>END: the replay runs to exactly that count and compares GPRs, RIP, RFLAGS; segment selectors and
 * bases (CS/SS DPL, CS.L), TR, LDT, GDT/IDT, CR0/2/3/4/8, EFER; the recorded MSRs the interpreter holds;
 * the FXSAVE image; every byte of RAM (differing pages listed with their first differing offset).</li>
 * </ul>
 * An instruction the interpreter does not implement → INCONCLUSIVE with RIP, bytes and what. The
 * verifier never throws for a bad window.
 *
 * <h2>Localising a final-state mismatch</h2>
 * A window has only its two snapshots, so the first divergent position is found by consistency:
 * <ol>
 * <li>A logged event that does not match (kind, position, address, MMIO write value, RIP/RCX at an
 * interrupt) is the divergence, at its position, found during the replay itself.</li>
 * <li>Otherwise the replay reached END with differing locations D (registers, held MSRs, RAM bytes: up to
 * 8 per page, 256 pages). Pass 2 replays again, up to the last checkpoint, and samples D at position 0 and at
 * every checkpoint of the {@code ReplayStrategy} (none for {@code full}); for each location the last checkpoint where it did not
 * yet hold its final replay value bounds its last change from below. Pass 3 replays to the earliest of
 * those checkpoints at full speed and from there one interpreter step at a time, recording for each
 * location the last instruction (or logged input) that changed it. The divergence is the earliest such
 * last change: the position (instructions retired before that instruction) and its RIP; the details list
 * every differing location with its last writer and the last position up to which the replay matched
 * the log. Locations the replay never changed (the recording CPU wrote them) are listed as such; if only
 * those differ the position reported is the last consistent one.</li>
 * </ol>
 * Guarantee: when the faulty value itself survives to END (a corrupted memory byte, register or input
 * whose result is not overwritten) the reported position is exactly the fault's; when it was overwritten
 * after being used, it is the last instruction whose output still carries the fault (never earlier than
 * the fault); a fault whose value was overwritten unused leaves no trace (MATCH). A fault that only
 * rewrites a value the replay also holds (x + 0) is named at that location's previous change. Cost:
 * {@code full} traces from position 0; {@code checkpoint} traces only from the checkpoint before the
 * earliest last change.
 * <p>
 * Speed (ReplayBench, param 1024, 12.1 M instructions, 8 MiB RAM, one development machine): replay
 * ≈ 45 M instructions/s incl. loading and comparing memory; replay/record time 0.4–2 (recording here is
 * the same interpreter).
 */
package pcm.softcpu.internal.replay;
