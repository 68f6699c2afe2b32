package pcm.webconsole.internal;

import java.io.IOException;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The server's root ({@code https://127.0.0.1:8181/}) leads to the console: what an operator types first. Registered
 * as the default context's default servlet ("/": Felix HTTP does not serve the empty pattern there), so any other
 * path it receives is one nothing else serves: 404.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/")
public class RootRedirect extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (path.isEmpty() || path.equals("/")) response.sendRedirect(ConsoleContext.PATH + "/");
        else response.sendError(404);
    }
}
