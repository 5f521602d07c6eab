package dev.cipsec.commission.est;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests beyond the concurrency limit are answered 503 with Retry-After, and served again once it frees. */
class EstConcurrencyLimitTest {
    @TempDir
    Path tmp;

    @Test
    void aStalledRequestHoldsTheOnlySlot() throws Exception {
        try (EstPlant plant = EstPlant.start(tmp, "", c -> c.withLimits(4096, 1, 8, 9))) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", plant.ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", plant.port())) {
                OutputStream out = s.getOutputStream();
                // Headers only: the handler holds its slot while it waits for the body.
                out.write(("POST /.well-known/est/simpleenroll HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/pkcs10\r\nContent-Length: 100\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();

                HttpClient client = plant.httpClient(null);
                HttpRequest cacerts = HttpRequest.newBuilder(URI.create(plant.server.baseUri() + "cacerts")).GET().build();
                // The stalled handler takes its slot a moment after the headers arrive; until then cacerts is served.
                Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
                HttpResponse<String> busy;
                do {
                    busy = client.send(cacerts, HttpResponse.BodyHandlers.ofString());
                } while (busy.statusCode() == 200 && Instant.now().isBefore(deadline));
                assertThat(busy.statusCode()).isEqualTo(503);
                assertThat(busy.headers().firstValue("Retry-After")).contains("9");

                // 100 base64 characters that are no PKCS#10: the stalled request ends with 400 and frees the slot.
                out.write("A".repeat(100).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("HTTP/1.1 400");
                assertThat(client.send(cacerts, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            }
        }
    }
}
