package io.deezwatts.cli.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.testing.cc.FakeConnectedCars;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code deezwatts cc ...} in-process, its output captured by picocli, against {@link
 * FakeConnectedCars} playing the auth and GraphQL APIs over real HTTP.
 */
class CcCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  FakeConnectedCars cc;
  Map<String, String> env;

  record Run(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  @BeforeEach
  void setUp() {
    cc = new FakeConnectedCars();
    env = new HashMap<>(cc.env(cc.writeServiceAccount(dir)));
  }

  @AfterEach
  void tearDown() {
    cc.close();
  }

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(new CcCommand(env))
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void vehiclesAsATableAndAsJsonFilteredByFleet() throws Exception {
    cc.consent(51848, 1L).consent(51879, 1L).consent(60000, 2L);

    Run table = run("vehicles", "--fleet", "1");
    Run json = run("vehicles", "--fleet", "1", "--json");

    assertEquals(0, table.exit(), table.err());
    String[] lines = table.out().split("\n");
    assertTrue(lines[0].matches("ID +VIN +UNIT SERIAL +PROVIDER +FLEET"), lines[0]);
    assertTrue(lines[1].matches("51848 +VIN51848 +serial-51848 +cc +1"), lines[1]);
    assertEquals("2 consented vehicles", lines[3]);
    assertEquals(0, json.exit());
    JsonNode list = json.json();
    assertEquals(2, list.size());
    assertEquals(51879, list.get(1).get("id").asLong());
    assertEquals(1, list.get(1).get("fleetId").asLong());
  }

  @Test
  void streamsListFiltersByTopicVehicleAndFleet() throws Exception {
    cc.consent(1, 10L).consent(2, 20L).topics(87, 88);
    cc.stream(1, 87);
    cc.stream(1, 88);
    cc.stream(2, 87);

    assertEquals(2, run("streams", "list", "--topic", "87", "--json").json().size());
    JsonNode one = run("streams", "list", "--topic", "88", "--vehicle", "1", "--json").json();
    assertEquals(1, one.size());
    assertEquals(88, one.get(0).get("integrationTopicId").asLong());
    JsonNode fleet = run("streams", "list", "--fleet", "20", "--json").json();
    assertEquals(1, fleet.size());
    assertEquals(2, fleet.get(0).get("vehicleId").asLong());
    assertTrue(run("streams", "list", "--fleet", "99", "--json").json().isEmpty());
  }

  @Test
  void streamsAddUpdateDeleteAndDeleteAll() throws Exception {
    cc.consent(1, 5L).consent(2, 5L).consent(3, null).topics(87, 88);

    Run added = run("streams", "add", "--topic", "87,88", "--fleet", "5", "--json");
    assertEquals(0, added.exit(), added.err());
    assertEquals(4, added.json().size());
    assertEquals(
        Set.of(List.of(1L, 87L), List.of(1L, 88L), List.of(2L, 87L), List.of(2L, 88L)),
        cc.streamPairs());

    long id = added.json().get(0).get("id").asLong();
    Run updated =
        run("streams", "update", Long.toString(id), "--reference-url", "https://x/1", "--json");
    assertEquals("https://x/1", updated.json().get("referenceUrl").asText());
    assertEquals(
        "https://x/1",
        cc.streams().stream()
            .filter(s -> s.id() == id)
            .findFirst()
            .map(FakeConnectedCars.DataStream::referenceUrl)
            .orElse(null));

    assertEquals(0, run("streams", "delete", Long.toString(id)).exit());
    assertEquals(3, cc.streams().size());
    Run all = run("streams", "delete-all", "--vehicle", "2");
    assertEquals(0, all.exit(), all.err());
    assertEquals(Set.of(List.of(1L, 88L)), cc.streamPairs());
  }

  @Test
  void aRefusedAddExitsOneWithTheServersMessageAndAddsNothing() {
    cc.consent(1, null).topics(87);

    Run r = run("streams", "add", "--topic", "87", "--vehicle", "1,9");

    assertEquals(1, r.exit());
    assertTrue(
        r.err()
            .contains(
                "permission denied: Permission denied: the service account has no access to vehicle 9"),
        r.err());
    assertTrue(cc.streams().isEmpty());
  }

  @Test
  void anUnavailableApiSaysTryLater() {
    cc.down(true);

    Run r = run("vehicles");

    assertEquals(1, r.exit());
    assertTrue(r.err().contains("HTTP 503") && r.err().contains("try again later"), r.err());
  }

  @Test
  void syncIsADryRunUntilApply() throws Exception {
    cc.consentRange(1, 3).topics(87);
    cc.stream(2, 87);

    Run dry = run("sync", "--topic", "87", "--json");
    assertEquals(0, dry.exit(), dry.err());
    JsonNode result = dry.json();
    assertFalse(result.get("applied").asBoolean());
    assertEquals(2, result.get("missing").size());
    assertEquals(1, result.get("missing").get(0).get("vehicleId").asLong());
    assertEquals(1, cc.streams().size(), "a dry run adds nothing");
    assertTrue(dry.err().contains("3 consented vehicles"), "progress on stderr: " + dry.err());

    Run applied = run("sync", "--topic", "87", "--apply");
    assertEquals(0, applied.exit(), applied.err());
    assertTrue(applied.out().contains("added 2 streams"), applied.out());
    assertEquals(Set.of(List.of(1L, 87L), List.of(2L, 87L), List.of(3L, 87L)), cc.streamPairs());
  }

  @Test
  void syncTakesItsTopicsFromTheSettingAndReportsRefusals() throws Exception {
    cc.consentRange(1, 3).topics(87).refuse(3);
    env.put("DEEZWATTS_CC_AUTO_STREAM_TOPICS", "87");

    Run r = run("sync", "--apply", "--json");

    assertEquals(1, r.exit(), "a refused stream needs attention");
    JsonNode result = r.json();
    assertEquals(2, result.get("added").size());
    assertEquals(3, result.get("failed").get(0).get("stream").get("vehicleId").asLong());
  }

  @Test
  void usageAndConfigurationErrorsExitTwo() {
    Run noTopic = run("sync");
    assertEquals(2, noTopic.exit());
    assertTrue(noTopic.err().contains("give --topic ID"), noTopic.err());

    Run both = run("revoke", "--integration", "787", "--fleet", "1", "--vehicle", "2");
    assertEquals(2, both.exit());

    Run noVehicle = run("streams", "delete-all");
    assertEquals(2, noVehicle.exit());

    env.remove("DEEZWATTS_CC_NAMESPACE");
    Run noNamespace = run("vehicles");
    assertEquals(2, noNamespace.exit());
    assertTrue(noNamespace.err().contains("DEEZWATTS_CC_NAMESPACE is not set"), noNamespace.err());
    assertTrue(cc.requests().isEmpty() && cc.logins().isEmpty());
  }

  @Test
  void revokeAVehicle() {
    cc.consent(1, null).consent(2, null).topics(87);
    cc.stream(1, 87);
    cc.stream(2, 87);

    Run r = run("revoke", "--integration", "787", "--vehicle", "1");

    assertEquals(0, r.exit(), r.err());
    assertEquals(Set.of(List.of(2L, 87L)), cc.streamPairs());
    assertTrue(cc.requests().get(0).query().contains("integrationId: 787, vehicleId: 1"));
  }
}
