package io.deezwatts.sink.duckdb;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/** The files beside a database: who may read them, and what a killed process left behind. */
final class LocalFiles {
  private LocalFiles() {}

  /** Where a running store tells {@code deezwatts sql} how to reach it. */
  static Path endpointOf(Path database) {
    return database.resolveSibling(database.getFileName() + ".sql-endpoint");
  }

  /**
   * Creates the folder (owner only) and removes what an earlier, killed process left: the spool
   * folders of releases that loaded through files, and a stale query endpoint (this process is
   * about to hold the file, so no other can be serving it).
   */
  static void prepare(Path database) throws IOException {
    Path dir = database.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      restrict(dir, "rwx------");
    }
    Path folder = dir == null ? Path.of(".") : dir;
    try (DirectoryStream<Path> left = Files.newDirectoryStream(folder, ".deezwatts-load-*")) {
      for (Path p : left) {
        deleteTree(p);
      }
    }
  }

  /** The database file and its write-ahead log: owner read and write only. */
  static void restrict(Path database) {
    restrict(database, "rw-------");
    restrict(database.resolveSibling(database.getFileName() + ".wal"), "rw-------");
  }

  static void restrict(Path p, String permissions) {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
    } catch (NoSuchFileException e) {
      // No log right now (just checkpointed): nothing to protect.
    } catch (UnsupportedOperationException | IOException e) {
      // Not a POSIX file system (Windows): its ACLs apply.
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> all = Files.walk(p)) {
      for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
