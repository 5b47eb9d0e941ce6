/**
 * JSON text of any value, without ever throwing. JSON.parse takes arrays and objects nested
 * 100,000 deep, but JSON.stringify recurses and runs out of stack on them, so an event Event Grid
 * delivers can be parsed and then not serialized. The ingest path serializes events to derive ids and
 * to quarantine them, and must not fail on any input: a failed invocation is retried for a day.
 */

/** What JSON.stringify gives, exactly, wherever it works; where it throws, the same text built without recursion. */
export function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return jsonTextWithoutRecursion(value);
  }
}

/** An array or object still being written: its members are taken one at a time. */
interface Frame {
  container: object;
  /** The keys of an object, in JSON.stringify's order; undefined for an array. */
  keys: string[] | undefined;
  next: number;
  wroteMember: boolean;
}

/**
 * What JSON.stringify writes for one value without descending into it: its text, undefined where it
 * writes nothing (undefined, functions, symbols), or the array or object to descend into.
 * It never throws: a BigInt becomes its digits as a string, and a throwing toJSON the value as it is.
 */
function leaf(key: string, value: unknown): string | undefined | object {
  if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
    try {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') value = toJSON.call(value, key);
    } catch {
      // Kept as it is: the text only has to be stable for the same input.
    }
  }
  if (typeof value === 'bigint') return JSON.stringify(String(value));
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  // Boxed primitives serialize as their primitive, without recursion.
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return JSON.stringify(value);
  return value;
}

/**
 * JSON.stringify's output, written with an explicit stack instead of recursion, so any depth fits.
 * A value that contains itself (JSON.stringify throws) is written as "[Circular]" where it repeats.
 */
export function jsonTextWithoutRecursion(value: unknown): string | undefined {
  const top = leaf('', value);
  if (typeof top !== 'object') return top;
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = new Set<object>();
  const enter = (container: object) => {
    const isArray = Array.isArray(container);
    out.push(isArray ? '[' : '{');
    open.add(container);
    stack.push({ container, keys: isArray ? undefined : Object.keys(container), next: 0, wroteMember: false });
  };
  enter(top);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const length = frame.keys?.length ?? (frame.container as unknown[]).length;
    if (frame.next >= length) {
      out.push(frame.keys ? '}' : ']');
      open.delete(frame.container);
      stack.pop();
      continue;
    }
    const key = frame.keys ? frame.keys[frame.next]! : String(frame.next);
    frame.next++;
    const member = leaf(key, (frame.container as Record<string, unknown>)[key]);
    // An object leaves out members with nothing to write; an array writes null in their place.
    if (member === undefined && frame.keys) continue;
    if (frame.wroteMember) out.push(',');
    frame.wroteMember = true;
    if (frame.keys) out.push(JSON.stringify(key), ':');
    if (member === undefined) out.push('null');
    else if (typeof member === 'string') out.push(member);
    else if (open.has(member)) out.push('"[Circular]"');
    else enter(member);
  }
  return out.join('');
}
