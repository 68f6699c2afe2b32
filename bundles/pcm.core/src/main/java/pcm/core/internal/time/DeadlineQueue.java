package pcm.core.internal.time;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

import pcm.core.api.time.GuestClock;

/**
 * The pending deadlines of a clock, earliest first; ties run in scheduling order so a replay of the same
 * program schedules and fires them in the same order. Thread-safe; tasks are taken out under the lock and
 * run by the caller outside it.
 */
final class DeadlineQueue {

    private final class Entry implements GuestClock.Deadline, Comparable<Entry> {
        final long at;
        final long seq;
        final Runnable task;
        boolean cancelled;

        Entry(long at, long seq, Runnable task) {
            this.at = at;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public void cancel() {
            synchronized (DeadlineQueue.this) {
                cancelled = true;
                queue.remove(this);
            }
        }

        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long sequence;

    synchronized GuestClock.Deadline add(long at, Runnable task) {
        Entry e = new Entry(at, sequence++, task);
        queue.add(e);
        notifyAll();
        return e;
    }

    /** The earliest deadline, or {@link Long#MAX_VALUE} if none. */
    synchronized long earliest() {
        Entry e = queue.peek();
        return e == null ? Long.MAX_VALUE : e.at;
    }

    synchronized int size() {
        return queue.size();
    }

    synchronized boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Removes and returns the tasks due at {@code now}, in order. */
    synchronized List<Runnable> takeDue(long now) {
        List<Runnable> due = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().at <= now) due.add(queue.poll().task);
        return due;
    }

    synchronized void clear() {
        queue.clear();
        notifyAll();
    }
}
