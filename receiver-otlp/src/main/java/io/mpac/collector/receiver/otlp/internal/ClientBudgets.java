package io.mpac.collector.receiver.otlp.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client fairness of the in-flight budget: every remote address (all its connections, gRPC and
 * HTTP together) draws from its own {@link InFlightBudget#child} of the receiver's budget, at most
 * {@code perClient} bytes. A peer that floods the receiver with unfinished requests fills its share
 * and is refused (429 / RESOURCE_EXHAUSTED) while the rest of the budget still serves other peers.
 *
 * <p>An address's share exists while it has open connections (reference-counted), so the map is
 * bounded by the connection limits. Thread-safe.
 */
public final class ClientBudgets {

  private static final class Entry {
    final InFlightBudget budget;
    int connections;

    Entry(InFlightBudget budget) {
      this.budget = budget;
    }
  }

  private final InFlightBudget shared;
  private final long perClient;
  private final ConcurrentHashMap<InetAddress, Entry> clients = new ConcurrentHashMap<>();

  /** {@code perClient} 0 or more than the budget: the whole budget (no fairness). */
  public ClientBudgets(InFlightBudget shared, long perClient) {
    this.shared = shared;
    this.perClient = perClient <= 0 || perClient > shared.limit() ? shared.limit() : perClient;
  }

  /** The budget of a new connection from {@code remote}; pair with {@link #close}. */
  public InFlightBudget open(SocketAddress remote) {
    InetAddress a = address(remote);
    if (a == null) return shared.child(perClient);
    return clients.compute(a, (k, e) -> {
      Entry n = e == null ? new Entry(shared.child(perClient)) : e;
      n.connections++;
      return n;
    }).budget;
  }

  /** A connection from {@code remote} has closed. */
  public void close(SocketAddress remote) {
    InetAddress a = address(remote);
    if (a == null) return;
    clients.computeIfPresent(a, (k, e) -> --e.connections <= 0 ? null : e);
  }

  public long perClient() {
    return perClient;
  }

  /** Addresses with open connections. */
  int clients() {
    return clients.size();
  }

  private static InetAddress address(SocketAddress remote) {
    return remote instanceof InetSocketAddress i ? i.getAddress() : null;
  }
}
