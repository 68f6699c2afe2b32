package pcm.redfish.internal.tasks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService;
import pcm.redfish.internal.resources.Health;
import pcm.ui.api.selftest.SelfTest;
import pcm.ui.api.selftest.SelfTestReport;

/**
 * Long work behind the API as Redfish tasks (TaskService), with progress: verifying a window with a verifier (the
 * replay position against the window's length) and the self-test (the checks decided against the {@value
 * SelfTest#CHECKS} of a full run, each one a message as it comes). Two tasks run at a time, the rest wait (TaskState
 * New); the last {@value #KEPT} tasks are kept, in memory.
 */
@Component(service = ApiTasks.class)
public final class ApiTasks {

    static final int KEPT = 100;
    private static final Logger LOG = LoggerFactory.getLogger(ApiTasks.class);

    /** What a task does. */
    public enum Kind { VERIFY, SELF_TEST }

    /** One task; its fields change as it runs (read by GETs on other threads). */
    public static final class Task {
        public final String id;
        public final Kind kind;
        public final String windowId;
        public final String verifier;
        public final long instructions;
        public final Instant start = Instant.now();
        public volatile String state = "New";
        public volatile long position;
        public volatile Instant end;
        public volatile Verdict verdict;
        public volatile String failure;
        /** The self-test's checks decided so far, and its report when done. */
        public final List<SelfTestReport.Check> checks = new CopyOnWriteArrayList<>();
        public volatile SelfTestReport report;

        Task(String id, Kind kind, String windowId, String verifier, long instructions) {
            this.id = id;
            this.kind = kind;
            this.windowId = windowId;
            this.verifier = verifier;
            this.instructions = instructions;
        }

        public int percent() {
            if (state.equals("Completed")) return 100;
            if (kind == Kind.SELF_TEST) return Math.min(99, checks.size() * 100 / SelfTest.CHECKS);
            if (instructions <= 0) return 0;
            return (int) Math.min(99, position * 100 / instructions);
        }

        /** TaskStatus: the verdict's health when done (a self-test: Critical once a check failed), Critical when it failed, OK while it runs. */
        public String status() {
            if (failure != null) return Health.CRITICAL;
            if (kind == Kind.SELF_TEST) return checks.stream().allMatch(SelfTestReport.Check::passed) ? Health.OK : Health.CRITICAL;
            return verdict == null ? Health.OK : Health.of(verdict);
        }
    }

    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> Thread.ofPlatform().daemon()
            .name("pcm-api-task").unstarted(r));

    @Activate
    public ApiTasks() {}

    @Deactivate
    void deactivate() {
        workers.shutdownNow();
    }

    public Task verify(VerificationService verification, String windowId, String verifier, long instructions) {
        Task t = new Task(Long.toString(ids.incrementAndGet()), Kind.VERIFY, windowId, verifier, instructions);
        tasks.put(t.id, t);
        prune();
        workers.execute(() -> {
            t.state = "Running";
            try {
                t.verdict = verification.verify(windowId, verifier, p -> t.position = p);
                t.state = "Completed";
            } catch (VerificationService.VerificationException | RuntimeException e) {
                t.failure = e.getMessage() == null ? e.toString() : e.getMessage();
                t.state = "Exception";
                LOG.warn("API task {}: verifying {} with {} failed: {}", t.id, windowId, verifier, t.failure);
            } finally {
                t.end = Instant.now();
            }
        });
        return t;
    }

    /**
     * Runs the self-test as a task; refused (empty) while another self-test task waits or runs — the service runs one
     * at a time, and a second one queued behind it would only repeat it.
     */
    public synchronized Optional<Task> selfTest(SelfTest selfTest) {
        if (tasks.values().stream().anyMatch(t -> t.kind == Kind.SELF_TEST && t.end == null)) return Optional.empty();
        Task t = new Task(Long.toString(ids.incrementAndGet()), Kind.SELF_TEST, null, null, 0);
        tasks.put(t.id, t);
        prune();
        workers.execute(() -> {
            t.state = "Running";
            try {
                t.report = selfTest.run(t.checks::add);
                t.state = "Completed";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                t.failure = "interrupted (PCM is stopping)";
                t.state = "Exception";
            } catch (RuntimeException e) {
                t.failure = e.getMessage() == null ? e.toString() : e.getMessage();
                t.state = "Exception";
                LOG.warn("API task {}: the self-test failed to run: {}", t.id, t.failure);
            } finally {
                t.end = Instant.now();
            }
        });
        return Optional.of(t);
    }

    public Optional<Task> get(String id) {
        return Optional.ofNullable(tasks.get(id));
    }

    public List<Task> all() {
        List<Task> all = new ArrayList<>(tasks.values());
        all.sort(java.util.Comparator.comparingLong(x -> Long.parseLong(x.id)));
        return all;
    }

    private void prune() {
        List<Task> all = all();
        for (int i = 0; i < all.size() - KEPT; i++) {
            if (all.get(i).end != null) tasks.remove(all.get(i).id);
        }
    }
}
