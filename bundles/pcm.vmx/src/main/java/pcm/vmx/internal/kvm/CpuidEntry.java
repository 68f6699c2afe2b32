package pcm.vmx.internal.kvm;

/** One {@code struct kvm_cpuid_entry2}. */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {

    public boolean matches(int leaf, int subleaf) {
        return function == leaf && ((flags & KvmApi.KVM_CPUID_FLAG_SIGNIFCANT_INDEX) == 0 || index == subleaf);
    }

    public CpuidEntry withRegs(int eax, int ebx, int ecx, int edx) {
        return new CpuidEntry(function, index, flags, eax, ebx, ecx, edx);
    }

    @Override
    public String toString() {
        return String.format("CPUID %08x.%x: eax=%08x ebx=%08x ecx=%08x edx=%08x", function, index, eax, ebx, ecx, edx);
    }
}
