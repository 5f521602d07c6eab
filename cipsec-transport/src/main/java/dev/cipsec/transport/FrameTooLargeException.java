package dev.cipsec.transport;

import java.io.IOException;

/**
 * A frame header announced more bytes than the reader accepts. Thrown before any body byte is
 * read, so the header is all the caller has; it is carried here so the caller can answer the peer
 * with a protocol error (e.g. an encapsulation status echoing the command and session) before it
 * closes the stream.
 */
public final class FrameTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final byte[] header;
    private final long bodyLength;
    private final int maxFrameSize;

    public FrameTooLargeException(byte[] header, long bodyLength, int maxFrameSize) {
        super("frame of " + header.length + "+" + bodyLength + " bytes exceeds the maximum of "
                + maxFrameSize);
        this.header = header.clone();
        this.bodyLength = bodyLength;
        this.maxFrameSize = maxFrameSize;
    }

    /** A copy of the header bytes as received. */
    public byte[] header() {
        return header.clone();
    }

    /** The body length the header announced. */
    public long bodyLength() {
        return bodyLength;
    }

    /** The largest whole frame (header + body) the reader accepts. */
    public int maxFrameSize() {
        return maxFrameSize;
    }
}
