package pcm.ui.internal.commands;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code pcm:completions}: every Gogo command of this runtime, one line each, {@code scope:function} followed by the
 * options its methods declare ({@code @Parameter} names), sorted. The shell attached to a resident PCM (bin/pcm shell,
 * pcm.client) completes command names and options from it, so it offers what this runtime has — a drop-in bundle's
 * commands included — without a list of its own that would go stale.
 */
@Component(service = CompletionsCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=completions"})
public class CompletionsCommand extends PcmCommand {

    private final BundleContext context;

    @Activate
    public CompletionsCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "completions";
    }

    @Override
    protected String usage() {
        return "usage: pcm:completions   (no arguments)";
    }

    @Descriptor("every command with its options, one line each (what the attached shell completes)")
    public String completions() throws InvalidSyntaxException {
        TreeMap<String, Set<String>> commands = new TreeMap<>();
        ServiceReference<?>[] refs = context.getAllServiceReferences(null, "(osgi.command.scope=*)");
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            Object scope = ref.getProperty("osgi.command.scope");
            Object service = context.getService(ref);
            try {
                for (String function : functions(ref.getProperty("osgi.command.function"))) {
                    Set<String> options = commands.computeIfAbsent(scope + ":" + function, k -> new TreeSet<>());
                    if (service != null) options.addAll(options(service.getClass(), function));
                }
            } finally {
                if (service != null) context.ungetService(ref);
            }
        }
        StringBuilder b = new StringBuilder();
        commands.forEach((name, options) -> b.append(name).append(options.isEmpty() ? "" : " " + String.join(" ", options)).append('\n'));
        return b.toString();
    }

    private static List<String> functions(Object property) {
        List<String> out = new ArrayList<>();
        if (property instanceof String s) out.add(s);
        else if (property instanceof String[] a) out.addAll(List.of(a));
        else if (property instanceof Iterable<?> i) i.forEach(o -> out.add(String.valueOf(o)));
        return out;
    }

    /** The long option names ({@code --x}; a short one where a parameter has no long name) of the methods named function. */
    static Set<String> options(Class<?> type, String function) {
        Set<String> out = new TreeSet<>();
        for (Method m : type.getMethods()) {
            if (!m.getName().equals(function) && !m.getName().equals("_" + function)) continue;
            for (Annotation[] annotations : m.getParameterAnnotations()) {
                for (Annotation a : annotations) {
                    if (!(a instanceof Parameter p)) continue;
                    String pick = null;
                    for (String n : p.names()) if (n.startsWith("--")) pick = n;
                    if (pick == null && p.names().length > 0) pick = p.names()[0];
                    if (pick != null) out.add(pick);
                }
            }
        }
        return out;
    }
}
