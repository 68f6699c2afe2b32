package pcm.ui.internal.format;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The data behind {@code pcm:services}: PCM services grouped by kind, in the order kinds are given. */
public final class ServicesReport {

    /**
     * @param properties the service properties worth showing (framework bookkeeping removed)
     * @param detail     what the service itself says (IoDevice name and ranges, ids), may be empty
     */
    public record Row(String kind, long serviceId, int ranking, String bundle, long bundleId,
                      Map<String, Object> properties, String detail) {}

    /** Properties that every service has and that have their own column or say nothing. */
    public static final List<String> HIDDEN = List.of("objectClass", "service.id", "service.bundleid",
        "service.scope", "service.ranking", "component.id");

    private final Map<String, List<Row>> byKind = new LinkedHashMap<>();

    public ServicesReport(List<String> kinds) {
        kinds.forEach(k -> byKind.put(k, new ArrayList<>()));
    }

    public ServicesReport add(Row row) {
        byKind.computeIfAbsent(row.kind(), k -> new ArrayList<>()).add(row);
        return this;
    }

    public int count() {
        return byKind.values().stream().mapToInt(List::size).sum();
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("PCM services: ").append(count()).append('\n');
        byKind.forEach((kind, rows) -> {
            sb.append('\n').append(kind).append(" (").append(rows.size()).append(")\n");
            if (rows.isEmpty()) {
                sb.append("  none\n");
                return;
            }
            // the dispatcher's order: ranking descending, then service id ascending
            rows.sort((a, b) -> a.ranking() != b.ranking() ? Integer.compare(b.ranking(), a.ranking())
                : Long.compare(a.serviceId(), b.serviceId()));
            TextTable t = new TextTable("SERVICE", "RANKING", "BUNDLE", "DETAILS");
            for (Row r : rows) {
                Map<String, Object> shown = new LinkedHashMap<>(r.properties());
                HIDDEN.forEach(shown::remove);
                String details = Values.properties(shown);
                if (r.detail() != null && !r.detail().isEmpty()) details = r.detail() + (details.isEmpty() ? "" : "  " + details);
                t.row(r.serviceId(), r.ranking(), r.bundle() + " [" + r.bundleId() + "]", details);
            }
            sb.append(t.render("  "));
        });
        return sb.toString();
    }
}
