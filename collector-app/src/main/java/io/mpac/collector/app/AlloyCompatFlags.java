package io.mpac.collector.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Flags that deployments copied from Alloy commonly pass. Accepted so such a command line starts,
 * checked like any flag, and each named once as having no effect; {@code --cluster.enabled=true}
 * is refused because pretending to cluster would be worse than not starting.
 */
final class AlloyCompatFlags {

  static final Set<String> VALUED = Set.of("stability.level");
  static final Set<String> BOOLEANS = Set.of("disable-reporting", "feature.community-components.enabled",
      "cluster.enabled");

  private static final Set<String> STABILITY_LEVELS = Set.of("generally-available", "public-preview", "experimental");

  private AlloyCompatFlags() {}

  /** Checks the flags that were given; returns one note per accepted flag, to be logged once. */
  static List<String> check(Flags flags) {
    List<String> notes = new ArrayList<>();
    for (String b : BOOLEANS) {
      String v = flags.values.get(b);
      if (v != null && !v.equals("true") && !v.equals("false")) {
        throw new UsageException("--" + b + ": expected true or false, got \"" + v + "\"");
      }
    }
    if (flags.bool("cluster.enabled")) {
      throw new UsageException("--cluster.enabled=true: mpac-collector does not support clustering; run "
          + "independent collectors (each one its own pipeline) and remove the flag");
    }
    String level = flags.values.get("stability.level");
    if (level != null) {
      if (!STABILITY_LEVELS.contains(level)) {
        throw new UsageException("--stability.level: expected one of generally-available, public-preview, "
            + "experimental; got \"" + level + "\"");
      }
      notes.add("--stability.level=" + level + " has no effect: every mpac-collector component is available");
    }
    if (flags.values.containsKey("disable-reporting")) {
      notes.add("--disable-reporting has no effect: mpac-collector never reports usage");
    }
    if (flags.values.containsKey("feature.community-components.enabled")) {
      notes.add("--feature.community-components.enabled has no effect: mpac-collector has no community components");
    }
    return notes;
  }

  static Set<String> valued(Set<String> own) {
    return union(own, VALUED);
  }

  static Set<String> booleans(Set<String> own) {
    return union(own, BOOLEANS);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    java.util.Set<String> out = new java.util.HashSet<>(a);
    out.addAll(b);
    return Set.copyOf(out);
  }
}
