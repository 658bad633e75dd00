import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { BenchSeeder, ensureDatabase } from './bench-database';
import { chatSocketUrl } from './bench-socket';
import { measureHistory } from './figures/history';
import { measureIdleSockets } from './figures/idle-sockets';
import { MessageRateBench, type RateStep } from './figures/message-rate';
import { pgbenchInsertTps } from './figures/pgbench';
import { measureFanout } from './figures/typing-fanout';
import { REPO_ROOT, startBareRelay, startParley } from './processes';
import { ratio, round } from './stats';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'step-seconds': { type: 'string' },
    'latency-seconds': { type: 'string' },
    conversations: { type: 'string' },
    'idle-sockets': { type: 'string' },
    'history-messages': { type: 'string' },
    'history-clients': { type: 'string' },
    pool: { type: 'string' },
    'start-rate': { type: 'string' },
  },
});

const quick = args.quick ?? false;
const num = (value: string | undefined, fallback: number): number =>
  value === undefined ? fallback : Number(value);
const settings = {
  stepSeconds: num(args['step-seconds'], quick ? 2 : 8),
  latencySeconds: num(args['latency-seconds'], quick ? 4 : 30),
  fanoutSeconds: quick ? 3 : 10,
  historySeconds: quick ? 4 : 15,
  conversations: num(args.conversations, quick ? 100 : 200),
  idleSockets: num(args['idle-sockets'], quick ? 2_000 : 15_000),
  historyMessages: num(args['history-messages'], quick ? 20_000 : 100_000),
  historyClients: num(args['history-clients'], 16),
  pool: num(args.pool, 10),
  startRate: num(args['start-rate'], 200),
};
const only = new Set((args.only ?? 'p1,p2,p3,p5,p8').split(','));
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/parley_bench';
const jwtSecret = randomBytes(32).toString('hex');
const PARLEY_PORT = 18_080;
const BARE_PORT = 18_090;

const serverEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: databaseUrl,
  DB_POOL_SIZE: String(settings.pool),
  JWT_SECRET: jwtSecret,
  LOG_LEVEL: 'warn',
  WS_MESSAGE_RATE_LIMIT: '100000000',
  WS_TYPING_RATE_LIMIT: '100000000',
};

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

