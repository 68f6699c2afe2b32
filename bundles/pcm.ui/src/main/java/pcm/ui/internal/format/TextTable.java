package pcm.ui.internal.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain text table: left-aligned columns separated by two spaces, no trailing blanks. */
public final class TextTable {

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... headers) {
        this.headers = List.of(headers);
    }

    public TextTable row(Object... cells) {
        if (cells.length != headers.size())
            throw new IllegalArgumentException("expected " + headers.size() + " cells, got " + cells.length);
        rows.add(Arrays.stream(cells).map(c -> c == null ? "" : String.valueOf(c)).toList());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The table, every line prefixed with {@code indent}, each line ending in a newline. */
    public String render(String indent) {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) width[i] = headers.get(i).length();
        for (List<String> r : rows)
            for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
        StringBuilder sb = new StringBuilder();
        line(sb, indent, headers, width);
        for (List<String> r : rows) line(sb, indent, r, width);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String indent, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder(indent);
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) l.append("  ");
            l.append(cells.get(i));
            if (i < cells.size() - 1) l.append(" ".repeat(width[i] - cells.get(i).length()));
        }
        int end = l.length();
        while (end > 0 && l.charAt(end - 1) == ' ') end--;
        sb.append(l, 0, end).append('\n');
    }
}
