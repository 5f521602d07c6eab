package dev.cipsec.transport;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FrameReaderProperties {
    static final int HEADER = 4;
    static final int MAX = HEADER + 300;

    @Property
    void framesSurviveAnyChunking(
            @ForAll @Size(max = 6) List<@Size(max = 300) byte[]> bodies,
            @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 40) Integer> chunks)
            throws IOException {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<byte[]> frames = new ArrayList<>();
        for (byte[] body : bodies) {
            byte[] f = new byte[HEADER + body.length];
            f[0] = (byte) 0xA5;
            f[2] = (byte) body.length;
            f[3] = (byte) (body.length >>> 8);
            System.arraycopy(body, 0, f, HEADER, body.length);
            frames.add(f);
            stream.writeBytes(f);
        }
        FrameReader r = new FrameReader(new ChunkedInputStream(stream.toByteArray(), chunks),
                HEADER, FrameReader.BodyLength.u16LeAt(2), MAX);
        byte[] buf = new byte[MAX];

        for (byte[] expected : frames) {
            int n = r.readFrame(buf);
            assertThat(Arrays.copyOf(buf, n)).isEqualTo(expected);
        }
        assertThat(r.readFrame(buf)).isEqualTo(-1);
    }

    @Property
    void arbitraryBytesYieldFramesOrIoExceptionsOnly(
            @ForAll @Size(max = 400) byte[] stream,
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 1, max = 64) Integer> chunks) {
        FrameReader r = new FrameReader(new ChunkedInputStream(stream, chunks),
                HEADER, FrameReader.BodyLength.u16LeAt(2), MAX);
        byte[] buf = new byte[MAX];
        int consumed = 0;
        try {
            int n;
            while ((n = r.readFrame(buf)) >= 0) {
                assertThat(n).isBetween(HEADER, MAX);
                assertThat(Arrays.copyOf(buf, n))
                        .isEqualTo(Arrays.copyOfRange(stream, consumed, consumed + n));
                consumed += n;
            }
            assertThat(consumed).isEqualTo(stream.length);
        } catch (FrameTooLargeException e) {
            assertThat(e.bodyLength()).isGreaterThan(MAX - HEADER);
        } catch (EOFException e) {
            assertThat(stream.length - consumed).isPositive();
        } catch (IOException e) {
            throw new AssertionError("unexpected " + e, e);
        }
    }

    /** Returns at most the next chunk size per read, cycling through the sizes. */
    static final class ChunkedInputStream extends InputStream {
        private final byte[] data;
        private final List<Integer> chunks;
        private int pos;
        private int call;

        ChunkedInputStream(byte[] data, List<Integer> chunks) {
            this.data = data;
            this.chunks = chunks;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(len, Math.min(chunks.get(call++ % chunks.size()), data.length - pos));
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
