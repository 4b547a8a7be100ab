package io.deezwatts.core.rivian;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The local token store: a JSON file readable only by its owner (mode 0600), for development and
 * {@code deezwatts rivian poll} on a laptop. Writes go to a temporary file in the same folder, made
 * 0600 before any secret is written, then moved over the old file.
 */
public final class FileTokenStore implements TokenStore {
  /** The environment variable naming the file. */
  public static final String FILE_VARIABLE = "DEEZWATTS_RIVIAN_TOKEN_FILE";

  /** The file used when {@link #FILE_VARIABLE} is unset. */
  public static final String DEFAULT_FILE = "./data/rivian-session.json";

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private final Path file;

  public FileTokenStore(Path file) {
    this.file = file;
  }

  /** The store the environment names ({@link #FILE_VARIABLE}), else {@link #DEFAULT_FILE}. */
  public static FileTokenStore fromEnvironment(Map<String, String> env) {
    String f = env.get(FILE_VARIABLE);
    return new FileTokenStore(Path.of(f == null || f.isBlank() ? DEFAULT_FILE : f.trim()));
  }

  public Path file() {
    return file;
  }

  /**
   * Reads the file.
   *
   * @return empty when the file does not exist
   * @throws IOException when it cannot be read or is not a session
   */
  @Override
  public Optional<RivianSession> load() throws IOException {
    byte[] json;
    try {
      json = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    return Optional.of(SessionJson.read(json, file.toString()));
  }

  /**
   * Writes the file with mode 0600 (on file systems with POSIX permissions), creating its folder.
   *
   * @throws IOException when the folder or file cannot be written; the old file is then unchanged
   */
  @Override
  public void save(RivianSession session) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    Path tmp =
        posix
            ? Files.createTempFile(
                dir, ".rivian-session-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
            : Files.createTempFile(dir, ".rivian-session-", ".tmp");
    try {
      Files.write(tmp, SessionJson.write(session));
      if (posix) {
        Files.setPosixFilePermissions(tmp, OWNER_ONLY);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public String describe() {
    return file.toString();
  }
}
