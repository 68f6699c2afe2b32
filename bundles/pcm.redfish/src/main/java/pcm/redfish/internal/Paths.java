package pcm.redfish.internal;

import jakarta.servlet.http.HttpServletRequest;

/** Where a request goes, as the resource's URI: a trailing slash names the same resource. */
public final class Paths {

    private Paths() {}

    /** {@code base} (the servlet's mount, e.g. {@code /redfish/v1/UpdateService}) and the path below it, without a trailing slash. */
    public static String of(HttpServletRequest request, String base) {
        String p = request.getPathInfo() == null ? "" : request.getPathInfo();
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return base + p;
    }
}
