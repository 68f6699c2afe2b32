package pcm.ui.internal.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Renders what {@code pcm:vm} shows. */
public final class VmReport {

    /** General registers first, in the architectural order, then the rest by name. */
    static final List<String> ORDER = List.of("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9",
        "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags");

    private VmReport() {}

    public static String registers(int vcpu, Map<String, Long> regs) {
        StringBuilder sb = new StringBuilder("vcpu ").append(vcpu).append(" registers:\n");
        List<String> names = new ArrayList<>();
        ORDER.stream().filter(regs::containsKey).forEach(names::add);
        new TreeMap<>(regs).keySet().stream().filter(n -> !ORDER.contains(n)).forEach(names::add);
        int w = names.stream().mapToInt(String::length).max().orElse(3);
        // two registers per line
        for (int i = 0; i < names.size(); i += 2) {
            sb.append("  ");
            sb.append(cell(names.get(i), regs.get(names.get(i)), w));
            if (i + 1 < names.size()) sb.append("    ").append(cell(names.get(i + 1), regs.get(names.get(i + 1)), w));
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String cell(String name, Long v, int w) {
        return String.format("%-" + w + "s = %s", name, v == null ? "?" : Values.hex(v));
    }

    public static String exits(Map<?, Long> counts) {
        TextTable t = new TextTable("EXIT KIND", "COUNT");
        counts.entrySet().stream()
            .filter(e -> e.getValue() != null && e.getValue() != 0)
            .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
            .forEach(e -> t.row(e.getKey(), e.getValue()));
        long total = Values.total(counts);
        if (t.isEmpty()) return "no exits\n";
        return t.render("  ") + "  total: " + total + "\n";
    }

    /** The actions {@code pcm:vm} knows, for its usage text. */
    public static final List<String> ACTIONS = Arrays.asList("status", "start", "pause", "resume", "stop", "regs", "exits");

    public static String usage() {
        return "usage: pcm:vm " + String.join("|", ACTIONS) + " [vcpu]   (regs takes an optional vcpu, default 0)";
    }
}
