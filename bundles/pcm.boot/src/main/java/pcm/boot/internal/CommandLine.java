package pcm.boot.internal;

import java.util.ArrayList;
import java.util.List;

import pcm.boot.api.PlatformDescription;

/**
 * The kernel command line: the operator's words first, then what PCM's platform needs and the operator
 * did not say: a console on the first serial port, the TSC frequency (so no calibration against the PIT,
 * which hangs slow CPUs: linux-facts §3.3), and {@code nolapic}/{@code noapic} for controllers the
 * platform lacks.
 */
final class CommandLine {

    private CommandLine() {}

    static String assemble(String operator, PlatformDescription platform, long tscKhz, String console) {
        List<String> words = new ArrayList<>(List.of(operator.trim().isEmpty() ? new String[0] : operator.trim().split("\\s+")));
        if (!console.isEmpty() && !has(words, "console")) words.add("console=" + console);
        if (tscKhz > 0 && !has(words, "tsc_early_khz")) words.add("tsc_early_khz=" + tscKhz);
        if (!platform.localApic() && !has(words, "nolapic")) words.add("nolapic");
        else if (platform.localApic() && !platform.ioApic() && !has(words, "noapic")) words.add("noapic");
        return String.join(" ", words);
    }

    private static boolean has(List<String> words, String key) {
        for (String w : words) if (w.equals(key) || w.startsWith(key + "=")) return true;
        return false;
    }
}
