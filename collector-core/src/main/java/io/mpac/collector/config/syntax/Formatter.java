package io.mpac.collector.config.syntax;
import io.mpac.collector.config.ast.ConfigFile;
public final class Formatter { public static String format(ConfigFile f) { throw new UnsupportedOperationException("stub"); } }
