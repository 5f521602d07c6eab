package dev.cipsec.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

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

    private PlainUdpLoop() {
    }

    /** Sends for {@code warmup + duration} and counts the last {@code duration}. */
    public static Result run(int frameBytes, Duration warmup, Duration duration) throws IOException, InterruptedException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (DatagramSocket receiver = new DatagramSocket(loopback);
             DatagramSocket sender = new DatagramSocket(loopback)) {
            // Default receive buffer, as the scanner's and adapter's endpoints have.
            DatagramPacket out = new DatagramPacket(new byte[frameBytes], frameBytes, receiver.getLocalSocketAddress());
            return measure(receiver, frameBytes, warmup, duration, frame -> {
                out.getData()[0] = frame[0];
                sender.send(out);
            });
        }
    }

    /** Sends one frame; the loop changes its first byte each time. */
    @FunctionalInterface
    interface FrameSender {
        void send(byte[] frame) throws IOException;
    }

    /**
     * One thread calls {@code send} as fast as it can for {@code warmup + duration} while another
     * counts what {@code receiver} gets; closes {@code receiver} at the end.
     */
    static Result measure(DatagramSocket receiver, int frameBytes, Duration warmup, Duration duration, FrameSender send)
            throws InterruptedException {
        AtomicLong received = new AtomicLong();
        Thread rx = Thread.ofPlatform().name("bench-loop-rx").daemon(true).start(() -> {
            DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
            while (!receiver.isClosed()) {
                try {
                    receiver.receive(in);
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
                throw new UncheckedIOException(e);
            }
            window[1] = System.nanoTime();
            window[2] = n - Math.max(0, atStart);
            window[3] = received.get() - rxAtStart;
        });
        tx.join();
        receiver.close();
        rx.join(5_000);
        double seconds = (window[1] - window[0]) / 1e9;
        return new Result(frameBytes, seconds, window[2] / seconds, window[3] / seconds);
    }
}
