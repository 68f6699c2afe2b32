package pcm.client;

/**
 * The resident PCM could not be reached or refused a request: the message names what and why (the HTTP status and the
 * Redfish message, or the I/O error), for the operator; never a stack trace.
 */
final class ApiException extends Exception {

    private static final long serialVersionUID = 1L;

    ApiException(String message) {
        super(message);
    }

    ApiException(String message, Throwable cause) {
        super(message, cause);
    }
}
