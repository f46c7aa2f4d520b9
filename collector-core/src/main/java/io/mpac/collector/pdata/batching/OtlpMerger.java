package io.mpac.collector.pdata.batching;

import io.mpac.collector.pdata.ClientMetadata;
import io.mpac.collector.pdata.OtlpRequest;
import java.util.List;

/**
 * Merges encoded requests of one signal into one. An {@code Export*ServiceRequest} holds a single
 * repeated field ({@code resource_spans}, {@code resource_metrics}, {@code resource_logs}); in
 * protobuf, concatenated encodings parse as one message whose repeated fields are the
 * concatenated lists. So the merge is a byte concatenation: one copy, no parse. Item counts add.
 * Resources that are equal are not coalesced (each request keeps its own {@code resource_*}
 * entries), which is valid OTLP and what backends accept.
 */
public final class OtlpMerger {

  private OtlpMerger() {}

  /** Merges {@code requests} (at least one, same signal); the result carries {@code metadata}. */
  public static OtlpRequest merge(List<OtlpRequest> requests, ClientMetadata metadata) {
    if (requests.isEmpty()) throw new IllegalArgumentException("nothing to merge");
    OtlpRequest first = requests.get(0);
    if (requests.size() == 1) {
      return first.metadata().equals(metadata) ? first
          : new OtlpRequest(first.signal(), first.bytes(), first.itemCount(), metadata);
    }
    long size = 0;
    long items = 0;
    for (OtlpRequest r : requests) {
      if (r.signal() != first.signal()) {
        throw new IllegalArgumentException("cannot merge " + r.signal() + " into " + first.signal());
      }
      size += r.bytes().length;
      items += r.itemCount();
    }
    if (size > Integer.MAX_VALUE - 16 || items > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("merged request too large: " + size + " bytes, " + items + " items");
    }
    byte[] out = new byte[(int) size];
    int pos = 0;
    for (OtlpRequest r : requests) {
      byte[] b = r.bytes();
      System.arraycopy(b, 0, out, pos, b.length);
      pos += b.length;
    }
    return new OtlpRequest(first.signal(), out, (int) items, metadata);
  }

  /** Merges {@code requests}; the result carries the first request's metadata. */
  public static OtlpRequest merge(List<OtlpRequest> requests) {
    if (requests.isEmpty()) throw new IllegalArgumentException("nothing to merge");
    return merge(requests, requests.get(0).metadata());
  }
}
