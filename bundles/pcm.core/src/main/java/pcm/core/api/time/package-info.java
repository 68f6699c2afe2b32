/** Guest time: the one clock the platform's timers (PIT, local APIC timer, RTC) read and schedule on. */
@Version("1.1.0")
package pcm.core.api.time;

import org.osgi.annotation.versioning.Version;
