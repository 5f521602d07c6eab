package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;

/**
 * The File object checksum (attribute 7 and the last transfer packet): the two's complement of the
 * 16-bit sum of every byte of the file, so that the sum of the bytes plus the checksum is 0 modulo
 * 2^16. This is what OpENerFileObject computes ({@code 0x10000 - sum}, truncated to a UINT); an
 * empty file has checksum 0, as OpENer's empty certificate file shows (fixture frame 81).
 */
public final class FileChecksum {
    private FileChecksum() {
    }

    public static int of(Bytes contents) {
        return of(contents.toArray(), 0, contents.length());
    }

    public static int of(byte[] data, int off, int len) {
        int sum = 0;
        for (int i = off; i < off + len; i++) {
            sum += data[i] & 0xFF;
        }
        return -sum & 0xFFFF;
    }
}
