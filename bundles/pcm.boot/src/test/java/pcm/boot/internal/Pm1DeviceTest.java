package pcm.boot.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.vm.Platform;

/** Issue 14 item 2: the FADT's PM1a control block powers the machine off on SLP_TYP=5 | SLP_EN, as Linux writes it. */
class Pm1DeviceTest {

    final List<String> powerOffs = new ArrayList<>();

    Pm1Device device() {
        Pm1Device d = new Pm1Device();
        d.bindPlatform((Platform) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Platform.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("powerOff")) powerOffs.add(args[0] + " " + args[1]);
                    return null;
                }));
        return d;
    }

    @Test
    void s5WithSlpEnPowersOff() {
        Pm1Device d = device();
        assertEquals(1, d.read(Pm1Device.CONTROL, 0, 2) & 1, "SCI_EN: always in ACPI mode");
        d.write(Pm1Device.CONTROL, 0, 2, 5 << 10);          // type without SLP_EN: nothing yet
        assertEquals(List.of(), powerOffs);
        d.write(Pm1Device.CONTROL, 0, 2, 5 << 10 | 1 << 13 | 1);
        assertEquals(List.of("0 ACPI power-off (S5)"), powerOffs);
    }

    @Test
    void otherSleepTypesAndEventBlockDoNotPowerOff() {
        Pm1Device d = device();
        d.write(Pm1Device.CONTROL, 0, 2, 3 << 10 | 1 << 13);
        d.write(Pm1Device.EVENT, 2, 2, 0x0100);             // PM1_EN: power button enable
        assertEquals(0x0100, d.read(Pm1Device.EVENT, 2, 2));
        assertEquals(List.of(), powerOffs);
        // byte-wide write of the high byte: SLP_EN | SLP_TYP=5 (0x34)
        d.write(Pm1Device.CONTROL, 1, 1, 0x34);
        assertEquals(1, powerOffs.size());
    }
}
