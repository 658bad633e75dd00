import type { ParsedClientFrame } from './client-frames';

/**
 * The client frames that arrive most often, as `JSON.stringify` writes them: the SDK and
 * the spec's own React hook send exactly these bytes, the hook a typing frame on every
 * keystroke. Compared byte for byte they need no UTF-8 decoding and no JSON.parse, which
 * were the largest cost of handling a typing frame.
 */
const CANONICAL_FRAMES: ReadonlyArray<{ bytes: Buffer; read: () => ParsedClientFrame }> = [
  {
    bytes: canonical({ type: 'typing', is_typing: true }),
    read: () => ({ type: 'typing', is_typing: true }),
  },
  {
    bytes: canonical({ type: 'typing', is_typing: false }),
    read: () => ({ type: 'typing', is_typing: false }),
  },
  { bytes: canonical({ type: 'ping' }), read: () => ({ type: 'ping' }) },
];

function canonical(frame: ParsedClientFrame): Buffer {
  return Buffer.from(JSON.stringify(frame));
}

/**
 * The frame `data` holds when it is one of the canonical frames above (a new object, as
 * JSON.parse would give), or null: any other spelling, whitespace or field takes the
 * general path.
 */
export function readCanonicalFrame(data: Buffer): ParsedClientFrame | null {
  for (const frame of CANONICAL_FRAMES) {
    if (data.length === frame.bytes.length && data.equals(frame.bytes)) return frame.read();
  }
  return null;
}
