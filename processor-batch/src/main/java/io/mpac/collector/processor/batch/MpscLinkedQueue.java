package io.mpac.collector.processor.batch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An unbounded multi-producer, single-consumer FIFO queue (Vyukov's intrusive-stub design).
 *
 * <p>{@link #offer} is wait-free: one atomic exchange of the tail, then a release store that links
 * the previous node; it never retries and never takes a lock, however many producers there are.
 * {@link #poll} must only ever be called by one thread (the consumer). A producer preempted between
 * its exchange and its link makes the elements behind it invisible to the consumer for that moment
 * (poll returns null early); they become visible once the link is stored, and no element is lost.
 * Each producer's elements come out in the order it offered them.
 */
final class MpscLinkedQueue<E> {

  private static final class Node<E> {
    E value;
    volatile Node<E> next;

    Node(E value) {
      this.value = value;
    }
  }

  private static final VarHandle TAIL;
  private static final VarHandle NEXT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(MpscLinkedQueue.class, "tail", Node.class);
      NEXT = l.findVarHandle(Node.class, "next", Node.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // consumer side
  private Node<E> head;
  // padding keeps producers' tail writes off the consumer's cache line
  @SuppressWarnings("unused")
  private long p1, p2, p3, p4, p5, p6, p7;
  private volatile Node<E> tail;

  MpscLinkedQueue() {
    Node<E> stub = new Node<>(null);
    head = stub;
    tail = stub;
  }

  /** Adds {@code e} at the tail. Any thread; wait-free. */
  @SuppressWarnings("unchecked")
  void offer(E e) {
    Node<E> n = new Node<>(e);
    Node<E> prev = (Node<E>) TAIL.getAndSet(this, n);
    NEXT.setRelease(prev, n);
  }

  /** Removes the head, or returns null when nothing is visible. Consumer thread only. */
  E poll() {
    Node<E> next = head.next;
    if (next == null) return null;
    E v = next.value;
    next.value = null;
    head = next;
    return v;
  }

  /** True when nothing is visible to the consumer. Consumer thread only. */
  boolean isEmpty() {
    return head.next == null;
  }
}
