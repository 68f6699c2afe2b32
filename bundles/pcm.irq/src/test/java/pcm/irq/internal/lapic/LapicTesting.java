package pcm.irq.internal.lapic;

import pcm.core.api.irq.InterruptController;
import pcm.irq.api.EoiListener;
import pcm.irq.internal.FakeClock;

/** Package access to the local APIC for tests of other packages. */
public final class LapicTesting {
    private LapicTesting() {}

    public static LapicDevice device(FakeClock clock) {
        return new LapicDevice(LapicDeviceTest.config(true, 0), clock);
    }

    public static void bind(LapicDevice d, InterruptController pic, EoiListener eoi) {
        d.bindPic(pic);
        d.addEoiListener(eoi);
    }
}
