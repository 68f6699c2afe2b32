package pcm.core.internal.vm;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.CpuidMask;
import pcm.core.api.cpu.Hypervisor;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.cpu.VirtualMachine;
import pcm.core.api.exit.ExitDispatcher;
import pcm.core.api.guest.GuestImage;
import pcm.core.api.guest.KernelLoader;
import pcm.core.api.guest.LongModeBoot;
import pcm.core.api.irq.InterruptController;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryProvider;
import pcm.core.api.vm.ConsoleListener;
import pcm.core.api.vm.ExitKind;
import pcm.core.api.vm.Platform;
import pcm.core.api.vm.Vm;
import pcm.core.api.vm.VmException;
import pcm.core.api.vm.VmState;
import pcm.core.internal.time.VcpuTimeSource;

/**
 * The one guest VM: picks a backend, allocates RAM, loads the image, prepares long mode and runs
 * the vCPU loop. Backends, memory, images, the interrupt controller and console listeners are
 * services, so each can be swapped while no guest runs (and listeners even while one does).
 */
@Component(service = {Vm.class, Platform.class, SamplingTarget.class}, configurationPid = "pcm.vm")
@Designate(ocd = VmConfig.class)
public final class KernelVm implements Vm, Platform, SamplingTarget {

    private static final Logger LOG = LoggerFactory.getLogger(KernelVm.class);
    private static final long REQUEST_TIMEOUT_MS = 5_000;
    /** Status for a guest that asked for a reset (PCM does not reboot guests). */
    public static final int STATUS_RESET = 0x100;
    /** CPUID leaf 1 ECX bits of APIC features the platform does not have: x2APIC (21), TSC-deadline timer (24). */
    static final int LEAF1_ECX_X2APIC = 1 << 21, LEAF1_ECX_TSC_DEADLINE = 1 << 24;
    /**
     * CPUID leaf 7 ECX bit 16, 5-level paging: the software CPU (recording and verifying alike) walks 4 levels only, so
     * a guest given LA57 on a host that has it (Ice Lake servers, AMD Zen 4; QEMU's {@code -cpu max}) records windows
     * no soft replay can follow. Linux uses it whenever CPUID offers it.
     */
    static final int LEAF7_ECX_LA57 = 1 << 16;

    /** What the guest's CPUID hides of the host's: the platform's missing APIC features, LA57, and what is configured. */
    static CpuidMask guestCpuidMask(VmConfig cfg) {
        return new CpuidMask(cfg.cpuidHideLeaf1Ecx() | LEAF1_ECX_X2APIC | LEAF1_ECX_TSC_DEADLINE
                | (cfg.exposeRdrand() ? 0 : CpuidMask.LEAF1_ECX_RDRAND), 0,
                cfg.cpuidHideLeaf7Ebx() | (cfg.exposeRdrand() ? 0 : CpuidMask.LEAF7_EBX_RDSEED), LEAF7_ECX_LA57);
    }

    private final ExitDispatcher dispatcher;
    private final List<Hypervisor> hypervisors = new CopyOnWriteArrayList<>();
    private final List<GuestImage> images = new CopyOnWriteArrayList<>();
    private final List<ConsoleListener> consoles = new CopyOnWriteArrayList<>();
    private volatile GuestMemoryProvider memoryProvider;
    private volatile KernelLoader kernelLoader;
    private volatile InterruptController interruptController;
    private volatile VcpuTimeSource timeSource;
    private volatile VmConfig config;

    private final Object lifecycle = new Object();
    private volatile VmState state = VmState.CREATED;
    private volatile Running running;
    private volatile ExitCounters counters = new ExitCounters();
    private volatile Map<String, Long> lastRegisters = Map.of();
    private volatile int lastStatus;
    private volatile String lastReason = "";
    private volatile String backendDescription = "none (not started)";

    /** What exists while a guest runs. */
    private record Running(VirtualMachine vm, GuestMemoryProvider.AllocatedMemory memory, VcpuLoop loop,
                           Thread thread, CountDownLatch stopped, String backend) {}

