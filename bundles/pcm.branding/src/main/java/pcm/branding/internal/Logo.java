package pcm.branding.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/** A logo image: its bytes and media type, the type told by its name and confirmed by its first bytes. */
record Logo(byte[] bytes, String mediaType) {

    /** Larger logos are refused: the console and the API serve it on every page load. */
    static final int MAX_BYTES = 1 << 20;
    /** PCM's own logo, in this bundle. */
    static final String BUILT_IN = "/branding/pcm-logo.svg";

    Logo {
        bytes = bytes.clone();
    }

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

    static Logo builtIn() {
        try (InputStream in = Logo.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) throw new IllegalStateException(BUILT_IN + " is missing from the branding bundle");
            return new Logo(in.readAllBytes(), "image/svg+xml");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The media type of an image file named {@code name} holding {@code bytes}, or why it is not one PCM serves. */
    static String mediaTypeOf(String name, byte[] bytes) throws IllegalArgumentException {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png")) {
            if (!startsWith(bytes, PNG)) throw new IllegalArgumentException("is named .png but is not a PNG image");
            return "image/png";
        }
        if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
            if (!startsWith(bytes, JPEG)) throw new IllegalArgumentException("is named .jpg but is not a JPEG image");
            return "image/jpeg";
        }
        if (lower.endsWith(".svg")) {
            String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8);
            if (!head.contains("<svg")) throw new IllegalArgumentException("is named .svg but holds no <svg> element");
            return "image/svg+xml";
        }
        throw new IllegalArgumentException("is not a .png, .jpg or .svg file");
    }

    private static boolean startsWith(byte[] bytes, byte[] magic) {
        return bytes.length >= magic.length && Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    int size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Logo l && mediaType.equals(l.mediaType) && Arrays.equals(bytes, l.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(bytes) + mediaType.hashCode();
    }

    @Override
    public String toString() {
        return mediaType + ", " + bytes.length + " bytes";
    }
}
