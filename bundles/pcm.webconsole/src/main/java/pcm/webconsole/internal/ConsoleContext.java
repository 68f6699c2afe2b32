package pcm.webconsole.internal;

import java.io.IOException;
import java.net.URL;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.servlet.context.ServletContextHelper;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContext;

/**
 * The servlet context of the web console ({@value #NAME}, under {@value #PATH}). Its files are the same for every
 * PCM of this version and hold no data: they are served without credentials (the login page must load), and every
 * piece of data they show comes from the authenticated API under {@code /redfish}. What this context adds is the
 * browser's own protection: a Content-Security-Policy that lets the pages run only their own scripts and talk only
 * to their own origin (no inline script, nothing from elsewhere), never framed (clickjacking), no referrer.
 */
@Component(service = ServletContextHelper.class, scope = ServiceScope.BUNDLE)
@HttpWhiteboardContext(name = ConsoleContext.NAME, path = ConsoleContext.PATH)
public class ConsoleContext extends ServletContextHelper {

    public static final String NAME = "pcm.console";
    public static final String PATH = "/console";
    public static final String SELECT = "(osgi.http.whiteboard.context.name=" + NAME + ")";
    /** Where the files are in this bundle. */
    static final String ROOT = "/webconsole";

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    @Activate
    public ConsoleContext(BundleContext context) {
        super(context.getBundle());
    }

    @Override
    public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Content-Security-Policy", CSP);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Cache-Control", "no-cache");
        return true;
    }

    @Override
    public String getMimeType(String name) {
        if (name.endsWith(".js")) return "text/javascript;charset=utf-8";
        if (name.endsWith(".css")) return "text/css;charset=utf-8";
        if (name.endsWith(".html")) return "text/html;charset=utf-8";
        if (name.endsWith(".svg")) return "image/svg+xml";
        return super.getMimeType(name);
    }

    @Override
    public URL getResource(String name) {
        // a directory is not a page: only files are served
        return name.endsWith("/") ? null : super.getResource(name);
    }
}
