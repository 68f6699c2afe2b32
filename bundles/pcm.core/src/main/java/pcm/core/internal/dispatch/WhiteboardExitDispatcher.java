package pcm.core.internal.dispatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitDispatcher;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.ExitKind;
import pcm.core.api.vm.VmExit;

/**
 * The whiteboard of exit handlers. The hot path reads one volatile array per kind and takes no
 * lock; registration rebuilds the arrays under a lock (copy on write). A handler's unregistration
 * waits for the exits in flight on it, so its bundle never stops under a running exit.
 */
@Component(service = ExitDispatcher.class)
public final class WhiteboardExitDispatcher implements ExitDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(WhiteboardExitDispatcher.class);
    private static final int LOUD_WARNINGS_PER_KIND = 10;
    private static final ExitKind[] KINDS = ExitKind.values();
    private static final RankedHandler[] NONE = new RankedHandler[0];

    private final Object registrationLock = new Object();
    private final List<RankedHandler> registered = new ArrayList<>();
    private volatile RankedHandler[][] byKind = emptyTable();
    private final AtomicLong syntheticIds = new AtomicLong(1L << 40);

    private final LongAdder[] dispatched = adders();
    private final LongAdder[] unhandled = adders();
    private final LongAdder[] failures = adders();

    /** DS: a handler service appeared (greedy: a better-ranked handler takes the next exit). */
    @Reference(service = ExitHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addHandler(ServiceReference<ExitHandler> ref, ExitHandler handler) {
        Map<String, Object> props = new java.util.HashMap<>();
        for (String key : ref.getPropertyKeys()) props.put(key, ref.getProperty(key));
        props.put("pcm.bundle.symbolicName", ref.getBundle().getSymbolicName());
        register(handler, props);
    }

    void removeHandler(ServiceReference<ExitHandler> ref, ExitHandler handler) {
        unregister(handler);
    }

    /**
     * Registers a handler with whiteboard properties ({@code pcm.exit.kinds}, {@code service.ranking});
     * usable without a framework (tests, benchmarks). A handler with bad properties is refused
     * with a logged error; the dispatcher goes on.
     */
    public boolean register(ExitHandler handler, Map<String, ?> props) {
        RankedHandler entry;
        try {
            Map<String, Object> withId = new java.util.HashMap<>(props);
            withId.putIfAbsent(org.osgi.framework.Constants.SERVICE_ID, syntheticIds.incrementAndGet());
            entry = new RankedHandler(handler, HandlerProperties.ranking(withId), HandlerProperties.serviceId(withId),
                    HandlerProperties.name(handler, withId), HandlerProperties.kinds(withId));
        } catch (IllegalArgumentException e) {
            LOG.error("exit handler {} refused: {}", handler, e.getMessage());
            return false;
        }
        if (entry.kinds.isEmpty()) {
            LOG.warn("exit handler {} registers for no exit kind ({} missing); it will never be called",
                    entry.name, ExitHandler.EXIT_KINDS);
        }
        synchronized (registrationLock) {
            registered.add(entry);
            rebuild();
        }
        LOG.info("exit handler {} takes {} at ranking {}", entry.name, entry.kinds, entry.ranking);
        return true;
    }

    /** Removes a handler; returns after every exit in flight on it has finished. */
    public void unregister(ExitHandler handler) {
        List<RankedHandler> gone = new ArrayList<>();
        synchronized (registrationLock) {
            registered.removeIf(h -> {
                if (h.handler == handler) gone.add(h);
                return h.handler == handler;
            });
            rebuild();
        }
        for (RankedHandler h : gone) {
            h.retireAndDrain();
            LOG.info("exit handler {} removed", h.name);
        }
    }

    private void rebuild() {
        RankedHandler[][] table = emptyTable();
        for (ExitKind kind : KINDS) {
            table[kind.ordinal()] = registered.stream().filter(h -> h.kinds.contains(kind))
                    .sorted(RankedHandler.ORDER).toArray(RankedHandler[]::new);
        }
        byKind = table;
    }

    @Override
    public Dispatch dispatch(VmExit exit, ExitContext context) {
        int kind = exit.kind().ordinal();
        dispatched[kind].increment();
        for (RankedHandler h : byKind[kind]) {
            if (!h.enter()) continue; // retired between our read of the table and now
            ExitResult result;
            try {
                result = h.handler.handle(exit, context);
            } catch (RuntimeException | LinkageError e) {
                // LinkageError too: a handler whose bundle is being refreshed may lose its classes.
                failures[kind].increment();
                LOG.error("exit handler {} threw on {}; the default applies and the vCPU goes on", h.name, exit, e);
                return new Dispatch(DefaultExitPolicy.defaultFor(exit), DEFAULT);
            } finally {
                h.exit();
            }
            if (result == null) {
                failures[kind].increment();
                LOG.error("exit handler {} returned null for {}; the default applies", h.name, exit);
                return new Dispatch(DefaultExitPolicy.defaultFor(exit), DEFAULT);
            }
            if (!(result instanceof ExitResult.Pass)) {
                return new Dispatch(result, h.name);
            }
        }
        long n = unhandled[kind].sum();
        unhandled[kind].increment();
        if (n < LOUD_WARNINGS_PER_KIND) {
            LOG.warn("no handler took {} (vCPU {}); default applies{}", exit, context.vcpuId(),
                    n == LOUD_WARNINGS_PER_KIND - 1 ? " (further ones of this kind are logged at debug level)" : "");
        } else {
            LOG.debug("no handler took {} (vCPU {}); default applies", exit, context.vcpuId());
        }
        return new Dispatch(DefaultExitPolicy.defaultFor(exit), DEFAULT);
    }

    @Override
    public List<String> handlers(ExitKind kind) {
        return Arrays.stream(byKind[kind.ordinal()]).map(RankedHandler::toString).toList();
    }

    @Override
    public Map<ExitKind, Long> dispatched() { return snapshot(dispatched); }

    @Override
    public Map<ExitKind, Long> unhandled() { return snapshot(unhandled); }

    @Override
    public Map<ExitKind, Long> failures() { return snapshot(failures); }

    private static Map<ExitKind, Long> snapshot(LongAdder[] adders) {
        Map<ExitKind, Long> m = new EnumMap<>(ExitKind.class);
        for (ExitKind k : KINDS) {
            long v = adders[k.ordinal()].sum();
            if (v != 0) m.put(k, v);
        }
        return m;
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[KINDS.length];
        for (int i = 0; i < a.length; i++) a[i] = new LongAdder();
        return a;
    }

    private static RankedHandler[][] emptyTable() {
        RankedHandler[][] t = new RankedHandler[KINDS.length][];
        Arrays.fill(t, NONE);
        return t;
    }
}
