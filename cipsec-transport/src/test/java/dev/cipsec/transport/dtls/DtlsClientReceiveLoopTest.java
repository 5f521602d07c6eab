package dev.cipsec.transport.dtls;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.cipsec.transport.dtls.DtlsEcho.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Many client ports on the one receive loop: each gets its own datagrams, and one ending disturbs no other. */
class DtlsClientReceiveLoopTest {
    static final int CLIENTS = 12;

    @Test
    void clientPortsShareOneReceiveThreadAndOneEndingDisturbsNoOther() throws IOException {
        try (DtlsEcho echo = DtlsEcho.start(DtlsEcho.psk(DtlsServerPortTest.SUITE))) {
            List<DtlsClientPort> clients = new ArrayList<>();
            List<DtlsEcho.Inbox> inboxes = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    DtlsEcho.Inbox inbox = new DtlsEcho.Inbox();
                    inboxes.add(inbox);
                    clients.add(DtlsEcho.client(echo.address(), DtlsEcho.psk(DtlsServerPortTest.SUITE), inbox));
                }
                // Every client sends before any reads: the loop has datagrams on many sockets at once.
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < CLIENTS; i++) {
                        String text = "c" + i + "r" + round;
                        clients.get(i).send(ascii(text), 0, text.length(), clients.get(i).server());
                    }
                }
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < CLIENTS; i++) {
                        assertThat(inboxes.get(i).next()).isEqualTo("c" + i + "r" + round);
                    }
                }
                assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("cipsec-dtls-client-rx")))
                        .as("one receive thread for every client session").hasSize(1);

                // One port closes (close_notify to the device): the others carry on.
                clients.get(0).close();
                assertThatThrownBy(() -> clients.get(0).send(ascii("late"), 0, 4, clients.get(0).server()))
                        .isInstanceOf(IOException.class);
                DtlsEcho.await(() -> echo.port.sessionCount() == CLIENTS - 1, "the closed client's session gone");
                roundTrips(clients, inboxes, 1, "after a close");

                // The device ends every session: each client port gets its channel back, handshakes again, and
                // its session goes back on the loop.
                echo.port.endSessions();
                for (int i = 1; i < CLIENTS; i++) {
                    DtlsClientPort c = clients.get(i);
                    DtlsEcho.await(() -> c.handshakesCompleted() == 2, "client " + c.localAddress() + " handshaking again");
                }
                roundTrips(clients, inboxes, 1, "after new handshakes");
                // Three rounds, then one after the close and one after the new handshakes: nothing lost, nothing doubled.
                assertThat(clients.subList(1, CLIENTS)).allSatisfy(c -> assertThat(c.stats().received()).isEqualTo(5));
                // The device's close_notify is an orderly end, not a receive error.
                assertThat(clients.subList(1, CLIENTS)).allSatisfy(c -> assertThat(c.stats().receiveErrors()).isZero());
            } finally {
                clients.forEach(DtlsClientPort::close);
            }
        }
    }

    @Test
    void aReceiverThatClosesItsPortEndsTheSessionWithCloseNotify() throws IOException {
        try (DtlsEcho echo = DtlsEcho.start(DtlsEcho.psk(DtlsServerPortTest.SUITE))) {
            DtlsClientPort[] self = new DtlsClientPort[1];
            java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
            self[0] = DtlsClientPort.connect(DtlsEcho.LOOPBACK, echo.address(), 1400, "client",
                    DtlsEcho.psk(DtlsServerPortTest.SUITE), DtlsLimits.DEFAULT_IDLE_TIMEOUT, (buf, off, len, from) -> {
                        self[0].close();
                        closed.countDown();
                    });
            try {
                self[0].send(ascii("bye"), 0, 3, self[0].server());
                DtlsEcho.await(() -> closed.getCount() == 0, "the receiver's close");
                // With close_notify the device ends the session at once; without it only its idle timeout would.
                DtlsEcho.await(() -> echo.port.sessionCount() == 0, "the session ended by close_notify");
                assertThat(echo.port.dtlsStats().idleClosed()).isZero();
            } finally {
                self[0].close();
            }
        }
    }

    private static void roundTrips(List<DtlsClientPort> clients, List<DtlsEcho.Inbox> inboxes, int from, String text)
            throws IOException {
        for (int i = from; i < clients.size(); i++) {
            DtlsServerPortTest.roundTripAcrossRehandshakes(clients.get(i), inboxes.get(i), text + " " + i);
        }
    }
}
