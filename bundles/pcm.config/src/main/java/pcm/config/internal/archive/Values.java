package pcm.config.internal.archive;

import java.util.Arrays;
import java.util.List;

import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

import pcm.config.api.Settings;
import pcm.config.internal.settings.SettingText;

/** A configuration value made into its attribute's type and checked, the one rule of export, import and restore. */
final class Values {

    private Values() {}

    /**
     * {@code raw} (a value as Config Admin or the JSON reader gives it: a scalar, an array or a collection, typed or text)
     * as the attribute's type, checked by {@link SettingText#typed} (MetaType's validation: type, range, options,
     * cardinality), so an import takes exactly what {@code Settings.change} and the validating plug-in take.
     */
    static Object typed(AttributeDefinition ad, Object raw, String range) throws SettingText.Unfit {
        List<String> texts = SettingText.texts(raw);
        if (ad.getCardinality() == 0) {
            if (texts.size() != 1) throw new SettingText.Unfit("one value expected, got " + texts.size());
            return SettingText.typed(ad, texts.getFirst(), range);
        }
        return SettingText.typed(ad, Settings.listValue(texts), range);
    }

    /** The metatype's default as text elements (empty: none). */
    static List<String> defaults(AttributeDefinition ad) {
        String[] d = ad.getDefaultValue();
        return d == null ? List.of() : Arrays.asList(d);
    }

    /** The value's elements as text, or the default's where there is no value. */
    static List<String> shown(AttributeDefinition ad, Object value) {
        return value == null ? defaults(ad) : SettingText.texts(value);
    }

    static AttributeDefinition[] attributes(ObjectClassDefinition ocd) {
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        return ads == null ? new AttributeDefinition[0] : ads;
    }
}
