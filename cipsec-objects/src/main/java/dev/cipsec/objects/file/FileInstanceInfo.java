package dev.cipsec.objects.file;

/**
 * A snapshot of one File object instance.
 *
 * @param id       instance id, 1..0xFFFF
 * @param name     instance name (attribute 2, first string's text)
 * @param encoding file encoding format (attribute 11: 0 binary, 2 PEM certificate, 3 PKCS#7 certificate, 4 PEM CRL, ...)
 * @param state    attribute 1: 1 empty, 2 loaded, 3..6 a transfer under way (see {@link FileObject} STATE_*)
 * @param size     bytes of the complete file the instance holds (0 when empty)
 * @param readOnly file access rule (attribute 10) is read-only: no download, Clear_File or Delete over the wire
 * @param checksum attribute 7 of the complete file
 */
public record FileInstanceInfo(long id, String name, int encoding, int state, long size, boolean readOnly, int checksum) {
}
