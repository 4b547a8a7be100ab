package io.deezwatts.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.BulkRejectedException;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.decode.Limits;
import io.deezwatts.core.decode.QuarantinedEvent;
import io.deezwatts.core.decode.Row;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code deezwatts decode --source S [--rows] FILE}: decodes one bulk and prints a report as the
 * last line of stdout. Other tools script against this output; keep it stable.
 */
@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    description = {
      "Decode and validate one bulk without storing it.",
      "The last line of stdout is always the report:",
      "  {\"status\": \"accepted\"|\"rejected\", \"events\": N, \"stored\": N, \"quarantined\": [...]}",
      "Exit status: 0 accepted, 1 rejected, 2 usage error."
    })
final class DecodeCommand implements Callable<Integer> {
  enum Source {
    DATA_STREAMS("data-streams"),
    LEGACY_PUSH("legacy-push"),
    VIRICITI("viriciti");

    final String feed;

    Source(String feed) {
      this.feed = feed;
    }

    @Override
    public String toString() {
      return feed;
    }
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--source",
      required = true,
      converter = SourceConverter.class,
      description = "data-streams, legacy-push or viriciti")
  Source source;

  @Option(
      names = "--rows",
      description = "Also print each row and quarantined event, one per line.")
  boolean rows;

  @Parameters(
      paramLabel = "FILE",
      description =
          "A bulk (a JSON array) for the Connected Cars sources, or newline-delimited socket "
              + "messages for viriciti; - reads standard input.")
  String file;

  @Override
  public Integer call() throws IOException {
    byte[] body = read(file);
    PrintWriter out = spec.commandLine().getOut();
    try (JsonGenerator g = RowJson.JSON.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.setRootValueSeparator(null);
      if (body == null) {
        return rejected(g, out, "the input is larger than " + Limits.MAX_BODY_BYTES + " bytes");
      }
      DecodedBulk bulk;
      try {
        bulk = BulkDecoder.forFeed(source.feed).decode(body, IngestContext.replay(Instant.now()));
      } catch (BulkRejectedException e) {
        return rejected(g, out, e.getMessage());
      }
      if (rows) {
        for (Row row : bulk.rows()) {
          RowJson.writeRow(g, row, true);
          line(g, out);
        }
        for (QuarantinedEvent q : bulk.quarantined()) {
          RowJson.writeQuarantined(g, q);
          line(g, out);
        }
      }
      g.writeStartObject();
      g.writeStringField("status", "accepted");
      g.writeNumberField("events", bulk.events());
      g.writeNumberField("stored", bulk.rows().size());
      g.writeArrayFieldStart("quarantined");
      for (QuarantinedEvent q : bulk.quarantined()) {
        g.writeStartObject();
        g.writeNumberField("index", q.index());
        g.writeStringField("type", q.type());
        g.writeStringField("reason", q.reason());
        g.writeEndObject();
      }
      g.writeEndArray();
      if (source == Source.VIRICITI) {
        g.writeNumberField("control", bulk.control().size());
      }
      g.writeEndObject();
      line(g, out);
      return ExitStatus.OK;
    }
  }

  private static int rejected(JsonGenerator g, PrintWriter out, String error) throws IOException {
    g.writeStartObject();
    g.writeStringField("status", "rejected");
    g.writeNumberField("events", 0);
    g.writeNumberField("stored", 0);
    g.writeArrayFieldStart("quarantined");
    g.writeEndArray();
    g.writeStringField("error", error);
    g.writeEndObject();
    line(g, out);
    return ExitStatus.FAILED;
  }

  private static void line(JsonGenerator g, PrintWriter out) throws IOException {
    g.flush();
    out.println();
    out.flush();
  }

  /** The file's bytes, or null when it is over the body limit (so it is not read whole). */
  private byte[] read(String name) {
    try (InputStream in = "-".equals(name) ? System.in : Files.newInputStream(Path.of(name))) {
      byte[] body = in.readNBytes(Limits.MAX_BODY_BYTES + 1);
      return body.length > Limits.MAX_BODY_BYTES ? null : body;
    } catch (NoSuchFileException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }

  static final class SourceConverter implements CommandLine.ITypeConverter<Source> {
    @Override
    public Source convert(String value) {
      for (Source s : Source.values()) {
        if (s.feed.equals(value)) {
          return s;
        }
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a source; use data-streams, legacy-push or viriciti");
    }
  }
}
