package pcm.branding.internal;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/** A {@link BrandingConfig} as SCR makes it: the metatype defaults, with some values given. */
final class Configs {

    private Configs() {}

    static BrandingConfig of(String... keyValues) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) given.put(keyValues[i], keyValues[i + 1]);
        return (BrandingConfig) Proxy.newProxyInstance(BrandingConfig.class.getClassLoader(), new Class<?>[] {BrandingConfig.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) return BrandingConfig.class;
                    if (given.containsKey(method.getName())) return given.get(method.getName());
                    if (method.getDefaultValue() != null) return method.getDefaultValue();
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
