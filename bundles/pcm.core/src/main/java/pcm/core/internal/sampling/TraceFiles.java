package pcm.core.internal.sampling;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import pcm.core.api.sampling.WindowDamagedException;
import pcm.core.api.sampling.WindowDamagedException.Problem;
import pcm.core.api.tracer.Trace;
import pcm.core.api.tracer.Tracer;

/**
 * The trace files of a window (docs/sampling.md, "Tracers"; docs/trace-format.md): {@code <prefix>_trace-<tracer
 * id>.bin}, one per COMPLETE trace, in the snapshot container (type 3: header CRC, body, body CRC32C; written as
 * {@code .part}, fsynced, renamed). They are written before the CPU file, whose binding (minor 4) lists every tracer
 * armed for the window ({@link TraceRef}: status, counts and the body CRC of its file), so a trace file is checked to
 * be the very one recorded with the window, and a FAILED or UNAVAILABLE tracer is recorded without a file.
 */
final class TraceFiles {

    static final String PREFIX = "_trace-", SUFFIX = ".bin";
    /** Longest reason kept in the CPU file. */
    private static final int MAX_REASON = 1000;

    private TraceFiles() {}

    /**
     * A tracer armed for the window as the CPU file records it.
     *
     * @param bodyCrc body CRC32C of its trace file (COMPLETE only; else 0 and no file)
     * @param bytes   length of the trace's data
     */
    record TraceRef(String tracerId, Tracer.Kind kind, Trace.Status status, long records, long dropped, long bytes,
                    int bodyCrc, String reason) {}

    static String fileName(String prefix, String tracerId) {
        return prefix + PREFIX + tracerId + SUFFIX;
    }

    static boolean isTraceFile(String name) {
        return name.contains(PREFIX) && (name.endsWith(SUFFIX) || name.endsWith(SUFFIX + ".part"));
    }

    // ---------------------------------------------------------------- writing

    /** Writes the COMPLETE traces as files next to {@code prefix}; returns the refs the CPU file binds (all traces). */
    static List<TraceRef> write(Path dir, String prefix, String windowId, List<Trace> traces) throws IOException {
        List<TraceRef> refs = new ArrayList<>();
        for (Trace t : traces) {
            int crc = 0;
            if (t.status() == Trace.Status.COMPLETE) crc = writeFile(dir.resolve(fileName(prefix, t.tracerId())), windowId, t);
            String reason = t.reason().length() > MAX_REASON ? t.reason().substring(0, MAX_REASON) : t.reason();
            refs.add(new TraceRef(t.tracerId(), t.kind(), t.status(), t.records(), t.dropped(), t.data().length, crc, reason));
        }
        return refs;
    }

