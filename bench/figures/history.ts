import { Agent, request } from 'node:http';
import type { BenchConversation } from '../bench-database';
import { CpuMeter } from '../processes';
import { type LatencySummary, summarize } from '../stats';

export interface HistoryResult {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  serverCores: number;
  postgresCores: number;
  generatorCores: number;
}

function get(agent: Agent, url: URL, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * P8: concurrent clients walking a long conversation backwards, 50 messages a page, by seq
 * cursor, for `warmupSeconds` not counted (a server answers warm, after its JIT compiled the
 * request path) and then `seconds` measured.
 */
export async function measureHistory(
  baseUrl: string,
  conversation: BenchConversation,
  totalMessages: number,
  concurrency: number,
  timing: { warmupSeconds: number; seconds: number },
  serverPid: number,
): Promise<HistoryResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const walkFor = (seconds: number): Promise<{ latencies: number[]; errors: number }> =>
    walk(agent, baseUrl, conversation, totalMessages, concurrency, seconds);
  try {
    await walkFor(timing.warmupSeconds);
    const cpu = new CpuMeter(serverPid);
    const { latencies, errors } = await walkFor(timing.seconds);
    const usage = cpu.stop();
    return {
      requests: latencies.length,
      errors,
      requestsPerSecond: latencies.length / usage.wallSeconds,
      latencyMs: summarize(latencies),
      serverCores: usage.serverCores,
      postgresCores: usage.postgresCores,
      generatorCores: usage.generatorCores,
    };
  } finally {
    agent.destroy();
  }
}

async function walk(
  agent: Agent,
  baseUrl: string,
  conversation: BenchConversation,
  totalMessages: number,
  concurrency: number,
  seconds: number,
): Promise<{ latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  async function client(worker: number): Promise<void> {
    // Start each client at another depth so they do not all read the same pages.
    let before: number | null = Math.floor(((worker + 0.5) / concurrency) * totalMessages) + 1;
    while (performance.now() < deadline) {
      const url = new URL(`/v1/chat/conversations/${conversation.id}/messages`, baseUrl);
      url.searchParams.set('limit', '50');
      if (before !== null) url.searchParams.set('before_seq', String(before));
      const started = performance.now();
      const response = await get(agent, url, conversation.client.token);
      latencies.push(performance.now() - started);
      if (response.status !== 200) {
        errors++;
        before = null;
        continue;
      }
      const page = JSON.parse(response.body) as Array<{ seq: number }>;
      before = page.length === 50 ? page[page.length - 1].seq : null;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, worker) => client(worker)));
  return { latencies, errors };
}
