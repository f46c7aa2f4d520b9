package io.mpac.collector.component;

/** A component instance's identity: its Alloy name and label, written {@code name.label}. */
public record ComponentId(String name, String label) implements Comparable<ComponentId> {

  @Override
  public String toString() {
    return name + "." + label;
  }

  @Override
  public int compareTo(ComponentId o) {
    return toString().compareTo(o.toString());
  }
}
