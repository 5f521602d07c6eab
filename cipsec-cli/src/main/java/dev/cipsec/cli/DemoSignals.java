package dev.cipsec.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * Ctrl-C (SIGINT) and SIGTERM for the demo: the first one asks the demo to stop (it then closes its
 * connections and its device, prints where its files are and exits 0); a second one goes to the
 * handler that was there before, the JVM's own, which ends the process the usual way.
 *
 * <p>A signal handler rather than a shutdown hook, because a shutdown hook runs only once the JVM has
 * decided to exit with 130: the demo could not end on its own terms and report "exit 0".
 */
final class DemoSignals implements AutoCloseable {
    private record Installed(Signal signal, SignalHandler previous) {
    }

    private final List<Installed> installed = new ArrayList<>();

    private DemoSignals() {
    }

    /** Sends INT and TERM to {@code stop} once, then to the previous handlers, until closed. */
    static DemoSignals install(Runnable stop) {
        DemoSignals s = new DemoSignals();
        boolean[] stopped = {false};
        for (String name : List.of("INT", "TERM")) {
            Signal signal = new Signal(name);
            SignalHandler[] previous = new SignalHandler[1];
            SignalHandler handler = sig -> {
                boolean first;
                synchronized (stopped) {
                    first = !stopped[0];
                    stopped[0] = true;
                }
                if (first) {
                    stop.run();
                } else if (previous[0] != null && previous[0] != SignalHandler.SIG_IGN && previous[0] != SignalHandler.SIG_DFL) {
                    previous[0].handle(sig);
                } else {
                    Runtime.getRuntime().exit(128 + sig.getNumber());
                }
            };
            try {
                previous[0] = Signal.handle(signal, handler);
                s.installed.add(new Installed(signal, previous[0]));
            } catch (IllegalArgumentException e) {
                // The JVM keeps this signal for itself (-Xrs, or no such signal here): Ctrl-C then ends the JVM as usual.
            }
        }
        return s;
    }

    @Override
    public void close() {
        for (Installed i : installed) {
            Signal.handle(i.signal(), i.previous());
        }
        installed.clear();
    }
}
