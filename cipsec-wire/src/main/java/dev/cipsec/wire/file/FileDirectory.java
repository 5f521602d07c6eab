package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Class attribute 32 of the File object, the directory: per instance {UINT instance number,
 * STRINGI instance name, STRINGI file name}, back to back with no count in front, as
 * OpENerFileObject encodes it (reference §11: OpENer lists 0xC8 EDS, 1 "Device Certificate", 2
 * "CA Certificate"). Because there is no count, {@link #decode} reads entries until the reader is
 * empty; a partial entry at the end is {@code TRUNCATED}.
 */
public record FileDirectory(List<Entry> entries) {
    /** Smallest entry: instance number and two empty STRINGIs. */
    static final int MIN_ENTRY_SIZE = 2 + 1 + 1;

    public record Entry(int instanceId, StringI instanceName, StringI fileName) {
        public Entry {
            Checks.u16(instanceId, "instance id");
            Objects.requireNonNull(instanceName, "instanceName");
            Objects.requireNonNull(fileName, "fileName");
        }
    }

    public FileDirectory {
        entries = List.copyOf(entries);
    }

    public int encodedLength() {
        int n = 0;
        for (Entry e : entries) {
            n += 2 + e.instanceName().encodedLength() + e.fileName().encodedLength();
        }
        return n;
    }

    public void encode(WireWriter w) {
        for (Entry e : entries) {
            w.u16(e.instanceId());
            e.instanceName().encode(w);
            e.fileName().encode(w);
        }
    }

    public static FileDirectory decode(WireReader r) throws WireFormatException {
        List<Entry> out = new ArrayList<>();
        while (r.hasRemaining()) {
            int id = r.u16("directory instance number");
            StringI name = StringI.decode(r);
            StringI file = StringI.decode(r);
            out.add(new Entry(id, name, file));
        }
        return new FileDirectory(out);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }
}
