package pcm.ui.internal.format;

import java.util.List;
import java.util.Map;

/** The data behind {@code pcm:status}, gathered by the command, rendered here. */
public record StatusReport(Framework framework, List<BundleRow> bundles, List<Backend> backends, VmInfo vm,
                           DispatcherInfo dispatcher) {

    public record Framework(String name, String state, int startLevel, int bundleCount, int activeCount,
                            String dataDir, String storage) {}

    public record BundleRow(long id, String symbolicName, String version, String state) {}

    /**
     * @param error set when {@code hostInfo()} threw; the other fields are then null/false
     */
    public record Backend(String id, String bundle, boolean available, String kind, String description,
                          String problem, String error) {}

    /** @param error set when the VM service could not be asked */
    public record VmInfo(String state, String backend, int vcpus, Map<?, Long> exits, String error) {}

    public record DispatcherInfo(Map<?, Long> dispatched, Map<?, Long> unhandled, Map<?, Long> failures,
                                 Map<?, List<String>> handlers) {}

    public String render() {
        return render("PCM");
    }

    /** The report under the heading {@code <productName> kernel status}. */
    public String render(String productName) {
        StringBuilder sb = new StringBuilder(productName).append(" kernel status\n");
        Framework f = framework;
        sb.append("framework : ").append(f.name()).append(", ").append(f.state())
          .append(", start level ").append(f.startLevel())
          .append(", ").append(f.bundleCount()).append(" bundles (").append(f.activeCount()).append(" active)\n");
        sb.append("data dir  : ").append(f.dataDir() == null ? "(pcm.data not set)" : f.dataDir())
          .append("  storage: ").append(f.storage() == null ? "(default)" : f.storage()).append('\n');

        sb.append("\npcm bundles:\n");
        if (bundles.isEmpty()) sb.append("  none installed\n");
        else {
            TextTable t = new TextTable("ID", "SYMBOLIC NAME", "VERSION", "STATE");
            bundles.forEach(b -> t.row(b.id(), b.symbolicName(), b.version(), b.state()));
            sb.append(t.render("  "));
        }

        sb.append("\nbackends (Hypervisor services):\n");
        if (backends.isEmpty()) sb.append("  none registered\n");
        else {
            TextTable t = new TextTable("ID", "AVAILABLE", "KIND", "BUNDLE", "DESCRIPTION");
            for (Backend b : backends) {
                if (b.error() != null) t.row(b.id(), "?", "?", b.bundle(), "hostInfo() failed: " + b.error());
                else t.row(b.id(), b.available() ? "yes" : "no", b.kind(), b.bundle(),
                        b.description() + (b.problem() == null || b.problem().isEmpty() ? "" : " -- " + b.problem()));
            }
            sb.append(t.render("  "));
        }

        sb.append("\nVM:\n");
        if (vm == null) sb.append("  no VM service\n");
        else if (vm.error() != null) sb.append("  VM service present but failed: ").append(vm.error()).append('\n');
        else {
            sb.append("  state   : ").append(vm.state()).append('\n');
            sb.append("  backend : ").append(vm.backend()).append('\n');
            sb.append("  vcpus   : ").append(vm.vcpus()).append('\n');
            sb.append("  exits   : ").append(totalLine(vm.exits())).append('\n');
        }

        sb.append("\nexit dispatcher:\n");
        if (dispatcher == null) sb.append("  no ExitDispatcher service\n");
        else {
            sb.append("  dispatched : ").append(totalLine(dispatcher.dispatched())).append('\n');
            sb.append("  unhandled  : ").append(totalLine(dispatcher.unhandled())).append('\n');
            sb.append("  failures   : ").append(totalLine(dispatcher.failures())).append('\n');
            if (dispatcher.handlers() != null)
                dispatcher.handlers().forEach((kind, hs) -> {
                    if (!hs.isEmpty()) sb.append("  handlers ").append(kind).append(" : ").append(String.join(", ", hs)).append('\n');
                });
        }
        return sb.toString();
    }

    /** {@code <total> (<non-zero counters>)}. */
    private static String totalLine(Map<?, Long> counts) {
        return Values.total(counts) + " (" + Values.counters(counts) + ")";
    }
}
