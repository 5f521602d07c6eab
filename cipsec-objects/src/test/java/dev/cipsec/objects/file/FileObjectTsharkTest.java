package dev.cipsec.objects.file;

import dev.cipsec.objects.MrKit;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.file.CreateFileRequest;
import dev.cipsec.wire.file.TransferPacket;
import dev.cipsec.wire.file.FileChecksum;
import dev.cipsec.wire.file.FileServices;
import dev.cipsec.wire.file.InitiateDownloadRequest;
import dev.cipsec.wire.file.PacketType;
import dev.cipsec.wire.file.StringI;
import dev.cipsec.wire.testkit.PcapWriter;
import dev.cipsec.wire.testkit.PeerTools;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole File object session (Create, download, upload, reads, Clear_File, Delete) framed as
 * SendRRData request/reply pairs and decoded by tshark 4.0, which has no decoder for the File
 * services but must still frame every message and decode attribute 4 (File Name, STRINGI).
 */
class FileObjectTsharkTest {
    private static final Bytes FILE = Bytes.fromHex("2d2d2d2d2d424547494e2043455254");
    private static final List<MessageRouterRequest> REQUESTS = List.of(
            req(0x08, "0x37/0", CreateFileRequest.of("Device Certificate", 2).toBytes()),                      // 1
            req(FileServices.INITIATE_DOWNLOAD, "0x37/1",
                    new InitiateDownloadRequest(FILE.length(), 1, 1, 0, StringI.of("device.pem")).toBytes()),   // 2
            req(FileServices.DOWNLOAD_TRANSFER, "0x37/1",
                    TransferPacket.of(0, PacketType.FIRST, FILE.slice(0, 10)).toBytes()),             // 3
            req(FileServices.DOWNLOAD_TRANSFER, "0x37/1", TransferPacket.last(1, PacketType.LAST,
                    FILE.slice(10, FILE.length()), FileChecksum.of(FILE)).toBytes()),                          // 4
            req(FileServices.INITIATE_UPLOAD, "0x37/1", Bytes.fromHex("08")),                                  // 5
            req(FileServices.UPLOAD_TRANSFER, "0x37/1", Bytes.fromHex("00")),                                  // 6
            req(FileServices.UPLOAD_TRANSFER, "0x37/1", Bytes.fromHex("01")),                                  // 7
            req(0x0E, "0x37/1/4", Bytes.EMPTY),                                                                // 8
            req(0x0E, "0x37/1/2", Bytes.EMPTY),                                                                // 9
            req(0x0E, "0x37/0/32", Bytes.EMPTY),                                                               // 10
            req(0x01, "0x37/1", Bytes.EMPTY),                                                                  // 11
            req(FileServices.UPLOAD_TRANSFER, "0x37/1", Bytes.fromHex("05")),                                  // 12 0x0C
            req(FileServices.CLEAR_FILE, "0x37/1", Bytes.EMPTY),                                               // 13
            req(0x09, "0x37/1", Bytes.EMPTY));                                                                 // 14
    private static final List<String> STATUSES = List.of("0x00", "0x00", "0x00", "0x00", "0x00", "0x00", "0x00",
            "0x00", "0x00", "0x00", "0x00", "0x0c", "0x00", "0x00");

    private static Path pcap;

    private static MessageRouterRequest req(int service, String path, Bytes data) {
        return new MessageRouterRequest(service, EPath.parse(path), data);
    }

    @BeforeAll
    static void capture(@TempDir Path dir) throws Exception {
        PeerTools.require("tshark");
        try (FileKit k = new FileKit()) {
            List<PcapWriter.Packet> packets = new ArrayList<>();
            int n = 0;
            for (MessageRouterRequest r : REQUESTS) {
                String context = String.format("file%04d", ++n);
                packets.add(PcapWriter.Packet.tcp(50000, 44818, MrKit.sendRRData(1, context, r.toBytes())));
                MessageRouterResponse reply = k.router.handle(r, RequestContext.forTest());
                packets.add(PcapWriter.Packet.tcp(44818, 50000, MrKit.sendRRData(1, context, reply.toBytes())));
            }
            pcap = dir.resolve("file-object.pcap");
            PcapWriter.write(pcap, packets);
        }
    }

    @Test
    void nothingIsMalformed() throws Exception {
        assertThat(Tshark.malformedCount(pcap)).as(Tshark.verbose(pcap)).isZero();
    }

    @Test
    void everyRequestAndReplyIsFramed() throws Exception {
        List<Map<String, String>> requests = Tshark.fields(pcap, "tcp.dstport == 44818",
                List.of("enip.command", "cip.service", "cip.class"));
        List<Map<String, String>> replies = Tshark.fields(pcap, "tcp.srcport == 44818",
                List.of("enip.command", "cip.service", "cip.genstat"));
        assertThat(requests).hasSize(REQUESTS.size());
        assertThat(replies).hasSize(REQUESTS.size());
        for (int i = 0; i < REQUESTS.size(); i++) {
            int service = REQUESTS.get(i).service();
            assertThat(requests.get(i)).containsEntry("enip.command", "0x006f").containsEntry("cip.class", "0x37");
            assertThat(Integer.decode(requests.get(i).get("cip.service"))).as("request %d", i + 1).isEqualTo(service);
            assertThat(Integer.decode(replies.get(i).get("cip.service"))).as("reply %d", i + 1).isEqualTo(service | 0x80);
            assertThat(replies.get(i).get("cip.genstat")).as("reply %d", i + 1).isEqualTo(STATUSES.get(i));
        }
    }

    @Test
    void fileNameIsDecodedAsStringI() throws Exception {
        List<Map<String, String>> rows = Tshark.fields(pcap, "frame.number == 16",
                List.of("cip.stringi.num", "cip.stringi.language_char", "cip.stringi.char_string_struct",
                        "cip.stringi.char_set", "cip.stringi.int_string", "cip.file.file_name"));
        assertThat(rows).hasSize(1);
        Map<String, String> row = rows.get(0);
        assertThat(row).containsEntry("cip.stringi.num", "1").containsEntry("cip.stringi.language_char", "eng")
                .containsEntry("cip.stringi.char_set", "4");
        assertThat(Integer.decode(row.get("cip.stringi.char_string_struct"))).isEqualTo(0xDA);
        assertThat(row.get("cip.stringi.int_string") + row.get("cip.file.file_name")).contains("device.pem");
    }
}
