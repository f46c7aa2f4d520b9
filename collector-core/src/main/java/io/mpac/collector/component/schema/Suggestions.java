package io.mpac.collector.component.schema;

import java.util.Collection;

/** "Did you mean" hints: the closest known name by edit distance, if it is close enough. */
public final class Suggestions {

  private Suggestions() {}

  /** The candidate closest to {@code name}, or null if none is within a plausible typo distance. */
  public static String closest(String name, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(name, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    int limit = Math.max(2, name.length() / 3);
    return bestDistance <= limit ? best : null;
  }

  /** {@code "; did you mean \"x\"?"}, or an empty string. */
  public static String hint(String name, Collection<String> candidates) {
    String c = closest(name, candidates);
    return c == null ? "" : "; did you mean \"" + c + "\"?";
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
