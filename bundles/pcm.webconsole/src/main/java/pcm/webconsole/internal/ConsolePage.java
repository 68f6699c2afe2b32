package pcm.webconsole.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The console's one page ({@code /console/}): a single-page application whose views are chosen by the URL's
 * fragment ({@code #/timeline}, {@code #/windows/<id>}, ...). {@code /console} without the slash is redirected so
 * that the page's relative links resolve under {@code /console/}.
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect(ConsoleContext.SELECT)
@HttpWhiteboardServletPattern({"", "/", "/index.html"})
public class ConsolePage extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final transient URL page;

    @Activate
    public ConsolePage(BundleContext context) {
        this.page = context.getBundle().getEntry(ConsoleContext.ROOT + "/index.html");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (path.isEmpty()) {
            response.sendRedirect(ConsoleContext.PATH + "/");
            return;
        }
        if (!path.equals("/") && !path.equals("/index.html")) {
            response.sendError(404);
            return;
        }
        response.setContentType("text/html;charset=utf-8");
        try (InputStream in = page.openStream()) {
            in.transferTo(response.getOutputStream());
        }
    }
}
