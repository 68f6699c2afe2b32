package pcm.bench.dispatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link DispatchBench} and prints each dispatch score as a ratio to the direct-call baseline
 * measured in the same run. JMH command-line options are accepted (e.g. {@code -wi 5 -i 10 -f 2});
 * without them a short run is made (2 warmup + 3 measurement iterations of 1 s, 1 fork).
 */
public final class DispatchBenchMain {

    private DispatchBenchMain() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder b = new OptionsBuilder();
        b.include(DispatchBench.class.getName().replace(".", "\\.") + "\\.");
        if (cli.getWarmupIterations().hasValue() == false) b.warmupIterations(2).warmupTime(TimeValue.seconds(1));
        if (cli.getMeasurementIterations().hasValue() == false) b.measurementIterations(3).measurementTime(TimeValue.seconds(1));
        if (cli.getForkCount().hasValue() == false) b.forks(1);
        Options opts = b.parent(cli).build();
        Collection<RunResult> results = new Runner(opts).run();
        System.out.println(report(results));
    }

    record Score(String benchmark, String handlers, double nanos, double error) {}

    static String report(Collection<RunResult> results) {
        List<Score> scores = new ArrayList<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            String handlers = r.getParams().getParam("handlers");
            String origin = r.getParams().getParam("origin");
            if (origin != null) handlers = handlers + ", " + origin;
            name = name.substring(name.lastIndexOf('.') + 1);
            scores.add(new Score(name, handlers == null ? "-" : handlers, r.getPrimaryResult().getScore(),
                r.getPrimaryResult().getScoreError()));
        }
        double baseline = scores.stream().filter(s -> s.benchmark().equals("directCall"))
            .mapToDouble(Score::nanos).min().orElse(Double.NaN);
        StringBuilder sb = new StringBuilder("\nexit dispatch vs direct call (same run, ns/op, lower is better)\n");
        sb.append(String.format(Locale.ROOT, "  %-40s %10s %10s %8s%n", "benchmark", "ns/op", "+-", "ratio"));
        for (Score s : scores) {
            sb.append(String.format(Locale.ROOT, "  %-40s %10.2f %10.2f %8.1f%n",
                s.handlers().equals("-") ? s.benchmark() : s.benchmark() + " (handlers=" + s.handlers() + ")", s.nanos(), s.error(), s.nanos() / baseline));
        }
        sb.append(String.format(Locale.ROOT, "  baseline: directCall %.2f ns/op (best of the runs)%n", baseline));
        return sb.toString();
    }
}
