package io.deezwatts.cli.cc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.deezwatts.cli.EnvCommand;
import io.deezwatts.cli.ExitStatus;
import io.deezwatts.core.cc.CcClient;
import io.deezwatts.core.cc.CcException;
import io.deezwatts.core.cc.CcSettings;
import io.deezwatts.core.cc.DataStream;
import io.deezwatts.core.cc.NewStream;
import io.deezwatts.core.cc.StreamReconciler;
import io.deezwatts.core.cc.Vehicle;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code deezwatts cc}: manage which vehicles send Connected Cars data streams, through Connected
 * Cars' GraphQL API as the service account in {@code DEEZWATTS_CC_SERVICE_ACCOUNT}. Exit status: 0
 * done, 1 Connected Cars refused or failed (the message is the server's), 2 usage or configuration
 * error.
 */
@Command(
    name = "cc",
    mixinStandardHelpOptions = true,
    description = {
      "Manage Connected Cars vehicle data streams (GraphQL API, as a service account).",
      "Settings: DEEZWATTS_CC_SERVICE_ACCOUNT (the service account file or its content),"
          + " DEEZWATTS_CC_NAMESPACE; optional DEEZWATTS_CC_API_ENDPOINT, DEEZWATTS_CC_AUTH_ENDPOINT,"
          + " DEEZWATTS_CC_AUTO_STREAM_TOPICS (sync's default topics).",
      "Exit status: 0 done, 1 Connected Cars refused or failed, 2 usage or configuration error."
    },
    subcommands = {
      CcCommand.Vehicles.class,
      CcCommand.Streams.class,
      CcCommand.Revoke.class,
      CcCommand.Sync.class
    })
public final class CcCommand extends EnvCommand {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The command the {@code deezwatts} command line registers; reads the process environment. */
  public CcCommand() {
    this(System.getenv());
  }

  /** A command reading {@code env} instead of the process environment (tests). */
  public CcCommand(Map<String, String> env) {
    super(env);
  }

  /** A client for the settings; a missing or malformed one is a usage error (exit 2). */
  CcClient client(CommandLine cmd) {
    return configured(cmd, () -> CcClient.fromEnvironment(env()));
  }

  /**
   * A subcommand that calls Connected Cars: a refusal or failure ({@link CcException}) is printed
   * and becomes exit status 1 in {@link ExitStatus}.
   */
  abstract static class CcCall extends ExitStatus.Call {
    /** The client of the enclosing {@code cc} command. */
    static CcClient client(CommandLine cmd) {
      return enclosing(cmd, CcCommand.class).client(cmd);
    }
  }

  static void json(PrintWriter out, Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
    out.flush();
  }

  static void streamsTable(PrintWriter out, List<DataStream> streams) {
    List<List<String>> rows = new ArrayList<>();
    for (DataStream s : streams) {
      rows.add(
          List.of(
              Long.toString(s.id()),
              Long.toString(s.vehicleId()),
              Long.toString(s.integrationTopicId()),
              s.referenceUrl() == null ? "" : s.referenceUrl()));
    }
    Table.print(out, List.of("ID", "VEHICLE", "TOPIC", "REFERENCE URL"), rows);
  }

  /** The options that select vehicles: {@code --vehicle} and {@code --fleet}. */
  static final class VehicleFilter {
    @Option(
        names = "--vehicle",
        paramLabel = "ID",
        split = ",",
        description = "Vehicle ids (repeat or comma-separate).")
    List<Long> vehicles = new ArrayList<>();

    @Option(
        names = "--fleet",
        paramLabel = "ID",
        split = ",",
        description = "Parent fleet ids: their consented vehicles (repeat or comma-separate).")
    List<Long> fleets = new ArrayList<>();

    boolean isEmpty() {
      return vehicles.isEmpty() && fleets.isEmpty();
    }

    /** The vehicles given, plus the consented vehicles of the fleets given. */
    Set<Long> resolve(CcClient client) throws CcException {
      Set<Long> ids = new LinkedHashSet<>(vehicles);
      if (!fleets.isEmpty()) {
        client.allConsentedVehicles(fleets, List.of()).forEach(v -> ids.add(v.id()));
      }
      return ids;
    }
  }

  // ---- vehicles ----

  /** {@code deezwatts cc vehicles}. */
  @Command(
      name = "vehicles",
      mixinStandardHelpOptions = true,
      description = "List the vehicles that have consented to the integration.")
  static final class Vehicles extends CcCall {
    @CommandLine.Mixin VehicleFilter filter;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected int run(CommandLine cmd) throws CcException {
      CcClient client = client(cmd);
      List<Vehicle> vehicles = client.allConsentedVehicles(filter.fleets, filter.vehicles);
      PrintWriter out = cmd.getOut();
      if (json) {
        json(out, vehicles);
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      for (Vehicle v : vehicles) {
        rows.add(
            List.of(
                Long.toString(v.id()),
                nz(v.vin()),
                nz(v.unitSerial()),
                nz(v.unitProvider()),
                v.fleetId() == null ? "" : Long.toString(v.fleetId())));
      }
      Table.print(out, List.of("ID", "VIN", "UNIT SERIAL", "PROVIDER", "FLEET"), rows);
      out.println(vehicles.size() + " consented vehicle" + (vehicles.size() == 1 ? "" : "s"));
      out.flush();
      return 0;
    }
  }

  static String nz(String s) {
    return s == null ? "" : s;
  }

  // ---- streams ----

  /** {@code deezwatts cc streams}. */
  @Command(
      name = "streams",
      mixinStandardHelpOptions = true,
      description = "List, add, delete and update vehicle data streams.",
      subcommands = {
        StreamsList.class,
        StreamsAdd.class,
        StreamsDelete.class,
        StreamsDeleteAll.class,
        StreamsUpdate.class
      })
  static final class Streams implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "a command is required: " + subcommands(spec));
    }
  }

  /** {@code deezwatts cc streams list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the data streams the service account can see.")
  static final class StreamsList extends CcCall {
    @CommandLine.Mixin VehicleFilter filter;

    @Option(
        names = "--topic",
        paramLabel = "ID",
        split = ",",
        description = "Only these integration topics (repeat or comma-separate).")
    List<Long> topics = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected int run(CommandLine cmd) throws CcException {
      CcClient client = client(cmd);
      Set<Long> vehicles = filter.resolve(client);
      List<DataStream> streams =
          !filter.fleets.isEmpty() && vehicles.isEmpty()
              ? List.of() // fleets without consented vehicles: no filter would list everything
              : client.allDataStreams(topics, vehicles);
      PrintWriter out = cmd.getOut();
      if (json) {
        json(out, streams);
        return 0;
      }
      streamsTable(out, streams);
      out.println(streams.size() + " stream" + (streams.size() == 1 ? "" : "s"));
      out.flush();
      return 0;
    }
  }

  /** {@code deezwatts cc streams add}. */
  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Add a stream of each topic for each vehicle (--vehicle, or the consented vehicles of"
            + " --fleet). A stream that is already active is kept, not duplicated.",
        "All or nothing per call of up to 100 streams: when the service account lacks access to"
            + " one vehicle or topic, none of them is added."
      })
  static final class StreamsAdd extends CcCall {
    @CommandLine.Mixin VehicleFilter filter;

    @Option(
        names = "--topic",
        paramLabel = "ID",
        split = ",",
        required = true,
        description = "Integration topic ids (repeat or comma-separate).")
    List<Long> topics = new ArrayList<>();

    @Option(
        names = "--reference-url",
        paramLabel = "URL",
        description = "A reference of yours stored on each stream (not part of events).")
    String referenceUrl;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected int run(CommandLine cmd) throws CcException {
      if (filter.isEmpty()) {
        throw new CommandLine.ParameterException(cmd, "give --vehicle or --fleet");
      }
      CcClient client = client(cmd);
      Set<Long> vehicles = filter.resolve(client);
      List<NewStream> wanted = new ArrayList<>();
      for (long v : vehicles) {
        for (long t : new LinkedHashSet<>(topics)) {
          wanted.add(new NewStream(v, t, referenceUrl));
        }
      }
      List<DataStream> added = new ArrayList<>();
      for (int from = 0; from < wanted.size(); from += StreamReconciler.CHUNK) {
        added.addAll(
            client.addDataStreams(
                wanted.subList(from, Math.min(wanted.size(), from + StreamReconciler.CHUNK))));
      }
      PrintWriter out = cmd.getOut();
      if (json) {
        json(out, added);
        return 0;
      }
      streamsTable(out, added);
      out.println(added.size() + " stream" + (added.size() == 1 ? "" : "s") + " active");
      out.flush();
      return 0;
    }
  }

  /** {@code deezwatts cc streams delete}. */
  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description =
          "Delete streams by id, all or none (none when the service account lacks access to one).")
  static final class StreamsDelete extends CcCall {

    @Parameters(paramLabel = "STREAM_ID", arity = "1..*", description = "Stream ids.")
    List<Long> ids;

    @Override
    protected int run(CommandLine cmd) throws CcException {
      CcClient client = client(cmd);
      boolean ok = client.deleteDataStreams(ids);
      return done(cmd, ok, "deleted " + ids.size() + " stream" + (ids.size() == 1 ? "" : "s"));
    }
  }

  /** {@code deezwatts cc streams delete-all}. */
  @Command(
      name = "delete-all",
      mixinStandardHelpOptions = true,
      description =
          "Delete every stream of these vehicles in the integrations the service account manages.")
  static final class StreamsDeleteAll extends CcCall {
    @CommandLine.Mixin VehicleFilter filter;

    @Override
    protected int run(CommandLine cmd) throws CcException {
      if (filter.isEmpty()) {
        throw new CommandLine.ParameterException(cmd, "give --vehicle or --fleet");
      }
      CcClient client = client(cmd);
      Set<Long> vehicles = filter.resolve(client);
      if (vehicles.isEmpty()) {
        cmd.getErr().println("deezwatts: no consented vehicles in fleets " + filter.fleets);
        cmd.getErr().flush();
        return ExitStatus.FAILED;
      }
      boolean ok = client.deleteAllDataStreams(vehicles);
      return done(
          cmd,
          ok,
          "deleted the streams of "
              + vehicles.size()
              + " vehicle"
              + (vehicles.size() == 1 ? "" : "s"));
    }
  }

  /** {@code deezwatts cc streams update}. */
  @Command(
      name = "update",
      mixinStandardHelpOptions = true,
      description = "Set a stream's reference URL.")
  static final class StreamsUpdate extends CcCall {

    @Parameters(paramLabel = "STREAM_ID", description = "The stream's id.")
    long id;

    @Option(
        names = "--reference-url",
        paramLabel = "URL",
        required = true,
        description = "The new reference URL.")
    String referenceUrl;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected int run(CommandLine cmd) throws CcException {
      CcClient client = client(cmd);
      DataStream s = client.updateDataStream(id, referenceUrl);
      if (json) {
        json(cmd.getOut(), s);
      } else {
        streamsTable(cmd.getOut(), List.of(s));
        cmd.getOut().flush();
      }
      return 0;
    }
  }

  static int done(CommandLine cmd, boolean ok, String what) {
    if (!ok) {
      cmd.getErr().println("deezwatts: Connected Cars answered false; nothing may have changed");
      cmd.getErr().flush();
      return ExitStatus.FAILED;
    }
    cmd.getOut().println(what);
    cmd.getOut().flush();
    return 0;
  }

  // ---- revoke ----

  /** {@code deezwatts cc revoke}. */
  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = {
        "Revoke the integration's access to a fleet or to a vehicle that granted it directly;"
            + " deletes their streams for the integration. Does nothing when no access was granted."
      })
  static final class Revoke extends CcCall {

    @Option(
        names = "--integration",
        paramLabel = "ID",
        required = true,
        description = "The integration's id.")
    long integration;

    @CommandLine.ArgGroup(multiplicity = "1")
    Target target;

    static final class Target {
      @Option(names = "--fleet", paramLabel = "ID", required = true, description = "A fleet id.")
      Long fleet;

      @Option(
          names = "--vehicle",
          paramLabel = "ID",
          required = true,
          description = "A vehicle id.")
      Long vehicle;
    }

    @Override
    protected int run(CommandLine cmd) throws CcException {
      CcClient client = client(cmd);
      boolean ok = client.revokeAccess(integration, target.fleet, target.vehicle);
      return done(
          cmd,
          ok,
          "revoked integration "
              + integration
              + "'s access to "
              + (target.fleet != null ? "fleet " + target.fleet : "vehicle " + target.vehicle));
    }
  }

  // ---- sync ----

  /** {@code deezwatts cc sync}. */
  @Command(
      name = "sync",
      mixinStandardHelpOptions = true,
      description = {
        "Add a stream of each topic for every consented vehicle that lacks one. Dry run unless"
            + " --apply. Topics: --topic, else $"
            + CcSettings.AUTO_STREAM_TOPICS
            + ".",
        "Exit status: 0 nothing missing (or all added), 1 Connected Cars failed or refused some"
            + " streams, 2 usage error."
      })
  static final class Sync extends CcCall {
    @Option(
        names = "--topic",
        paramLabel = "ID",
        split = ",",
        description = "Integration topic ids (repeat or comma-separate).")
    List<Long> topics = new ArrayList<>();

    @Option(names = "--apply", description = "Add the missing streams (default: only report).")
    boolean apply;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    protected int run(CommandLine cmd) throws CcException {
      CcClient client = client(cmd);
      List<Long> wanted = topics.isEmpty() ? client.settings().autoStreamTopics() : topics;
      if (wanted.isEmpty()) {
        throw new CommandLine.ParameterException(
            cmd, "give --topic ID (or set " + CcSettings.AUTO_STREAM_TOPICS + ")");
      }
      PrintWriter out = cmd.getOut();
      PrintWriter err = cmd.getErr();
      StreamReconciler.Result r =
          new StreamReconciler(client)
              .reconcile(
                  wanted,
                  apply,
                  line -> {
                    err.println("deezwatts: " + line);
                    err.flush();
                  });
      if (json) {
        json(out, r);
      } else {
        print(out, r);
      }
      return r.failed().isEmpty() ? 0 : 1;
    }

    private static void print(PrintWriter out, StreamReconciler.Result r) {
      out.println(
          r.consentedVehicles()
              + " consented vehicles, "
              + r.existingStreams()
              + (r.existingStreams() == 1 ? " stream" : " streams")
              + " on topics "
              + r.topics()
              + ", "
              + r.missing().size()
              + " missing");
      if (!r.applied()) {
        List<List<String>> rows = new ArrayList<>();
        for (NewStream s : r.missing()) {
          rows.add(List.of(Long.toString(s.vehicleId()), Long.toString(s.integrationTopicId())));
        }
        if (!rows.isEmpty()) {
          Table.print(out, List.of("VEHICLE", "TOPIC"), rows);
          out.println("dry run: nothing added; run with --apply to add these streams");
        }
      } else {
        if (!r.added().isEmpty()) {
          streamsTable(out, r.added());
        }
        out.println("added " + r.added().size() + " streams");
        for (StreamReconciler.Failure f : r.failed()) {
          out.println(
              "refused: vehicle "
                  + f.stream().vehicleId()
                  + " topic "
                  + f.stream().integrationTopicId()
                  + ": "
                  + f.reason());
        }
      }
      out.flush();
    }
  }
}
