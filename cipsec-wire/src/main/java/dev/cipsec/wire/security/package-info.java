/**
 * Attribute values and service data of the CIP Security objects: EtherNet/IP Security (0x5E)
 * cipher-suite lists, pre-shared keys, EPATH lists and Apply_Config; Certificate Management (0x5F)
 * certificate list, certificate references and Create_CSR (reference §5, §6).
 *
 * <p>Two kinds of decoder. Values with a count or a size of their own ({@link
 * dev.cipsec.wire.security.CipherSuiteList}, {@link dev.cipsec.wire.security.EPathList}, {@link
 * dev.cipsec.wire.security.CertificateReference}, {@link dev.cipsec.wire.security.CertificateList})
 * read exactly themselves from a {@code WireReader}, so a Get_Attributes_All reply can be walked
 * attribute by attribute; their {@code decode(Bytes)} takes a whole attribute value and refuses
 * trailing bytes. Values whose layout depends on where they end ({@link
 * dev.cipsec.wire.security.PskList}, {@link dev.cipsec.wire.security.ApplyConfigRequest}, {@link
 * dev.cipsec.wire.security.CsrRequest}) always read to the end of the reader.
 */
package dev.cipsec.wire.security;
