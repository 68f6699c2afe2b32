package pcm.ui.internal.format;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/** Rendering of service property values and counters. */
public final class Values {

    private Values() {}

    /** Arrays and collections as {@code [a, b]}, everything else with {@code toString}. */
    public static String show(Object value) {
        if (value == null) return "null";
        if (value.getClass().isArray()) {
            List<Object> items = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) items.add(Array.get(value, i));
            return show(items);
        }
        if (value instanceof Collection<?> c) {
            StringJoiner j = new StringJoiner(", ", "[", "]");
            for (Object o : c) j.add(show(o));
            return j.toString();
        }
        return String.valueOf(value);
    }

    /** {@code k=v k=v} in key order. */
    public static String properties(Map<String, ?> props) {
        StringJoiner j = new StringJoiner(" ");
        new TreeMap<>(props).forEach((k, v) -> j.add(k + "=" + show(v)));
        return j.toString();
    }

    /** Non-zero counters as {@code A=1, B=2}: enum keys in declaration order, others by name; "none" if all zero. */
    public static String counters(Map<?, Long> counts) {
        if (counts == null) return "none";
        StringJoiner j = new StringJoiner(", ");
        j.setEmptyValue("none");
        counts.entrySet().stream()
            .filter(e -> e.getValue() != null && e.getValue() != 0)
            .sorted(Comparator.comparing((Map.Entry<?, Long> e) -> e.getKey() instanceof Enum<?> en ? en.ordinal() : Integer.MAX_VALUE)
                .thenComparing(e -> String.valueOf(e.getKey())))
            .forEach(e -> j.add(e.getKey() + "=" + e.getValue()));
        return j.toString();
    }

    public static long total(Map<?, Long> counts) {
        return counts == null ? 0 : counts.values().stream().mapToLong(v -> v == null ? 0 : v).sum();
    }

    public static String hex(long v) {
        return String.format("0x%016x", v);
    }
}
