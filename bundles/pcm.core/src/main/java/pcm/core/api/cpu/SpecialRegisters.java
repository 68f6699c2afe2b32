package pcm.core.api.cpu;

/** Segment, descriptor-table and control registers, EFER and APIC base (KVM's {@code kvm_sregs}). */
public record SpecialRegisters(Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss,
                               Segment tr, Segment ldt, DescriptorTable gdt, DescriptorTable idt,
                               long cr0, long cr2, long cr3, long cr4, long cr8, long efer, long apicBase) {

    public record DescriptorTable(long base, int limit) {}

    /** The CPL is the DPL of CS in long mode. */
    public int cpl() { return cs.dpl(); }
}
