package pcm.config.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.List;
import java.util.function.Function;

import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Checks a configuration's values against its metatype: each value of an attribute the object class defines must be
 * of the attribute's type, within its min/max and one of its options. The checking itself is the MetaType
 * implementation's {@link AttributeDefinition#validate(String)} (Felix MetaType knows the ranges of the metatype XML
 * that bnd generates from {@code @AttributeDefinition(min, max)}); this class feeds it every element of a value.
 */
public final class ConfigValidator {

    /** One value that does not fit its attribute. */
    public record Problem(String key, Object value, String attribute, String reason) {
        @Override
        public String toString() {
            return key + "=" + show(value) + " (" + attribute + ": " + reason + ")";
        }
    }

    private ConfigValidator() {}

    /** The values of {@code properties} that the object class rejects; empty if all fit (or none is defined). */
    public static List<Problem> check(ObjectClassDefinition ocd, Dictionary<String, ?> properties) {
        return check(ocd, properties, id -> null);
    }

    /**
     * As {@link #check(ObjectClassDefinition, Dictionary)}; {@code range} gives an attribute's allowed range as text
     * ("4..3072"), or null (the MetaType API has no min/max: MetaType validates against them but does not tell).
     */
    public static List<Problem> check(ObjectClassDefinition ocd, Dictionary<String, ?> properties, Function<String, String> range) {
        List<Problem> problems = new ArrayList<>();
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (ads == null) return problems;
        for (AttributeDefinition ad : ads) {
            Object value = properties.get(ad.getID());
            if (value == null) continue;
            String reason = check(ad, value, range.apply(ad.getID()));
            if (reason != null) problems.add(new Problem(ad.getID(), value, ad.getName() == null ? ad.getID() : ad.getName(), reason));
        }
        return problems;
    }

    /** Why the value does not fit the attribute, or null if it does. */
    static String check(AttributeDefinition ad, Object value) {
        return check(ad, value, null);
    }

    /** Why the value does not fit the attribute, or null; {@code range} as in {@link #check(ObjectClassDefinition, Dictionary, Function)}. */
    public static String check(AttributeDefinition ad, Object value, String range) {
        List<Object> elements = elements(value);
        if (elements.size() > 1 && ad.getCardinality() == 0) return "one value expected, got " + elements.size();
        int max = Math.abs(ad.getCardinality());
        if (max != 0 && max != Integer.MAX_VALUE && elements.size() > max) return "at most " + max + " values, got " + elements.size();
        for (Object e : elements) {
            if (e == null) return "a null value";
            String text = String.valueOf(e);
            if (ad.getType() != AttributeDefinition.STRING && ad.getType() != AttributeDefinition.PASSWORD) text = text.strip();
            // a list attribute's validate() splits at commas: an element's own commas are escaped
            if (ad.getCardinality() != 0) text = text.replace("\\", "\\\\").replace(",", "\\,");
            String reason = ad.validate(text);
            if (reason != null && !reason.isEmpty()) {
                boolean outOfRange = reason.contains("minimum") || reason.contains("maximum");
                return reason + (outOfRange && range != null ? "; allowed " + range : expected(ad));
            }
            // validate() accepts an empty value of an optional attribute, which the component cannot convert either
            if (text.isEmpty() && isNumeric(ad.getType())) return "no value" + expected(ad);
        }
        return null;
    }

    private static boolean isNumeric(int type) {
        return switch (type) {
            case AttributeDefinition.LONG, AttributeDefinition.INTEGER, AttributeDefinition.SHORT, AttributeDefinition.BYTE,
                 AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT -> true;
            default -> false;
        };
    }

    /** " (an integer)", with the options where there are some: what the operator should have written. */
    private static String expected(AttributeDefinition ad) {
        String[] options = ad.getOptionValues();
        if (options != null && options.length > 0) return "; one of " + String.join(", ", options);
        String type = switch (ad.getType()) {
            case AttributeDefinition.LONG -> "a long integer";
            case AttributeDefinition.INTEGER -> "an integer";
            case AttributeDefinition.SHORT -> "a short integer";
            case AttributeDefinition.BYTE -> "a byte";
            case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT -> "a number";
            case AttributeDefinition.BOOLEAN -> "true or false";
            case AttributeDefinition.CHARACTER -> "one character";
            default -> null;
        };
        return type == null ? "" : "; expected " + type;
    }

    public static List<Object> elements(Object value) {
        List<Object> out = new ArrayList<>();
        if (value instanceof Collection<?> c) out.addAll(c);
        else if (value.getClass().isArray()) for (int i = 0; i < Array.getLength(value); i++) out.add(Array.get(value, i));
        else out.add(value);
        return out;
    }

    public static String show(Object value) {
        List<Object> e = elements(value);
        if (e.size() == 1 && !value.getClass().isArray() && !(value instanceof Collection)) return String.valueOf(value);
        return e.toString();
    }
}
