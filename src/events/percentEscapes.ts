/** Percent-escapes as URL parsers (and the servers behind them) read them. Pure. */

/** `%XX` escapes decoded, as often as they nest (`%253F` is `?` after two decodings); malformed ones stay. */
export function decodePercentEscapes(text: string): string {
  let decoded = text;
  for (let previous = ''; previous !== decoded; ) {
    previous = decoded;
    // Each pass makes the text shorter, so this ends.
    decoded = decoded.replace(/(?:%[0-9A-Fa-f]{2})+/g, (escapes) => {
      const bytes = Uint8Array.from(escapes.match(/%../g)!, (escape) => parseInt(escape.slice(1), 16));
      return new TextDecoder().decode(bytes);
    });
  }
  return decoded;
}
