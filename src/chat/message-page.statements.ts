import type { MessageView } from './message.presenter';

/**
 * The history page's SQL, apart from the repository so that the benchmark's
 * bare baseline (`bench/bare-history-server.ts`) runs exactly the statements
 * Parley runs.
 */

/** Bounds of a keyset page; every bound is exclusive. */
export interface MessagePageQuery {
  conversationId: string;
  afterSeq?: number;
  beforeSeq?: number;
  afterTime?: Date;
  beforeTime?: Date;
  order: 'asc' | 'desc';
  limit: number;
}

/** A statement with its parameters; `name` differs per shape, so each shape is prepared once. */
export interface PageStatement {
  name: string;
  text: string;
  params: unknown[];
}

/** An instant as the API writes it (`Date.prototype.toISOString`), formatted by PostgreSQL. */
const iso = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;

/**
 * A message as the API shows it, straight from SQL: parsing four timestamps
 * per row into Dates and writing them back as ISO strings was a tenth of a
 * history request's CPU.
 */
const MESSAGE_VIEW_COLUMNS = [
  'id, conversation_id, sender_user_id, seq, client_message_id, message_type',
  'CASE WHEN is_deleted THEN NULL ELSE content END AS content',
  'CASE WHEN is_deleted THEN NULL ELSE media_url END AS media_url',
  'status',
  iso('read_at'),
  iso('delivered_at'),
  iso('created_at'),
  iso('updated_at'),
  'is_deleted',
].join(', ');

/** The SELECT of one page ($1 is the conversation), in the query's order. */
export function messagePageStatement(query: MessagePageQuery): PageStatement & { direction: 'ASC' | 'DESC' } {
  const params: unknown[] = [query.conversationId];
  const bind = (value: unknown): string => `$${params.push(value)}`;
  let bounds = '';
  let shape = '';
  const bound = (present: boolean, sql: () => string): void => {
    shape += present ? '1' : '0';
    if (present) bounds += sql();
  };
  bound(query.afterSeq !== undefined, () => ` AND seq > ${bind(query.afterSeq)}`);
  bound(query.beforeSeq !== undefined, () => ` AND seq < ${bind(query.beforeSeq)}`);
  bound(query.afterTime !== undefined, () => ` AND created_at > ${bind(query.afterTime)}`);
  bound(query.beforeTime !== undefined, () => ` AND created_at < ${bind(query.beforeTime)}`);
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  return {
    name: `parley_message_page_${shape}_${query.order}_v1`,
    text: `SELECT ${MESSAGE_VIEW_COLUMNS} FROM chat.messages
           WHERE conversation_id = $1${bounds}
           ORDER BY seq ${direction}
           LIMIT ${bind(query.limit)}`,
    params,
    direction,
  };
}

/**
 * The same page, read only if `memberId` is a party of the conversation: the
 * membership check and the page in one round trip. Read its rows with
 * `memberPageFromRows`.
 */
export function memberMessagePageStatement(memberId: string, query: MessagePageQuery): PageStatement {
  const page = messagePageStatement(query);
  const member = `$${page.params.push(memberId)}`;
  return {
    name: `${page.name}_member`,
    // One row per message; a single all-null row for an empty page; none for a non-member.
    text: `SELECT m.* FROM chat.conversations c
           LEFT JOIN LATERAL (${page.text}) m ON true
           WHERE c.id = $1 AND ${member} IN (c.client_user_id, c.owner_user_id)
           ORDER BY m.seq ${page.direction}`,
    params: page.params,
  };
}

/** The page of `memberMessagePageStatement`; null when the caller is not a member (or no such conversation). */
export function memberPageFromRows(rows: ReadonlyArray<Record<string, unknown>>): MessageView[] | null {
  if (rows.length === 0) return null;
  return rows[0].id === null ? [] : (rows as unknown as MessageView[]);
}
