package dev.cipsec.objects.file;

import dev.cipsec.objects.MessageRouter;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.epath.EPath;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** A File object on a router, with a hand-driven clock and timer and a recording listener. */
final class FileKit implements AutoCloseable {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    final ManualTimer timer = new ManualTimer();
    final List<String> events = new ArrayList<>();
    final FileObject files;
    final MessageRouter router = new MessageRouter();

    FileKit(FileObject.Limits limits) {
        InstantSource clock = now::get;
        files = new FileObject(limits, clock, timer, new FileObject.Listener() {
            @Override
            public synchronized void changed(FileInstanceInfo info, Bytes contents) {
                events.add("changed " + info.id() + " state " + info.state() + " size " + contents.length());
            }

            @Override
            public synchronized void deleted(long id) {
                events.add("deleted " + id);
            }
        });
        router.register(files.cipClass());
    }

    FileKit() {
        this(FileObject.Limits.defaults());
    }

    MessageRouterResponse send(int service, String path, Bytes data) {
        return router.handle(new MessageRouterRequest(service, EPath.parse(path), data), RequestContext.forTest());
    }

    MessageRouterResponse send(int service, String path, String hex) {
        return send(service, path, Bytes.fromHex(hex));
    }

    void advance(Duration d) {
        now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Keeps scheduled tasks for the test to run; the returned futures never fire by themselves. */
    static final class ManualTimer extends ScheduledThreadPoolExecutor {
        final List<Runnable> tasks = new ArrayList<>();
        final List<Long> delaysMillis = new ArrayList<>();

        ManualTimer() {
            super(1);
        }

        @Override
        public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            tasks.add(command);
            delaysMillis.add(unit.toMillis(delay));
            return super.schedule(() -> { }, 1, TimeUnit.DAYS);
        }

        synchronized void runLast() {
            tasks.get(tasks.size() - 1).run();
        }
    }
}
