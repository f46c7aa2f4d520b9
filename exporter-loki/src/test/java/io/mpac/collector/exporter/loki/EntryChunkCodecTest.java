package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EntryChunkCodecTest {

  private final EntryChunkCodec codec = new EntryChunkCodec();

  private static EntryChunk sample() {
    Labels api = Labels.of("job", "api", "level", "INFO");
    Labels db = Labels.of("job", "db", "emoji", "✓ ünïcode");
    QueuedEntry[] entries = {
      QueuedEntry.of(api, null, new LokiEntry(api, 1_700_000_000_123_456_789L, "first line")),
      QueuedEntry.of(db, "team-a", new LokiEntry(db, -5, "", Map.of("trace_id", "0af7651916cd43dd8448eb211c80319c",
          "span_id", "b7ad6b7169203331"))),
      QueuedEntry.of(api, "team-b", new LokiEntry(api, Long.MAX_VALUE, "x".repeat(70_000))),
      QueuedEntry.of(api, "team-a", new LokiEntry(api, 0, "€ 3 — ok"))};
    return EntryChunk.of(entries, 1_765_000_000_000L);
  }

  private static void assertSame(EntryChunk actual, EntryChunk expected) {
    assertThat(actual.writtenAtMillis()).isEqualTo(expected.writtenAtMillis());
    assertThat(actual.bytes()).isEqualTo(expected.bytes());
    assertThat(actual.size()).isEqualTo(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      QueuedEntry a = actual.entries()[i];
      QueuedEntry e = expected.entries()[i];
      assertThat(a.stream()).isEqualTo(e.stream());
      assertThat(a.stream().toString()).isEqualTo(e.stream().toString());
      assertThat(a.tenant()).isEqualTo(e.tenant());
      assertThat(a.timestampNanos()).isEqualTo(e.timestampNanos());
      assertThat(new String(a.line(), StandardCharsets.UTF_8)).isEqualTo(new String(e.line(), StandardCharsets.UTF_8));
      assertThat(a.structuredMetadata()).isEqualTo(e.structuredMetadata());
      assertThat(a.size()).isEqualTo(e.size());
    }
  }

  @Test
  void roundTripsEveryFieldTheEndpointSends() throws IOException {
    EntryChunk chunk = sample();
    byte[] bytes = codec.encode(chunk);
    assertSame(codec.decode(bytes, 0, bytes.length), chunk);
    // at an offset inside a larger buffer, as a store hands it over
    byte[] framed = new byte[bytes.length + 20];
    System.arraycopy(bytes, 0, framed, 7, bytes.length);
    assertSame(codec.decode(framed, 7, bytes.length), chunk);
    // shared label sets are written once: the 70,000-byte line dominates, the labels do not repeat
    assertThat(bytes.length).isLessThan(70_000 + 300);
  }

  @Test
  void decodedEntriesOfOneStreamShareOneLabelsObject() throws IOException {
    byte[] bytes = codec.encode(sample());
    EntryChunk back = codec.decode(bytes, 0, bytes.length);
    assertThat(back.entries()[0].stream()).isSameAs(back.entries()[2].stream());
  }

  @Test
  void everyTruncationIsRejectedWithIOException() {
    byte[] bytes = codec.encode(sample());
    for (int len = 0; len < bytes.length; len += (len < 200 ? 1 : 997)) {
      int l = len;
      assertThatThrownBy(() -> codec.decode(bytes, 0, l)).as("prefix of %d bytes", l).isInstanceOf(IOException.class);
    }
  }

  @Test
  void garbageIsRejectedWithIOException() {
    Random r = new Random(42);
    byte[] header = Arrays.copyOf(codec.encode(sample()), 11); // magic, version, time: the rest is noise
    for (int i = 0; i < 2000; i++) {
      byte[] noise = new byte[1 + r.nextInt(300)];
      r.nextBytes(noise);
      assertThatThrownBy(() -> codec.decode(noise, 0, noise.length)).isInstanceOf(IOException.class);
      byte[] behindHeader = Arrays.copyOf(header, header.length + noise.length);
      System.arraycopy(noise, 0, behindHeader, header.length, noise.length);
      assertThatThrownBy(() -> codec.decode(behindHeader, 0, behindHeader.length)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void flippedBytesNeverEscapeAsAnythingButIOException() {
    byte[] bytes = codec.encode(sample());
    int rejected = 0;
    for (int i = 0; i < Math.min(bytes.length, 400); i++) {
      byte[] bad = bytes.clone();
      bad[i] ^= (byte) 0xA5;
      try {
        codec.decode(bad, 0, bad.length);
      } catch (IOException e) {
        rejected++;
      }
    }
    // flips inside a line or a timestamp still decode (the store's checksum catches those); flips in
    // the structure do not
    assertThat(rejected).isGreaterThan(10);
  }

  @Test
  void rejectsAnotherVersionAndTrailingBytes() {
    byte[] bytes = codec.encode(sample());
    byte[] v2 = bytes.clone();
    v2[2] = 2;
    assertThatThrownBy(() -> codec.decode(v2, 0, v2.length)).isInstanceOf(IOException.class).hasMessageContaining("version");
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> codec.decode(longer, 0, longer.length)).isInstanceOf(IOException.class)
        .hasMessageContaining("after the last entry");
    assertThatThrownBy(() -> codec.decode(bytes, 5, bytes.length)).isInstanceOf(IOException.class);
  }
}