    private static int writeFile(Path file, String windowId, Trace t) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        SnapshotFiles.putString(head, windowId);
        SnapshotFiles.putString(head, t.tracerId());
        head.put((byte) t.kind().ordinal());
        SnapshotFiles.putString(head, t.format());
        head.putLong(t.records()).putLong(t.dropped()).putInt(t.data().length);
        head.flip();
        try (ContainerWriter w = new ContainerWriter(file, SnapshotFiles.TYPE_TRACE,
                head.remaining() + (long) t.data().length, 0)) {
            w.write(head);
            w.write(ByteBuffer.wrap(t.data()));
            return writtenCrc(w);
        }
    }

    private static int writtenCrc(ContainerWriter w) {
        return w.bodyCrc();
    }

    static ByteBuffer putRefs(ByteBuffer b, List<TraceRef> refs) {
        int need = 2;
        for (TraceRef r : refs) need += 2 + r.tracerId().length() * 4 + 2 + 8 * 3 + 4 + 2 + r.reason().length() * 4;
        if (b.remaining() < need) {
            ByteBuffer bigger = ByteBuffer.allocate(b.capacity() + need).order(ByteOrder.LITTLE_ENDIAN);
            b.flip();
            bigger.put(b);
            b = bigger;
        }
        b.putShort((short) refs.size());
        for (TraceRef r : refs) {
            SnapshotFiles.putString(b, r.tracerId());
            b.put((byte) r.kind().ordinal()).put((byte) r.status().ordinal());
            b.putLong(r.records()).putLong(r.dropped()).putLong(r.bytes()).putInt(r.bodyCrc());
            SnapshotFiles.putString(b, r.reason());
        }
        return b;
    }

    static List<TraceRef> getRefs(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        List<TraceRef> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = SnapshotFiles.getString(b);
            Tracer.Kind kind = enumAt(Tracer.Kind.values(), b.get(), "tracer kind");
            Trace.Status status = enumAt(Trace.Status.values(), b.get(), "trace status");
            long records = b.getLong(), dropped = b.getLong(), bytes = b.getLong();
            int crc = b.getInt();
            out.add(new TraceRef(id, kind, status, records, dropped, bytes, crc, SnapshotFiles.getString(b)));
        }
        return out;
    }

    private static <E> E enumAt(E[] values, byte b, String what) {
        int i = Byte.toUnsignedInt(b);
        if (i >= values.length) throw new IllegalArgumentException(what + " " + i);
        return values[i];
    }

    // ---------------------------------------------------------------- loading

    /**
     * The window's traces as its CPU file lists them, each COMPLETE one read from its file and checked: missing,
     * cut off, corrupt (CRC) or not the file recorded with this window (window, tracer, body CRC, counts) is
     * {@link WindowDamagedException} naming the window and the trace file.
     */
    static List<Trace> load(String windowId, Path dir, String prefix, List<TraceRef> refs) throws WindowDamagedException, IOException {
        List<Trace> out = new ArrayList<>();
        for (TraceRef r : refs) {
            if (r.status() != Trace.Status.COMPLETE) {
                out.add(new Trace(r.tracerId(), r.kind(), r.status(), r.reason(), "", r.records(), r.dropped(), null));
                continue;
            }
            Path file = dir.resolve(fileName(prefix, r.tracerId()));
            String name = file.getFileName().toString();
            SnapshotFiles.Container c;
            try {
                c = SnapshotFiles.readContainer(file, SnapshotFiles.TYPE_TRACE);
            } catch (SnapshotFormatException e) {
                throw new WindowDamagedException(windowId, name, e.problem(), e.getMessage(), e);
            }
            ByteBuffer body = c.body();
            Trace t;
            String fileWindow;
            try {
                fileWindow = SnapshotFiles.getString(body);
                String tracer = SnapshotFiles.getString(body);
                Tracer.Kind kind = enumAt(Tracer.Kind.values(), body.get(), "tracer kind");
                String format = SnapshotFiles.getString(body);
                long records = body.getLong(), dropped = body.getLong();
                int length = body.getInt();
                if (length < 0 || length != body.remaining()) {
                    throw new IllegalArgumentException("data length " + length + ", " + body.remaining() + " bytes follow");
                }
                byte[] data = new byte[length];
                body.get(data);
                t = new Trace(tracer, kind, Trace.Status.COMPLETE, "", format, records, dropped, data);
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                throw new WindowDamagedException(windowId, name, Problem.CORRUPT, "fields do not fit the body (" + e.getMessage() + ")", e);
            }
            if (!fileWindow.equals(windowId) || !t.tracerId().equals(r.tracerId())) {
                throw new WindowDamagedException(windowId, name, Problem.MISMATCHED, "it is the trace of tracer " + t.tracerId()
                        + " of window " + fileWindow);
            }
            if (c.bodyCrc() != r.bodyCrc() || t.records() != r.records() || t.dropped() != r.dropped()
                    || t.data().length != r.bytes() || t.kind() != r.kind()) {
                throw new WindowDamagedException(windowId, name, Problem.MISMATCHED, "it is not the trace recorded with this"
                        + " window's CPU file (body CRC 0x" + Integer.toHexString(c.bodyCrc()) + ", the CPU file names 0x"
                        + Integer.toHexString(r.bodyCrc()) + ")");
            }
            out.add(t);
        }
        return out;
    }

    /** Deletes the trace files and temporaries of a window whose storing failed. */
    static void deleteQuietly(Path dir, String prefix, List<Trace> traces) {
        for (Trace t : traces) {
            for (String n : List.of(fileName(prefix, t.tracerId()), fileName(prefix, t.tracerId()) + ".part")) {
                try {
                    Files.deleteIfExists(dir.resolve(n));
                } catch (IOException ignored) {
                    // retention takes it with its window
                }
            }
        }
    }
}
