package io.circuitscope.wiki;

/**
 * Text for a CSV cell that a spreadsheet will show as text and never evaluate: a cell that begins with {@code =},
 * {@code +}, {@code -}, {@code @}, a tab or a carriage return gets a leading apostrophe, as OWASP's CSV-injection
 * guidance recommends. Only free text (token strings) goes through this; numbers are written as numbers.
 */
public final class SpreadsheetSafeText {
    private SpreadsheetSafeText() {
    }

    public static String of(String text) {
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            return "'" + text;
        }
        return text;
    }
}
