package io.mpac.collector.pipeline;

import io.mpac.collector.component.ComponentFactory;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The component factories this build knows, by Alloy name. */
public final class ComponentRegistry {

  private final Map<String, ComponentFactory> factories;

  public ComponentRegistry(Collection<? extends ComponentFactory> factories) {
    Map<String, ComponentFactory> byName = new TreeMap<>();
    for (ComponentFactory f : factories) {
      ComponentFactory previous = byName.putIfAbsent(f.name(), f);
      if (previous != null) {
        throw new IllegalStateException("two factories for " + f.name() + ": "
            + previous.getClass().getName() + " and " + f.getClass().getName());
      }
    }
    this.factories = Collections.unmodifiableMap(byName);
  }

  /** Every factory on the class path, found through {@link ServiceLoader}. */
  public static ComponentRegistry fromClassPath() {
    return fromClassPath(Thread.currentThread().getContextClassLoader());
  }

  /** Every factory {@code loader} can see, found through {@link ServiceLoader}. */
  public static ComponentRegistry fromClassPath(ClassLoader loader) {
    return new ComponentRegistry(ServiceLoader.load(ComponentFactory.class, loader).stream()
        .map(ServiceLoader.Provider::get).toList());
  }

  public ComponentFactory find(String name) {
    return factories.get(name);
  }

  /** Supported component names, sorted. */
  public List<String> names() {
    return List.copyOf(factories.keySet());
  }

  public Collection<ComponentFactory> factories() {
    return factories.values();
  }
}
