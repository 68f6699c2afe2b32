package pcm.config.internal;

import java.io.IOException;
import java.net.URL;
import java.util.Enumeration;
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
final class Ranges {

    private Ranges() {}

    /** "4..3072", "1.." or "..10"; null if the attribute has neither or cannot be read. */
    static String of(Bundle bundle, String ocdId, String attributeId) {
        Enumeration<URL> xmls = bundle.findEntries("OSGI-INF/metatype", "*.xml", false);
        while (xmls != null && xmls.hasMoreElements()) {
            MetaData md;
            try {
                md = new MetaDataReader().parse(xmls.nextElement());
            } catch (IOException | RuntimeException e) {
                continue;
            }
            if (md == null) continue;
            Map<?, ?> ocds = md.getObjectClassDefinitions();
            if (ocds == null || !(ocds.get(ocdId) instanceof OCD ocd)) continue;
            if (!(ocd.getAttributeDefinitions().get(attributeId) instanceof AD ad)) return null;
            if (ad.getMin() == null && ad.getMax() == null) return null;
            return (ad.getMin() == null ? "" : ad.getMin()) + ".." + (ad.getMax() == null ? "" : ad.getMax());
        }
        return null;
    }
}
