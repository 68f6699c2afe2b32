package pcm.core.internal.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import pcm.core.api.sampling.RcpCommand;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.SamplingState;

class TransitionsTest {

    @Test
    void theCycle() throws SamplingException {
        SamplingState s = SamplingState.IDLE;
        s = Transitions.next(s, RcpCommand.MTA0_MNTR_ENTRY);
        assertEquals(SamplingState.ENTRY, s);
        s = Transitions.next(s, RcpCommand.MTA0_CHK_STRT);
        assertEquals(SamplingState.SAMPLING, s);
        s = Transitions.next(s, RcpCommand.MTA0_CHK_END);
        assertEquals(SamplingState.REPLAY, s);
        s = Transitions.next(s, RcpCommand.MTA0_MNTR_EXT);
        assertEquals(SamplingState.IDLE, s);
    }

    @Test
    void everyOtherPairIsAnError() {
        int errors = 0;
        for (SamplingState s : SamplingState.values()) {
            for (RcpCommand c : RcpCommand.values()) {
                if (c == Transitions.expected(s)) continue;
                SamplingException x = assertThrows(SamplingException.class, () -> Transitions.next(s, c));
                assertEquals(c + " (0x" + Integer.toHexString(c.code()) + ") does not fit state " + s + ": " + s
                        + " waits for " + Transitions.expected(s), x.getMessage());
                errors++;
            }
        }
        assertEquals(12, errors);
    }
}
