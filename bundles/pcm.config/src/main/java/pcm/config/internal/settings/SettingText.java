package pcm.config.internal.settings;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.Vector;

import org.osgi.service.metatype.AttributeDefinition;

import pcm.config.api.SettingType;
import pcm.config.internal.ConfigValidator;

/**
 * A setting's value as text (what an operator types, what a form sends) made into the value Config Admin stores for
 * its attribute: split into elements for a list attribute, each element converted to the attribute's type, then
 * checked with the same rule that {@code ValidatingPlugin} applies when the configuration is loaded
 * ({@link ConfigValidator}: the MetaType implementation's min, max and options), so what is accepted here is never
 * rejected there.
 */
public final class SettingText {

    /** A value that does not fit; the message says why (and what is allowed). */
    public static final class Unfit extends Exception {
        private static final long serialVersionUID = 1L;

        public Unfit(String reason) {
            super(reason);
        }
    }

    private SettingText() {}

    /** The typed value: a scalar (cardinality 0), an array (> 0) or a {@link Vector} (< 0). */
    public static Object typed(AttributeDefinition ad, String text, String range) throws Unfit {
        if (text == null) throw new Unfit("no value");
        SettingType type = typeOf(ad.getType());
        List<String> elements = ad.getCardinality() == 0 ? List.of(text) : split(text);
        List<Object> values = new ArrayList<>();
        for (String e : elements) values.add(convert(type, type == SettingType.STRING || type == SettingType.PASSWORD ? e : e.strip()));
        Object value;
        if (ad.getCardinality() == 0) value = values.getFirst();
        else if (ad.getCardinality() < 0) value = new Vector<>(values);
        else {
            value = Array.newInstance(javaType(type), values.size());
            for (int i = 0; i < values.size(); i++) Array.set(value, i, values.get(i));
        }
        String reason = ConfigValidator.check(ad, value, range);
        if (reason != null) throw new Unfit(reason);
        return value;
    }

    /**
     * A list in the metatype's syntax: elements separated by commas, {@code \,} a comma and {@code \\} a backslash
     * inside one; blanks around an element dropped and empty elements left out ({@code "soft, kvm"}, {@code ""} none).
     */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) current.append(text.charAt(++i));
            else if (c == ',') {
                add(out, current);
                current.setLength(0);
            } else current.append(c);
        }
        add(out, current);
        return out;
    }

    private static void add(List<String> out, StringBuilder element) {
        String s = element.toString().strip();
        if (!s.isEmpty()) out.add(s);
    }

    static Object convert(SettingType type, String s) throws Unfit {
        try {
            return switch (type) {
                case LONG -> Long.valueOf(s);
                case INTEGER -> Integer.valueOf(s);
                case SHORT -> Short.valueOf(s);
                case BYTE -> Byte.valueOf(s);
                case DOUBLE -> Double.valueOf(s);
                case FLOAT -> Float.valueOf(s);
                case BOOLEAN -> {
                    if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) throw new NumberFormatException(s);
                    yield Boolean.valueOf(s);
                }
                case CHARACTER -> {
                    if (s.length() != 1) throw new NumberFormatException(s);
                    yield s.charAt(0);
                }
                case STRING, PASSWORD -> s;
            };
        } catch (NumberFormatException e) {
            throw new Unfit("'" + s + "' is not " + type.expected());
        }
    }

    public static SettingType typeOf(int metatypeType) {
        return switch (metatypeType) {
            case AttributeDefinition.LONG -> SettingType.LONG;
            case AttributeDefinition.INTEGER -> SettingType.INTEGER;
            case AttributeDefinition.SHORT -> SettingType.SHORT;
            case AttributeDefinition.CHARACTER -> SettingType.CHARACTER;
            case AttributeDefinition.BYTE -> SettingType.BYTE;
            case AttributeDefinition.DOUBLE -> SettingType.DOUBLE;
            case AttributeDefinition.FLOAT -> SettingType.FLOAT;
            case AttributeDefinition.BOOLEAN -> SettingType.BOOLEAN;
            case AttributeDefinition.PASSWORD -> SettingType.PASSWORD;
            default -> SettingType.STRING;
        };
    }

    private static Class<?> javaType(SettingType type) {
        return switch (type) {
            case LONG -> Long.class;
            case INTEGER -> Integer.class;
            case SHORT -> Short.class;
            case BYTE -> Byte.class;
            case DOUBLE -> Double.class;
            case FLOAT -> Float.class;
            case BOOLEAN -> Boolean.class;
            case CHARACTER -> Character.class;
            case STRING, PASSWORD -> String.class;
        };
    }

    /** A value's elements as text: to compare what was asked with what Config Admin holds, and to show it. */
    public static List<String> texts(Object value) {
        List<String> out = new ArrayList<>();
        if (value == null) return out;
        for (Object e : ConfigValidator.elements(value)) out.add(String.valueOf(e));
        return out;
    }
}
