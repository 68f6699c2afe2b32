package pcm.branding.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import pcm.branding.internal.BrandingConfigException.Problem;

/**
 * Checks a branding configuration value by value, and names the key of every one that does not fit: what metatype
 * cannot say (a colour is {@code #rrggbb}, a URL is http(s), the logo file is a readable image) and what a
 * configuration file could get past it (a blank or multi-line name).
 */
final class BrandingValidator {

    static final int MAX_NAME = 100;
    static final int MAX_BANNER = 2000;
    private static final Pattern COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");
    // deliberately simple: one @, no blanks, a dot in the domain; the address is shown, not mailed to
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s.]+");

    private final Path dataDir;
    private final List<Problem> problems = new ArrayList<>();

    private BrandingValidator(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** The checked values of {@code c} (logo file relative to {@code dataDir}), or every problem with its key. */
    static BrandingValues validate(BrandingConfig c, Path dataDir) throws BrandingConfigException {
        BrandingValidator v = new BrandingValidator(dataDir);
        String productName = v.name("productName", c.productName());
        String manufacturer = v.name("manufacturer", c.manufacturer());
        String model = v.name("model", c.model());
        Logo logo = v.logo("logoFile", c.logoFile());
        String primary = v.colour("primaryColour", c.primaryColour());
        String accent = v.colour("accentColour", c.accentColour());
        String url = v.url("supportUrl", c.supportUrl());
        String email = v.email("supportEmail", c.supportEmail());
        String banner = v.banner("shellBanner", c.shellBanner());
        if (!v.problems.isEmpty()) throw new BrandingConfigException(v.problems);
        return new BrandingValues(productName, manufacturer, model, logo, primary, accent, url, email, banner);
    }

    private String refuse(String key, String value, String reason) {
        problems.add(new Problem(key, value, reason));
        return null;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s.strip();
    }

    private static boolean hasControl(String s, boolean linesAllowed) {
        return s.chars().anyMatch(ch -> Character.isISOControl(ch) && !(linesAllowed && (ch == '\n' || ch == '\t')));
    }

    String name(String key, String raw) {
        String s = orEmpty(raw);
        if (s.isEmpty()) return refuse(key, s, "is empty");
        if (s.length() > MAX_NAME) return refuse(key, s, "is longer than " + MAX_NAME + " characters");
        if (hasControl(s, false)) return refuse(key, s, "holds a line break or control character");
        return s;
    }

    String colour(String key, String raw) {
        String s = orEmpty(raw);
        if (!COLOUR.matcher(s).matches()) return refuse(key, s, "is not a colour #rrggbb (six hex digits)");
        return s.toLowerCase(Locale.ROOT);
    }

    String url(String key, String raw) {
        String s = orEmpty(raw);
        if (s.isEmpty()) return s;
        try {
            URI u = new URI(s);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) return refuse(key, s, "is not an http or https URL");
            if (u.getHost() == null) return refuse(key, s, "names no host");
            return s;
        } catch (URISyntaxException e) {
            return refuse(key, s, "is not a URL (" + e.getReason() + ")");
        }
    }

    String email(String key, String raw) {
        String s = orEmpty(raw);
        if (s.isEmpty()) return s;
        if (s.length() > 254 || !EMAIL.matcher(s).matches()) return refuse(key, s, "is not an e-mail address (name@domain)");
        return s;
    }

    String banner(String key, String raw) {
        // a configuration file writes a new line as the two characters \n
        String s = raw == null ? "" : raw.replace("\\n", "\n").strip();
        if (s.length() > MAX_BANNER) return refuse(key, s, "is longer than " + MAX_BANNER + " characters");
        if (hasControl(s, true)) return refuse(key, s, "holds a control character (only new lines and tabs)");
        return s;
    }

    Logo logo(String key, String raw) {
        String s = orEmpty(raw);
        if (s.isEmpty()) return Logo.builtIn();
        Path file;
        try {
            file = dataDir.resolve(s);
        } catch (InvalidPathException e) {
            refuse(key, s, "is not a file name (" + e.getReason() + ")");
            return null;
        }
        try {
            if (!Files.isRegularFile(file)) {
                refuse(key, s, "is not a file (" + file + ")");
                return null;
            }
            long size = Files.size(file);
            if (size == 0 || size > Logo.MAX_BYTES) {
                refuse(key, s, "has " + size + " bytes (a logo has 1 to " + Logo.MAX_BYTES + ")");
                return null;
            }
            byte[] bytes = Files.readAllBytes(file);
            return new Logo(bytes, Logo.mediaTypeOf(file.getFileName().toString(), bytes));
        } catch (IllegalArgumentException e) {
            refuse(key, s, e.getMessage());
        } catch (IOException e) {
            refuse(key, s, "cannot be read (" + e + ")");
        }
        return null;
    }
}
