package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireFormatException.Reason;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileCodecTest {

    /** The reply data of OpENer fixture frame {@code frame}: after the 4-byte MR reply header at offset 40. */
    private static Bytes openerReplyData(int frame) {
        byte[] payload = Fixtures.frame("opener-cs-security-objects.hex", frame).payload();
        assertThat(payload[40] & 0xFF).isEqualTo(0x8E);
        assertThat(payload[42]).isZero();
        return Bytes.copyOf(payload, 44, payload.length - 44);
    }

    private interface Decoder<T> {
        T decode(WireReader r) throws WireFormatException;
    }

    private static <T> T decode(Decoder<T> d, String hex) throws WireFormatException {
        WireReader r = WireReader.of(Bytes.fromHex(hex).toArray());
        T v = d.decode(r);
        assertThat(r.hasRemaining()).isFalse();
        return v;
    }

    private static Reason reason(Decoder<?> d, String hex) {
        try {
            d.decode(WireReader.of(Bytes.fromHex(hex).toArray()));
        } catch (WireFormatException e) {
            return e.reason();
        }
        throw new AssertionError("decoded " + hex);
    }

    @Test
    void openerInstanceNameIsOneEnglishShortString() throws Exception {
        Bytes data = openerReplyData(71);
        assertThat(data.toHex()).isEqualTo("01656e67da040012446576696365204365727469666963617465");
        StringI name = decode(StringI::decode, data.toHex());
        assertThat(name.strings()).hasSize(1);
        StringI.Entry e = name.strings().get(0);
        assertThat(e.language()).isEqualTo("eng");
        assertThat(e.stringType()).isEqualTo(StringI.SHORT_STRING);
        assertThat(e.charSet()).isEqualTo(StringI.CHARSET_ISO_8859_1);
        assertThat(name.text()).isEqualTo("Device Certificate");
        assertThat(StringI.of("Device Certificate").toBytes()).isEqualTo(data);
    }

    @Test
    void openerEmptyFileNameAndChecksum() throws Exception {
        assertThat(decode(StringI::decode, openerReplyData(75).toHex())).isEqualTo(StringI.empty());
        assertThat(StringI.empty().toBytes().toHex()).isEqualTo("00");
        assertThat(openerReplyData(81).toHex()).isEqualTo("0000");
        assertThat(FileChecksum.of(Bytes.EMPTY)).isZero();
    }

    @Test
    void checksumIsTwosComplementOfTheByteSum() {
        assertThat(FileChecksum.of(Bytes.fromHex("01"))).isEqualTo(0xFFFF);
        assertThat(FileChecksum.of(Bytes.fromHex("0102ff"))).isEqualTo(0x10000 - 0x102);
        byte[] big = new byte[1000];
        java.util.Arrays.fill(big, (byte) 0xFF);
        int c = FileChecksum.of(Bytes.of(big));
        assertThat((1000 * 0xFF + c) & 0xFFFF).isZero();
    }

    @Test
    void everyStringTypeRoundTrips() throws Exception {
        StringI s = new StringI(List.of(
                StringI.Entry.shortString("eng", "abc"),
                new StringI.Entry("deu", StringI.STRING, StringI.CHARSET_UTF_8, 1, Bytes.of("ä".getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                new StringI.Entry("fra", StringI.STRING2, 1015, 2, Bytes.fromHex("41004200")),
                new StringI.Entry("jpn", StringI.STRINGN, 1017, 4, Bytes.fromHex("41000000"))));
        String hex = s.toBytes().toHex();
        assertThat(hex).isEqualTo("04"
                + "656e67da0400" + "03616263"
                + "646575d06a00" + "0200c3a4"
                + "667261d5f703" + "020041004200"
                + "6a706ed9f903" + "0400" + "0100" + "41000000");
        StringI back = decode(StringI::decode, hex);
        assertThat(back).isEqualTo(s);
        assertThat(back.strings().get(1).text()).isEqualTo("ä");
        assertThat(back.strings().get(2).text()).isEqualTo("AB");
        assertThat(back.strings().get(3).text()).isEqualTo("A");
    }

    @ParameterizedTest
    @CsvSource({
            "'', TRUNCATED",                                  // no count
            "01656e67, COUNT_TOO_LARGE",                      // count 1 but 3 bytes left: count x min size
            "01656e67da0400, COUNT_TOO_LARGE",                // 6 bytes cannot hold an entry
            "01656e67d9040001, TRUNCATED",                    // STRINGN character size cut short
            "01656e67da040005414243, COUNT_TOO_LARGE",        // length 5 > 3 remaining
            "01656e67c1040000, INVALID_VALUE",                // 0xC1 BOOL is no string type
            "01656e67d904000000010041, INVALID_VALUE",        // STRINGN char size 0
            "01656e67d90400020002004142, COUNT_TOO_LARGE",    // 2 chars x 2 bytes > 2 remaining
            "02656e67da040000, COUNT_TOO_LARGE",              // 2 strings, room for one
    })
    void malformedStringI(String hex, Reason expected) {
        assertThat(reason(StringI::decode, hex)).isEqualTo(expected);
    }

    @Test
    void createRequestWithAndWithoutEncoding() throws Exception {
        CreateFileRequest with = CreateFileRequest.of("CSR", 2);
        assertThat(with.toBytes().toHex()).isEqualTo("01656e67da040003435352" + "02");
        assertThat(decode(CreateFileRequest::decode, with.toBytes().toHex())).isEqualTo(with);
        CreateFileRequest without = decode(CreateFileRequest::decode, "01656e67da040003435352");
        assertThat(without.encodingFormat()).isEmpty();
        assertThat(without.instanceName().text()).isEqualTo("CSR");
        assertThat(reason(CreateFileRequest::decode, "01656e67da0400034353520200")).isEqualTo(Reason.TOO_MUCH_DATA);
        assertThat(reason(CreateFileRequest::decode, "")).isEqualTo(Reason.TRUNCATED);
    }

    @Test
    void fixedSizeRecordsRoundTrip() throws Exception {
        assertThat(new CreateFileResponse(0x0102, 0xFF).toBytes().toHex()).isEqualTo("0201ff");
        assertThat(decode(CreateFileResponse::decode, "0201ff")).isEqualTo(new CreateFileResponse(0x0102, 0xFF));
        assertThat(decode(InitiateUploadRequest::decode, "ff")).isEqualTo(new InitiateUploadRequest(255));
        InitiateUploadResponse iur = new InitiateUploadResponse(0x12345678L, 100);
        assertThat(iur.toBytes().toHex()).isEqualTo("7856341264");
        assertThat(decode(InitiateUploadResponse::decode, "7856341264")).isEqualTo(iur);
        InitiateDownloadResponse idr = new InitiateDownloadResponse(0, 0, 200);
        assertThat(idr.toBytes().toHex()).isEqualTo("000000000000c8");
        assertThat(decode(InitiateDownloadResponse::decode, "000000000000c8")).isEqualTo(idr);
        assertThat(decode(UploadTransferRequest::decode, "07")).isEqualTo(new UploadTransferRequest(7));
        assertThat(decode(DownloadTransferResponse::decode, "07")).isEqualTo(new DownloadTransferResponse(7));
    }

    @ParameterizedTest
    @CsvSource({
            "'', TRUNCATED", "0201, TRUNCATED", "0201ff00, TOO_MUCH_DATA"})
    void malformedCreateResponse(String hex, Reason expected) {
        assertThat(reason(CreateFileResponse::decode, hex)).isEqualTo(expected);
    }

    @Test
    void malformedFixedSizeRequests() {
        assertThat(reason(InitiateUploadRequest::decode, "")).isEqualTo(Reason.TRUNCATED);
        assertThat(reason(InitiateUploadRequest::decode, "6400")).isEqualTo(Reason.TOO_MUCH_DATA);
        assertThat(reason(InitiateUploadResponse::decode, "78563412")).isEqualTo(Reason.TRUNCATED);
        assertThat(reason(InitiateDownloadResponse::decode, "000000000000")).isEqualTo(Reason.TRUNCATED);
        assertThat(reason(UploadTransferRequest::decode, "0100")).isEqualTo(Reason.TOO_MUCH_DATA);
        assertThat(reason(DownloadTransferResponse::decode, "")).isEqualTo(Reason.TRUNCATED);
    }

    @Test
    void initiateDownloadRequest() throws Exception {
        InitiateDownloadRequest req = new InitiateDownloadRequest(1234, 1, 2, 3, StringI.of("dev.pem"));
        String hex = "d2040000" + "0100" + "02" + "03" + "01656e67da040007" + "6465762e70656d";
        assertThat(req.toBytes().toHex()).isEqualTo(hex);
        assertThat(decode(InitiateDownloadRequest::decode, hex)).isEqualTo(req);
        assertThat(reason(InitiateDownloadRequest::decode, "d20400000100")).isEqualTo(Reason.TRUNCATED);
        assertThat(reason(InitiateDownloadRequest::decode, "d2040000010002030000")).isEqualTo(Reason.TOO_MUCH_DATA);
    }

    @Test
    void transferPacketsCarryAChecksumOnlyWhenLast() throws Exception {
        TransferPacket first = TransferPacket.of(0, PacketType.FIRST, Bytes.fromHex("aabb"));
        assertThat(first.toBytes().toHex()).isEqualTo("0000aabb");
        assertThat(decode(TransferPacket::decode, "0000aabb")).isEqualTo(first);
        TransferPacket last = TransferPacket.last(5, PacketType.LAST, Bytes.fromHex("cc"), 0x1234);
        assertThat(last.toBytes().toHex()).isEqualTo("0502cc3412");
        assertThat(decode(TransferPacket::decode, "0502cc3412")).isEqualTo(last);
        TransferPacket only = TransferPacket.last(0, PacketType.FIRST_AND_LAST, Bytes.EMPTY, 0);
        assertThat(decode(TransferPacket::decode, "00040000")).isEqualTo(only);
        TransferPacket unknown = decode(TransferPacket::decode, "0109ee");
        assertThat(unknown).isEqualTo(TransferPacket.of(1, 9, Bytes.fromHex("ee")));
        assertThat(reason(TransferPacket::decode, "000400")).isEqualTo(Reason.TRUNCATED);
        assertThat(reason(TransferPacket::decode, "00")).isEqualTo(Reason.TRUNCATED);
        assertThatThrownBy(() -> TransferPacket.of(1, PacketType.LAST, Bytes.EMPTY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransferPacket(1, PacketType.MIDDLE, Bytes.EMPTY, OptionalInt.of(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void directoryMatchesOpenerLayout() throws Exception {
        FileDirectory dir = new FileDirectory(List.of(
                new FileDirectory.Entry(1, StringI.of("Device Certificate"), StringI.empty()),
                new FileDirectory.Entry(0xC8, StringI.of("EDS"), StringI.of("opener.eds"))));
        String hex = "0100" + "01656e67da040012446576696365204365727469666963617465" + "00"
                + "c800" + "01656e67da040003454453" + "01656e67da04000a6f70656e65722e656473";
        assertThat(dir.toBytes().toHex()).isEqualTo(hex);
        assertThat(decode(FileDirectory::decode, hex)).isEqualTo(dir);
        assertThat(decode(FileDirectory::decode, "")).isEqualTo(new FileDirectory(List.of()));
        assertThat(reason(FileDirectory::decode, "010000")).isEqualTo(Reason.TRUNCATED);
        assertThat(reason(FileDirectory::decode, "01")).isEqualTo(Reason.TRUNCATED);
    }

    @Test
    void constructorsRejectOutOfRangeValues() {
        assertThatThrownBy(() -> new InitiateUploadRequest(256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CreateFileResponse(0x10000, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InitiateUploadResponse(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StringI.Entry("en", StringI.SHORT_STRING, 4, 1, Bytes.EMPTY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StringI.Entry("eng", StringI.STRING2, 4, 2, Bytes.fromHex("41")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StringI.of("€")).isInstanceOf(IllegalArgumentException.class);
    }
}
