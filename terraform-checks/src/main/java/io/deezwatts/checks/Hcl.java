package io.deezwatts.checks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Parses HCL files with {@code @cdktf/hcl2json} (HashiCorp's parser compiled to WebAssembly), run
 * by {@code node hcl2json.js} from the checks module, where {@code npm ci} installed the version
 * pinned in {@code package-lock.json}.
 */
public final class Hcl {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 120;

  private final Path checksDir;

  /**
   * A parser run from {@code checksDir} (the folder holding {@code hcl2json.js}, {@code
   * package-lock.json} and {@code node_modules}).
   */
  public Hcl(Path checksDir) {
    this.checksDir = checksDir;
  }

  /** One file's outcome: the tree as hcl2json renders it, or the parser's error. */
  public record Parsed(Path file, JsonNode tree, String error) {
    public boolean ok() {
      return error == null;
    }
  }

  /**
   * Parses the files in one node process.
   *
   * @return one entry per file, in the given order; a syntax error is an entry, not an exception
   * @throws IllegalStateException when node or the parser is missing, or the parser does not run to
   *     the end; the message says how to install it. Retrying does not help until it is installed.
   */
  public Map<Path, Parsed> parse(List<Path> files) {
    checkInstalled();
    List<String> command = new ArrayList<>(List.of("node", "hcl2json.js"));
    files.forEach(f -> command.add(f.toAbsolutePath().toString()));
    Process p;
    try {
      p = new ProcessBuilder(command).directory(checksDir.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run node (" + e.getMessage() + "): install Node.js 18 or later on the PATH", e);
    }
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    String out = readAll(p.getInputStream());
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("hcl2json did not finish within " + TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted while parsing terraform files", e);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "hcl2json failed (exit " + p.exitValue() + "): " + err.join().strip());
    }
    JsonNode all;
    try {
      all = JSON.readTree(out);
    } catch (IOException e) {
      throw new IllegalStateException("hcl2json printed no JSON: " + e.getMessage(), e);
    }
    Map<Path, Parsed> result = new LinkedHashMap<>();
    for (Path f : files) {
      JsonNode r = all.get(f.toAbsolutePath().toString());
      if (r == null) {
        throw new IllegalStateException("hcl2json gave no result for " + f);
      }
      result.put(f, new Parsed(f, r.get("ok"), r.has("error") ? r.get("error").asText() : null));
    }
    return result;
  }

  /**
   * Checks that the parser the lock file pins is installed.
   *
   * @throws IllegalStateException naming the command that installs it
   */
  public void checkInstalled() {
    Path installed = checksDir.resolve("node_modules/@cdktf/hcl2json/package.json");
    Path lock = checksDir.resolve("package-lock.json");
    String install = "run `npm ci` in " + checksDir + " (./mvnw verify and .ci/run do)";
    if (!Files.isRegularFile(installed)) {
      throw new IllegalStateException("@cdktf/hcl2json is not installed: " + install);
    }
    try {
      String want =
          JSON.readTree(lock.toFile())
              .path("packages")
              .path("node_modules/@cdktf/hcl2json")
              .path("version")
              .asText();
      String have = JSON.readTree(installed.toFile()).path("version").asText();
      if (want.isEmpty() || !want.equals(have)) {
        throw new IllegalStateException(
            "@cdktf/hcl2json "
                + have
                + " is installed, package-lock.json pins "
                + want
                + ": "
                + install);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + lock + " or " + installed, e);
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
