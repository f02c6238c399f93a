package io.nrj.processor.ffm;

import java.util.ArrayList;
import java.util.List;

/** Splits a {@code .decl} file into words, numbers and punctuation, dropping {@code #} comments. */
final class DeclTokenizer {
  private static final String PUNCTUATION = "*(){},;=[]";

  /** A token and its 1-based line. */
  record Token(String text, int line) {}

  private DeclTokenizer() {}

  static List<Token> tokenize(String source, String text) {
    var tokens = new ArrayList<Token>();
    String[] lines = text.split("\n", -1);
    for (int l = 0; l < lines.length; l++) {
      String line = lines[l];
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      int i = 0;
      while (i < line.length()) {
        char ch = line.charAt(i);
        if (Character.isWhitespace(ch)) {
          i++;
        } else if (PUNCTUATION.indexOf(ch) >= 0) {
          tokens.add(new Token(String.valueOf(ch), l + 1));
          i++;
        } else if (Character.isLetterOrDigit(ch) || ch == '_' || ch == '-' || ch == '.') {
          // Words, numbers (also -1 and 0x10) and sonames like libcudnn.so.9.
          int start = i;
          while (i < line.length()
              && (Character.isLetterOrDigit(line.charAt(i)) || "_-.".indexOf(line.charAt(i)) >= 0)) {
            i++;
          }
          tokens.add(new Token(line.substring(start, i), l + 1));
        } else {
          throw new DeclException(source + ":" + (l + 1) + ": unexpected character '" + ch + "'");
        }
      }
    }
    return tokens;
  }
}
