package dev.cipsec.objects.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.file.CreateFileRequest;
import dev.cipsec.wire.file.TransferPacket;
import dev.cipsec.wire.file.FileChecksum;
import dev.cipsec.wire.file.FileDirectory;
import dev.cipsec.wire.file.FileServices;
import dev.cipsec.wire.file.InitiateDownloadRequest;
import dev.cipsec.wire.file.InitiateUploadResponse;
import dev.cipsec.wire.file.PacketType;
import dev.cipsec.wire.file.StringI;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static dev.cipsec.objects.file.FileObject.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileObjectTest {
    private static final String INST = "0x37/1";

    private static Bytes random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return Bytes.of(b);
    }

    private static Bytes initiateDownload(long size, String name) {
        return new InitiateDownloadRequest(size, 1, 1, 0, StringI.of(name)).toBytes();
    }

    private static void assertStatus(MessageRouterResponse r, int general, Integer... additional) {
        assertThat(r.generalStatus()).as("%s", r).isEqualTo(general);
        assertThat(r.additionalStatus()).as("%s", r).containsExactly(additional);
    }

    /** Downloads {@code file} in packets of at most {@code chunk} bytes, asserting each reply. */
    private static void download(FileKit k, String path, Bytes file, int chunk) {
        MessageRouterResponse init = k.send(FileServices.INITIATE_DOWNLOAD, path, initiateDownload(file.length(), "f.bin"));
        assertStatus(init, 0);
        int n = 0;
        for (int off = 0; off < file.length(); off += chunk, n++) {
            int end = Math.min(off + chunk, file.length());
            boolean first = off == 0;
            boolean last = end == file.length();
            Bytes data = file.slice(off, end);
            TransferPacket p = last
                    ? TransferPacket.last(n & 0xFF, first ? PacketType.FIRST_AND_LAST : PacketType.LAST, data,
                    FileChecksum.of(file))
                    : TransferPacket.of(n & 0xFF, first ? PacketType.FIRST : PacketType.MIDDLE, data);
            MessageRouterResponse r = k.send(FileServices.DOWNLOAD_TRANSFER, path, p.toBytes());
            assertStatus(r, 0);
            assertThat(r.data().toHex()).isEqualTo(String.format("%02x", n & 0xFF));
        }
    }

    /** Uploads the whole file, asserting packet types and the checksum. */
    private static Bytes upload(FileKit k, String path, int maxTransfer) throws Exception {
        MessageRouterResponse init = k.send(FileServices.INITIATE_UPLOAD, path, String.format("%02x", maxTransfer));
        assertStatus(init, 0);
        InitiateUploadResponse ir = InitiateUploadResponse.decode(WireReader.of(init.data().toArray()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int n = 0; ; n++) {
            MessageRouterResponse r = k.send(FileServices.UPLOAD_TRANSFER, path, String.format("%02x", n & 0xFF));
            assertStatus(r, 0);
            TransferPacket p = TransferPacket.decode(WireReader.of(r.data().toArray()));
            assertThat(p.transferNumber()).isEqualTo(n & 0xFF);
            assertThat(p.data().length()).isLessThanOrEqualTo(ir.transferSize());
            out.writeBytes(p.data().toArray());
            if (PacketType.carriesChecksum(p.packetType())) {
                assertThat(p.packetType()).isEqualTo(n == 0 ? PacketType.FIRST_AND_LAST : PacketType.LAST);
                Bytes file = Bytes.of(out.toByteArray());
                assertThat(file.length()).isEqualTo(ir.fileSize());
                assertThat(p.checksum().getAsInt()).isEqualTo(FileChecksum.of(file));
                return file;
            }
            assertThat(p.packetType()).isEqualTo(n == 0 ? PacketType.FIRST : PacketType.MIDDLE);
        }
    }

    @Test
    void emptyInstanceReadsLikeOpener() {
        try (FileKit k = new FileKit(new Limits(32, 65536, 255, Duration.ofSeconds(10)))) {
            assertThat(k.files.create("Device Certificate", 0, Bytes.EMPTY, false)).isEqualTo(1);
            for (int attr = 1; attr <= 12; attr++) {
                byte[] opener = Fixtures.frame("opener-cs-security-objects.hex", 67 + 2 * attr).payload();
                String expected = Bytes.copyOf(opener, 44, opener.length - 44).toHex();
                MessageRouterResponse r = k.send(0x0E, INST + "/" + attr, "");
                assertStatus(r, 0);
                assertThat(r.data().toHex()).as("attribute %d", attr).isEqualTo(expected);
            }
            assertThat(k.send(0x0E, "0x37/0/1", "").data().toHex()).isEqualTo("0300");
        }
    }

    @Test
    void directoryListsEveryInstance() throws Exception {
        try (FileKit k = new FileKit()) {
            k.files.create(1, "Device Certificate", ENCODING_PEM_CERTIFICATE, Bytes.fromHex("41"), true);
            k.files.create(0xC8, "EDS", 0, Bytes.EMPTY, true);
            MessageRouterResponse r = k.send(0x0E, "0x37/0/32", "");
            assertStatus(r, 0);
            FileDirectory dir = FileDirectory.decode(WireReader.of(r.data().toArray()));
            assertThat(dir.entries()).containsExactly(
                    new FileDirectory.Entry(1, StringI.of("Device Certificate"), StringI.of("Device Certificate")),
                    new FileDirectory.Entry(0xC8, StringI.of("EDS"), StringI.empty()));
        }
    }

    @Test
    void createOverTheWire() {
        try (FileKit k = new FileKit(new Limits(2, 1024, 100, Duration.ofSeconds(5)))) {
            MessageRouterResponse r = k.send(0x08, "0x37/0", CreateFileRequest.of("CSR", ENCODING_PEM_CERTIFICATE).toBytes());
            assertStatus(r, 0);
            assertThat(r.data().toHex()).isEqualTo("0100ff");
            assertThat(k.files.info(1)).get().isEqualTo(new FileInstanceInfo(1, "CSR", 2, STATE_EMPTY, 0, false, 0));
            assertThat(k.events).containsExactly("changed 1 state 1 size 0");
            assertStatus(k.send(0x08, "0x37/0", CreateFileRequest.of("CSR", 0).toBytes()), 0x20);
            assertStatus(k.send(0x08, "0x37/0", ""), 0x13);
            assertStatus(k.send(0x08, "0x37/0", "00"), 0x20);
            assertStatus(k.send(0x08, "0x37/0", "01656e67c1040000"), 0x20);
            assertThat(k.send(0x08, "0x37/0", "01656e67da04000141").data().toHex()).isEqualTo("0200ff");
            assertStatus(k.send(0x08, "0x37/0", "01656e67da04000142"), 0x02);
            assertThat(k.files.info(2).orElseThrow().encoding()).isZero();
        }
    }

    @Test
    void downloadThenUploadRoundTrips() throws Exception {
        try (FileKit k = new FileKit()) {
            k.files.create("cert", ENCODING_PEM_CERTIFICATE, Bytes.EMPTY, false);
            Bytes file = random(1000, 1);
            download(k, INST, file, 255);
            assertThat(k.files.contents(1)).contains(file);
            FileInstanceInfo info = k.files.info(1).orElseThrow();
            assertThat(info.state()).isEqualTo(STATE_LOADED);
            assertThat(info.size()).isEqualTo(1000);
            assertThat(info.checksum()).isEqualTo(FileChecksum.of(file));
            assertThat(k.events).containsExactly("changed 1 state 2 size 1000");
            assertThat(k.send(0x0E, INST + "/4", "").data()).isEqualTo(StringI.of("f.bin").toBytes());
            assertThat(k.send(0x0E, INST + "/5", "").data().toHex()).isEqualTo("0100");
            assertThat(k.send(0x0E, INST + "/3", "").data().toHex()).isEqualTo("0100");
            assertThat(upload(k, INST, 100)).isEqualTo(file);
            assertThat(upload(k, INST, 255)).isEqualTo(file);
            assertThat(k.files.info(1).orElseThrow().state()).isEqualTo(STATE_LOADED);
        }
    }

    @Test
    void oneLargeFileWrapsTheTransferNumber() throws Exception {
        try (FileKit k = new FileKit()) {
            k.files.create("big", 0, Bytes.EMPTY, false);
            Bytes file = random(65536, 2);
            download(k, INST, file, 255);
            assertThat(k.files.contents(1)).contains(file);
            assertThat(upload(k, INST, 200)).isEqualTo(file);
        }
    }

    @Test
    void singlePacketFiles() throws Exception {
        try (FileKit k = new FileKit()) {
            k.files.create("one", 0, Bytes.EMPTY, false);
            Bytes file = Bytes.fromHex("0102ff");
            download(k, INST, file, 10);
            assertThat(upload(k, INST, 3)).isEqualTo(file);
            assertThat(upload(k, INST, 255)).isEqualTo(file);
        }
    }

    @Test
    void uploadResendsThePreviousPacketAndRefusesOthers() throws Exception {
        try (FileKit k = new FileKit()) {
            k.files.create("f", 0, random(30, 3), false);
            assertStatus(k.send(FileServices.UPLOAD_TRANSFER, INST, "00"), 0x0C, STATE_LOADED);
            assertStatus(k.send(FileServices.INITIATE_UPLOAD, INST, "00"), 0x20, EXT_ZERO_SIZE);
            assertStatus(k.send(FileServices.INITIATE_UPLOAD, INST, ""), 0x13);
            assertStatus(k.send(FileServices.INITIATE_UPLOAD, INST, "0a00"), 0x15);
            assertThat(k.send(FileServices.INITIATE_UPLOAD, INST, "0a").data().toHex()).isEqualTo("1e0000000a");
            assertStatus(k.send(FileServices.INITIATE_UPLOAD, INST, "0a"), 0x0C, STATE_UPLOAD_INITIATED);
            assertStatus(k.send(FileServices.UPLOAD_TRANSFER, INST, "01"), 0x20, EXT_OUT_OF_SEQUENCE);
            Bytes p0 = k.send(FileServices.UPLOAD_TRANSFER, INST, "00").data();
            assertThat(k.send(FileServices.UPLOAD_TRANSFER, INST, "00").data()).isEqualTo(p0);
            Bytes p1 = k.send(FileServices.UPLOAD_TRANSFER, INST, "01").data();
            assertThat(k.send(FileServices.UPLOAD_TRANSFER, INST, "01").data()).isEqualTo(p1);
            assertStatus(k.send(FileServices.UPLOAD_TRANSFER, INST, "03"), 0x20, EXT_OUT_OF_SEQUENCE);
            assertStatus(k.send(FileServices.CLEAR_FILE, INST, ""), 0x0C, STATE_UPLOAD_IN_PROGRESS);
            assertStatus(k.send(0x09, INST, ""), 0x0C, STATE_UPLOAD_IN_PROGRESS);
            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, INST, initiateDownload(5, "x")), 0x0C, STATE_UPLOAD_IN_PROGRESS);
            assertThat(k.send(FileServices.UPLOAD_TRANSFER, INST, "02").data().toHex()).startsWith("0202");
            assertThat(k.files.info(1).orElseThrow().state()).isEqualTo(STATE_LOADED);
        }
    }

    @Test
    void initiateDownloadRefusals() {
        try (FileKit k = new FileKit(new Limits(4, 100, 10, Duration.ofSeconds(5)))) {
            k.files.create("f", 0, Bytes.EMPTY, false);
            k.files.create("ro", 0, Bytes.fromHex("01"), true);
            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, INST, initiateDownload(0, "x")), 0x20, EXT_ZERO_SIZE);
            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, INST, initiateDownload(101, "x")), 0x20, EXT_FILE_SIZE_TOO_LARGE);
            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, INST,
                    new InitiateDownloadRequest(5, 1, 0, 0, StringI.empty()).toBytes()), 0x20, EXT_FILE_NAME_EMPTY);
            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, INST, "05000000"), 0x13);
            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, "0x37/2", initiateDownload(5, "x")), 0x0C, STATE_LOADED);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "000041"), 0x0C, STATE_EMPTY);
            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, "0x37/9", initiateDownload(5, "x")), 0x05);
            MessageRouterResponse ok = k.send(FileServices.INITIATE_DOWNLOAD, INST, initiateDownload(5, "x"));
            assertThat(ok.data().toHex()).isEqualTo("0000000000000a");
            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, INST, initiateDownload(5, "x")), 0x0C, STATE_DOWNLOAD_INITIATED);
            assertThat(k.events).isEmpty();
        }
    }

    @Test
    void downloadTransferRefusalsLeaveTheTransferUsable() {
        try (FileKit k = new FileKit(new Limits(4, 100, 4, Duration.ofSeconds(5)))) {
            k.files.create("f", 0, Bytes.EMPTY, false);
            Bytes file = Bytes.fromHex("0102030405060708090a");
            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, INST, initiateDownload(10, "x")), 0);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "0001aa"), 0x0C, STATE_DOWNLOAD_INITIATED);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "0100aa"), 0x20, EXT_OUT_OF_SEQUENCE);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "0009aa"), 0x20, EXT_TRANSFER_OTHER);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "0000aabbccddee"), 0x20, EXT_TRANSFER_OTHER);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "0002aabbcc"), 0x0C, STATE_DOWNLOAD_INITIATED);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "0004"), 0x13);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "000001020304"), 0);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "000001020304"), 0x0C, STATE_DOWNLOAD_IN_PROGRESS);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "030105060708"), 0x20, EXT_OUT_OF_SEQUENCE);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "010005060708"), 0x0C, STATE_DOWNLOAD_IN_PROGRESS);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "010105060708"), 0);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "010105060708"), 0x20, EXT_DUPLICATE);
            // the last packet must end exactly at the announced size
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST,
                    TransferPacket.last(2, PacketType.LAST, Bytes.fromHex("09"), 0).toBytes()), 0x20, EXT_TRANSFER_OTHER);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "02010909090a"), 0x20, EXT_FILE_SIZE_TOO_LARGE);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "020109"), 0);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "03010a0b"), 0x20, EXT_FILE_SIZE_TOO_LARGE);
            assertThat(k.files.contents(1)).isEmpty();
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST,
                    TransferPacket.last(3, PacketType.LAST, Bytes.fromHex("0a"), FileChecksum.of(file)).toBytes()), 0);
            assertThat(k.files.contents(1)).contains(file);
            assertThat(k.events).containsExactly("changed 1 state 2 size 10");
        }
    }

    @Test
    void checksumFailureAndAbortKeepTheOldFile() {
        try (FileKit k = new FileKit()) {
            Bytes old = Bytes.fromHex("cafe");
            k.files.create("f", 0, old, false);
            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, INST, initiateDownload(2, "new")), 0);
            assertThat(k.files.contents(1)).contains(old);
            MessageRouterResponse bad = k.send(FileServices.DOWNLOAD_TRANSFER, INST,
                    TransferPacket.last(0, PacketType.FIRST_AND_LAST, Bytes.fromHex("0102"), 0x1234).toBytes());
            assertStatus(bad, STATUS_CHECKSUM_FAILURE);
            assertThat(k.files.info(1).orElseThrow().state()).isEqualTo(STATE_LOADED);
            assertThat(k.files.contents(1)).contains(old);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "0000aa"), 0x0C, STATE_LOADED);

            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, INST, initiateDownload(2, "new")), 0);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "0000aa"), 0);
            MessageRouterResponse abort = k.send(FileServices.DOWNLOAD_TRANSFER, INST, "0703");
            assertStatus(abort, 0);
            assertThat(abort.data().toHex()).isEqualTo("07");
            assertThat(k.files.info(1).orElseThrow().state()).isEqualTo(STATE_LOADED);
            assertThat(k.files.contents(1)).contains(old);
            assertThat(k.send(0x0E, INST + "/7", "").data().toHex())
                    .isEqualTo(String.format("%02x%02x", FileChecksum.of(old) & 0xFF, FileChecksum.of(old) >> 8));
            assertThat(k.events).isEmpty();
        }
    }

    @Test
    void clearFileAndDelete() {
        try (FileKit k = new FileKit()) {
            k.files.create("f", 0, Bytes.fromHex("01"), false);
            k.files.create("ro", 0, Bytes.fromHex("02"), true);
            assertStatus(k.send(FileServices.CLEAR_FILE, INST, "00"), 0x15);
            assertStatus(k.send(FileServices.CLEAR_FILE, INST, ""), 0);
            assertThat(k.files.info(1).orElseThrow()).isEqualTo(new FileInstanceInfo(1, "f", 0, STATE_EMPTY, 0, false, 0));
            assertThat(k.send(0x0E, INST + "/4", "").data().toHex()).isEqualTo("00");
            assertStatus(k.send(FileServices.CLEAR_FILE, INST, ""), 0);
            assertStatus(k.send(FileServices.CLEAR_FILE, "0x37/2", ""), 0x0C, STATE_LOADED);
            assertStatus(k.send(0x09, "0x37/2", ""), 0x2D);
            assertStatus(k.send(0x09, INST, ""), 0);
            assertStatus(k.send(0x0E, INST + "/1", ""), 0x05);
            assertThat(k.events).containsExactly("changed 1 state 1 size 0", "deleted 1");
            assertStatus(k.send(0x10, "0x37/2/12", "00"), 0x09);
            assertStatus(k.send(0x10, "0x37/2/12", "05"), 0);
            assertStatus(k.send(0x10, "0x37/2/10", "00"), 0x0E);
        }
    }

    @Test
    void transferTimesOutByTheTimer() {
        try (FileKit k = new FileKit()) {
            k.files.create("f", 0, Bytes.EMPTY, false);
            assertStatus(k.send(0x10, INST + "/12", "03"), 0);
            assertStatus(k.send(FileServices.INITIATE_DOWNLOAD, INST, initiateDownload(4, "x")), 0);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "0000aabb"), 0);
            assertThat(k.timer.delaysMillis).last().isEqualTo(3000L);
            k.advance(Duration.ofSeconds(2));
            k.timer.runLast();      // early: re-armed for the second that remains
            assertThat(k.files.info(1).orElseThrow().state()).isEqualTo(STATE_DOWNLOAD_IN_PROGRESS);
            assertThat(k.timer.delaysMillis).last().isEqualTo(1000L);
            k.advance(Duration.ofSeconds(1));
            k.timer.runLast();
            assertThat(k.files.info(1).orElseThrow().state()).isEqualTo(STATE_EMPTY);
            assertStatus(k.send(FileServices.DOWNLOAD_TRANSFER, INST, "0101ccdd"), 0x0C, STATE_EMPTY);
            assertThat(k.events).isEmpty();
        }
    }

    @Test
    void staleTimerTaskDoesNothingAndLateRequestsSeeTheTimeout() {
        try (FileKit k = new FileKit()) {
            k.files.create("f", 0, Bytes.fromHex("0102"), false);
            assertStatus(k.send(FileServices.INITIATE_UPLOAD, INST, "01"), 0);
            Runnable first = k.timer.tasks.get(0);
            assertStatus(k.send(FileServices.UPLOAD_TRANSFER, INST, "00"), 0);
            k.advance(Duration.ofSeconds(40));
            first.run();            // superseded by the packet after it
            assertThat(k.files.info(1).orElseThrow().state()).isEqualTo(STATE_UPLOAD_IN_PROGRESS);
            // the timer never ran its current task: the next request still finds the transfer expired
            assertStatus(k.send(FileServices.UPLOAD_TRANSFER, INST, "01"), 0x0C, STATE_LOADED);
            assertThat(k.files.contents(1)).contains(Bytes.fromHex("0102"));
        }
    }

    @Test
    void javaApi() {
        try (FileKit k = new FileKit(new Limits(3, 10, 10, Duration.ofSeconds(5)))) {
            k.files.create(5, "five", 2, Bytes.fromHex("01"), true);
            assertThat(k.files.create("one", 0, Bytes.EMPTY, false)).isEqualTo(1);
            assertThatThrownBy(() -> k.files.create(5, "x", 0, Bytes.EMPTY, false)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> k.files.create("one", 0, Bytes.EMPTY, false)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> k.files.create("big", 0, Bytes.of(new byte[11]), false))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> k.files.create(0x10000, "x", 0, Bytes.EMPTY, false))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(k.files.create("two", 0, Bytes.EMPTY, false)).isEqualTo(2);
            assertThatThrownBy(() -> k.files.create("three", 0, Bytes.EMPTY, false)).isInstanceOf(IllegalStateException.class);
            assertThat(k.files.instances()).extracting(FileInstanceInfo::id).containsExactly(1L, 2L, 5L);
            assertThat(k.files.info(5)).get().isEqualTo(new FileInstanceInfo(5, "five", 2, STATE_LOADED, 1, true, 0xFFFF));
            assertThat(k.files.contents(1)).isEmpty();
            assertThat(k.files.contents(9)).isEmpty();
            assertThat(k.files.delete(5)).isTrue();
            assertThat(k.files.delete(5)).isFalse();
            k.files.clear();
            assertThat(k.files.instances()).isEmpty();
            assertThat(k.events).isEmpty();
            assertThatThrownBy(() -> new Limits(1, 1, 256, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new Limits(1, 1, 1, Duration.ofMillis(1500))).isInstanceOf(IllegalArgumentException.class);
            assertThat(Limits.defaults()).isEqualTo(new Limits(32, 65536, 255, Duration.ofSeconds(30)));
        }
    }

    @Test
    void listenerFailureDoesNotBreakTheReply() {
        FileKit k = new FileKit();
        try (k) {
            FileObject files = new FileObject(Limits.defaults(), k.now::get, k.timer, new FileObject.Listener() {
                @Override
                public void changed(FileInstanceInfo info, Bytes contents) {
                    throw new IllegalStateException("listener down");
                }

                @Override
                public void deleted(long id) {
                }
            });
            dev.cipsec.objects.MessageRouter router = new dev.cipsec.objects.MessageRouter();
            router.register(files.cipClass());
            MessageRouterResponse r = router.handle(new dev.cipsec.wire.cip.MessageRouterRequest(0x08,
                    dev.cipsec.wire.epath.EPath.parse("0x37/0"), CreateFileRequest.of("x", 0).toBytes()),
                    dev.cipsec.objects.RequestContext.forTest());
            assertStatus(r, 0);
            assertThat(files.instances()).hasSize(1);
        }
        assertThat(List.of(k.timer.isShutdown())).containsExactly(true);
    }
}
