/** Percent-escapes as URL parsers (and the servers behind them) read them. Pure. */

/**
 * How often escapes are decoded at most: no chain of servers decodes more often, and each pass reads
 * the whole text, so a value nested thousands of times deep must not cost thousands of passes.
 */
const MAX_DECODINGS = 8;

/** Whether the text still holds a `%XX` escape. */
export const hasPercentEscape = (text: string) => /%[0-9A-Fa-f]{2}/.test(text);

/**
 * `%XX` escapes decoded, as often as they nest (`%253F` is `?` after two decodings), up to
 * MAX_DECODINGS times; malformed ones stay.
 */
export function decodePercentEscapes(text: string): string {
  let decoded = text;
  for (let pass = 0; pass < MAX_DECODINGS && hasPercentEscape(decoded); pass++) {
    decoded = decoded.replace(/(?:%[0-9A-Fa-f]{2})+/g, (escapes) => {
      const bytes = Uint8Array.from(escapes.match(/%../g)!, (escape) => parseInt(escape.slice(1), 16));
      return new TextDecoder().decode(bytes);
    });
  }
  return decoded;
}
