package io.mpac.collector.config.ast;

import io.mpac.collector.config.syntax.Position;

/**
 * A comment as written, including its delimiters ({@code // ...} or {@code /* ... *}{@code /}).
 * Kept only so that {@code fmt} can write comments back; evaluation ignores them.
 */
public record Comment(Position position, String text) {}
