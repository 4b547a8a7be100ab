package io.deezwatts.core.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalog's JSON tree answers as the {@code JsonNode} accessors the loader used did. */
class CatalogJsonTest {
  private static CatalogJson read(String json) throws IOException {
    return CatalogJson.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> texts(CatalogJson node) {
    List<String> out = new ArrayList<>();
    for (CatalogJson n : node) {
      out.add(n.asText());
    }
    return out;
  }

  @Test
  void membersAndTheirValues() throws IOException {
    CatalogJson root =
        read(
            "{\"s\":\"text\",\"i\":42,\"d\":-1.5e2,\"t\":true,\"f\":false,\"n\":null,"
                + "\"a\":[\"x\",\"y\"],\"o\":{\"k1\":[1],\"k2\":[2,3]}}");
    assertEquals("text", root.path("s").asText());
    assertEquals("42", root.path("i").asText());
    assertEquals(42, root.path("i").asInt());
    assertEquals(-150.0, root.path("d").asDouble());
    assertEquals(42.0, root.path("i").asDouble());
    assertTrue(root.path("t").asBoolean(false));
    assertFalse(root.path("f").asBoolean(true));
    assertEquals(List.of("x", "y"), texts(root.path("a")));
    assertEquals(List.of("k1", "k2"), List.copyOf(root.path("o").members().keySet()));
    int values = 0;
    for (CatalogJson v : root.path("o")) { // an object iterates its members' values
      values += v.members().size() + texts(v).size();
    }
    assertEquals(3, values);
  }

  @Test
  void missingAndNullReadAsJsonNodeDid() throws IOException {
    CatalogJson root = read("{\"n\":null,\"e\":\"\"}");
    CatalogJson missing = root.path("absent");
    assertFalse(root.hasNonNull("absent"));
    assertFalse(root.hasNonNull("n"), "null is not non-null");
    assertTrue(root.hasNonNull("e"));
    assertEquals("", missing.asText());
    assertNull(missing.asText(null));
    assertNull(root.path("n").asText(null), "null gives the default");
    assertEquals("null", root.path("n").asText());
    assertEquals(7, missing.asInt(7));
    assertEquals(7, root.path("n").asInt(7));
    assertTrue(missing.asBoolean(true));
    assertFalse(root.path("n").asBoolean(false));
    assertFalse(missing.iterator().hasNext());
    assertFalse(missing.path("deeper").path("still").iterator().hasNext());
    assertEquals("", root.path("e").path("x").asText(), "a path into a scalar is missing");
  }

  @Test
  void aValueOfTheWrongTypeFailsInsteadOfReadingAsADefault() throws IOException {
    // JsonNode read "-90" as -90 for asDouble but 0 for a missing one; a catalog typo such as
    // "min": "-90" must fail loading, not quietly move a range check.
    CatalogJson root =
        read("{\"s\":\"-90\",\"b\":\"true\",\"d\":1.5,\"t\":true,\"o\":{},\"a\":[]}");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> root.path("s").asDouble());
    assertEquals("expected a number, found the string \"-90\"", e.getMessage());
    assertThrows(IllegalStateException.class, () -> root.path("s").asInt(5));
    assertThrows(IllegalStateException.class, () -> root.path("d").asInt(5));
    assertThrows(IllegalStateException.class, () -> root.path("t").asDouble());
    assertThrows(IllegalStateException.class, () -> root.path("o").asInt());
    assertThrows(IllegalStateException.class, () -> root.path("absent").asInt());
    assertThrows(IllegalStateException.class, () -> root.path("absent").asDouble());
    assertEquals(
        "expected true or false, found the string \"true\"",
        assertThrows(IllegalStateException.class, () -> root.path("b").asBoolean(false))
            .getMessage());
    assertEquals(
        "expected true or false, found an array",
        assertThrows(IllegalStateException.class, () -> root.path("a").asBoolean(false))
            .getMessage());
  }

  @Test
  void onlyOneWellFormedValueIsAccepted() {
    assertThrows(IOException.class, () -> read(""));
    assertThrows(IOException.class, () -> read("{\"a\":1} {\"b\":2}"));
    assertThrows(IOException.class, () -> read("{\"a\":[1,2}"));
    assertThrows(IOException.class, () -> read("[1,2"));
  }
}
