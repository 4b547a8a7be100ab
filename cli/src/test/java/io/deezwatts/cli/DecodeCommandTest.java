package io.deezwatts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code deezwatts decode} contract that other tools script against: one JSON object per line,
 * the report last, exit 0/1/2. The command runs in-process with its output captured by picocli.
 */
class DecodeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  record Run(int exit, List<JsonNode> lines, String err) {
    JsonNode report() {
      return lines.get(lines.size() - 1);
    }
  }

  private Run run(String... args) throws IOException {
    CliRun r = CliRun.of(args);
    List<JsonNode> lines = new ArrayList<>();
    for (String line : r.out().split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return new Run(r.exit(), lines, r.err());
  }

  private Path file(String content) throws IOException {
    Path f = Files.createTempFile(dir, "bulk", ".json");
    Files.writeString(f, content);
    return f;
  }

  @Test
  void rowsThenReportForAnAcceptedBulk() throws IOException {
    Path bulk =
        file(
            """
            [
            {"type": "car_ignition", "id": 433642, "value": false, "vehicleId": "1337",
             "time": "2022-01-01T13:30:10+01:00",},
            {"type": "gps_position", "id": 5, "vehicleId": 7, "time": "2022-10-12T07:06:45Z",
             "latitude": 95.0, "longitude": 17.4}
            ]
            """);
    Run r = run("decode", "--source", "data-streams", "--rows", bulk.toString());

    assertEquals(0, r.exit());
    assertEquals(3, r.lines().size(), "a row, a quarantine entry, the report");
    JsonNode row = r.lines().get(0);
    assertEquals("vehicle_events", row.get("table").asText());
    assertEquals("car_ignition", row.get("type").asText());
    assertEquals("2022-01-01T12:30:10Z", row.get("time").asText(), "times are UTC instants");
    assertEquals(1337, row.get("vehicle_id").asInt(), "vehicleId sent as a string is an integer");
    assertFalse(row.get("value_bool").asBoolean());
    assertTrue(row.get("event_key").asText().matches("[0-9a-f]{32}"));
    assertEquals("1337", row.get("payload").get("vehicleId").asText(), "payload as sent");

    JsonNode quarantined = r.lines().get(1);
    assertEquals("quarantine", quarantined.get("table").asText());
    assertEquals(1, quarantined.get("event_index").asInt());

    JsonNode report = r.report();
    assertEquals("accepted", report.get("status").asText());
    assertEquals(2, report.get("events").asInt());
    assertEquals(1, report.get("stored").asInt());
    assertEquals(1, report.get("quarantined").get(0).get("index").asInt());
    assertEquals("gps_position", report.get("quarantined").get(0).get("type").asText());
    String reason = report.get("quarantined").get(0).get("reason").asText();
    assertTrue(reason.contains("event 1") && reason.contains("latitude"), reason);
    assertFalse(report.has("error"));
  }

  @Test
  void reportAloneWithoutRows() throws IOException {
    Run r =
        run(
            "decode",
            "--source",
            "legacy-push",
            file("[{\"type\":\"ignition_on\","
                    + "\"carId\":\"ABC\",\"time\":\"2017-01-01T12:30:10Z\"}]")
                .toString());
    assertEquals(0, r.exit());
    assertEquals(1, r.lines().size());
    assertEquals(1, r.report().get("stored").asInt());
  }

  @Test
  void rejectedBulkExitsOneWithTheError() throws IOException {
    Run r =
        run("decode", "--source", "data-streams", "--rows", file("{\"type\":\"x\"}").toString());
    assertEquals(1, r.exit());
    assertEquals(1, r.lines().size());
    assertEquals("rejected", r.report().get("status").asText());
    assertTrue(
        r.report().get("error").asText().contains("not a JSON array"), r.report().toString());
    assertEquals(0, r.report().get("stored").asInt());
  }

  @Test
  void viricitiCountsControlMessages() throws IOException {
    Path messages =
        file(
            """
            {"vehicles": {"vehicle_1": ["soc"]}}
            {"type": "vehicles", "payload": {"time": 1552665820742, "value": 88.6, "label": "soc", "vid": "vehicle_1"}}
            {"type": "error", "payload": "not allowed"}
            """);
    Run r = run("decode", "--source", "viriciti", "--rows", messages.toString());
    assertEquals(0, r.exit());
    assertEquals("viriciti_vehicle_data", r.lines().get(0).get("table").asText());
    assertEquals(88.6, r.lines().get(0).get("value_num").asDouble());
    assertEquals(2, r.report().get("control").asInt());
    assertEquals(1, r.report().get("events").asInt());
  }

  @Test
  void usageErrorsExitTwo() throws IOException {
    Path bulk = file("[]");
    Run unknownSource = run("decode", "--source", "tesla", bulk.toString());
    assertEquals(2, unknownSource.exit());
    assertTrue(unknownSource.err().contains("data-streams, legacy-push or viriciti"));
    assertEquals(2, run("decode", bulk.toString()).exit(), "--source is required");
    assertEquals(2, run("decode", "--source", "data-streams").exit(), "FILE is required");
    Run missing = run("decode", "--source", "data-streams", dir.resolve("nope.json").toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("no such file"), missing.err());
    assertEquals(2, run("frobnicate").exit());
  }
}
