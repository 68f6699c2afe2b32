/** Guest physical memory, consumer view: bounds-checked access at guest physical addresses. */
@Version("1.1.0")
package pcm.core.api.memory;

import org.osgi.annotation.versioning.Version;
