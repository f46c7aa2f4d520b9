package io.mpac.collector.relabel;

import java.util.Locale;

/** The Prometheus relabel actions, spelled as in configs ({@code replace}, {@code labelmap}, …). */
public enum RelabelAction {
  REPLACE, KEEP, DROP, KEEPEQUAL, DROPEQUAL, HASHMOD, LABELMAP, LABELDROP, LABELKEEP, LOWERCASE, UPPERCASE;

  /** The name used in configs. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Every config name, for the schema's {@code oneOf}. */
  public static String[] configNames() {
    RelabelAction[] all = values();
    String[] names = new String[all.length];
    for (int i = 0; i < all.length; i++) names[i] = all[i].configName();
    return names;
  }

  public static RelabelAction fromConfig(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
