import { isUuid } from './uuid-format';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** A `before`/`after` cursor: a message id or a point in time. */
export type MessageCursor = { kind: 'message'; messageId: string } | { kind: 'time'; at: Date };

/** Parses a cursor; returns null when it is neither a UUID nor an ISO-8601 timestamp. */
export function parseMessageCursor(raw: string): MessageCursor | null {
  const value = raw.trim();
  if (isUuid(value)) return { kind: 'message', messageId: value.toLowerCase() };
  if (!ISO_8601.test(value)) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : { kind: 'time', at };
}
