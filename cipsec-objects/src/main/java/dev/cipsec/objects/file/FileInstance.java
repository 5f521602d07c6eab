package dev.cipsec.objects.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.file.StringI;

import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/**
 * The mutable state of one File instance; every field is read and written under the instance's
 * {@link dev.cipsec.objects.CipInstance#lock()}.
 */
final class FileInstance {
    final long id;
    final StringI instanceName;
    final int encoding;
    final boolean readOnly;

    int state;
    /** The last complete file; a transfer never touches it until a download has been verified. */
    Bytes contents;
    StringI fileName;
    int formatVersion;
    int revisionMajor;
    int revisionMinor;
    int checksum;
    int transferTimeoutSeconds;

    Upload upload;
    Download download;
    /** Bumped on every accepted transfer packet, so a stale timer task knows it is stale. */
    long activity;
    Instant deadline;
    ScheduledFuture<?> timeoutTask;

    FileInstance(long id, StringI instanceName, int encoding, boolean readOnly, int transferTimeoutSeconds) {
        this.id = id;
        this.instanceName = instanceName;
        this.encoding = encoding;
        this.readOnly = readOnly;
        this.transferTimeoutSeconds = transferTimeoutSeconds;
        this.contents = Bytes.EMPTY;
        this.fileName = StringI.empty();
        this.state = FileObject.STATE_EMPTY;
    }

    boolean transferring() {
        return upload != null || download != null;
    }

    FileInstanceInfo info() {
        return new FileInstanceInfo(id, instanceName.text(), encoding, state, contents.length(), readOnly, checksum);
    }

    /** An upload: the file snapshot being read and where the next packet starts. */
    static final class Upload {
        final Bytes contents;
        final int transferSize;
        int expectedNumber;
        int offset;
        int previousOffset;
        boolean started;

        Upload(Bytes contents, int transferSize) {
            this.contents = contents;
            this.transferSize = transferSize;
        }
    }

    /** A download: the announced file and the bytes received so far, bounded by the announced size. */
    static final class Download {
        final long declaredSize;
        final int formatVersion;
        final int revisionMajor;
        final int revisionMinor;
        final StringI fileName;
        final int transferSize;
        final int stateBefore;
        final byte[] buffer;
        int received;
        int lastNumber = -1;

        Download(long declaredSize, int formatVersion, int revisionMajor, int revisionMinor, StringI fileName,
                 int transferSize, int stateBefore) {
            this.declaredSize = declaredSize;
            this.formatVersion = formatVersion;
            this.revisionMajor = revisionMajor;
            this.revisionMinor = revisionMinor;
            this.fileName = fileName;
            this.transferSize = transferSize;
            this.stateBefore = stateBefore;
            this.buffer = new byte[(int) declaredSize];
        }
    }
}
