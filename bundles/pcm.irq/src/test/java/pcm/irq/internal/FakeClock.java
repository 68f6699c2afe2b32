package pcm.irq.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import pcm.core.api.time.GuestClock;

/** Guest time the test moves by hand: {@link #advanceTo} runs the deadlines due, in order, like the vCPU loop does. */
public final class FakeClock implements GuestClock {

    private long now;
    private long sequence;
    private final List<Entry> pending = new ArrayList<>();

    private final class Entry implements Deadline {
        final long at, seq;
        final Runnable task;

        Entry(long at, long seq, Runnable task) {
            this.at = at;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public void cancel() {
            pending.remove(this);
        }
    }

    @Override
    public synchronized long nanos() {
        return now;
    }

    /** Time passes only when the test moves it, as instruction time does: IRQ 0 goes through deadlines. */
    @Override
    public boolean countsInstructions() {
        return true;
    }

    @Override
    public long tscHz() {
        return 2_000_000_000L;
    }

    @Override
    public synchronized Deadline schedule(long deadlineNanos, Runnable task) {
        Entry e = new Entry(deadlineNanos, sequence++, task);
        pending.add(e);
        return e;
    }

    /** Moves time to {@code t}, stopping at each deadline on the way to run it there. */
    public void advanceTo(long t) {
        while (true) {
            Entry next;
            synchronized (this) {
                next = pending.stream().filter(e -> e.at <= t).min(Comparator.<Entry>comparingLong(e -> e.at).thenComparingLong(e -> e.seq))
                        .orElse(null);
                if (next == null) {
                    now = Math.max(now, t);
                    return;
                }
                pending.remove(next);
                now = Math.max(now, next.at);
            }
            next.task.run();
        }
    }

    public void advanceBy(long d) {
        advanceTo(nanos() + d);
    }

    public synchronized int pendingCount() {
        return pending.size();
    }
}
