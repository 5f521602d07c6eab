package dev.cipsec.commission.est;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PendingStoreTest {
    @TempDir
    Path tmp;

    static PendingRequest request(String id, Instant created) {
        return new PendingRequest(id, PendingRequest.Status.PENDING, created, "/127.0.0.1:5000", "CN=factory",
                "CN=factory", "AB".repeat(32), "", "CN=drive1", "CD".repeat(32), "");
    }

    @Test
    void submitKeepsTheFirstAndDecisionsPersist() throws Exception {
        PendingStore store = PendingStore.open(tmp, 4);
        Instant t = Instant.parse("2026-11-26T10:00:00Z");
        PendingRequest a = request("00000000000000aa", t.plusSeconds(5));
        PendingRequest b = request("00000000000000bb", t);
        assertThat(store.submit(a)).isEqualTo(a);
        assertThat(store.submit(b)).isEqualTo(b);
        PendingStore.existing(tmp).approve(a.id(), "plc1");
        // A retry of the same request does not undo the decision.
        assertThat(store.submit(a).status()).isEqualTo(PendingRequest.Status.APPROVED);
        assertThat(store.get(a.id())).get().extracting(PendingRequest::device).isEqualTo("plc1");
        assertThat(store.list()).extracting(PendingRequest::id).containsExactly(b.id(), a.id());
        assertThat(store.deny(b.id()).status()).isEqualTo(PendingRequest.Status.DENIED);
        assertThatThrownBy(() -> store.approve(b.id(), "")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("denied");
        assertThat(store.remove(a.id())).isTrue();
        assertThat(store.get(a.id())).isEmpty();
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void boundCountsEveryHeldFile() throws Exception {
        PendingStore store = PendingStore.open(tmp, 2);
        store.submit(request("0000000000000001", Instant.now()));
        store.submit(request("0000000000000002", Instant.now()));
        assertThatThrownBy(() -> store.submit(request("0000000000000003", Instant.now())))
                .isInstanceOf(PendingStore.PendingFullException.class);
        store.remove("0000000000000001");
        store.submit(request("0000000000000003", Instant.now()));
        assertThat(store.list()).hasSize(2);
    }

    @Test
    void unknownIdsAndBrokenFiles() throws Exception {
        PendingStore store = PendingStore.open(tmp, 8);
        assertThatThrownBy(() -> store.approve("0123456789abcdef", "")).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.get("../../etc/passwd")).isEmpty();
        assertThat(store.remove("../x")).isFalse();
        Files.writeString(tmp.resolve("pending/0123456789abcdef.json"), "{ not json");
        Files.writeString(tmp.resolve("pending/notes.json"), "{}");
        store.submit(request("00000000000000ff", Instant.now()));
        assertThat(store.list()).extracting(PendingRequest::id).containsExactly("00000000000000ff");
        assertThatThrownBy(() -> PendingStore.existing(tmp.resolve("nowhere"))).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> request("XYZ", Instant.now())).isInstanceOf(IllegalArgumentException.class);
    }
}
