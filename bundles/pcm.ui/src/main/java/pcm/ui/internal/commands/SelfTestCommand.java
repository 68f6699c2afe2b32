package pcm.ui.internal.commands;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.ui.api.selftest.SelfTest;
import pcm.ui.api.selftest.SelfTestReport;
import pcm.ui.internal.format.TextTable;
import pcm.ui.internal.status.ExitStatus;
import pcm.ui.internal.status.Report;

/** {@code pcm:selftest}: runs the self-test ({@link SelfTest}), prints its checks as a table; FAILED if one fails. */
@Component(service = SelfTestCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=selftest"})
public class SelfTestCommand extends PcmCommand {

    private final BundleContext context;

    @Activate
    public SelfTestCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "selftest";
    }

    @Override
    protected String usage() {
        return "usage: pcm:selftest   (no arguments)";
    }

    @Descriptor("self-test: services, CPU backend, a guest window verified MATCH, a fault-injected copy DIVERGED at its position")
    public String selftest(CommandSession session) throws InterruptedException {
        SelfTestReport r = Bundles.withService(context, SelfTest.class, "no self-test service (pcm.ui)", SelfTest::run);
        return format(r).finish(session);
    }

    static Report format(SelfTestReport r) {
        TextTable t = new TextTable("CHECK", "RESULT", "DETAIL");
        r.checks().forEach(c -> t.row(c.name(), c.passed() ? "PASS" : "FAIL", c.detail()));
        String text = "self-test " + r.started() + "\n" + t.render("") + (r.passed() ? "self-test passed" : "self-test FAILED")
                + (r.stored() == null ? "" : "; kept in " + r.stored());
        return new Report(text, r.passed() ? ExitStatus.OK : ExitStatus.FAILED);
    }
}
