package io.mpac.collector.config.syntax;

import java.util.ArrayList;
import java.util.List;

/**
 * Elastic tab stops, as Go's {@code text/tabwriter} does them for Alloy's printer (min width 0,
 * tab width 8, padding 1, pad with spaces, discard empty columns, indent with tabs).
 *
 * <p>Input: cells end with '\t' or '\v' ('\v' cells are "soft": a column of only empty soft cells
 * vanishes); '\n' ends a line, '\f' ends a line and all open columns. Consecutive lines that have
 * a cell in column k form a block whose cells are padded to the block's widest cell. Text between
 * two {@link #ESCAPE} marks is opaque (never split, counted by its code points) and the marks are
 * kept in the output for the trimmer.
 */
final class TabAligner {

  static final char ESCAPE = '\uFFFF';

  private static final int TAB_WIDTH = 8;
  private static final int PADDING = 1;

  private static final class Cell {
    final StringBuilder text = new StringBuilder();
    int width;
    boolean htab;
  }

  private final StringBuilder out = new StringBuilder();
  private final List<List<Cell>> lines = new ArrayList<>();
  private final List<Integer> widths = new ArrayList<>();
  private Cell cell = new Cell();

  private TabAligner() {
    lines.add(new ArrayList<>());
  }

  static String align(String text) {
    TabAligner a = new TabAligner();
    a.write(text);
    a.flush();
    return a.out.toString();
  }

  private void write(String text) {
    boolean escaped = false;
    for (int i = 0; i < text.length(); ) {
      int ch = text.codePointAt(i);
      i += Character.charCount(ch);
      if (ch == ESCAPE) {
        escaped = !escaped;
        cell.text.append(ESCAPE);
        continue;
      }
      if (escaped) {
        cell.text.appendCodePoint(ch);
        cell.width++;
        continue;
      }
      switch (ch) {
        case '\t', '\u000b' -> terminateCell(ch == '\t');
        case '\n', '\f' -> {
          int cells = terminateCell(false);
          lines.add(new ArrayList<>());
          // A line without tab stops cannot influence later lines, so it is safe to flush.
          if (ch == '\f' || cells == 1) flush();
        }
        default -> {
          cell.text.appendCodePoint(ch);
          cell.width++;
        }
      }
    }
  }

  private int terminateCell(boolean htab) {
    cell.htab = htab;
    List<Cell> line = lines.get(lines.size() - 1);
    line.add(cell);
    cell = new Cell();
    return line.size();
  }

  private void flush() {
    if (cell.text.length() > 0) terminateCell(false);
    format(0, lines.size());
    lines.clear();
    lines.add(new ArrayList<>());
    widths.clear();
  }

  private void format(int line0, int line1) {
    int column = widths.size();
    int current = line0;
    for (int i = line0; i < line1; i++) {
      if (column >= lines.get(i).size() - 1) continue;
      // Lines [i, end) have a cell in this column: a column block.
      writeLines(current, i);
      current = i;
      int width = 0;
      boolean discardable = true;
      int end = i;
      for (; end < line1; end++) {
        List<Cell> line = lines.get(end);
        if (column >= line.size() - 1) break;
        Cell c = line.get(column);
        width = Math.max(width, c.width + PADDING);
        if (c.width > 0 || c.htab) discardable = false;
      }
      widths.add(discardable ? 0 : width);
      format(current, end);
      widths.remove(widths.size() - 1);
      current = end;
      i = end - 1;
    }
    writeLines(current, line1);
  }

  private void writeLines(int line0, int line1) {
    for (int i = line0; i < line1; i++) {
      List<Cell> line = lines.get(i);
      boolean leading = true; // leading empty cells are indentation: pad with tabs
      for (int j = 0; j < line.size(); j++) {
        Cell c = line.get(j);
        if (c.text.length() == 0) {
          if (j < widths.size()) pad(c.width, widths.get(j), leading);
        } else {
          leading = false;
          out.append(c.text);
          if (j < widths.size()) pad(c.width, widths.get(j), false);
        }
      }
      if (i + 1 < lines.size()) out.append('\n');
    }
  }

  private void pad(int textWidth, int cellWidth, boolean tabs) {
    if (tabs) {
      int rounded = (cellWidth + TAB_WIDTH - 1) / TAB_WIDTH * TAB_WIDTH;
      int n = rounded - textWidth;
      out.append("\t".repeat((n + TAB_WIDTH - 1) / TAB_WIDTH));
    } else {
      out.append(" ".repeat(Math.max(0, cellWidth - textWidth)));
    }
  }
}
