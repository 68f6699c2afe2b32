package pcm.webconsole.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardResource;

/** The console's scripts and styles, served by the whiteboard from this bundle's {@code /webconsole/app}. */
@Component(service = ConsoleResources.class)
@HttpWhiteboardContextSelect(ConsoleContext.SELECT)
@HttpWhiteboardResource(pattern = "/app/*", prefix = ConsoleContext.ROOT + "/app")
public class ConsoleResources {
}
