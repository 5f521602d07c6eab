package dev.cipsec.objects.std;

import dev.cipsec.objects.Attribute;
import dev.cipsec.objects.CipClass;
import dev.cipsec.objects.Service;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static dev.cipsec.objects.CipDataTypes.UINT;

/**
 * Connection Manager object (class 0x06, reference §3.4), instance 1: the counters of attributes
 * 1–8. The counters are UINTs that wrap at 65536, as CIP defines them; they are settable so a tool
 * can clear them. Forward_Open, Forward_Close and the like are registered by the adapter through
 * {@link #registerService}.
 */
public final class ConnectionManagerObject {
    public static final int CLASS_ID = 0x06;

    /** The counters, in attribute order (attribute id = ordinal + 1). */
    public enum Counter {
        OPEN_REQUESTS("Open Requests"),
        OPEN_FORMAT_REJECTS("Open Format Rejects"),
        OPEN_RESOURCE_REJECTS("Open Resource Rejects"),
        OPEN_OTHER_REJECTS("Open Other Rejects"),
        CLOSE_REQUESTS("Close Requests"),
        CLOSE_FORMAT_REQUESTS("Close Format Requests"),
        CLOSE_OTHER_REQUESTS("Close Other Requests"),
        CONNECTION_TIMEOUTS("Connection Timeouts");

        private final String label;

        Counter(String label) {
            this.label = label;
        }

        public int attributeId() {
            return ordinal() + 1;
        }

        public String label() {
            return label;
        }
    }

    private final AtomicIntegerArray counters = new AtomicIntegerArray(Counter.values().length);
    private final CipClass<ConnectionManagerObject> cipClass;

    public ConnectionManagerObject() {
        CipClass.Builder<ConnectionManagerObject> b = CipClass.<ConnectionManagerObject>builder(CLASS_ID, "Connection Manager")
                .revision(1);
        for (Counter c : Counter.values()) {
            b.attributes(Attribute.getSet(c.attributeId(), c.label(), UINT, (ConnectionManagerObject o) -> o.get(c),
                    (o, v, ctx) -> o.counters.set(c.ordinal(), v)).inGetAll());
        }
        this.cipClass = b.instance(1, this).build();
    }

    public CipClass<ConnectionManagerObject> cipClass() {
        return cipClass;
    }

    /** Adds one to {@code counter}, wrapping at 65536. */
    public void increment(Counter counter) {
        counters.getAndUpdate(counter.ordinal(), v -> (v + 1) & 0xFFFF);
    }

    public int get(Counter counter) {
        return counters.get(counter.ordinal());
    }

    /** Registers an instance-level service such as Forward_Open (0x54). */
    public void registerService(int serviceCode, Service service) {
        cipClass.registerInstanceService(serviceCode, service);
    }
}
