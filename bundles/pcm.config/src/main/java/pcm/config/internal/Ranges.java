package pcm.config.internal;

import java.io.IOException;
import java.net.URL;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;

import org.apache.felix.metatype.AD;
import org.apache.felix.metatype.MetaData;
import org.apache.felix.metatype.MetaDataReader;
import org.apache.felix.metatype.OCD;
import org.osgi.framework.Bundle;

/**
 * The min/max of an attribute, read from the bundle's metatype XML with Felix MetaType's reader: the MetaType API
 * validates against them but has no getter, and "greater than maximum" alone does not tell the operator the maximum.
 */
public final class Ranges {

    private Ranges() {}

    /** "4..3072", "1.." or "..10"; null if the attribute has neither or cannot be read. */
    public static String of(Bundle bundle, String ocdId, String attributeId) {
        return all(bundle).getOrDefault(ocdId, Map.of()).get(attributeId);
    }

    /** Object class id to attribute id to range, for every attribute of the bundle's metatype that has a min or max. */
    public static Map<String, Map<String, String>> all(Bundle bundle) {
        Map<String, Map<String, String>> out = new HashMap<>();
        Enumeration<URL> xmls = bundle.findEntries("OSGI-INF/metatype", "*.xml", false);
        while (xmls != null && xmls.hasMoreElements()) {
            MetaData md;
            try {
                md = new MetaDataReader().parse(xmls.nextElement());
            } catch (IOException | RuntimeException e) {
                continue;
            }
            if (md == null || md.getObjectClassDefinitions() == null) continue;
            for (Object o : md.getObjectClassDefinitions().values()) {
                if (!(o instanceof OCD ocd) || ocd.getAttributeDefinitions() == null) continue;
                for (Object a : ocd.getAttributeDefinitions().values()) {
                    if (!(a instanceof AD ad) || (ad.getMin() == null && ad.getMax() == null)) continue;
                    out.computeIfAbsent(ocd.getID(), k -> new HashMap<>()).put(ad.getID(),
                            (ad.getMin() == null ? "" : ad.getMin()) + ".." + (ad.getMax() == null ? "" : ad.getMax()));
                }
            }
        }
        return out;
    }
}
