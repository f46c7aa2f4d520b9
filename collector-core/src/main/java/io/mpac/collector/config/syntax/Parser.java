package io.mpac.collector.config.syntax;
import io.mpac.collector.config.ast.ConfigFile;
public final class Parser { public static ConfigFile parse(String fileName, String source) throws ConfigException { throw new UnsupportedOperationException("stub"); } }
