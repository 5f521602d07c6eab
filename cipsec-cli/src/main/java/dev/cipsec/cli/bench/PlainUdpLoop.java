package dev.cipsec.cli.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The baseline: one thread sending datagrams of a given size with {@link DatagramSocket#send} of one
 * reused packet, as fast as it can, over loopback to a receiver thread that only counts them. No
 * CIP, no scheduler: what plain Java UDP does on this machine right now.
 */
public final class PlainUdpLoop {
    /**
     * @param sentPerSecond     datagrams sent per second in the window
     * @param receivedPerSecond datagrams received per second in the window
     */
    public record Result(int frameBytes, double seconds, double sentPerSecond, double receivedPerSecond) {
        /** Several windows as one: their datagrams over their total time. */
        static Result sum(java.util.List<Result> parts) {
            double seconds = 0;
            double sent = 0;
            double received = 0;
            for (Result r : parts) {
                seconds += r.seconds();
                sent += r.sentPerSecond() * r.seconds();
                received += r.receivedPerSecond() * r.seconds();
            }
            return new Result(parts.getFirst().frameBytes(), seconds, sent / seconds, received / seconds);
        }
    }

    /**
     * A send loop set up once (sockets, and for DTLS the session) and measured in several windows,
     * so that the windows of different loops can alternate without a new handshake or new sockets
     * in each: those would make the JIT see the set-up code again between windows.
     */
    public interface Loop extends AutoCloseable {
        /** Sends for {@code warmup + duration} and counts the last {@code duration}. */
        Result measure(Duration warmup, Duration duration) throws IOException, InterruptedException;

        @Override
        void close();
    }

    private PlainUdpLoop() {
    }

    /** Sends for {@code warmup + duration} and counts the last {@code duration}. */
    public static Result run(int frameBytes, Duration warmup, Duration duration) throws IOException, InterruptedException {
        try (Loop loop = open(frameBytes)) {
            return loop.measure(warmup, duration);
        }
    }

    /** The plain loop: {@code frameBytes}-byte datagrams from one socket to another, over loopback. */
    public static Loop open(int frameBytes) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        DatagramSocket receiver = new DatagramSocket(loopback);
        DatagramSocket sender;
        try {
            sender = new DatagramSocket(loopback);
        } catch (IOException e) {
            receiver.close();
            throw e;
        }
        // Default receive buffer, as the scanner's and adapter's endpoints have.
        DatagramPacket out = new DatagramPacket(new byte[frameBytes], frameBytes, receiver.getLocalSocketAddress());
        return new Loop() {
            @Override
            public Result measure(Duration warmup, Duration duration) throws IOException, InterruptedException {
                return PlainUdpLoop.measure(receiver, frameBytes, warmup, duration, frame -> {
                    out.getData()[0] = frame[0];
                    sender.send(out);
                });
            }

            @Override
            public void close() {
                sender.close();
                receiver.close();
            }
        };
    }

    /** Sends one frame; the loop changes its first byte each time. */
    @FunctionalInterface
    interface FrameSender {
        void send(byte[] frame) throws IOException;
    }

    /**
     * One thread calls {@code send} as fast as it can for {@code warmup + duration} while another
     * counts what {@code receiver} gets. The counting thread blocks in an untimed receive, as a
     * receive loop does; it is ended with an empty datagram (no frame is empty), so that
     * {@code receiver} stays open for the next window.
     */
    static Result measure(DatagramSocket receiver, int frameBytes, Duration warmup, Duration duration, FrameSender send)
            throws IOException, InterruptedException {
        AtomicLong received = new AtomicLong();
        Thread rx = Thread.ofPlatform().name("bench-loop-rx").daemon(true).start(() -> {
            DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
            while (!receiver.isClosed()) {
                try {
                    in.setLength(2048);
                    receiver.receive(in);
                    if (in.getLength() == 0) {
                        return;
                    }
                    received.incrementAndGet();
                } catch (SocketException closed) {
                    return;
                } catch (IOException e) {
                    // Counted as not received.
                }
            }
        });
        byte[] frame = new byte[frameBytes];
        long[] window = new long[4];
        AtomicReference<IOException> failure = new AtomicReference<>();
        Thread tx = Thread.ofPlatform().name("bench-loop-tx").start(() -> {
            long start = System.nanoTime() + warmup.toNanos();
            long end = start + duration.toNanos();
            long n = 0;
            long atStart = -1;
            long rxAtStart = 0;
            long now;
            try {
                while ((now = System.nanoTime()) < end) {
                    if (atStart < 0 && now >= start) {
                        atStart = n;
                        rxAtStart = received.get();
                        window[0] = now;
                    }
                    frame[0] = (byte) n;
                    send.send(frame);
                    n++;
                }
            } catch (IOException e) {
                failure.set(e);
                return;
            }
            window[1] = System.nanoTime();
            window[2] = n - Math.max(0, atStart);
            window[3] = received.get() - rxAtStart;
        });
        tx.join();
        stop(receiver, rx);
        if (failure.get() != null) {
            throw failure.get();
        }
        double seconds = (window[1] - window[0]) / 1e9;
        return new Result(frameBytes, seconds, window[2] / seconds, window[3] / seconds);
    }

    /**
     * Sends empty datagrams to {@code receiver} until its counting thread ends; they can be dropped
     * while the socket's buffer is still full of frames, hence more than one.
     */
    private static void stop(DatagramSocket receiver, Thread rx) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        try (DatagramSocket poke = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            DatagramPacket empty = new DatagramPacket(new byte[0], 0, receiver.getLocalSocketAddress());
            while (rx.isAlive()) {
                if (System.nanoTime() > deadline) {
                    receiver.close();
                    throw new IOException("the counting thread did not stop; its socket is closed");
                }
                poke.send(empty);
                rx.join(10);
            }
        }
    }
}
