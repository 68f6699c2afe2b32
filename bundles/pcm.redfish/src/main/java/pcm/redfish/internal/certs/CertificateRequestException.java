package pcm.redfish.internal.certs;

/**
 * A CertificateService action that cannot be carried out as asked: which parameter is wrong and what is wrong with it,
 * with the DMTF Base message that says so. The API answers it with its status and a Redfish error body naming both;
 * nothing has been changed when it is thrown.
 */
public final class CertificateRequestException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String messageId;
    private final String parameter;

    public CertificateRequestException(int status, String messageId, String parameter, String problem, Throwable cause) {
        super(parameter == null ? problem : parameter + ": " + problem, cause);
        this.status = status;
        this.messageId = messageId;
        this.parameter = parameter;
    }

    /** A parameter whose value is wrong: 400 {@code Base.1.0.ActionParameterValueError}. */
    public static CertificateRequestException value(String parameter, String problem) {
        return new CertificateRequestException(400, "Base.1.0.ActionParameterValueError", parameter, problem, null);
    }

    public static CertificateRequestException value(String parameter, String problem, Throwable cause) {
        return new CertificateRequestException(400, "Base.1.0.ActionParameterValueError", parameter, problem, cause);
    }

    public static CertificateRequestException missing(String parameter, String action) {
        return new CertificateRequestException(400, "Base.1.0.ActionParameterMissing", parameter,
                action + " needs the parameter " + parameter, null);
    }

    public static CertificateRequestException notInList(String parameter, String value, Iterable<String> allowed) {
        return new CertificateRequestException(400, "Base.1.0.ActionParameterValueNotInList", parameter,
                "'" + value + "' is not one of " + String.join(", ", allowed), null);
    }

    public static CertificateRequestException type(String parameter, String expected) {
        return new CertificateRequestException(400, "Base.1.0.ActionParameterValueTypeError", parameter, "must be " + expected, null);
    }

    public static CertificateRequestException unknown(String parameter, String action) {
        return new CertificateRequestException(400, "Base.1.0.ActionParameterUnknown", parameter,
                "not a parameter of " + action, null);
    }

    /** The action is not possible in PCM's present configuration (an operator's keystore, HTTPS off): 409. */
    public static CertificateRequestException conflict(String problem) {
        return new CertificateRequestException(409, "Base.1.0.ActionNotSupported", null, problem, null);
    }

    public int status() {
        return status;
    }

    public String messageId() {
        return messageId;
    }

    /** The parameter that is wrong; null when the request as a whole is refused. */
    public String parameter() {
        return parameter;
    }
}
