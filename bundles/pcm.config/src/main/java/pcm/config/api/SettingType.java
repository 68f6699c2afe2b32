package pcm.config.api;

/** The metatype attribute types ({@code org.osgi.service.metatype.AttributeDefinition}'s constants), by name. */
public enum SettingType {
    STRING("String", "text"), LONG("Long", "a long integer"), INTEGER("Integer", "an integer"), SHORT("Short", "a short integer"),
    CHARACTER("Character", "one character"), BYTE("Byte", "a byte"), DOUBLE("Double", "a number"), FLOAT("Float", "a number"),
    BOOLEAN("Boolean", "true or false"), PASSWORD("Password", "a password");

    private final String label;
    private final String expected;

    SettingType(String label, String expected) {
        this.label = label;
        this.expected = expected;
    }

    /** "Long", "Boolean", ...: the Java type's simple name (what a form shows). */
    public String label() {
        return label;
    }

    /** "an integer", "true or false", ...: what an operator has to write. */
    public String expected() {
        return expected;
    }

    public boolean numeric() {
        return switch (this) {
            case LONG, INTEGER, SHORT, BYTE, DOUBLE, FLOAT -> true;
            default -> false;
        };
    }
}
