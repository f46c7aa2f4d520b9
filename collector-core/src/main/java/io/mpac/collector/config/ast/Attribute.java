package io.mpac.collector.config.ast;

import io.mpac.collector.config.syntax.Position;

/** {@code name = value}. The name is one identifier; {@code position} is where the name starts. */
public record Attribute(Position position, String name, Expr value) implements Statement {}
