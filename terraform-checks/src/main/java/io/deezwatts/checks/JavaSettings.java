package io.deezwatts.checks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code DEEZWATTS_*} settings Java sources read: every such name inside a string literal
 * (comments do not count), including {@code %DEEZWATTS_X%} binding expressions of Azure Functions
 * annotations and names in messages that tell the user what to set.
 */
public final class JavaSettings {
  private static final Pattern NAME = Pattern.compile("DEEZWATTS_[A-Z0-9_]*[A-Z0-9]");

  private JavaSettings() {}

  /**
   * The names the {@code .java} files under the given source roots mention in string literals.
   *
   * @throws UncheckedIOException when a source root cannot be read
   */
  public static TreeSet<String> read(List<Path> sourceRoots) {
    TreeSet<String> names = new TreeSet<>();
    for (Path root : sourceRoots) {
      if (!Files.isDirectory(root)) {
        throw new UncheckedIOException(new IOException("no source folder " + root));
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          for (String literal : literals(Files.readString(f))) {
            Matcher m = NAME.matcher(literal);
            while (m.find()) {
              names.add(m.group());
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return names;
  }

  /** The contents of the string literals and text blocks of one Java source, comments skipped. */
  static List<String> literals(String src) {
    List<String> out = new java.util.ArrayList<>();
    int i = 0;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
        int end = src.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
        int end = src.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '\'') {
        // A char literal, possibly '"' or '\''.
        int j = i + 1;
        while (j < n && src.charAt(j) != '\'') {
          j += src.charAt(j) == '\\' ? 2 : 1;
        }
        i = j + 1;
      } else if (src.startsWith("\"\"\"", i)) {
        int end = src.indexOf("\"\"\"", i + 3);
        end = end < 0 ? n : end;
        out.add(src.substring(i + 3, end));
        i = end + 3;
      } else if (c == '"') {
        StringBuilder s = new StringBuilder();
        int j = i + 1;
        while (j < n && src.charAt(j) != '"' && src.charAt(j) != '\n') {
          if (src.charAt(j) == '\\' && j + 1 < n) {
            s.append(src.charAt(j + 1));
            j += 2;
          } else {
            s.append(src.charAt(j++));
          }
        }
        out.add(s.toString());
        i = j + 1;
      } else {
        i++;
      }
    }
    return out;
  }
}
