/**
 * Codecs of the File object (class 0x37, reference §6.5): the international string STRINGI, the
 * request and reply data of Create, Initiate_Upload, Initiate_Download, Upload_Transfer and
 * Download_Transfer, the class attribute 32 directory and the file checksum.
 *
 * <p>Sources for the layouts: the public OpENerFileObject (develop, the build captured in
 * {@code opener-cs-security-objects}) and the fields tshark 4.0.17 decodes ({@code cip.stringi.*},
 * {@code cip.file.file_name}); tshark 4.0 has no decoder for the File services themselves, so for
 * them the reference is OpENerFileObject. Each record's javadoc names the choices where the
 * sources are silent (GAP).
 */
package dev.cipsec.wire.file;
