package io.mpac.collector.exporter.loadbalancing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The resolver's rules, with a scripted name service: changes passed on, failures keep the list. */
class DnsResolverTest {

  private final List<List<String>> changes = new ArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicReference<Object> answer = new AtomicReference<>();

  private DnsResolver resolver(Duration timeout) {
    ResolverConfig.Dns config = new ResolverConfig.Dns("writers.test", 4317, Duration.ofHours(1), timeout);
    return new DnsResolver(config, host -> {
      Object a = answer.get();
      if (a instanceof CountDownLatch latch) {
        try {
          latch.await();
        } catch (InterruptedException e) {
          throw new UnknownHostException("interrupted");
        }
        return new InetAddress[0];
      }
      if (a instanceof UnknownHostException e) throw e;
      return (InetAddress[]) a;
    }, changes::add, failures::incrementAndGet, Logger.getLogger("test"), "dns-test");
  }

  private static InetAddress[] ips(String... ips) throws UnknownHostException {
    InetAddress[] out = new InetAddress[ips.length];
    for (int i = 0; i < ips.length; i++) out[i] = InetAddress.getByName(ips[i]);
    return out;
  }

  @Test
  void changesArePassedOnSortedAndOnlyWhenTheyChange() throws Exception {
    try (DnsResolver r = resolver(Duration.ofSeconds(1))) {
      answer.set(ips("10.0.0.3", "10.0.0.1", "10.0.0.1", "::1"));
      r.resolveOnce();
      answer.set(ips("10.0.0.1", "::1", "10.0.0.3"));
      r.resolveOnce();
      answer.set(ips("10.0.0.1"));
      r.resolveOnce();
      assertThat(changes).containsExactly(
          List.of("10.0.0.1:4317", "10.0.0.3:4317", "[0:0:0:0:0:0:0:1]:4317"),
          List.of("10.0.0.1:4317"));
      assertThat(failures).hasValue(0);
      assertThat(r.lastProblem()).isNull();
    }
  }

  @Test
  void aFailureKeepsTheLastGoodListAndIsCounted() throws Exception {
    try (DnsResolver r = resolver(Duration.ofSeconds(1))) {
      answer.set(ips("10.0.0.1", "10.0.0.2"));
      r.resolveOnce();
      answer.set(new UnknownHostException("writers.test: NXDOMAIN"));
      r.resolveOnce();
      answer.set(new InetAddress[0]);
      r.resolveOnce();
      assertThat(changes).hasSize(1);
      assertThat(failures).hasValue(2);
      assertThat(r.lastProblem()).contains("no address");
      answer.set(ips("10.0.0.2"));
      r.resolveOnce();
      assertThat(changes).hasSize(2);
      assertThat(r.lastProblem()).isNull();
    }
  }

  @Test
  void aHangingLookupIsAbandonedAfterTheTimeout() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (DnsResolver r = resolver(Duration.ofMillis(200))) {
      answer.set(never);
      long t0 = System.nanoTime();
      r.resolveOnce();
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(tookMs).as("returns at the timeout, not when the lookup does").isLessThan(5_000);
      assertThat(failures).hasValue(1);
      assertThat(r.lastProblem()).contains("took longer than 200 ms");
      assertThat(changes).isEmpty();
    } finally {
      never.countDown();
    }
  }

  @Test
  void startResolvesAtOnceOnItsOwnThread() throws Exception {
    answer.set(ips("10.0.0.9"));
    AtomicReference<String> thread = new AtomicReference<>();
    CountDownLatch changed = new CountDownLatch(1);
    ResolverConfig.Dns config = new ResolverConfig.Dns("writers.test", 34621, Duration.ofHours(1), Duration.ofSeconds(1));
    try (DnsResolver r = new DnsResolver(config, host -> ips("10.0.0.9"), list -> {
      thread.set(Thread.currentThread().getName());
      changes.add(list);
      changed.countDown();
    }, failures::incrementAndGet, Logger.getLogger("test"), "lb-dns-x")) {
      r.start();
      assertThat(changed.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(changes).containsExactly(List.of("10.0.0.9:34621"));
    assertThat(thread.get()).isEqualTo("lb-dns-x");
  }
}