    private volatile Map<String, Object> rawConfig = Map.of();

    @Activate
    public KernelVm(@Reference ExitDispatcher dispatcher, VmConfig config, Map<String, Object> props) {
        this.dispatcher = dispatcher;
        this.config = config;
        this.rawConfig = Map.copyOf(props);
    }

    @Modified
    void modified(VmConfig newConfig, Map<String, Object> props) {
        this.config = newConfig;
        this.rawConfig = Map.copyOf(props);
        LOG.info("VM configuration changed; it applies at the next start");
    }

    @Override
    public Map<String, Object> configuration() {
        VmConfig c = config;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", c.backend());
        m.put("memoryMiB", c.memoryMiB());
        m.put("guestImage", c.guestImage());
        m.put("kernel", c.kernel());
        m.put("initrd", c.initrd());
        m.put("kernelCommandLine", c.kernelCommandLine());
        m.put("workloadBlocks", c.workloadBlocks());
        m.put("timerHz", c.timerHz());
        m.put("exposeRdrand", c.exposeRdrand());
        m.put("cpuidHideLeaf1Ecx", c.cpuidHideLeaf1Ecx());
        m.put("cpuidHideLeaf7Ebx", c.cpuidHideLeaf7Ebx());
        Object generation = rawConfig.get(CONFIG_GENERATION);
        if (generation != null) m.put(CONFIG_GENERATION, generation);
        return m;
    }

    /** A property a configuring client may set to see when its update has reached the VM. */
    public static final String CONFIG_GENERATION = "pcm.config.generation";

