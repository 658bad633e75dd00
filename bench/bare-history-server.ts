import { createServer, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { memberMessagePageStatement, memberPageFromRows } from '../src/chat/message-page.statements';

/**
 * P8's baseline: `node:http` and a `pg` pool answering Parley's history request
 * with Parley's own statement (membership and page in one prepared statement),
 * and nothing else: no framework, no validation beyond what the SQL needs, no
 * logging, and the bearer token's subject read without checking its signature.
 * What it reaches is what this machine can serve; Parley is measured against it.
 *
 * Usage: DATABASE_URL=... DB_POOL_SIZE=10 node bare-history-server.js <port>
 */
const port = Number(process.argv[2] ?? 9101);
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? 10),
});
const PAGE_PATH = /^\/v1\/chat\/conversations\/([0-9a-f-]{36})\/messages$/;

function subjectOf(authorization: string | undefined): string | null {
  const payload = authorization?.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null; // not a JWT: answered 404 like any other request it cannot serve
  }
}

function reply(response: ServerResponse, status: number, body: string): void {
  response
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

async function page(url: URL, memberId: string, conversationId: string): Promise<string | null> {
  const before = url.searchParams.get('before_seq');
  const { name, text, params } = memberMessagePageStatement(memberId, {
    conversationId,
    order: 'desc',
    limit: Number(url.searchParams.get('limit') ?? 50),
    ...(before === null ? {} : { beforeSeq: Number(before) }),
  });
  const { rows } = await pool.query({ name, text, values: params });
  const messages = memberPageFromRows(rows as Array<Record<string, unknown>>);
  return messages && JSON.stringify(messages);
}

createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://bare');
  if (url.pathname === '/health') return reply(response, 200, '{}');
  const match = PAGE_PATH.exec(url.pathname);
  const memberId = subjectOf(request.headers.authorization);
  if (request.method !== 'GET' || !match || !memberId) return reply(response, 404, '{}');
  page(url, memberId, match[1]).then(
    (body) => reply(response, body === null ? 404 : 200, body ?? '{}'),
    (error: unknown) => reply(response, 500, JSON.stringify({ error: String(error) })),
  );
}).listen(port, '127.0.0.1');
