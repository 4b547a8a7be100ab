package io.deezwatts.sink.duckdb;

import com.sun.net.httpserver.HttpExchange;
import io.deezwatts.core.ingest.Requeue;
import io.deezwatts.core.ingest.RequeueReport;
import io.deezwatts.core.sink.QuarantineStore.OpenCount;
import io.deezwatts.core.sink.Resolution.Outcome;
import io.deezwatts.core.sink.SinkException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The requeue request of {@link QueryServer}: runs {@link Requeue} in this process, the file's one
 * writer, so that its writes are serialised with everything else this process stores, and streams
 * what happens back as lines. Both sides of the line format live here.
 *
 * <p>Request (a properties text): {@code since} (an instant, absent for all), {@code reason}
 * (absent for all), {@code apply}, {@code pageSize}, {@code top} (how many reasons to send). Answer
 * (200, one tab-separated record a line, texts URL-encoded): {@code sink NAME}, {@code total N
 * exact|about} when known, {@code progress ENTRIES ROWS} after each page, then {@code outcome NAME
 * N} for each outcome, {@code reason N TEXT} for the top reasons, {@code rows N}, and last {@code
 * end ok} or {@code end transient|permanent MESSAGE} when storing failed. A stream that stops
 * before {@code end} means this process stopped mid-run: the pages before stay resolved.
 */
final class RequeueChannel {
  private static final Logger LOG = Logger.getLogger(RequeueChannel.class.getName());

  private final DuckDbStore store;
  private final AtomicBoolean running = new AtomicBoolean();

  RequeueChannel(DuckDbStore store) {
    this.store = store;
  }

  /** A requeue request as sent over the channel. */
  static String request(Requeue.Options o, int topReasons) {
    Properties p = new Properties();
    if (o.since() != null) {
      p.setProperty("since", o.since().toString());
    }
    if (o.reasonContains() != null) {
      p.setProperty("reason", o.reasonContains());
    }
    p.setProperty("apply", Boolean.toString(o.apply()));
    p.setProperty("pageSize", Integer.toString(o.pageSize()));
    p.setProperty("top", Integer.toString(topReasons));
    StringWriter w = new StringWriter();
    try {
      p.store(w, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return w.toString();
  }

  /** Answers one authenticated requeue request. */
  void handle(HttpExchange x, String body) throws IOException {
    Requeue.Options options;
    int top;
    try {
      Properties p = new Properties();
      p.load(new StringReader(body));
      String since = p.getProperty("since");
      options =
          new Requeue.Options(
              since == null ? null : Instant.parse(since),
              p.getProperty("reason"),
              Boolean.parseBoolean(p.getProperty("apply")),
              Integer.parseInt(p.getProperty("pageSize")));
      top = Integer.parseInt(p.getProperty("top"));
      if (top < 0) {
        throw new IllegalArgumentException("top must be at least 0, not " + top);
      }
    } catch (RuntimeException e) {
      QueryServer.answer(x, 400, "bad requeue request: " + e.getMessage());
      return;
    }
    if (!running.compareAndSet(false, true)) {
      QueryServer.answer(x, 409, "a requeue is already running in the process holding the file");
      return;
    }
    DuckDbSink shared;
    try {
      shared = DuckDbSink.sharing(store);
    } catch (IllegalStateException stopping) {
      running.set(false);
      QueryServer.answer(x, 503, stopping.getMessage());
      return;
    }
    try (DuckDbSink sink = shared) {
      x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      x.sendResponseHeaders(200, 0);
      Writer out =
          new BufferedWriter(new OutputStreamWriter(x.getResponseBody(), StandardCharsets.UTF_8));
      line(out, "sink", text(sink.describe()));
      RequeueReport report = new RequeueReport();
      SinkException failure = null;
      try {
        OpenCount count = sink.countOpen(options.since(), options.reasonContains());
        line(out, "total", Long.toString(count.entries()), count.exact() ? "exact" : "about");
        new Requeue(sink, sink, store.catalog(), Clock.systemUTC())
            .run(
                options,
                soFar -> {
                  try {
                    line(out, "progress", Long.toString(soFar.entries()), "" + soFar.rowsStored());
                  } catch (IOException gone) {
                    throw new UncheckedIOException(gone);
                  }
                },
                report);
      } catch (SinkException e) {
        failure = e;
      }
      running.set(false); // before the report: a client may send the next request once it has it
      for (Outcome o : Outcome.values()) {
        line(out, "outcome", o.wireName(), Long.toString(report.count(o)));
      }
      for (Map.Entry<String, Long> r : report.topReasons(top)) {
        line(out, "reason", Long.toString(r.getValue()), text(r.getKey()));
      }
      line(out, "rows", Long.toString(report.rowsStored()));
      if (failure == null) {
        line(out, "end", "ok");
      } else {
        line(
            out,
            "end",
            failure.isTransient() ? "transient" : "permanent",
            text(String.valueOf(failure.getMessage())));
      }
      out.close();
    } catch (UncheckedIOException | IOException gone) {
      // The client went away (say, Ctrl-C): stop at this page; the pages before stay resolved.
      LOG.warning("a requeue's client went away; stopped after the pages done");
    } finally {
      running.set(false);
    }
  }

  private static void line(Writer out, String... fields) throws IOException {
    out.write(String.join("\t", fields));
    out.write('\n');
    out.flush();
  }

  static String text(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String untext(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
