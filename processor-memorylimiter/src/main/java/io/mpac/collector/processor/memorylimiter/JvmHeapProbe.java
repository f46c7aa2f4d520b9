package io.mpac.collector.processor.memorylimiter;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.mpac.collector.component.HeapBudget;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Heap use of the running JVM. The heap occupied after a collection comes from the collectors'
 * notifications ({@code memoryUsageAfterGc}, summed over the heap pools); the notifications of
 * concurrent cycles are skipped, because their "after" figure includes whatever the application
 * allocated during the cycle.
 */
final class JvmHeapProbe implements HeapProbe {

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toUnmodifiableSet());
  private final AtomicLong afterGc = new AtomicLong(-1);
  private final AtomicLong collections = new AtomicLong();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onNotification;

  @Override
  public synchronized void open() {
    if (!emitters.isEmpty()) return;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  private void onNotification(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    String name = info.getGcName();
    if (name.contains("Concurrent") || name.contains("Cycles")) return;
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) used += e.getValue().getUsed();
    }
    afterGc.set(used);
    collections.incrementAndGet();
  }

  @Override
  public long used() {
    return memory.getHeapMemoryUsage().getUsed();
  }

  @Override
  public long usedAfterLastGc() {
    return afterGc.get();
  }

  @Override
  public long collections() {
    return collections.get();
  }

  @Override
  public long max() {
    return HeapBudget.maxHeap();
  }

  @Override
  public long collect() {
    System.gc();
    return used();
  }

  @Override
  public synchronized void close() {
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(listener);
      } catch (javax.management.ListenerNotFoundException ignored) {
        // already removed
      }
    }
    emitters.clear();
  }
}
