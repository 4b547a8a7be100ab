package io.deezwatts.core.rivian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTokenStoreTest {
  @TempDir Path dir;

  @Test
  void savesWithOwnerOnlyPermissionsAndLoadsBack() throws IOException {
    FileTokenStore store = new FileTokenStore(dir.resolve("nested/rivian-session.json"));
    RivianSession s = RivianClientTest.session();

    store.save(s);

    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
    assertEquals(s, store.load().orElseThrow());
    try (var files = Files.list(store.file().getParent())) {
      assertEquals(1, files.count()); // no temporary file left
    }
  }

  @Test
  void replacesAnExistingFileAndTightensItsMode() throws IOException {
    Path f = dir.resolve("rivian-session.json");
    Files.writeString(f, "{}");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    FileTokenStore store = new FileTokenStore(f);

    store.save(RivianClientTest.session());

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertEquals("usess-0a9b8c", store.load().orElseThrow().userSessionToken());
  }

  @Test
  void aMissingFileIsNoSession() throws IOException {
    assertTrue(new FileTokenStore(dir.resolve("none.json")).load().isEmpty());
  }

  @Test
  void anUnreadableFileFailsWithoutShowingItsContent() throws IOException {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, "{\"userSessionToken\": \"secret-value\"");
    IOException e = assertThrows(IOException.class, () -> new FileTokenStore(f).load());
    assertFalse(e.getMessage().contains("secret-value"));
  }

  @Test
  void theEnvironmentNamesTheFile() {
    assertEquals(
        Path.of(FileTokenStore.DEFAULT_FILE), FileTokenStore.fromEnvironment(Map.of()).file());
    assertEquals(
        Path.of("/tmp/x.json"),
        FileTokenStore.fromEnvironment(Map.of(FileTokenStore.FILE_VARIABLE, "/tmp/x.json")).file());
  }
}
