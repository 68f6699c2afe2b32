/**
 * The {@code soft-exact} position service: the software CPU's own retired-instruction count.
 * <p>
 * {@code position()} = instructions retired since {@code start}; while an exit that consumed an input
 * (port/MMIO access, CPUID, RDMSR, RDTSC-class, VMCALL) is being handled — until {@code complete} or the
 * next run — it is the count <em>before</em> the exiting instruction (as on KVM, where it retires after the
 * exit), so exit events carry "instructions before the consuming instruction" and an interrupt injected
 * after {@code complete} carries the count it is delivered at. {@code runUntil(target)} stops after exactly
 * {@code target} instructions (returns {@code Interrupted}). Nothing is observed: every nondeterministic
 * instruction exits on the soft CPU.
 */
package pcm.softcpu.internal.position;
