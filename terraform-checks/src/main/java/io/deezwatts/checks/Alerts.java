package io.deezwatts.checks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The alerts each root must create (README, Operations), and that they watch what the code writes:
 * a log line or field an alert matches must be one the functions still log.
 */
public final class Alerts {
  /** The field of the per-bulk log line that counts quarantined events ({@code LogFields}). */
  static final String QUARANTINED_FIELD = "quarantined";

  /** The start of the line the Event Hubs path logs when a bulk is neither stored nor parked. */
  static final String LOST_LINE = "LOST unless replayed";

  /** The local holding the quarantine metric's PromQL name, whose {@code _sum} the alert reads. */
  static final String QUARANTINED_PROMQL_LOCAL = "quarantined_events_promql";

  private Alerts() {}

  /**
   * Google Cloud: the dead-letter subscription's undelivered messages above 0 for 5 minutes; 5xx
   * answers of both ingest functions; a log-based distribution metric of the per-bulk line's
   * quarantined count, with an alert on the rate of its sum (events, not bulks); every policy
   * notifying {@code local.alert_channels}, which holds the e-mail channel.
   *
   * @param coreLiterals the string literals of core's sources, where the log fields are named
   */
  public static List<String> gcp(TerraformModule m, Set<String> coreLiterals) {
    List<String> problems = new ArrayList<>();
    List<TerraformModule.Block> policies = m.resources("google_monitoring_alert_policy");
    if (policies.isEmpty()) {
      return List.of(m.dir() + " has no google_monitoring_alert_policy");
    }
    require(
        problems,
        policies,
        c ->
            c.path("filter").asText().contains("subscription/num_undelivered_messages")
                && c.path("filter").asText().contains("${google_pubsub_subscription.dead_letter.")
                && "300s".equals(c.path("duration").asText())
                && "COMPARISON_GT".equals(c.path("comparison").asText())
                && c.path("threshold_value").asDouble(-1) == 0,
        "no alert on the dead-letter subscription's undelivered messages above 0 for 300s");
    require(
        problems,
        policies,
        c ->
            c.path("filter").asText().contains("run.googleapis.com/request_count")
                && c.path("filter").asText().contains("5xx")
                && c.path("filter").asText().contains("${google_cloudfunctions2_function.http.")
                && c.path("filter").asText().contains("${google_cloudfunctions2_function.pubsub."),
        "no alert on 5xx answers of both ingest functions");
    List<TerraformModule.Block> metrics = m.resources("google_logging_metric");
    String extractor = "EXTRACT(jsonPayload." + QUARANTINED_FIELD + ")";
    TerraformModule.Block quarantine =
        metrics.stream()
            .filter(b -> extractor.equals(b.body().path("value_extractor").asText()))
            .findFirst()
            .orElse(null);
    if (quarantine == null
        || !"DISTRIBUTION"
            .equals(
                quarantine.body().path("metric_descriptor").path(0).path("value_type").asText())) {
      problems.add(
          m.dir()
              + ": no DISTRIBUTION google_logging_metric with value_extractor "
              + extractor
              + " (a counter counts bulks, not events)");
    } else {
      JsonNode promName = m.locals().get(QUARANTINED_PROMQL_LOCAL);
      if (promName == null
          || !promName.asText().contains("google_logging_metric." + quarantine.name() + ".name")) {
        problems.add(
            m.dir()
                + ": local."
                + QUARANTINED_PROMQL_LOCAL
                + " does not name "
                + quarantine.name());
      }
      String sum = "${local." + QUARANTINED_PROMQL_LOCAL + "}_sum";
      boolean alerted =
          policies.stream()
              .flatMap(p -> stream(p.body().path("conditions")))
              .flatMap(c -> stream(c.path("condition_prometheus_query_language")))
              .map(q -> q.path("query").asText())
              .anyMatch(q -> q.contains("rate(" + sum) && q.contains(">"));
      if (!alerted) {
        problems.add(
            m.dir() + ": no PromQL alert on the rate of " + sum + " (quarantined events, summed)");
      }
    }
    if (!coreLiterals.contains(QUARANTINED_FIELD)) {
      problems.add("core no longer logs the field " + QUARANTINED_FIELD + " the metric counts");
    }
    for (TerraformModule.Block p : policies) {
      if (!"${local.alert_channels}".equals(p.body().path("notification_channels").asText())) {
        problems.add(
            p.file() + ": alert policy " + p.name() + " does not notify local.alert_channels");
      }
    }
    JsonNode channels = m.locals().get("alert_channels");
    if (channels == null
        || !channels.asText().contains("google_monitoring_notification_channel.email")
        || m.resources("google_monitoring_notification_channel").stream()
            .noneMatch(c -> "email".equals(c.body().path("type").asText()))) {
      problems.add(m.dir() + ": local.alert_channels does not hold an e-mail notification channel");
    }
    return problems;
  }

