package io.deezwatts.core.decode;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixtures of {@link SpecExamplesTest} are the vendors' documents' examples, character for
 * character. The documents are not part of this repository: this class runs where they are found
 * (core's profile {@code vendor-documents}, on when {@code ../shared/specs} exists beside the
 * checkout, or forced with {@code -Pvendor-documents -Ddeezwatts.specs=DIR}; CI always forces it).
 */
@Tag("vendor-documents")
class SpecDocumentsTest {

  static Stream<Path> examples() {
    return SpecExamplesTest.examples();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void fixtureIsVerbatimInTheSpec(Path example) throws IOException {
    if (example.getParent().getFileName().toString().equals("documented-without-example")) {
      String spec = spec("connected-cars-push-legacy.txt");
      assertTrue(
          spec.contains(SpecExamplesTest.typeNameOf(example) + " - "),
          "the document describes the type");
      return;
    }
    String specFile = Catalog.standard().feed(SpecExamplesTest.feedOf(example)).specFile();
    String text = Files.readString(example);
    assertTrue(
        spec(specFile).contains(text.stripTrailing()), example + " is printed in " + specFile);
  }

  private static String spec(String file) throws IOException {
    String dir = System.getProperty("deezwatts.specs", "../../shared/specs");
    Path path = Path.of(dir, file);
    assertTrue(
        Files.isRegularFile(path),
        "the vendors' documents must be at "
            + path
            + " (shared/specs beside the checkout, or -Ddeezwatts.specs=DIR)");
    return Files.readString(path);
  }
}
