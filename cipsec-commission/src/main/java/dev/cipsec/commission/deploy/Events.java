package dev.cipsec.commission.deploy;

/** Journal event names, in the order a deployment writes them (docs/commissioning.md, "Journal"). */
public final class Events {
    /** A run on this device begins: {@code hash}, {@code mode}. */
    public static final String START = "start";
    /** TLS session open: {@code credentials} default|current, {@code fingerprint} of what the device presented. */
    public static final String CONNECTED = "connected";
    /** Identity object read: {@code vendor}, {@code type}, {@code product}, {@code revision}, {@code serial}. */
    public static final String IDENTITY = "identity";
    /** Begin_Config on 0x5D and 0x5E accepted. */
    public static final String SESSION = "session";
    /** Create_CSR done: {@code instance} (0x5F). */
    public static final String CSR = "csr";
    /** The plant CA signed it: {@code serial}, {@code instance}, {@code fingerprint}; the PEM is in the state directory. */
    public static final String ISSUED = "issued";
    /** Certificate and CA downloaded to the device and Verify_Certificate passed: {@code instance}. */
    public static final String INSTALLED = "installed";
    /** 0x5E attributes written. */
    public static final String WRITTEN = "written";
    /** Written just before Apply_Config is sent: if the tool dies now, only the device knows whether it applied. */
    public static final String APPLYING = "applying";
    /** Apply_Config answered success (or was found applied on resume: {@code recovered}=true). */
    public static final String APPLIED = "applied";
    /** End_Config on 0x5D answered success. */
    public static final String ENDED = "ended";
    /** Plain EtherNet/IP on TCP 44818 closed with Set_Port_Admin_State. */
    public static final String PLAIN_CLOSED = "plain-closed";
    /** A fresh TLS session with the new credentials read back the configuration: {@code fingerprint}. */
    public static final String VERIFIED = "verified";
    /** The device runs the policy with {@code hash}. */
    public static final String DONE = "done";
    /** After a failure inside the session, Abort_Config on 0x5E: the device is back on its previous configuration. */
    public static final String ABORTED = "aborted";
    /** The run stopped: {@code step}, {@code error}, and {@code status} when the device answered with a CIP status. */
    public static final String FAILED = "failed";

    private Events() {
    }
}
