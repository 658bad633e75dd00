import type { PreparedStatement } from '../database/prepared-statements';

// Each statement reads its rows from arrays wrapped in `(SELECT $n)`. On purpose:
// a bare `unnest($n)` lets the planner count the array of each call, so every
// call's own plan looks cheaper than the shared one and PostgreSQL re-plans the
// statement on every call (planning cost more than running: 2.1 ms a call against
// 0.8 ms once the shared plan is used). Hidden behind a sub-select, every array
// is estimated alike, and after five calls the statement is planned no more.

/**
 * The sends of a batch, as common table expressions.
 *
 * Sends, at most one per conversation: each conversation's next seq is
 * allocated and its message inserted together, so seqs are gap-free (a failed
 * insert rolls the counter back) and the row lock on the conversation orders
 * concurrent sends. In the same statement (so a crash cannot separate them) it
 * queues a push for each recipient who has a device and has not muted the
 * conversation: a new pending outbox row, or one more message in the pending
 * one, due after the delay but never later than the batch maximum after its
 * first message.
 *
 * A message whose (sender, client_message_id) is already stored is left out
 * and gets no row back: the caller answers with the earlier message. A message
 * from one party un-archives the conversation for the other. Timestamps are
 * kept at the millisecond precision the API shows, so a message's own
 * `created_at` works as an exact `before`/`after` cursor.
 *
 * $1..$6: per-message arrays (conversation, sender, client_message_id, type,
 * content, media_url); $7 push delay ms; $8 push batch maximum ms.
 */
const SEND_CTES = `input AS (
    SELECT * FROM unnest(
      (SELECT $1::uuid[]), (SELECT $2::uuid[]), (SELECT $3::varchar[]),
      (SELECT $4::varchar[]), (SELECT $5::text[]), (SELECT $6::text[])
    ) AS i(conversation_id, sender_user_id, client_message_id, message_type, content, media_url)
  ),
  fresh AS (
    SELECT i.* FROM input i
    WHERE i.client_message_id IS NULL
       OR NOT EXISTS (
         SELECT 1 FROM chat.messages e
         WHERE e.sender_user_id = i.sender_user_id AND e.client_message_id = i.client_message_id)
  ),
  c AS (
    UPDATE chat.conversations cv
    SET last_seq = cv.last_seq + 1,
        last_message_at = date_trunc('milliseconds', clock_timestamp()),
        updated_at = date_trunc('milliseconds', clock_timestamp()),
        archived_by_client = CASE WHEN cv.owner_user_id = i.sender_user_id THEN false ELSE cv.archived_by_client END,
        archived_by_owner = CASE WHEN cv.client_user_id = i.sender_user_id THEN false ELSE cv.archived_by_owner END
    FROM fresh i
    WHERE cv.id = i.conversation_id
    RETURNING cv.id AS conversation_id, cv.last_seq, cv.last_message_at,
      CASE WHEN cv.client_user_id = i.sender_user_id THEN cv.owner_user_id ELSE cv.client_user_id END AS recipient_id,
      CASE WHEN cv.client_user_id = i.sender_user_id THEN cv.owner_muted_until ELSE cv.client_muted_until END
        AS recipient_muted_until
  ),
  m AS (
    INSERT INTO chat.messages
      (conversation_id, sender_user_id, seq, client_message_id, message_type, content, media_url, created_at, updated_at)
    SELECT c.conversation_id, i.sender_user_id, c.last_seq, i.client_message_id, i.message_type, i.content,
           i.media_url, c.last_message_at, c.last_message_at
    FROM c JOIN fresh i USING (conversation_id)
    RETURNING *
  ),
  push AS (
    INSERT INTO chat.push_notifications AS p
      (user_id, conversation_id, message_id, sender_user_id, title, body, first_seq, last_seq,
       message_count, batch_started_at, next_attempt_at)
    SELECT c.recipient_id, m.conversation_id, m.id, m.sender_user_id, '', '', m.seq, m.seq, 1, now(),
           now() + make_interval(secs => $7::double precision / 1000)
    FROM c JOIN m USING (conversation_id)
    WHERE (c.recipient_muted_until IS NULL OR c.recipient_muted_until <= now())
      AND EXISTS (SELECT 1 FROM chat.push_devices d WHERE d.user_id = c.recipient_id)
    ON CONFLICT (user_id, conversation_id) WHERE status = 'pending' DO UPDATE
      SET message_id = EXCLUDED.message_id,
          last_seq = GREATEST(p.last_seq, EXCLUDED.last_seq),
          message_count = p.message_count + 1,
          -- A batch waiting to retry keeps its time: a provider's Retry-After comes first.
          next_attempt_at = GREATEST(
            CASE WHEN p.attempts > 0 THEN p.next_attempt_at END,
            LEAST(
              p.batch_started_at + make_interval(secs => $8::double precision / 1000),
              now() + make_interval(secs => $7::double precision / 1000))),
          updated_at = now()
    RETURNING 1
  )`;

