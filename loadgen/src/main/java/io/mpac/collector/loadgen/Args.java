package io.mpac.collector.loadgen;

/** Flag lookup for the tools' small {@code main} methods. */
final class Args {

  private Args() {}

  static String value(String[] args, String flag, String defaultValue) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(flag) && i + 1 < args.length) return args[i + 1];
      if (args[i].startsWith(flag + "=")) return args[i].substring(flag.length() + 1);
    }
    return defaultValue;
  }
}
