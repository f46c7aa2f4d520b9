package io.mpac.collector.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.pdata.ClientMetadata;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OtlpRequestCodecTest {

  private static final OtlpRequestCodec CODEC = OtlpRequestCodec.INSTANCE;

  private static OtlpRequest request(Signal s, int bytes, int items, ClientMetadata meta) {
    byte[] b = new byte[bytes];
    new Random(bytes * 31L + items).nextBytes(b);
    return new OtlpRequest(s, b, items, meta);
  }

  private static void assertSame(OtlpRequest expected, OtlpRequest actual) {
    assertThat(actual.signal()).isEqualTo(expected.signal());
    assertThat(actual.itemCount()).isEqualTo(expected.itemCount());
    assertThat(actual.bytes()).isEqualTo(expected.bytes());
    assertThat(actual.metadata()).isEqualTo(expected.metadata());
  }

  @Test
  void everySignalAndMetadataRoundTrip() throws IOException {
    ClientMetadata meta = new ClientMetadata(Map.of("x-scope-orgid", List.of("tenant-a"),
        "x-multi", List.of("1", "two", "ünïcode"), "x-empty", List.of()));
    for (Signal s : Signal.values()) {
      for (OtlpRequest r : List.of(request(s, 0, 0, ClientMetadata.EMPTY), request(s, 1, 1, meta),
          request(s, 70_000, 512, ClientMetadata.EMPTY), request(s, 300, 7, meta))) {
        byte[] enc = CODEC.encode(r);
        assertSame(r, CODEC.decode(enc, 0, enc.length));
        // at an offset inside a larger buffer, as a store reads it
        byte[] framed = new byte[enc.length + 13];
        System.arraycopy(enc, 0, framed, 5, enc.length);
        assertSame(r, CODEC.decode(framed, 5, enc.length));
      }
    }
  }

  @Test
  void encodeIntoWritesExactlyTheAnnouncedLengthAndTheSameBytesAsEncode() {
    ClientMetadata meta = new ClientMetadata(Map.of("x-scope-orgid", List.of("tenant-ü"), "x-empty", List.of()));
    for (OtlpRequest r : List.of(request(Signal.LOGS, 0, 0, ClientMetadata.EMPTY), request(Signal.TRACES, 5000, 9, meta))) {
      byte[] enc = CODEC.encode(r);
      assertThat(CODEC.encodedLength(r)).isEqualTo(enc.length);
      ByteBuffer direct = ByteBuffer.allocateDirect(enc.length + 40);
      direct.position(20); // behind a store's record header
      CODEC.encodeInto(r, direct);
      assertThat(direct.position()).isEqualTo(20 + enc.length);
      byte[] written = new byte[enc.length];
      direct.get(20, written);
      assertThat(written).isEqualTo(enc);
    }
  }

  @Test
  void theRequestBytesAreStoredAsReceived() throws IOException {
    OtlpRequest r = request(Signal.TRACES, 100, 3, ClientMetadata.EMPTY);
    byte[] enc = CODEC.encode(r);
    // independent reading of the documented layout
    ByteBuffer in = ByteBuffer.wrap(enc);
    assertThat(in.get()).isEqualTo((byte) 1);
    assertThat(in.get()).isEqualTo((byte) 1);
    assertThat(in.getInt()).isEqualTo(3);
    assertThat(in.getInt()).isZero();
    assertThat(in.getInt()).isEqualTo(100);
    byte[] body = new byte[in.remaining()];
    in.get(body);
    assertThat(body).isEqualTo(r.bytes());
  }

  @Test
  void everyTruncationIsAnIoException() {
    OtlpRequest r = request(Signal.LOGS, 50, 2, new ClientMetadata(Map.of("k", List.of("v1", "v2"))));
    byte[] enc = CODEC.encode(r);
    for (int len = 0; len < enc.length; len++) {
      int l = len;
      assertThatThrownBy(() -> CODEC.decode(enc, 0, l)).as("length %d", l).isInstanceOf(IOException.class);
    }
  }

  @Test
  void trailingBytesUnknownVersionAndSignalAreRefused() {
    byte[] enc = CODEC.encode(request(Signal.METRICS, 10, 1, ClientMetadata.EMPTY));
    byte[] longer = java.util.Arrays.copyOf(enc, enc.length + 1);
    assertThatThrownBy(() -> CODEC.decode(longer, 0, longer.length)).isInstanceOf(IOException.class)
        .hasMessageContaining("does not match");
    byte[] version = enc.clone();
    version[0] = 2;
    assertThatThrownBy(() -> CODEC.decode(version, 0, version.length)).hasMessageContaining("version 2");
    byte[] signal = enc.clone();
    signal[1] = 9;
    assertThatThrownBy(() -> CODEC.decode(signal, 0, signal.length)).hasMessageContaining("signal code 9");
    byte[] items = enc.clone();
    items[2] = (byte) 0x80;
    assertThatThrownBy(() -> CODEC.decode(items, 0, items.length)).hasMessageContaining("negative item count");
    assertThatThrownBy(() -> CODEC.decode(enc, 5, enc.length)).isInstanceOf(IOException.class);
  }

  @Test
  void hugeLengthsDoNotAllocate() {
    // a metadata key count and a string length far beyond the record: refused before any allocation
    ByteBuffer b = ByteBuffer.allocate(32).put((byte) 1).put((byte) 1).putInt(1).putInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> CODEC.decode(b.array(), 0, 32)).hasMessageContaining("impossible metadata key count");
    ByteBuffer s = ByteBuffer.allocate(32).put((byte) 1).put((byte) 1).putInt(1).putInt(1).putInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> CODEC.decode(s.array(), 0, 32)).hasMessageContaining("exceeds");
  }

  @Test
  void randomGarbageOnlyEverFailsWithIoException() {
    Random random = new Random(42);
    int decoded = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] junk = new byte[random.nextInt(64)];
      random.nextBytes(junk);
      if (junk.length > 1 && random.nextBoolean()) {
        junk[0] = 1; // valid version, so the rest of the decoder is exercised
        junk[1] = (byte) (1 + random.nextInt(3));
      }
      try {
        CODEC.decode(junk, 0, junk.length);
        decoded++;
      } catch (IOException expected) {
        // the only allowed failure
      }
    }
    assertThat(decoded).as("random bytes almost never form a valid record").isLessThan(100);
  }
}
