package io.deezwatts.cli.replay;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Drains an event hub (the dead-letter hub terraform creates) partition by partition. Event Hubs
 * has no acknowledgement: the drain's position is a checkpoint file mapping each partition to the
 * last sequence number whose bulk the destination accepted, written (atomically, 0600) only by
 * {@link #ack}. A run resumes after it; events not acknowledged are read again next run.
 */
final class EventHubsDeadLetters implements DeadLetterSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EventHubsReader reader;
  private final Path checkpointFile;
  private final TreeMap<String, Long> checkpoint;

  /** Where reading has got to, ahead of the checkpoint while messages are in flight. */
  private final TreeMap<String, Long> read;

  private List<String> partitions;
  private int next;

  /**
   * @throws UncheckedIOException when the checkpoint file exists but cannot be read
   */
  EventHubsDeadLetters(EventHubsReader reader, Path checkpointFile) {
    this.reader = reader;
    this.checkpointFile = checkpointFile;
    this.checkpoint = load(checkpointFile);
    this.read = new TreeMap<>(checkpoint);
  }

  private static TreeMap<String, Long> load(Path file) {
    if (!Files.exists(file)) {
      return new TreeMap<>();
    }
    try {
      return new TreeMap<>(
          JSON.readValue(file.toFile(), new TypeReference<Map<String, Long>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoint file " + file, e);
    }
  }

  @Override
  public String describe() {
    return "eventhubs:" + reader.describe();
  }

  /** Reads the partitions in turn, so that one busy partition does not hide the others. */
  @Override
  public List<Message> receive(int max, Duration wait) {
    if (partitions == null) {
      partitions = reader.partitionIds();
    }
    Duration each = wait.dividedBy(Math.max(1, partitions.size()));
    for (int tried = 0; tried < partitions.size(); tried++) {
      String p = partitions.get(next);
      next = (next + 1) % partitions.size();
      List<EventHubsReader.Event> events =
          reader.receive(p, read.getOrDefault(p, -1L), max, each.isZero() ? wait : each);
      if (!events.isEmpty()) {
        List<Message> out = new ArrayList<>();
        for (EventHubsReader.Event e : events) {
          out.add(
              new Message(
                  e.body(),
                  e.properties(),
                  p + "/" + e.sequenceNumber(),
                  new Position(p, e.sequenceNumber())));
          read.put(p, e.sequenceNumber());
        }
        return out;
      }
    }
    return List.of();
  }

  @Override
  public void ack(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    for (Message m : messages) {
      Position pos = (Position) m.handle();
      checkpoint.merge(pos.partition(), pos.sequenceNumber(), Math::max);
    }
    write();
  }

  /** Event Hubs cannot hand an event back: reading restarts after the checkpoint. */
  @Override
  public void release(List<Message> messages) {
    read.clear();
    read.putAll(checkpoint);
  }

  private void write() {
    try {
      Path dir = checkpointFile.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".checkpoint-", ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system (Windows): its own ACLs apply
      }
      JSON.writeValue(tmp.toFile(), checkpoint);
      Files.move(
          tmp, checkpointFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the checkpoint file " + checkpointFile, e);
    }
  }

  @Override
  public void close() {
    reader.close();
  }

  private record Position(String partition, long sequenceNumber) {}
}
