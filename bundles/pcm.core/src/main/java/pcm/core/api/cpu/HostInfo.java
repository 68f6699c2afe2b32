package pcm.core.api.cpu;

/**
 * What a backend found on this host.
 *
 * @param available   whether VMs can be created
 * @param kind        the virtualization kind
 * @param description one line for operators, e.g. "KVM API 12 on PVM (software nested virtualization)"
 * @param problem     why it is not available (null if available)
 */
public record HostInfo(boolean available, Kind kind, String description, String problem) {

    public enum Kind {
        /** Hardware virtualization (Intel VMX or AMD SVM): guest code runs natively at every CPL. */
        HARDWARE,
        /** KVM on PVM: CPL3 native, CPL0 interpreted by KVM's emulator (development machines). */
        PVM,
        /** A pure software CPU. */
        SOFTWARE,
        /** Nothing usable. */
        NONE
    }
}
