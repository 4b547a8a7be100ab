package io.deezwatts.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Rfc3339Test {
  private static final long MIN_DAY = LocalDate.of(1, 1, 1).toEpochDay();
  private static final long MAX_DAY = LocalDate.of(9999, 12, 31).toEpochDay();
  private static final char[] SEPARATORS = {'T', 't', ' '};

  /** How the offset is spelled: Z, z, +HH:MM or -HH:MM. */
  private enum Zone {
    UPPER_Z,
    LOWER_Z,
    PLUS,
    MINUS
  }

  /** A random date-time written one way, and the same instant in java.time's ISO spelling. */
  private record Sample(String rfc3339, String iso) {}

  private static Sample sample(Random r, int fractionDigits, char sep, Zone zone) {
    LocalDate date = LocalDate.ofEpochDay(MIN_DAY + (long) (r.nextDouble() * (MAX_DAY - MIN_DAY)));
    int secondOfDay = r.nextInt(86_400);
    String fraction = "";
    if (fractionDigits > 0) {
      String nanos = String.format("%09d", r.nextInt(1_000_000_000));
      fraction = "." + nanos.substring(0, fractionDigits);
    }
    String offset =
        switch (zone) {
          case UPPER_Z -> "Z";
          case LOWER_Z -> "z";
          case PLUS -> String.format("+%02d:%02d", r.nextInt(18), r.nextInt(60));
          case MINUS -> String.format("-%02d:%02d", r.nextInt(18), r.nextInt(60));
        };
    String local =
        String.format(
            "%04d-%02d-%02d%c%02d:%02d:%02d%s",
            date.getYear(),
            date.getMonthValue(),
            date.getDayOfMonth(),
            sep,
            secondOfDay / 3600,
            secondOfDay / 60 % 60,
            secondOfDay % 60,
            fraction);
    String iso = local.substring(0, 10) + 'T' + local.substring(11) + offset.toUpperCase();
    return new Sample(local + offset, iso);
  }

  /** What java.time makes of an ISO date-time, in epoch microseconds (nanos truncated). */
  private static long javaTimeMicros(String iso) {
    Instant instant = OffsetDateTime.parse(iso).toInstant();
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
  }

  @ParameterizedTest(name = "{0} fraction digits")
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
  void parseMicrosAgreesWithJavaTime(int fractionDigits) {
    Random r = new Random(0x5EED_0000L + fractionDigits);
    Zone[] zones = Zone.values();
    for (int i = 0; i < 2_000; i++) {
      char sep = SEPARATORS[i % SEPARATORS.length];
      Zone zone = zones[(i / SEPARATORS.length) % zones.length];
      Sample s = sample(r, fractionDigits, sep, zone);
      assertEquals(javaTimeMicros(s.iso()), Rfc3339.parseMicros(s.rfc3339()), s.rfc3339());
    }
  }

  @Test
  void fixedExamples() {
    assertEquals(
        javaTimeMicros("2022-01-01T12:30:10Z"), Rfc3339.parseMicros("2022-01-01T12:30:10Z"));
    assertEquals(
        Rfc3339.parseMicros("2022-01-01T12:30:10Z"),
        Rfc3339.parseMicros("2022-01-01T13:30:10+01:00"));
    assertEquals(0L, Rfc3339.parseMicros("1970-01-01T00:00:00Z"));
    assertEquals(-1L, Rfc3339.parseMicros("1969-12-31T23:59:59.999999Z"));
    assertEquals(-500_000L, Rfc3339.parseMicros("1969-12-31T23:59:59.5Z"));
    assertEquals(
        javaTimeMicros("0001-01-01T00:00:00Z"), Rfc3339.parseMicros("0001-01-01T00:00:00Z"));
    assertEquals(
        javaTimeMicros("9999-12-31T23:59:59.999999Z"),
        Rfc3339.parseMicros("9999-12-31T23:59:59.999999999Z"));
    assertEquals(
        javaTimeMicros("2024-02-29T00:00:00Z"), Rfc3339.parseMicros("2024-02-29T00:00:00Z"));
    assertEquals(
        javaTimeMicros("2000-02-29T00:00:00Z"), Rfc3339.parseMicros("2000-02-29T00:00:00Z"));
  }

  @Test
  void negativeZeroOffsetIsUtc() {
    assertEquals(
        Rfc3339.parseMicros("2022-01-01T12:30:10Z"),
        Rfc3339.parseMicros("2022-01-01T12:30:10-00:00"));
  }

  @Test
  void moreThanNineFractionDigitsAreTruncatedToMicros() {
    assertEquals(
        javaTimeMicros("2022-01-01T12:30:10.123456Z"),
        Rfc3339.parseMicros("2022-01-01T12:30:10.123456789123456Z"));
    assertEquals(
        javaTimeMicros("1960-06-15T01:02:03.999999-05:30"),
        Rfc3339.parseMicros("1960-06-15T01:02:03.99999999999-05:30"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2023-02-29T12:00:00Z", // not a leap year
        "1900-02-29T12:00:00Z", // century, not a leap year
        "2022-13-01T00:00:00Z",
        "2022-00-10T00:00:00Z",
        "2022-04-31T00:00:00Z",
        "2022-01-32T00:00:00Z",
        "2022-01-00T00:00:00Z",
        "2022-01-01T24:00:00Z",
        "2022-01-01T23:60:00Z",
        "2022-01-01T23:59:60Z", // leap second
        "2022-01-01T12:30:10", // no offset
        "2022-01-01T12:30:10.123", // no offset after a fraction
        "2022-01-01T12:30:10.Z", // fraction without digits
        "2022-01-01T12:30:10,5Z",
        "0000-01-01T00:00:00Z",
        "2022-01-01T12:30:10Zjunk",
        "2022-01-01T12:30:10+01:00junk",
        "2022-01-01T12:30:10Z ",
        " 2022-01-01T12:30:10Z",
        "2022-01-01T12:30:10+0100",
        "2022-01-01T12:30:10+01",
        "2022-01-01T12:30:10+24:00",
        "2022-01-01T12:30:10+01:60",
        "2022-01-01X12:30:10Z",
        "2022-01-01T12-30-10Z",
        "2022/01/01T12:30:10Z",
        "2022-1-01T12:30:10Z",
        "22-01-01T12:30:10Z",
        "+2022-01-01T12:30:10Z",
        "2022-01-01T12:30Z", // too short
        "2022-01-01",
        "Z",
        ""
      })
  void parseMicrosRejects(String text) {
    assertEquals(Rfc3339.INVALID, Rfc3339.parseMicros(text), text);
  }

  @Test
  void parseEpochDayAgreesWithLocalDate() {
    Random r = new Random(0xDA7EL);
    for (int i = 0; i < 20_000; i++) {
      LocalDate date =
          LocalDate.ofEpochDay(MIN_DAY + (long) (r.nextDouble() * (MAX_DAY - MIN_DAY + 1)));
      assertEquals(date.toEpochDay(), Rfc3339.parseEpochDay(date.toString()), date.toString());
    }
    assertEquals(LocalDate.of(1, 1, 1).toEpochDay(), Rfc3339.parseEpochDay("0001-01-01"));
    assertEquals(LocalDate.of(9999, 12, 31).toEpochDay(), Rfc3339.parseEpochDay("9999-12-31"));
    assertEquals(0L, Rfc3339.parseEpochDay("1970-01-01"));
    assertEquals(LocalDate.of(2000, 2, 29).toEpochDay(), Rfc3339.parseEpochDay("2000-02-29"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2023-02-29",
        "1900-02-29",
        "2022-13-01",
        "2022-00-01",
        "2022-01-00",
        "2022-06-31",
        "0000-01-01",
        "2022-1-01",
        "2022-01-1",
        "20220101",
        "2022/01/01",
        "2022-01-0x",
        "2022-01-01T00:00:00Z",
        "2022-01-01 ",
        ""
      })
  void parseEpochDayRejects(String text) {
    assertEquals(Rfc3339.INVALID, Rfc3339.parseEpochDay(text), text);
  }
}
