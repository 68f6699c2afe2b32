package pcm.core.internal.sampling;

import pcm.core.api.sampling.RcpCommand;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.SamplingState;

/**
 * The RCP command protocol as a table: {@code IDLE -(MTA0_MNTR_ENTRY)-> ENTRY -(MTA0_CHK_STRT)->
 * SAMPLING -(MTA0_CHK_END)-> REPLAY -(MTA0_MNTR_EXT)-> IDLE}. Anything else is an error that names
 * the state and the command the state waits for.
 */
final class Transitions {

    private Transitions() {}

    /** The command a state waits for. */
    static RcpCommand expected(SamplingState s) {
        return switch (s) {
            case IDLE -> RcpCommand.MTA0_MNTR_ENTRY;
            case ENTRY -> RcpCommand.MTA0_CHK_STRT;
            case SAMPLING -> RcpCommand.MTA0_CHK_END;
            case REPLAY -> RcpCommand.MTA0_MNTR_EXT;
        };
    }

    /** The state {@code command} leads to from {@code s}; throws if it does not fit. */
    static SamplingState next(SamplingState s, RcpCommand command) throws SamplingException {
        if (command != expected(s)) {
            throw new SamplingException(command + " (0x" + Integer.toHexString(command.code()) + ") does not fit state "
                    + s + ": " + s + " waits for " + expected(s));
        }
        return switch (s) {
            case IDLE -> SamplingState.ENTRY;
            case ENTRY -> SamplingState.SAMPLING;
            case SAMPLING -> SamplingState.REPLAY;
            case REPLAY -> SamplingState.IDLE;
        };
    }
}
