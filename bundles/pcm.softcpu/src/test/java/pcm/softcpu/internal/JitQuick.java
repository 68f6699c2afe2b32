package pcm.softcpu.internal;

/** Scratch main: interpreter vs compiled on the embedded guest. */
public final class JitQuick {
    public static void main(String[] a) throws Exception {
        long param = a.length > 0 ? Long.parseLong(a[0]) : 16;
        long tick = a.length > 1 ? Long.parseLong(a[1]) : 0;
        int thr = a.length > 2 ? Integer.parseInt(a[2]) : 2;
        long t0 = System.nanoTime();
        JitGuestRun i = new JitGuestRun(param, tick, 0, 0);
        long t1 = System.nanoTime();
        JitGuestRun c = thr > 0 ? new JitGuestRun(param, tick, thr, 8192) : new JitGuestRun(param, tick, 0, 0);
        long t2 = System.nanoTime();
        System.out.printf("interp %d insns %.3f s status %d exits %d; compiled %.3f s%n", i.icount, (t1 - t0) / 1e9, i.status, i.exits, (t2 - t1) / 1e9);
        System.out.println(c.stats);
        String d = i.differences(c);
        System.out.println(d.isEmpty() ? "IDENTICAL" : "DIFF: " + d);
        if (!i.console.equals(c.console)) { System.out.println("--- interp\n" + i.console + "\n--- compiled\n" + c.console); }
    }
}
