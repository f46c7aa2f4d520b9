package io.mpac.collector.config.ast;

import io.mpac.collector.config.syntax.Position;

/** A statement in a body: an attribute ({@code name = expr}) or a block ({@code a.b "label" { ... }}). */
public sealed interface Statement permits Attribute, Block {
  Position position();
}
