package io.mpac.collector.app;

/** The command line itself is wrong (unknown flag, missing argument): exit 2 with usage. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message, null, false, false);
  }
}
