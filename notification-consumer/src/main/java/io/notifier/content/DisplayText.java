package io.notifier.content;

import java.text.BreakIterator;
import java.util.Locale;

/** Making user-entered text fit for an email line: no control characters, bounded length. */
final class DisplayText {

  private static final String ELLIPSIS = "\u2026";

  private DisplayText() {}

  /**
   * Control characters (line breaks, NUL, bidi overrides are kept out by isolation instead) become
   * spaces, runs of white space collapse, and anything longer than {@code max} grapheme clusters is
   * cut at a cluster boundary (so an emoji sequence or a combining mark is never split).
   */
  static String clean(String value, int max) {
    if (value == null) {
      return "";
    }
    String cleaned =
        value.replaceAll("[\\p{Cc}\\p{Zl}\\p{Zp}]", " ").replaceAll("\\s+", " ").trim();
    BreakIterator graphemes = BreakIterator.getCharacterInstance(Locale.ROOT);
    graphemes.setText(cleaned);
    int count = 0;
    int end = graphemes.first();
    while (end != BreakIterator.DONE && count < max) {
      int next = graphemes.next();
      if (next == BreakIterator.DONE) {
        return cleaned;
      }
      end = next;
      count++;
    }
    if (graphemes.next() == BreakIterator.DONE) {
      return cleaned;
    }
    return cleaned.substring(0, end).trim() + ELLIPSIS;
  }

  /** The first grapheme cluster, upper-cased where the script has case. */
  static String initial(String value) {
    String cleaned = clean(value, Integer.MAX_VALUE);
    if (cleaned.isEmpty()) {
      return "";
    }
    BreakIterator graphemes = BreakIterator.getCharacterInstance(Locale.ROOT);
    graphemes.setText(cleaned);
    int end = graphemes.next();
    return cleaned.substring(0, end).toUpperCase(Locale.ROOT);
  }
}
