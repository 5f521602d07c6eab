package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

class FileCodecProperties {

    @Provide
    Arbitrary<StringI> stringIs() {
        Arbitrary<String> lang = Arbitraries.strings().withCharRange('a', 'z').ofLength(3);
        Arbitrary<Bytes> chars = Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(Bytes::of);
        Arbitrary<StringI.Entry> shortS = Combinators.combine(lang, Arbitraries.integers().between(0, 0xFFFF), chars)
                .as((l, cs, c) -> new StringI.Entry(l, StringI.SHORT_STRING, cs, 1, c));
        Arbitrary<StringI.Entry> string = Combinators.combine(lang, chars)
                .as((l, c) -> new StringI.Entry(l, StringI.STRING, StringI.CHARSET_UTF_8, 1, c));
        Arbitrary<StringI.Entry> string2 = Combinators.combine(lang, chars)
                .as((l, c) -> new StringI.Entry(l, StringI.STRING2, 1015, 2, Bytes.of(evenLength(c.toArray()))));
        Arbitrary<StringI.Entry> stringN = Combinators.combine(lang, Arbitraries.bytes().array(byte[].class).ofMaxSize(10))
                .as((l, c) -> new StringI.Entry(l, StringI.STRINGN, 1017, 4, Bytes.of(new byte[c.length * 4])));
        return Arbitraries.oneOf(shortS, string, string2, stringN).list().ofMaxSize(4).map(StringI::new);
    }

    private static byte[] evenLength(byte[] b) {
        return java.util.Arrays.copyOf(b, b.length & ~1);
    }

    @Property
    void stringIRoundTrips(@ForAll("stringIs") StringI s) throws Exception {
        byte[] b = s.toBytes().toArray();
        assertThat(b).hasSize(s.encodedLength());
        WireReader r = WireReader.of(b);
        assertThat(StringI.decode(r)).isEqualTo(s);
        assertThat(r.hasRemaining()).isFalse();
    }

    @Property
    void requestsAndRepliesRoundTrip(@ForAll("stringIs") StringI name, @ForAll @IntRange(max = 255) int n,
                                     @ForAll @IntRange(max = 6) int type, @ForAll @Size(max = 255) byte[] data,
                                     @ForAll @IntRange(max = 0xFFFF) int checksum) throws Exception {
        CreateFileRequest create = new CreateFileRequest(name, n % 2 == 0 ? OptionalInt.of(n) : OptionalInt.empty());
        assertThat(CreateFileRequest.decode(WireReader.of(create.toBytes().toArray()))).isEqualTo(create);
        InitiateDownloadRequest idl = new InitiateDownloadRequest(data.length, checksum, n, 255 - n, name);
        assertThat(InitiateDownloadRequest.decode(WireReader.of(idl.toBytes().toArray()))).isEqualTo(idl);
        OptionalInt sum = PacketType.carriesChecksum(type) ? OptionalInt.of(checksum) : OptionalInt.empty();
        TransferPacket dl = new TransferPacket(n, type, Bytes.of(data), sum);
        assertThat(TransferPacket.decode(WireReader.of(dl.toBytes().toArray()))).isEqualTo(dl);
        TransferPacket ul = new TransferPacket(n, type, Bytes.of(data), sum);
        assertThat(TransferPacket.decode(WireReader.of(ul.toBytes().toArray()))).isEqualTo(ul);
        FileDirectory dir = new FileDirectory(List.of(new FileDirectory.Entry(checksum, name, name),
                new FileDirectory.Entry(n, StringI.empty(), name)));
        assertThat(FileDirectory.decode(WireReader.of(dir.toBytes().toArray()))).isEqualTo(dir);
    }

    @Property
    void checksumMakesTheSumZero(@ForAll @Size(max = 2000) byte[] data) {
        int sum = FileChecksum.of(Bytes.of(data));
        for (byte b : data) {
            sum += b & 0xFF;
        }
        assertThat(sum & 0xFFFF).isZero();
    }

    private interface Decoder {
        Object decode(WireReader r) throws WireFormatException;
    }

    private static final List<Decoder> DECODERS = List.of(StringI::decode, CreateFileRequest::decode,
            CreateFileResponse::decode, InitiateUploadRequest::decode, InitiateUploadResponse::decode,
            InitiateDownloadRequest::decode, InitiateDownloadResponse::decode, UploadTransferRequest::decode,
            TransferPacket::decode, TransferPacket::decode, DownloadTransferResponse::decode,
            FileDirectory::decode);

    @Property
    void arbitraryBytesFailOnlyWithWireFormatException(@ForAll @Size(max = 120) byte[] data) {
        for (Decoder d : DECODERS) {
            try {
                d.decode(WireReader.of(data));
            } catch (WireFormatException expected) {
                assertThat(expected.reason()).isNotNull();
            }
        }
    }

    @Property
    void stringIPrefixesAreTruncatedNotAccepted(@ForAll("stringIs") StringI s, @ForAll @IntRange(min = 1, max = 200) int cut) {
        byte[] b = s.toBytes().toArray();
        int len = Math.max(0, b.length - cut);
        try {
            StringI.decode(WireReader.of(java.util.Arrays.copyOf(b, len)));
            // a shorter prefix may itself be a valid STRINGI only if the count byte allows it; then it differs
        } catch (WireFormatException e) {
            assertThat(e.reason()).isIn(WireFormatException.Reason.TRUNCATED, WireFormatException.Reason.COUNT_TOO_LARGE);
        }
    }
}
