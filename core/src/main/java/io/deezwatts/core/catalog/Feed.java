package io.deezwatts.core.catalog;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A vendor feed: its event types, the tables they land in, and how types it does not know are
 * kept.
 */
public final class Feed {
  /** Where an event of an unknown type goes: the first rule whose field is present wins. */
  public record UnknownTypeRule(EventType standIn, String whenField) {}

  /** A message of the feed that is not data (ViriCiti's error, acl and subscription echo). */
  public record ControlMessage(String type, String description) {}

  private final String name;
  private final String title;
  private final String specFile;
  private final Map<String, EventType> types;
  private final List<UnknownTypeRule> unknownTypes;
  private final List<ControlMessage> controlMessages;

  Feed(
      String name,
      String title,
      String specFile,
      Map<String, EventType> types,
      List<UnknownTypeRule> unknownTypes,
      List<ControlMessage> controlMessages) {
    this.name = name;
    this.title = title;
    this.specFile = specFile;
    this.types = Map.copyOf(types);
    this.unknownTypes = List.copyOf(unknownTypes);
    this.controlMessages = List.copyOf(controlMessages);
  }

  public String name() {
    return name;
  }

  public String title() {
    return title;
  }

  /** The vendor document this feed follows, under shared/specs. */
  public String specFile() {
    return specFile;
  }

  /** The type of that name, or null. */
  public EventType type(String typeName) {
    return types.get(typeName);
  }

  public Collection<EventType> types() {
    return types.values();
  }

  public List<UnknownTypeRule> unknownTypes() {
    return unknownTypes;
  }

  public List<ControlMessage> controlMessages() {
    return controlMessages;
  }
}
