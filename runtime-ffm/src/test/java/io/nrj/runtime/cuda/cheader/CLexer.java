package io.nrj.runtime.cuda.cheader;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns C header text into logical lines (backslash-newline spliced, comments removed) and tokens.
 * Just enough of translation phases 1-3 for declaration headers: no trigraphs, no universal
 * character names; string literals are kept whole but never interpreted.
 */
final class CLexer {
  private static final List<String> PUNCTUATORS =
      List.of(
          "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
          "##", "::", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=");

  /** A logical line and the physical line it starts on (1-based). */
  record Line(int number, String text) {}

  private CLexer() {}

  /** Splits {@code text} into logical lines with comments replaced by a space. */
  static List<Line> lines(String text) {
    String[] physical = text.split("\r?\n", -1);
    var spliced = new ArrayList<Line>();
    for (int i = 0; i < physical.length; i++) {
      int start = i + 1;
      var sb = new StringBuilder(physical[i]);
      while (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\\' && i + 1 < physical.length) {
        sb.setLength(sb.length() - 1);
        sb.append(physical[++i]);
      }
      spliced.add(new Line(start, sb.toString()));
    }
    // Comments may span lines: a block comment's inner lines become empty.
    var out = new ArrayList<Line>(spliced.size());
    boolean inBlock = false;
    for (Line line : spliced) {
      String s = line.text();
      var sb = new StringBuilder();
      int i = 0;
      while (i < s.length()) {
        if (inBlock) {
          int end = s.indexOf("*/", i);
          if (end < 0) {
            i = s.length();
          } else {
            inBlock = false;
            i = end + 2;
            sb.append(' ');
          }
          continue;
        }
        char c = s.charAt(i);
        if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
          inBlock = true;
          i += 2;
        } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
          break;
        } else if (c == '"' || c == '\'') {
          int end = endOfQuoted(s, i);
          sb.append(s, i, end);
          i = end;
        } else {
          sb.append(c);
          i++;
        }
      }
      out.add(new Line(line.number(), sb.toString()));
    }
    return out;
  }

  /** Tokenizes one logical line (comments already removed). */
  static List<CToken> tokenize(String s, String file, int line) {
    var tokens = new ArrayList<CToken>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (Character.isLetter(c) || c == '_' || c == '$') {
        int start = i;
        while (i < s.length()
            && (Character.isLetterOrDigit(s.charAt(i))
                || s.charAt(i) == '_'
                || s.charAt(i) == '$')) {
          i++;
        }
        tokens.add(new CToken(CToken.Kind.IDENTIFIER, s.substring(start, i), file, line));
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
        int start = i++;
        while (i < s.length()) {
          char d = s.charAt(i);
          if ((d == '+' || d == '-') && "eEpP".indexOf(s.charAt(i - 1)) >= 0) {
            i++;
          } else if (Character.isLetterOrDigit(d) || d == '_' || d == '.') {
            i++;
          } else {
            break;
          }
        }
        tokens.add(new CToken(CToken.Kind.NUMBER, s.substring(start, i), file, line));
      } else if (c == '"' || c == '\'') {
        int end = endOfQuoted(s, i);
        tokens.add(
            new CToken(
                c == '"' ? CToken.Kind.STRING : CToken.Kind.CHAR, s.substring(i, end), file, line));
        i = end;
      } else {
        String p = String.valueOf(c);
        for (String candidate : PUNCTUATORS) {
          if (s.startsWith(candidate, i)) {
            p = candidate;
            break;
          }
        }
        tokens.add(new CToken(CToken.Kind.PUNCTUATOR, p, file, line));
        i += p.length();
      }
    }
    return tokens;
  }

  private static int endOfQuoted(String s, int start) {
    char quote = s.charAt(start);
    int i = start + 1;
    while (i < s.length() && s.charAt(i) != quote) {
      i += s.charAt(i) == '\\' ? 2 : 1;
    }
    return Math.min(i + 1, s.length());
  }
}
