package io.mpac.collector.loadgen;

/** Overwrites the times in a prebuilt encoded request with the send time, in place, just before it is sent. */
public interface SendStamp {

  /** Stamps {@code epochNanos} into {@code request}; the caller owns the array and is not sending it. */
  void stamp(byte[] request, long epochNanos);
}
