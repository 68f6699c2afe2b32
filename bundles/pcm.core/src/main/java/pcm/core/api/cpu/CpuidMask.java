package pcm.core.api.cpu;

/**
 * Feature bits to hide from the guest's CPUID, per register of leaf 1 and leaf 7.0.
 * Whether the host honours it is the backend's business: PVM hosts partly ignore leaf 1/7 masks
 * (../shared/kvm-on-this-machine.md §8) and the backend reports that.
 */
public record CpuidMask(int leaf1Ecx, int leaf1Edx, int leaf7Ebx, int leaf7Ecx) {

    public static final CpuidMask NONE = new CpuidMask(0, 0, 0, 0);

    public static final int LEAF1_ECX_RDRAND = 1 << 30;
    public static final int LEAF7_EBX_RDSEED = 1 << 18;
    public static final int LEAF7_EBX_HLE = 1 << 4;
    public static final int LEAF7_EBX_RTM = 1 << 11;
}
