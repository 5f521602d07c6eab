package dev.cipsec.objects.std;

import dev.cipsec.objects.Attribute;
import dev.cipsec.objects.CipClass;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.wire.buf.Bytes;

import java.util.ArrayList;
import java.util.List;

import static dev.cipsec.objects.CipDataTypes.REMAINING_BYTES;
import static dev.cipsec.objects.CipDataTypes.UINT;

/**
 * Assembly object (class 0x04, reference §3.3, revision 2): attribute 3 data (get; set on output
 * and configuration assemblies) and attribute 4 size in bytes.
 *
 * <p>Attribute 3's value is read as "the rest of the request" and its size checked against the
 * instance: fewer bytes are 0x13 not enough data, more are 0x15 too much data (OpENer does the
 * same; fixture frame 27 shows the accepted exact-size write).
 */
public final class AssemblyObject {
    public static final int CLASS_ID = 0x04;

    private final CipClass<AssemblyInstance> cipClass;

    public AssemblyObject(List<AssemblyDefinition> definitions) {
        CipClass.Builder<AssemblyInstance> b = CipClass.<AssemblyInstance>builder(CLASS_ID, "Assembly").revision(2)
                .attributes(
                        Attribute.getSet(3, "Data", REMAINING_BYTES, AssemblyInstance::data,
                                (AssemblyInstance a, Bytes v, RequestContext ctx) -> a.writeExplicit(v)),
                        Attribute.get(4, "Size", UINT, AssemblyInstance::size));
        for (AssemblyDefinition d : definitions) {
            b.instance(d.instanceId(), new AssemblyInstance(d));
        }
        this.cipClass = b.build();
    }

    public CipClass<AssemblyInstance> cipClass() {
        return cipClass;
    }

    /** Assembly {@code id}, or null. */
    public AssemblyInstance assembly(int id) {
        var inst = cipClass.typedInstance(id);
        return inst == null ? null : inst.state();
    }

    public List<AssemblyInstance> assemblies() {
        List<AssemblyInstance> out = new ArrayList<>();
        cipClass.instances().forEach(i -> out.add(i.state()));
        return out;
    }
}
