package pcm.redfish.internal.oem;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import pcm.branding.api.Branding;
import pcm.branding.api.BrandingDefaults;
import pcm.redfish.internal.ApiContext;
import pcm.redfish.internal.Json;
import pcm.redfish.internal.Paths;
import pcm.redfish.internal.resources.BrandingResources;

/**
 * PCM's OEM branding resource ({@value BrandingResources#BRANDING}) and its logo ({@value BrandingResources#LOGO}):
 * the highest-ranked {@link Branding} service, taken again whenever a better one comes or the one in use goes (dynamic,
 * greedy), with the bundle that provides it. Read-only; in the {@link ApiContext}, so authenticated like every resource.
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect(ApiContext.SELECT)
@HttpWhiteboardServletPattern("/v1/Oem/Pcm/Branding/*")
public class BrandingServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient BundleContext context;

    /** The service with its properties: which bundle provides it, at which ranking. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Map.Entry<Map<String, Object>, Branding> branding;

    @Activate
    public BrandingServlet(BundleContext context) {
        this.context = context;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = Paths.of(request, BrandingResources.BRANDING);
        var current = branding;
        Branding b = current == null ? null : current.getValue();
        if (p.equals(BrandingResources.BRANDING)) {
            Json.write(response, 200, BrandingResources.branding(b, current == null ? null : provider(current.getKey()),
                    current == null ? 0 : ranking(current.getKey())));
        } else if (p.equals(BrandingResources.LOGO) && logo(b) != null) {
            byte[] logo = logo(b);
            response.setStatus(200);
            response.setContentType(BrandingDefaults.valueOf(b, Branding::logoMediaType, ""));
            response.setContentLength(logo.length);
            response.setHeader("Cache-Control", "no-cache");
            // an SVG logo is an image here, never a document that runs script
            response.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.getOutputStream().write(logo);
        } else Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", "no resource at " + p);
    }

    /** The branding's logo, or null when it has none (or its service fails to give it). */
    public static byte[] logo(Branding b) {
        if (BrandingDefaults.valueOf(b, Branding::logoMediaType, "").isEmpty()) return null;
        try {
            byte[] logo = b.logo();
            return logo == null || logo.length == 0 ? null : logo;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private String provider(Map<String, Object> properties) {
        Object id = properties.get(Constants.SERVICE_BUNDLEID);
        Bundle bundle = id instanceof Long l ? context.getBundle(l) : null;
        return bundle == null ? String.valueOf(id) : bundle.getSymbolicName();
    }

    private static int ranking(Map<String, Object> properties) {
        return properties.get(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }
}
