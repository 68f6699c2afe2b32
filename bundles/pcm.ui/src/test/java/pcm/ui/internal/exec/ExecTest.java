package pcm.ui.internal.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;

import org.apache.felix.gogo.runtime.CommandNotFoundException;
import org.junit.jupiter.api.Test;

import pcm.ui.internal.commands.CommandFailure;

class ExecTest {

    @Test
    void parsesScopedCommand() {
        ExecCommand c = ExecCommand.parse("  pcm:vm regs 1");
        assertEquals("pcm", c.scope());
        assertEquals("vm", c.function());
        assertEquals("pcm:vm", c.name());
        assertEquals("(&(osgi.command.scope=pcm)(osgi.command.function=vm))", c.serviceFilter());
        assertEquals("  pcm:vm regs 1", c.line());
    }

    @Test
    void parsesUnscopedCommand() {
        ExecCommand c = ExecCommand.parse("lb -s");
        assertNull(c.scope());
        assertEquals("(osgi.command.function=lb)", c.serviceFilter());
    }

    @Test
    void scriptsHaveNoFilter() {
        ExecCommand c = ExecCommand.parse("x=1; echo $x");
        assertNull(c.serviceFilter());
        assertEquals("x=1;", c.name());
        assertThrows(IllegalArgumentException.class, () -> ExecCommand.parse(" "));
    }

    @Test
    void statusFromSessionVariable() {
        assertEquals(0, ExecOutcome.ok(null).status());
        assertEquals(3, ExecOutcome.ok(3).status());
        assertEquals(4, ExecOutcome.ok("4").status());
        assertEquals(0, ExecOutcome.ok("x").status());
    }

    @Test
    void commandNotFoundIsAnOperatorError() {
        ExecCommand c = ExecCommand.parse("pcm:nonexistent");
        ExecOutcome o = ExecOutcome.failed(c, new CommandNotFoundException("pcm:nonexistent"));
        assertEquals(2, o.status()); // issue 11 item 6: not the shell's 127
        assertTrue(o.message().startsWith("pcm: command not found: pcm:nonexistent"), o.message());
    }

    @Test
    void failureReportsTheCommandsOwnException() {
        ExecCommand c = ExecCommand.parse("pcm:vm start");
        Exception wrapped = new InvocationTargetException(new CommandFailure("vm start failed: VM is RUNNING"));
        ExecOutcome o = ExecOutcome.failed(c, wrapped);
        assertEquals(6, o.status());
        assertEquals("pcm: pcm:vm: vm start failed: VM is RUNNING", o.message());
        assertEquals("pcm: pcm:vm: NullPointerException: x", ExecOutcome.failed(c, new NullPointerException("x")).message());
    }
}
