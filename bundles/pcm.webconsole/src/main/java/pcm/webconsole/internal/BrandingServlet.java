package pcm.webconsole.internal;

import static pcm.branding.api.BrandingDefaults.valueOf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.branding.api.Branding;
import pcm.branding.api.BrandingDefaults;

/**
 * The console's branding, under {@code /console/branding/}: {@value #JSON} (product name, manufacturer, model, support
 * contact: the page's title, header and footer), {@value #CSS} (the colours as CSS variables) and {@value #LOGO}. From the
 * highest-ranked {@link Branding} service, taken again when a better one comes or the one in use goes (dynamic, greedy);
 * PCM's defaults without one. Served without credentials like the page itself: the login page is branded too, and
 * none of it is more than the product's name and look.
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect(ConsoleContext.SELECT)
@HttpWhiteboardServletPattern("/branding/*")
public class BrandingServlet extends HttpServlet {

    static final String JSON = "branding.json";
    static final String CSS = "colours.css";
    static final String LOGO = "logo";

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    // what goes into the style sheet must be a colour and nothing else, whoever's service it comes from
    private static final Pattern COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Branding branding;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getPathInfo() == null ? "" : request.getPathInfo().replaceFirst("^/", "");
        Branding b = branding;
        switch (name) {
            case JSON -> write(response, "application/json;charset=utf-8", MAPPER.writeValueAsBytes(json(b)));
            case CSS -> write(response, "text/css;charset=utf-8", css(b).getBytes(StandardCharsets.UTF_8));
            case LOGO -> {
                byte[] logo = logo(b);
                if (logo == null) response.sendError(404);
                else {
                    // an SVG logo is an image here, never a document that runs script
                    response.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
                    write(response, valueOf(b, Branding::logoMediaType, ""), logo);
                }
            }
            default -> response.sendError(404);
        }
    }

    private static void write(HttpServletResponse response, String type, byte[] body) throws IOException {
        response.setStatus(200);
        response.setContentType(type);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The branding's logo, or null when it has none (or its service fails to give it). */
    static byte[] logo(Branding b) {
        if (valueOf(b, Branding::logoMediaType, "").isEmpty()) return null;
        try {
            byte[] logo = b.logo();
            return logo == null || logo.length == 0 ? null : logo;
        } catch (RuntimeException e) {
            return null;
        }
    }

    static ObjectNode json(Branding b) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("productName", valueOf(b, Branding::productName, BrandingDefaults.PRODUCT_NAME));
        n.put("manufacturer", valueOf(b, Branding::manufacturer, BrandingDefaults.MANUFACTURER));
        n.put("model", valueOf(b, Branding::model, BrandingDefaults.MODEL));
        n.put("supportUrl", valueOf(b, Branding::supportUrl, ""));
        n.put("supportEmail", valueOf(b, Branding::supportEmail, ""));
        n.put("primaryColour", colour(valueOf(b, Branding::primaryColour, null), BrandingDefaults.PRIMARY_COLOUR));
        n.put("accentColour", colour(valueOf(b, Branding::accentColour, null), BrandingDefaults.ACCENT_COLOUR));
        if (valueOf(b, Branding::logoMediaType, "").isEmpty()) n.putNull("logo");
        else n.put("logo", "branding/" + LOGO);
        return n;
    }

    static String css(Branding b) {
        return ":root {\n  --primary: " + colour(valueOf(b, Branding::primaryColour, null), BrandingDefaults.PRIMARY_COLOUR)
                + ";\n  --accent: " + colour(valueOf(b, Branding::accentColour, null), BrandingDefaults.ACCENT_COLOUR) + ";\n}\n";
    }

    static String colour(String value, String fallback) {
        return value != null && COLOUR.matcher(value).matches() ? value.toLowerCase(java.util.Locale.ROOT) : fallback;
    }
}