    @Deactivate
    void deactivate() {
        stop();
        try {
            awaitStop(REQUEST_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addHypervisor(Hypervisor h) { hypervisors.add(h); }

    void removeHypervisor(Hypervisor h) { hypervisors.remove(h); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addImage(GuestImage image) { images.add(image); }

    void removeImage(GuestImage image) { images.remove(image); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addConsole(ConsoleListener listener) { consoles.add(listener); }

    void removeConsole(ConsoleListener listener) { consoles.remove(listener); }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setMemoryProvider(GuestMemoryProvider p) { memoryProvider = p; }

    void unsetMemoryProvider(GuestMemoryProvider p) {
        if (memoryProvider == p) memoryProvider = null;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setKernelLoader(KernelLoader l) { kernelLoader = l; }

    void unsetKernelLoader(KernelLoader l) {
        if (kernelLoader == l) kernelLoader = null;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setInterruptController(InterruptController c) { interruptController = c; }

    void unsetInterruptController(InterruptController c) {
        if (interruptController == c) interruptController = null;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setTimeSource(VcpuTimeSource t) {
        timeSource = t;
        Running r = running;
        if (r != null) r.loop().setTimeSource(t); // a clock that arrives after the VM started: attached at once
    }

    void unsetTimeSource(VcpuTimeSource t) {
        if (timeSource != t) return;
        timeSource = null;
        Running r = running;
        if (r != null) r.loop().setTimeSource(null);
    }

    // ---- Vm ----

    @Override
    public VmState state() { return state; }

    @Override
    public void start() throws VmException {
        synchronized (lifecycle) {
            if (state == VmState.RUNNING || state == VmState.PAUSED) {
                throw new VmException("the VM is already " + state.name().toLowerCase() + "; stop it first");
            }
            VmConfig cfg = config;
            Hypervisor hv = BackendChoice.choose(cfg.backend(), hypervisors);
            boolean linux = !cfg.kernel().isBlank(); // issue 14: a kernel file replaces the guest image
            KernelLoader loader = kernelLoader;
            if (linux && loader == null) throw new VmException("no kernel loader to boot " + cfg.kernel() + " (is the pcm.boot bundle active?)");
            GuestImage image = linux ? null : images.stream().filter(i -> i.name().equals(cfg.guestImage())).findFirst()
                    .orElseThrow(() -> new VmException("no guest image named '" + cfg.guestImage() + "' (have: "
                            + images.stream().map(GuestImage::name).toList() + ")"));
            GuestMemoryProvider mp = memoryProvider;
            if (mp == null) throw new VmException("no guest memory provider (is the pcm.mmu bundle active?)");
            InterruptController pic = interruptController;
            if (pic == null) LOG.warn("no interrupt controller: the guest gets no interrupts");

            long ramBytes = (long) cfg.memoryMiB() << 20;
            GuestMemoryProvider.AllocatedMemory memory = mp.allocate(List.of(new GuestMemoryProvider.RegionSpec(0, ramBytes)));
            VirtualMachine vm = null;
            try {
                vm = hv.createVm();
                vm.setMemoryRegion(0, 0, memory.regions().get(0).host(), true);
                KernelLoader.Boot kernelBoot = null;
                String loaded;
                if (linux) {
                    kernelBoot = loader.load(new KernelLoader.Request(Path.of(cfg.kernel()),
                            cfg.initrd().isBlank() ? Optional.empty() : Optional.of(Path.of(cfg.initrd())), cfg.kernelCommandLine(), ramBytes), memory);
                    loaded = kernelBoot.description();
                } else {
                    byte[] bytes = image.image();
                    if (image.loadAddress() + bytes.length > ramBytes) {
                        throw new VmException("guest image (" + bytes.length + " bytes at 0x" + Long.toHexString(image.loadAddress())
                                + ") does not fit in " + cfg.memoryMiB() + " MiB");
                    }
                    memory.write(image.loadAddress(), bytes, 0, bytes.length);
                    long flags = cfg.exposeRdrand() ? LongModeBoot.BootInfo.FLAG_RDRAND | LongModeBoot.BootInfo.FLAG_RDSEED : 0;
                    LongModeBoot.writeTables(memory::writeLong, new LongModeBoot.BootInfo(ramBytes, cfg.workloadBlocks(), flags, cfg.timerHz()));
                    loaded = "guest '" + image.name() + "' (" + bytes.length + " bytes, sha256 " + image.sha256() + ")";
                }
                KernelLoader.Boot entry = kernelBoot;

                ExitCounters newCounters = new ExitCounters();
                CountDownLatch stopped = new CountDownLatch(1);
                VirtualMachine theVm = vm;
                // PCM's local APIC is an xAPIC without the TSC-deadline timer (pcm.irq.lapic): KVM's table offers both
                CpuidMask mask = guestCpuidMask(cfg);
                VcpuLoop[] holder = new VcpuLoop[1];
                CountDownLatch ready = new CountDownLatch(1);
                // The guest's first instruction waits until start() has published the running VM: a guest that
                // powers off at once (issue 14's tiny test kernel) otherwise hit powerOff() with running == null,
                // its request was dropped, and a later stop overwrote the state start() set afterwards.
                CountDownLatch published = new CountDownLatch(1);
                Exception[] setupError = new Exception[1];
                Thread thread = Thread.ofPlatform().name("pcm-vcpu-0").daemon().unstarted(() -> {
                    VirtualCpu vcpu;
                    try {
                        vcpu = theVm.createVcpu(0);
                        vcpu.setCpuid(mask);
                        vcpu.setSpecialRegisters(entry != null ? entry.specialRegisters() : LongModeBoot.specialRegisters());
                        vcpu.setRegisters(entry != null ? entry.registers() : LongModeBoot.registers(image.entryPoint()));
                    } catch (BackendException | RuntimeException e) {
                        setupError[0] = e;
                        ready.countDown();
                        return;
                    }
                    WindowMemory windowMemory = new WindowMemory(memory);
                    VcpuLoop loop = new VcpuLoop(vcpu, new VcpuExitContext(vcpu, windowMemory), dispatcher, pic, newCounters,
                            new LoopListener(vcpu, stopped), windowMemory);
                    holder[0] = loop;
                    if (pic != null) pic.setPendingListener(loop::poke);
                    loop.setTimeSource(timeSource); // attached by the loop before the guest's first instruction
                    ready.countDown();
                    try {
                        published.await();
                    } catch (InterruptedException e) {
                        return; // start() failed after the setup and released the VM itself
                    }
                    loop.run();
                });
                counters = newCounters;
                thread.start();
                if (!ready.await(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS) || setupError[0] != null) {
                    thread.interrupt();
                    throw new VmException("vCPU setup failed: " + (setupError[0] == null ? "timeout" : setupError[0].getMessage()), setupError[0]);
                }
                try {
                    backendDescription = hv.id() + ": " + hv.hostInfo().description();
                    running = new Running(vm, memory, holder[0], thread, stopped, hv.id());
                    state = VmState.RUNNING;
                } catch (RuntimeException e) {
                    thread.interrupt();
                    throw e;
                }
                LOG.info("{} started on {} with {} MiB, workload {}", loaded, backendDescription, cfg.memoryMiB(), cfg.workloadBlocks());
                published.countDown();
            } catch (BackendException e) {
                closeQuietly(vm, memory);
                throw new VmException("backend " + hv.id() + ": " + e.getMessage(), e);
            } catch (VmException e) {
                closeQuietly(vm, memory);
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeQuietly(vm, memory);
                throw new VmException("interrupted while starting", e);
            } catch (RuntimeException e) {
                closeQuietly(vm, memory);
                throw new VmException("start failed: " + e, e);
            }
        }
    }

    /** Called on the vCPU thread when its loop ends: capture, release, publish. */
    private final class LoopListener implements VcpuLoop.Listener {
        private final VirtualCpu vcpu;
        private final CountDownLatch stopped;

        LoopListener(VirtualCpu vcpu, CountDownLatch stopped) {
            this.vcpu = vcpu;
            this.stopped = stopped;
        }

        @Override
        public void paused(boolean paused) {
            state = paused ? VmState.PAUSED : VmState.RUNNING;
        }

        @Override
        public void stopped(int status, String reason) {
            try {
                lastRegisters = registerMap(vcpu.registers());
            } catch (BackendException | RuntimeException e) {
                LOG.debug("could not read final registers", e);
            }
            Running r = running;
            lastStatus = status;
            lastReason = reason;
            long instructions = vcpu.instructionCount(); // read before close: issue 14 reports how far a kernel got
            vcpu.close();
            if (r != null) closeQuietly(r.vm(), r.memory());
            InterruptController pic = interruptController;
            if (pic != null) pic.setPendingListener(() -> {});
            VcpuTimeSource time = timeSource;
            if (time != null) time.detach();
            running = null;
            state = VmState.STOPPED;
            Long rip = lastRegisters.get("rip");
            LOG.info("guest stopped: status {} ({}){}{}", status, reason, rip == null ? "" : " at rip 0x" + Long.toHexString(rip),
                    instructions < 0 ? "" : " after " + instructions + " instructions");
            stopped.countDown();
        }
    }

    private static void closeQuietly(VirtualMachine vm, GuestMemoryProvider.AllocatedMemory memory) {
        try {
            if (vm != null) vm.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the VM failed", e);
        }
        try {
            memory.close();
        } catch (RuntimeException e) {
            LOG.warn("releasing guest memory failed", e);
        }
    }

    @Override
    public void pause() throws VmException {
        Running r = requireRunning("pause");
        r.loop().setPaused(true);
        awaitState(VmState.PAUSED);
    }

    @Override
    public void resume() throws VmException {
        Running r = requireRunning("resume");
        r.loop().setPaused(false);
        awaitState(VmState.RUNNING);
    }

    @Override
    public void stop() {
        Running r = running;
        if (r != null) r.loop().requestStop(0, "stopped by the operator");
    }

    @Override
    public OptionalInt awaitStop(long timeoutMillis) throws InterruptedException {
        Running r = running;
        if (r != null && !r.stopped().await(timeoutMillis, TimeUnit.MILLISECONDS)) return OptionalInt.empty();
        return state == VmState.STOPPED ? OptionalInt.of(lastStatus) : OptionalInt.empty();
    }

    @Override
    public String stopReason() { return lastReason; }

    @Override
    public int vcpuCount() { return 1; }

    @Override
    public String backendDescription() { return backendDescription; }

    @Override
    public Map<String, Long> registers(int vcpu) throws VmException {
        if (vcpu != 0) throw new VmException("no vCPU " + vcpu + " (this VM has 1)");
        Running r = running;
        if (r == null) {
            if (lastRegisters.isEmpty()) throw new VmException("the VM has not run yet");
            return lastRegisters;
        }
        try {
            return r.loop().call(() -> registerMap(r.loop().vcpu().registers()), REQUEST_TIMEOUT_MS);
        } catch (Exception e) {
            throw new VmException("reading registers failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<ExitKind, Long> exitCounts() { return counters.snapshot(); }

    @Override
    public Map<ExitKind, Long> fallbackExitCounts() { return counters.fallbackSnapshot(); }

    @Override
    public Map<String, Long> fallbackExitsByPlugin() { return counters.fallbacksByPlugin(); }

    static Map<String, Long> registerMap(Registers regs) {
        Map<String, Long> m = new LinkedHashMap<>();
        long[] values = regs.toArray();
        for (int i = 0; i < values.length; i++) m.put(Registers.NAMES[i], values[i]);
        return m;
    }

    private Running requireRunning(String what) throws VmException {
        Running r = running;
        if (r == null) throw new VmException("cannot " + what + ": the VM is " + state.name().toLowerCase());
        return r;
    }

    private void awaitState(VmState wanted) throws VmException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS);
        while (state != wanted) {
            if (state == VmState.STOPPED) throw new VmException("the VM stopped");
            if (System.nanoTime() > deadline) throw new VmException("the vCPU did not reach " + wanted + " in time");
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException("interrupted");
            }
        }
    }

    // ---- Platform ----

    @Override
    public void powerOff(int status, String reason) {
        Running r = running;
        if (r != null) r.loop().requestStop(status, reason);
    }

    @Override
    public void reset(String reason) {
        powerOff(STATUS_RESET, "reset: " + reason);
    }

    @Override
    public void consoleOutput(byte[] bytes, int offset, int length) {
        for (ConsoleListener l : consoles) {
            try {
                l.output(bytes, offset, length);
            } catch (RuntimeException e) {
                LOG.warn("console listener {} failed; removed from this output only", l, e);
            }
        }
    }

    /** The guest memory with DMA recording while a sampling window is open (see {@link WindowMemory}). */
    @Override
    public Optional<GuestMemory> memory() {
        Running r = running;
        return r == null ? Optional.empty() : Optional.of(r.loop().memory());
    }

    // ---- SamplingTarget ----

    @Override
    public Optional<String> runningBackend() {
        Running r = running;
        return r == null ? Optional.empty() : Optional.of(r.backend());
    }

    @Override
    public Optional<GuestMemoryProvider> memoryProvider() {
        return Optional.ofNullable(memoryProvider);
    }

    @Override
    public void openWindow(int vcpu, WindowProbe probe, long timeoutMillis) throws VmException {
        Running r = requireVcpu(vcpu, "open a sampling window");
        try {
            r.loop().openWindow(probe, timeoutMillis);
        } catch (VmException e) {
            throw e;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new VmException("the vCPU did not reach a boundary within " + timeoutMillis + " ms to open the window", e);
        } catch (Exception e) {
            throw new VmException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    @Override
    public boolean closeWindow(int vcpu, String reason, long timeoutMillis) throws VmException {
        Running r = requireVcpu(vcpu, "close a sampling window");
        try {
            return r.loop().closeWindow(reason, timeoutMillis);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new VmException("the vCPU did not reach a boundary within " + timeoutMillis + " ms to close the window", e);
        } catch (Exception e) {
            throw new VmException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    private Running requireVcpu(int vcpu, String what) throws VmException {
        if (vcpu != 0) throw new VmException("no vCPU " + vcpu + " (this VM has 1)");
        return requireRunning(what);
    }

    @Override
    public long guestParameter() { return config.workloadBlocks(); }
}
