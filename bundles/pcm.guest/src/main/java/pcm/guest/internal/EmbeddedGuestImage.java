package pcm.guest.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.guest.GuestImage;

/**
 * The embedded default guest: a flat long-mode image built from guest/ (see guest/README.md) and
 * shipped in this bundle, so running it needs no compiler. Boot contract: docs/guest-contract.md.
 */
@Component(service = GuestImage.class, property = GuestImage.NAME + "=default")
public final class EmbeddedGuestImage implements GuestImage {

    static final String RESOURCE = "/pcm/guest/default-guest.bin";
    static final long LOAD_ADDRESS = 0x100000;

    private final byte[] image;
    private final String sha256;

    @Activate
    public EmbeddedGuestImage() {
        this.image = load();
        this.sha256 = sha256(image);
    }

    private static byte[] load() {
        try (InputStream in = EmbeddedGuestImage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("the bundle lacks " + RESOURCE + " (build guest/ and copy it)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String name() { return "default"; }

    @Override
    public byte[] image() { return image.clone(); }

    @Override
    public long loadAddress() { return LOAD_ADDRESS; }

    @Override
    public long entryPoint() { return LOAD_ADDRESS; }

    @Override
    public String sha256() { return sha256; }
}