/**
 * The delivery marks of a batch, for several (conversation, recipient) pairs,
 * as common table expressions: only the other party's messages still `sent`
 * change. Per-mark arrays (message id, conversation, recipient, delivered at)
 * from `$first` on.
 */
function deliveryMarkCtes(first: number): string {
  return `mark AS (
    SELECT * FROM unnest((SELECT $${first}::uuid[]), (SELECT $${first + 1}::uuid[]), (SELECT $${first + 2}::uuid[]), (SELECT $${first + 3}::timestamptz[]))
      AS i(message_id, conversation_id, recipient_id, delivered_at)
  ),
  delivered AS (
    UPDATE chat.messages dm
    SET status = 'delivered', delivered_at = i.delivered_at, updated_at = i.delivered_at
    FROM mark i
    WHERE dm.id = i.message_id AND dm.conversation_id = i.conversation_id
      AND dm.sender_user_id <> i.recipient_id AND dm.status = 'sent'
    RETURNING dm.id, i.recipient_id
  )`;
}

/**
 * A row per stored message, then a row per message the marks changed (its id
 * as `delivered_id` and its recipient as `delivered_to`, every message column
 * NULL). One row each rather than an array: parsing a uuid[] column cost the
 * server more than sharing the statement saved. Every statement below answers
 * in these columns, so one reader serves them all.
 */
const STORED_ROWS = 'SELECT m.*, NULL::uuid AS delivered_id, NULL::uuid AS delivered_to FROM m';
const DELIVERED_ROWS =
  'SELECT (NULL::chat.messages).*, delivered.id AS delivered_id, delivered.recipient_id AS delivered_to FROM delivered';

/**
 * Every write a message goes through between its send and its delivery, for a
 * batch, in ONE statement and one commit: the sends of several conversations
 * and the delivery marks of messages sent earlier. A message's delivery is
 * marked only after it was committed and written to the recipient's socket, so
 * a mark never meets the insert of its own message in one statement.
 *
 * $1..$8 as in `SEND_CTES`; $9..$12 the per-mark arrays.
 */
export const WRITE_MESSAGES: PreparedStatement = {
  name: 'parley_write_messages_v2',
  text: `WITH ${SEND_CTES},
  ${deliveryMarkCtes(9)}
  ${STORED_ROWS}
  UNION ALL
  ${DELIVERED_ROWS}`,
};

/**
 * A batch of sends only. Its own statement, because PostgreSQL runs every part
 * of a plan whether or not its arrays are empty: under light load a batch is
 * one message, and its delivery mark follows alone, so most statements carry
 * only one kind of write. Measured: see BENCHMARKS.md.
 */
export const INSERT_MESSAGES: PreparedStatement = {
  name: 'parley_insert_messages_v1',
  text: `WITH ${SEND_CTES}
  ${STORED_ROWS}`,
};

/** A batch of delivery marks only ($1..$4, the per-mark arrays), for the same reason. */
export const MARK_DELIVERED: PreparedStatement = {
  name: 'parley_mark_delivered_v1',
  text: `WITH ${deliveryMarkCtes(1)}
  ${DELIVERED_ROWS}`,
};