  /**
   * Azure: incoming messages on the dead-letter hub; the {@value #LOST_LINE} log line (a scheduled
   * query on Application Insights); failed function invocations; each acting through {@code
   * local.alert_action_groups}, which holds the e-mail action group.
   *
   * @param azureLiterals the string literals of the sources of core (where {@code
   *     QueueOutcome.park} writes the line) and functions-azure
   */
  public static List<String> azure(TerraformModule m, Set<String> azureLiterals) {
    List<String> problems = new ArrayList<>();
    boolean deadLetters =
        m.resources("azurerm_monitor_metric_alert").stream()
            .anyMatch(
                a ->
                    a.body()
                            .path("criteria")
                            .findValuesAsText("metric_name")
                            .contains("IncomingMessages")
                        && TerraformChecks.strings(a.body().path("criteria"))
                            .contains("${azurerm_eventhub.dead_letter.name}")
                        && acts(a.body()));
    if (!deadLetters) {
      problems.add(m.dir() + ": no alert on incoming messages of the dead-letter hub");
    }
    List<TerraformModule.Block> queries =
        m.resources("azurerm_monitor_scheduled_query_rules_alert_v2");
    if (!queries.stream()
        .anyMatch(q -> query(q).contains(LOST_LINE) && acts(q.body()) && onInsights(q))) {
      problems.add(m.dir() + ": no scheduled query alert on the '" + LOST_LINE + "' log line");
    }
    if (azureLiterals.stream().noneMatch(l -> l.startsWith(LOST_LINE))) {
      problems.add("core and functions-azure no longer log a line starting '" + LOST_LINE + "'");
    }
    if (!queries.stream()
        .anyMatch(
            q ->
                query(q).contains("requests")
                    && query(q).contains("success == false")
                    && acts(q.body()))) {
      problems.add(m.dir() + ": no scheduled query alert on failed function invocations");
    }
    JsonNode groups = m.locals().get("alert_action_groups");
    if (groups == null
        || m.resources("azurerm_monitor_action_group").stream()
            .noneMatch(
                g ->
                    g.body().has("dynamic")
                        && g.body().path("dynamic").toString().contains("email_receiver"))) {
      problems.add(m.dir() + ": local.alert_action_groups does not hold an e-mail action group");
    }
    return problems;
  }

  private static String query(TerraformModule.Block q) {
    return String.join(" ", q.body().path("criteria").findValuesAsText("query"));
  }

  private static boolean onInsights(TerraformModule.Block q) {
    return q.body().path("scopes").toString().contains("azurerm_application_insights.");
  }

  /** The alert acts through local.alert_action_groups. */
  private static boolean acts(JsonNode body) {
    return body.toString().contains("local.alert_action_groups");
  }

  private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
    return java.util.stream.StreamSupport.stream(array.spliterator(), false);
  }

  private static void require(
      List<String> problems,
      List<TerraformModule.Block> policies,
      Predicate<JsonNode> condition,
      String missing) {
    for (TerraformModule.Block p : policies) {
      for (JsonNode c : p.body().path("conditions")) {
        for (JsonNode t : c.path("condition_threshold")) {
          if (condition.test(t)) {
            return;
          }
        }
      }
    }
    problems.add(policies.get(0).file().getParent() + ": " + missing);
  }
}
