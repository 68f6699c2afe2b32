package pcm.ui.internal.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.osgi.service.metatype.AttributeDefinition;

import pcm.ui.internal.commands.CommandFailure;

/**
 * A setting typed by the operator, checked against its metatype before anything is written: the type (a number, a
 * boolean), then MetaType's own validation (min, max, the option values). A value that does not fit is a USAGE failure
 * naming the PID, the key, the value and what is allowed. Lists ({@code cardinality != 0}) are comma-separated.
 */
final class SettingValue {

    private SettingValue() { }

    /** The typed value (an array for a list attribute), or a USAGE failure saying why not. */
    static Object parse(String pid, AttributeDefinition ad, String text) {
        List<String> parts = ad.getCardinality() == 0 ? List.of(text)
                : Arrays.stream(text.split(",", -1)).map(String::strip).filter(s -> !s.isEmpty()).toList();
        List<Object> values = new ArrayList<>();
        for (String p : parts) {
            Object v;
            try {
                v = typed(ad.getType(), p);
            } catch (NumberFormatException e) {
                throw bad(pid, ad, text, "not " + typeName(ad.getType()));
            }
            String problem = ad.validate(p);
            if (problem != null && !problem.isEmpty()) throw bad(pid, ad, text, problem);
            String[] options = ad.getOptionValues();
            if (options != null && options.length > 0 && !Arrays.asList(options).contains(p))
                throw bad(pid, ad, text, "not one of " + String.join(", ", options));
            values.add(v);
        }
        if (ad.getCardinality() == 0) return values.getFirst();
        return toArray(ad.getType(), values);
    }

    private static CommandFailure bad(String pid, AttributeDefinition ad, String value, String why) {
        return CommandFailure.usage(pid + ": " + ad.getID() + "=" + value + " rejected (" + ad.getName() + ": " + why + ")"
                + allowed(ad) + "; nothing changed");
    }

    /** What the metatype allows, for the message: the options, or the range. */
    static String allowed(AttributeDefinition ad) {
        String[] options = ad.getOptionValues();
        if (options != null && options.length > 0) return "; allowed: " + String.join(", ", options);
        return "; a " + typeName(ad.getType()) + (ad.getCardinality() != 0 ? " list, comma-separated" : "");
    }

    static Object typed(int type, String s) {
        return switch (type) {
            case AttributeDefinition.LONG -> Long.parseLong(s);
            case AttributeDefinition.INTEGER -> Integer.parseInt(s);
            case AttributeDefinition.SHORT -> Short.parseShort(s);
            case AttributeDefinition.BYTE -> Byte.parseByte(s);
            case AttributeDefinition.DOUBLE -> Double.parseDouble(s);
            case AttributeDefinition.FLOAT -> Float.parseFloat(s);
            case AttributeDefinition.BOOLEAN -> {
                if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) throw new NumberFormatException(s);
                yield Boolean.parseBoolean(s);
            }
            case AttributeDefinition.CHARACTER -> {
                if (s.length() != 1) throw new NumberFormatException(s);
                yield s.charAt(0);
            }
            default -> s;
        };
    }

    private static Object toArray(int type, List<Object> values) {
        return switch (type) {
            case AttributeDefinition.LONG -> values.stream().mapToLong(o -> (Long) o).boxed().toArray(Long[]::new);
            case AttributeDefinition.INTEGER -> values.stream().map(o -> (Integer) o).toArray(Integer[]::new);
            case AttributeDefinition.BOOLEAN -> values.stream().map(o -> (Boolean) o).toArray(Boolean[]::new);
            case AttributeDefinition.DOUBLE -> values.stream().map(o -> (Double) o).toArray(Double[]::new);
            default -> values.stream().map(String::valueOf).toArray(String[]::new);
        };
    }

    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.LONG, AttributeDefinition.INTEGER, AttributeDefinition.SHORT, AttributeDefinition.BYTE -> "whole number";
            case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT -> "number";
            case AttributeDefinition.BOOLEAN -> "boolean (true or false)";
            case AttributeDefinition.CHARACTER -> "single character";
            default -> "text";
        };
    }
}
