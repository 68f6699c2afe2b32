package pcm.softcpu.internal;

/**
 * Soak of the block compiler against the interpreter (module README):
 * {@code JitDiffSoak [sequences=100000] [seed] [length=10] [maxReports=20] [cacheBlocks=64] [guestParams=16,64,256]}:
 * {@link JitSequenceDiff} over that many generated sequences, then the embedded guest ({@link JitGuestRun}) with each
 * parameter, with and without timer ticks, interpreter against compiled (threshold 1 and 64). Prints the counts;
 * exits 1 on any difference.
 */
public final class JitDiffSoak {

    private JitDiffSoak() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        long seed = args.length > 1 ? Long.decode(args[1]) : 0x18C0DEL;
        int len = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int reports = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int cache = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        String params = args.length > 5 ? args[5] : "16,64,256";
        int bad = 0;
        long t0 = System.nanoTime();
        try (JitSequenceDiff d = new JitSequenceDiff(cache)) {
            int chunk = 1000;
            for (int done = 0; done < count && d.mismatches.size() < reports; done += chunk) {
                d.run(seed + done, Math.min(chunk, count - done), len, reports - d.mismatches.size());
                System.out.printf("%,d sequences, %,d instructions, %,d stops, %,d exits, %d mismatches, %.0f s; %s%n",
                        d.sequences, d.steps, d.stops, d.exits, d.mismatches.size(), (System.nanoTime() - t0) / 1e9, d.stats());
            }
            d.mismatches.forEach(System.out::println);
            bad += d.mismatches.size();
        }
        for (String p : params.split(",")) {
            for (long tick : new long[] {0, 997}) {
                JitGuestRun i = new JitGuestRun(Long.parseLong(p), tick, 0, 0);
                for (int thr : new int[] {1, 64}) {
                    JitGuestRun c = new JitGuestRun(Long.parseLong(p), tick, thr, thr == 1 ? 16 : 8192);
                    String diff = i.differences(c);
                    System.out.printf("guest param %s tick %d threshold %d: %,d instructions, %d exits: %s; %s%n", p, tick, thr,
                            c.icount, c.exits, diff.isEmpty() ? "identical" : "DIFFERENT " + diff, c.stats);
                    if (!diff.isEmpty()) bad++;
                }
            }
        }
        System.exit(bad == 0 ? 0 : 1);
    }
}
