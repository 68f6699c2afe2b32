package pcm.redfish.internal.security;

/** A user of the API with a Redfish role: {@value #ADMINISTRATOR} may change state, {@value #READ_ONLY} may only read. */
public record User(String name, String role, PasswordHash password) {

    public static final String ADMINISTRATOR = "Administrator";
    public static final String READ_ONLY = "ReadOnly";

    public boolean mayChangeState() {
        return ADMINISTRATOR.equals(role);
    }

    /** Parses a {@code users} entry {@code name:role:pbkdf2-sha256:...}; IllegalArgumentException naming what is wrong. */
    public static User parse(String entry) {
        String[] f = entry.split(":", 3);
        if (f.length != 3 || f[0].isBlank())
            throw new IllegalArgumentException("user entry is not name:role:" + PasswordHash.ALGORITHM + ":...");
        if (!f[1].equals(ADMINISTRATOR) && !f[1].equals(READ_ONLY))
            throw new IllegalArgumentException("user " + f[0] + ": role '" + f[1] + "' is not " + ADMINISTRATOR + " or " + READ_ONLY);
        try {
            return new User(f[0], f[1], PasswordHash.parse(f[2]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("user " + f[0] + ": password hash " + e.getMessage());
        }
    }
}
