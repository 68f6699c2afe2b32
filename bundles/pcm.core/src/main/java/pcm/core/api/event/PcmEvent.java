package pcm.core.api.event;

/**
 * One logged event. {@code position} is the number of instructions the vCPU retired since the
 * window began (-1 if the backend cannot count), plus RIP and RCX at that point.
 * {@code value} holds the result of a read-like event; {@code address} the port, MMIO address,
 * MSR index, CPUID leaf or interrupt vector; {@code data} extra bytes (DMA, CPUID registers, text).
 */
public record PcmEvent(EventKind kind, int vcpu, long position, long rip, long rcx,
                       long address, long value, byte[] data, long timestampNanos) {

    public PcmEvent {
        data = data == null ? EMPTY : data;
    }

    private static final byte[] EMPTY = new byte[0];
}
