package io.mpac.collector.config.syntax;

/**
 * One scanned token. {@code text} is the source text for identifiers, literals, comments and
 * illegal characters ("\n" for a terminator, "" otherwise); {@code end} is the position just after
 * the token's last character.
 */
public record Token(TokenKind kind, String text, Position position, Position end) {}
