package io.mpac.collector.exporter.loki;

/**
 * Label-name sanitisation as the Collector's Prometheus translator does it ({@code NormalizeLabel},
 * permissive sanitisation off, the default): every character that is not a letter or digit becomes
 * {@code _}; a name starting with a digit gets {@code key_} in front; a name starting with a single
 * {@code _} gets {@code key} in front ({@code _name} → {@code key_name}); {@code __name} is kept.
 */
final class LabelNames {

  private LabelNames() {}

  static String normalize(String label) {
    if (label.isEmpty()) return label;
    String s = label;
    if (!isSimple(label)) {
      StringBuilder b = new StringBuilder(label.length());
      label.codePoints().forEach(cp -> {
        if (Character.isLetter(cp) || Character.isDigit(cp)) {
          b.appendCodePoint(cp);
        } else {
          b.append('_');
        }
      });
      s = b.toString();
    }
    char first = s.charAt(0);
    if (first >= '0' && first <= '9') return "key_" + s;
    if (first == '_' && !s.startsWith("__")) return "key" + s;
    return s;
  }

  /** Only ASCII letters and digits: nothing to replace. */
  private static boolean isSimple(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    }
    return true;
  }
}
