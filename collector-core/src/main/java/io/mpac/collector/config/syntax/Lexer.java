package io.mpac.collector.config.syntax;

import java.util.List;

/**
 * Turns Alloy source text into tokens (Alloy's scanner rules, see docs/alloy.md §1.1 and §1.3).
 *
 * <p>Contract: {@link #next()} never fails; lexical errors are appended to the diagnostics list
 * and the scanner keeps going so the parser can report more problems. A newline becomes a
 * {@link TokenKind#TERMINATOR} only after an identifier, keyword, number, string, {@code )},
 * {@code ]} or {@code }}; a line comment ending the line stands in for that newline, and so does
 * the end of input. Comments are returned as {@link TokenKind#COMMENT} tokens.
 */
public final class Lexer {

  private static final int EOF = -1;
  private static final int BOM = 0xFEFF;

  private final String file;
  private final int[] cps;
  private final int[] lines;
  private final int[] columns;
  private final List<Diagnostic> diagnostics;
  private int index;
  private boolean insertTerminator;

  public Lexer(String file, String source, List<Diagnostic> diagnostics) {
    this.file = file;
    this.cps = source.codePoints().toArray();
    this.diagnostics = diagnostics;
    this.lines = new int[cps.length + 1];
    this.columns = new int[cps.length + 1];
    int line = 1;
    int column = 1;
    for (int i = 0; i <= cps.length; i++) {
      lines[i] = line;
      columns[i] = column;
      if (i < cps.length && cps[i] == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    // A leading byte order mark is tolerated, like Alloy does; anywhere else it is an error.
    if (cps.length > 0 && cps[0] == BOM) {
      index = 1;
    }
  }

  /** The position of the code point at {@code i} (or of the end of input). */
  Position positionAt(int i) {
    int clamped = Math.min(i, cps.length);
    return new Position(file, lines[clamped], columns[clamped]);
  }

  private int peek(int ahead) {
    int i = index + ahead;
    return i < cps.length ? cps[i] : EOF;
  }

  private void error(int at, String message) {
    diagnostics.add(new Diagnostic(positionAt(at), message));
  }

  /** Scans the next token. At the end of input it returns EOF forever. */
  public Token next() {
    while (true) {
      skipWhitespace();
      int start = index;
      int ch = peek(0);
      boolean terminatorAfter;
      TokenKind kind;
      String text = "";

      if (isLetter(ch)) {
        text = scanIdentifier();
        kind = switch (text) {
          case "true", "false" -> TokenKind.BOOL;
          case "null" -> TokenKind.NULL;
          default -> TokenKind.IDENT;
        };
        terminatorAfter = true;
      } else if (isDecimal(ch) || (ch == '.' && isDecimal(peek(1)))) {
        kind = scanNumber();
        text = text(start, index);
        terminatorAfter = true;
      } else {
        if (ch != EOF) index++;
        terminatorAfter = false;
        switch (ch) {
          case EOF -> {
            if (insertTerminator) {
              insertTerminator = false;
              return token(TokenKind.TERMINATOR, "\n", start);
            }
            return token(TokenKind.EOF, "", start);
          }
          case '\n' -> {
            // Only reachable when a terminator is due: skipWhitespace eats other newlines.
            insertTerminator = false;
            return token(TokenKind.TERMINATOR, "\n", start);
          }
          case '\'' -> {
            error(start, "illegal single-quoted string; use double quotes");
            scanString('\'', true, false);
            kind = TokenKind.ILLEGAL;
            text = text(start, index);
            terminatorAfter = true;
          }
          case '"' -> {
            scanString('"', true, false);
            kind = TokenKind.STRING;
            text = text(start, index);
            terminatorAfter = true;
          }
          case '`' -> {
            scanString('`', false, true);
            kind = TokenKind.STRING;
            text = text(start, index);
            terminatorAfter = true;
          }
          case '|' -> {
            if (peek(0) != '|') error(index, "missing second | in ||");
            else index++;
            kind = TokenKind.OR;
          }
          case '&' -> {
            if (peek(0) != '&') error(index, "missing second & in &&");
            else index++;
            kind = TokenKind.AND;
          }
          case '!' -> kind = twoChar('=', TokenKind.NOT, TokenKind.NEQ);
          case '=' -> kind = twoChar('=', TokenKind.ASSIGN, TokenKind.EQ);
          case '<' -> kind = twoChar('=', TokenKind.LT, TokenKind.LTE);
          case '>' -> kind = twoChar('=', TokenKind.GT, TokenKind.GTE);
          case '+' -> kind = TokenKind.ADD;
          case '-' -> kind = TokenKind.SUB;
          case '*' -> kind = TokenKind.MUL;
          case '%' -> kind = TokenKind.MOD;
          case '^' -> kind = TokenKind.POW;
          case '{' -> kind = TokenKind.LCURLY;
          case '(' -> kind = TokenKind.LPAREN;
          case '[' -> kind = TokenKind.LBRACK;
          case ',' -> kind = TokenKind.COMMA;
          case '.' -> kind = TokenKind.DOT;
          case '}' -> {
            kind = TokenKind.RCURLY;
            terminatorAfter = true;
          }
          case ')' -> {
            kind = TokenKind.RPAREN;
            terminatorAfter = true;
          }
          case ']' -> {
            kind = TokenKind.RBRACK;
            terminatorAfter = true;
          }
          case '/' -> {
            if (peek(0) == '/' || peek(0) == '*') {
              if (insertTerminator && commentEndsLine(start)) {
                // The comment stands in for the newline: emit the terminator first and scan
                // the comment itself on the next call.
                index = start;
                insertTerminator = false;
                return token(TokenKind.TERMINATOR, "\n", start);
              }
              String comment = scanComment(start);
              insertTerminator = false;
              return new Token(TokenKind.COMMENT, comment, positionAt(start), positionAt(index));
            }
            kind = TokenKind.DIV;
          }
          default -> {
            if (ch == BOM) {
              error(start, "illegal byte order mark");
            } else if (ch == 0) {
              error(start, "illegal character NUL");
            } else {
              error(start, "illegal character " + GoStrings.unicodeVerb(ch));
            }
            kind = TokenKind.ILLEGAL;
            text = new String(Character.toChars(ch));
            terminatorAfter = insertTerminator; // an illegal character changes nothing
          }
        }
      }
      insertTerminator = terminatorAfter;
      return token(kind, text, start);
    }
  }

  private Token token(TokenKind kind, String text, int start) {
    return new Token(kind, text, positionAt(start), positionAt(index));
  }

  private TokenKind twoChar(int second, TokenKind one, TokenKind two) {
    if (peek(0) == second) {
      index++;
      return two;
    }
    return one;
  }

  private void skipWhitespace() {
    while (true) {
      int ch = peek(0);
      if (ch == ' ' || ch == '\t' || ch == '\r' || (ch == '\n' && !insertTerminator)) {
        index++;
      } else {
        return;
      }
    }
  }

  /** True when only comments and blanks follow {@code from} up to the end of its line. */
  private boolean commentEndsLine(int from) {
    int i = from;
    while (i < cps.length && cps[i] == '/') {
      int second = i + 1 < cps.length ? cps[i + 1] : EOF;
      if (second == '/') return true;
      if (second != '*') return false;
      i += 2;
      while (true) {
        if (i >= cps.length || cps[i] == '\n') return true;
        if (cps[i] == '*' && i + 1 < cps.length && cps[i + 1] == '/') {
          i += 2;
          break;
        }
        i++;
      }
      while (i < cps.length && (cps[i] == ' ' || cps[i] == '\t' || cps[i] == '\r')) i++;
      if (i >= cps.length || cps[i] == '\n') return true;
    }
    return false;
  }

  private String scanIdentifier() {
    int start = index;
    while (isLetter(peek(0)) || isDigit(peek(0))) index++;
    return text(start, index);
  }

  private TokenKind scanNumber() {
    int start = index;
    TokenKind kind = TokenKind.NUMBER;
    if (peek(0) != '.') digits();
    if (peek(0) == '.') {
      kind = TokenKind.FLOAT;
      index++;
      digits();
    }
    if (peek(0) == 'e' || peek(0) == 'E') {
      kind = TokenKind.FLOAT;
      index++;
      if (peek(0) == '+' || peek(0) == '-') index++;
      if (digits() == 0) error(start, "exponent has no digits");
    }
    return kind;
  }

  private int digits() {
    int count = 0;
    while (isDecimal(peek(0))) {
      index++;
      count++;
    }
    return count;
  }

  /** Scans the rest of a string whose opening quote was consumed. */
  private void scanString(int quote, boolean escapes, boolean multiline) {
    int start = index - 1;
    while (true) {
      int ch = peek(0);
      if ((!multiline && ch == '\n') || ch == EOF) {
        error(start, "string literal not terminated");
        return;
      }
      index++;
      if (ch == quote) return;
      if (escapes && ch == '\\') scanEscape();
    }
  }

  /** Checks one escape sequence after a backslash; errors point at the character after it. */
  private void scanEscape() {
    int at = index;
    int count;
    int base;
    int max;
    switch (peek(0)) {
      case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\', '"', '\'' -> {
        index++;
        return;
      }
      case '0', '1', '2', '3', '4', '5', '6', '7' -> {
        count = 3;
        base = 8;
        max = 255;
      }
      case 'x' -> {
        index++;
        count = 2;
        base = 16;
        max = 255;
      }
      case 'u' -> {
        index++;
        count = 4;
        base = 16;
        max = Character.MAX_CODE_POINT;
      }
      case 'U' -> {
        index++;
        count = 8;
        base = 16;
        max = Character.MAX_CODE_POINT;
      }
      default -> {
        error(at, peek(0) == EOF ? "escape sequence not terminated" : "unknown escape sequence");
        return;
      }
    }
    long value = 0;
    for (; count > 0; count--) {
      int ch = peek(0);
      int digit = Character.digit(ch < 128 ? ch : 0x7f, 16);
      if (digit < 0 || digit >= base) {
        error(
            at,
            ch == EOF
                ? "escape sequence not terminated"
                : "illegal character " + GoStrings.unicodeVerb(ch) + " in escape sequence");
        return;
      }
      value = value * base + digit;
      index++;
    }
    if (value > max || (value >= 0xD800 && value < 0xE000)) {
      error(at, "escape sequence is invalid Unicode code point");
    }
  }

  /** Scans a comment starting at {@code start} (its '/' already consumed). Drops CRs. */
  private String scanComment(int start) {
    if (peek(0) == '/') {
      while (peek(0) != '\n' && peek(0) != EOF) index++;
    } else {
      index++; // '*'
      boolean closed = false;
      while (peek(0) != EOF) {
        int ch = peek(0);
        index++;
        if (ch == '*' && peek(0) == '/') {
          index++;
          closed = true;
          break;
        }
      }
      if (!closed) error(start, "block comment not terminated");
    }
    return text(start, index).replace("\r", "");
  }

  private String text(int from, int to) {
    return new String(cps, from, to - from);
  }

  static boolean isLetter(int ch) {
    return (ch >= 'a' && ch <= 'z')
        || (ch >= 'A' && ch <= 'Z')
        || ch == '_'
        || (ch >= 0x80 && Character.isLetter(ch));
  }

  static boolean isDecimal(int ch) {
    return ch >= '0' && ch <= '9';
  }

  static boolean isDigit(int ch) {
    return isDecimal(ch) || (ch >= 0x80 && Character.isDigit(ch));
  }

  /** Whether {@code s} is one identifier (letters, digits, '_', no leading digit, no keyword). */
  public static boolean isValidIdentifier(String s) {
    if (s.isEmpty() || s.equals("true") || s.equals("false") || s.equals("null")) return false;
    int[] cps = s.codePoints().toArray();
    if (!isLetter(cps[0])) return false;
    for (int cp : cps) {
      if (!isLetter(cp) && !isDigit(cp)) return false;
    }
    return true;
  }
}
