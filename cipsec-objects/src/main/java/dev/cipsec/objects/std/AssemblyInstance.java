package dev.cipsec.objects.std;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The state of one assembly instance: a fixed-size block of data that the application, I/O
 * connections and explicit messages read and write.
 *
 * <p>Concurrency: the data is an immutable {@link Bytes} snapshot behind a volatile reference, so
 * readers (an I/O producer on its hot path) never lock and never see a half-written block.
 * Writers are serialised per instance so that listeners observe writes in the order they took
 * effect; listeners run on the writer's thread, after the new data is visible.
 *
 * <p>A connection that delivers data every few milliseconds should not make a snapshot per packet:
 * {@link #writeFromConnection(byte[], int, int)} copies into a buffer the instance owns and
 * leaves the snapshot to be made by the first reader of {@link #data()} (or by the write itself
 * when a listener needs it), so with no listener the write allocates nothing.
 */
public final class AssemblyInstance {

    /** Who wrote the data. */
    public enum WriteSource { APPLICATION, CONNECTION, EXPLICIT }

    /** Observes writes to an assembly. Must be quick and must not throw. */
    @FunctionalInterface
    public interface Listener {
        void written(AssemblyInstance assembly, Bytes data, WriteSource source);
    }

    private final AssemblyDefinition definition;
    /** The current data, or null when {@link #connectionBuffer} holds newer data not yet snapshotted. */
    private volatile Bytes data;
    /** Guarded by this: the last data written with {@link #writeFromConnection(byte[], int, int)}. */
    private final byte[] connectionBuffer;
    private volatile boolean ownedByConnection;
    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();

    AssemblyInstance(AssemblyDefinition definition) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.data = Bytes.of(new byte[definition.size()]);
        this.connectionBuffer = new byte[definition.size()];
    }

    public int id() {
        return definition.instanceId();
    }

    public int size() {
        return definition.size();
    }

    public AssemblyKind kind() {
        return definition.kind();
    }

    public AssemblyDefinition definition() {
        return definition;
    }

    /**
     * The current data (an immutable snapshot). The same instance is returned until the next
     * write, so identity tells a reader whether the data was written since it last looked.
     */
    public Bytes data() {
        Bytes d = data;
        return d != null ? d : snapshot();
    }

    private synchronized Bytes snapshot() {
        Bytes d = data;
        if (d == null) {
            d = Bytes.of(connectionBuffer);
            data = d;
        }
        return d;
    }

    /** Copies the current data into {@code dst} at {@code off}; returns the offset after it. Allocates nothing. */
    public int copyTo(byte[] dst, int off) {
        Bytes d = data;
        if (d != null) {
            return d.copyTo(dst, off);
        }
        synchronized (this) {
            d = data;
            if (d != null) {
                return d.copyTo(dst, off);
            }
            System.arraycopy(connectionBuffer, 0, dst, off, connectionBuffer.length);
            return off + connectionBuffer.length;
        }
    }

    /** The application writes the data (any kind of assembly). */
    public void write(Bytes newData) {
        requireSize(newData);
        store(newData, WriteSource.APPLICATION);
    }

    /** An I/O connection delivers consumed data. */
    public void writeFromConnection(Bytes newData) {
        requireSize(newData);
        store(newData, WriteSource.CONNECTION);
    }

    /**
     * An I/O connection delivers consumed data from its receive buffer: {@code src[off, off+len)} is
     * copied, so the caller may reuse it at once. Allocates nothing unless a listener is registered
     * (listeners are given a snapshot).
     */
    public void writeFromConnection(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        if (len != size()) {
            throw new IllegalArgumentException("assembly " + id() + " takes " + size() + " bytes, got " + len);
        }
        synchronized (this) {
            System.arraycopy(src, off, connectionBuffer, 0, len);
            data = null;
            if (!listeners.isEmpty()) {
                Bytes d = Bytes.of(connectionBuffer);
                data = d;
                for (Listener l : listeners) {
                    l.written(this, d, WriteSource.CONNECTION);
                }
            }
        }
    }

    /**
     * Marks the assembly as owned by an exclusive-owner connection (or not); while owned,
     * explicit writes are refused with 0x10 device state conflict, as OpENer does, so that a
     * message cannot fight the connection for the data.
     */
    public void setOwnedByConnection(boolean owned) {
        this.ownedByConnection = owned;
    }

    public boolean ownedByConnection() {
        return ownedByConnection;
    }

    public void addListener(Listener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    /** Set_Attribute_Single on attribute 3: 0x0E for input assemblies, 0x10 while owned, 0x13/0x15 for a wrong size. */
    void writeExplicit(Bytes newData) throws CipServiceException {
        if (!kind().explicitlySettable()) {
            throw new CipServiceException(GeneralStatus.ATTRIBUTE_NOT_SETTABLE, "input assembly " + id());
        }
        if (ownedByConnection) {
            throw new CipServiceException(GeneralStatus.DEVICE_STATE_CONFLICT, "assembly " + id() + " is owned by a connection");
        }
        if (newData.length() < size()) {
            throw new CipServiceException(GeneralStatus.NOT_ENOUGH_DATA, "assembly " + id() + " needs " + size() + " bytes");
        }
        if (newData.length() > size()) {
            throw new CipServiceException(GeneralStatus.TOO_MUCH_DATA, "assembly " + id() + " takes " + size() + " bytes");
        }
        store(newData, WriteSource.EXPLICIT);
    }

    private synchronized void store(Bytes newData, WriteSource source) {
        data = newData;
        for (Listener l : listeners) {
            l.written(this, newData, source);
        }
    }

    private void requireSize(Bytes newData) {
        if (newData.length() != size()) {
            throw new IllegalArgumentException("assembly " + id() + " takes " + size() + " bytes, got " + newData.length());
        }
    }

    @Override
    public String toString() {
        return "Assembly " + id() + " (" + kind() + ", " + size() + " bytes)";
    }
}