async function main(): Promise<void> {
  await ensureDatabase(databaseUrl);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const results: Record<string, unknown> = {};
  const rows: string[][] = [];
  const invalid: string[] = [];
  let parley = await startParley(serverEnv, PARLEY_PORT); // runs the migrations
  const seeder = new BenchSeeder(db, jwtSecret);
  try {
    if (only.has('p5')) {
      log(`P5: ${settings.idleSockets} idle sockets on Parley, then on the bare relay`);
      const conversations = await seeder.conversations(500);
      const urls = Array.from({ length: settings.idleSockets }, (_, index) => {
        const conversation = conversations[index % conversations.length];
        const user = index % 2 === 0 ? conversation.client : conversation.owner;
        return chatSocketUrl(parley.baseUrl, conversation.id, user.token);
      });
      const processes = Math.max(1, Math.ceil(settings.idleSockets / 6_000));
      const parleyIdle = await measureIdleSockets(urls, true, parley.pid, processes);
      const bare = await startBareRelay(BARE_PORT);
      const bareUrls = urls.map((_, index) => `ws://127.0.0.1:${BARE_PORT}/relay/${index % 500}`);
      const bareIdle = await measureIdleSockets(bareUrls, false, bare.pid, processes);
      await bare.stop();
      results.p5 = { parley: parleyIdle, bare: bareIdle };
      rows.push([
        'P5 idle sockets: RSS per socket',
        `${round(parleyIdle.bytesPerSocket / 1024, 1)} KiB (${parleyIdle.sockets} sockets)`,
        `${round(bareIdle.bytesPerSocket / 1024, 1)} KiB bare ws`,
        String(ratio(parleyIdle.bytesPerSocket, bareIdle.bytesPerSocket)),
        '≤ 2 × bare',
      ]);
      // A fresh server for the rest, so idle sockets and their presence do not weigh on it.
      await parley.stop();
      parley = await startParley(serverEnv, PARLEY_PORT);
    }

    if (only.has('p1') || only.has('p2')) {
      log(`pgbench: single-row INSERTs, ${settings.pool} clients, ${settings.stepSeconds * 2} s`);
      const pgTps = await pgbenchInsertTps(db, databaseUrl, settings.pool, settings.stepSeconds * 2);
      const conversations = await seeder.conversations(settings.conversations);
      const bench = new MessageRateBench(parley.baseUrl, parley.pid);
      await bench.connect(conversations);
      // Warm-up (JIT, pool connections), not counted.
      await bench.step(settings.startRate, 2);
      const steps: RateStep[] = [];
      let rate = settings.startRate;
      let best: RateStep | null = null;
      for (;;) {
        const step = await bench.step(rate, settings.stepSeconds);
        steps.push(step);
        const ok =
          step.lost === 0 && step.duplicated === 0 && step.outOfOrder === 0 && step.latencyMs.p99 <= 50;
        log(
          `P1 ${rate}/s: p99 ${round(step.latencyMs.p99)} ms, lost ${step.lost}, generator ${round(step.generatorCores * 100, 0)} % ${ok ? 'ok' : 'STOP'}`,
        );
        if (step.generatorCores > 0.8)
          invalid.push(
            `P1 step ${rate}/s: generator used ${round(step.generatorCores * 100, 0)} % of a core`,
          );
        if (!ok) break;
        best = step;
        rate = Math.round(rate * 1.3);
      }
      const maxRate = best?.offeredPerSecond ?? 0;
      results.p1 = { pgbenchTps: pgTps, maxRate, steps };
      rows.push([
        'P1 max message rate',
        `${maxRate} msg/s`,
        `${round(pgTps, 0)} tps pgbench`,
        String(ratio(maxRate, pgTps)),
        '≥ 0.5 × pgbench',
      ]);
      if (best) {
        rows.push([
          '  CPU per message at P1 max',
          `server ${round(best.serverCpuMsPerMessage, 3)} ms, PostgreSQL ${round((best.postgresCores * settings.stepSeconds * 1000) / best.sent, 3)} ms`,
          '',
          '',
          '',
        ]);
      }
      if (only.has('p2') && maxRate > 0) {
        const half = Math.max(1, Math.round(maxRate / 2));
        log(`P2: ${half}/s for ${settings.latencySeconds} s`);
        const step = await bench.step(half, settings.latencySeconds);
        if (step.generatorCores > 0.8)
          invalid.push(`P2: generator used ${round(step.generatorCores * 100, 0)} % of a core`);
        results.p2 = step;
        rows.push([
          'P2 latency at P1/2',
          `p50 ${round(step.latencyMs.p50)} ms, p99 ${round(step.latencyMs.p99)} ms, p99.9 ${round(step.latencyMs.p999)} ms`,
          '',
          '',
          'p50 ≤ 3 ms, p99 ≤ 20 ms',
        ]);
        rows.push([
          '  lost / duplicated / out of order',
          `${step.lost} / ${step.duplicated} / ${step.outOfOrder}`,
          '',
          '',
          '0 / 0 / 0',
        ]);
      }
      bench.close();
    }

    if (only.has('p3')) {
      log('P3: typing fan-out on Parley, then on the bare relay');
      const conversations = await seeder.conversations(settings.conversations);
      const parleyFanout = await measureFanout(
        {
          senderUrls: conversations.map((c) => chatSocketUrl(parley.baseUrl, c.id, c.client.token)),
          recipientUrls: conversations.map((c) => chatSocketUrl(parley.baseUrl, c.id, c.owner.token)),
          waitForConnected: true,
        },
        parley.pid,
        settings.fanoutSeconds,
      );
      const bare = await startBareRelay(BARE_PORT);
      const bareUrls = conversations.map((_, index) => `ws://127.0.0.1:${BARE_PORT}/relay/${index}`);
      const bareFanout = await measureFanout(
        { senderUrls: bareUrls, recipientUrls: bareUrls, waitForConnected: false },
        bare.pid,
        settings.fanoutSeconds,
      );
      await bare.stop();
      for (const [name, result] of [
        ['Parley', parleyFanout],
        ['bare', bareFanout],
      ] as const) {
        if (result.generatorCores > 0.8)
          invalid.push(`P3 ${name}: generator used ${round(result.generatorCores * 100, 0)} % of a core`);
      }
      results.p3 = { parley: parleyFanout, bare: bareFanout };
      rows.push([
        'P3 typing fan-out',
        `${round(parleyFanout.deliveredPerSecond, 0)} frames/s`,
        `${round(bareFanout.deliveredPerSecond, 0)} frames/s bare ws`,
        String(ratio(parleyFanout.deliveredPerSecond, bareFanout.deliveredPerSecond)),
        '≥ 0.7 × bare',
      ]);
    }

    if (only.has('p8')) {
      log(`P8: history over ${settings.historyMessages} messages, ${settings.historyClients} clients`);
      const [conversation] = await seeder.conversations(1);
      await seeder.history(conversation, settings.historyMessages);
      const history = await measureHistory(
        parley.baseUrl,
        conversation,
        settings.historyMessages,
        settings.historyClients,
        settings.historySeconds,
        parley.pid,
      );
      if (history.generatorCores > 0.8)
        invalid.push(`P8: generator used ${round(history.generatorCores * 100, 0)} % of a core`);
      results.p8 = history;
      rows.push([
        'P8 history pages (limit=50)',
        `${round(history.requestsPerSecond, 0)} req/s, p99 ${round(history.latencyMs.p99)} ms, ${history.errors} errors`,
        '',
        '',
        '≥ 3,000 req/s, p99 ≤ 30 ms',
      ]);
    }
  } finally {
    await parley.stop();
    await db.end();
  }

  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
  printTable(rows);
  if (invalid.length > 0) console.log(`\nINVALID (load generator saturated):\n- ${invalid.join('\n- ')}`);
  const file = path.join(
    REPO_ROOT,
    'bench',
    'results',
    `${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ machine, settings: { ...settings, quick }, invalid, results }, null, 2)}\n`,
  );
  console.log(
    `\nmachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`,
  );
  console.log(`results: ${path.relative(process.cwd(), file)}`);
}

function printTable(rows: string[][]): void {
  const header = ['figure', 'Parley', 'baseline (same run)', 'ratio', 'target'];
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]): string =>
    row.map((cell, column) => (cell ?? '').padEnd(widths[column])).join(' | ');
  console.log(`\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('-|-')}`);
  for (const row of rows) console.log(line(row));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
