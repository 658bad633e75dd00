import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { BenchSeeder, prepareDatabase } from './bench-database';
import { chatSocketUrl } from './bench-socket';
import { type HistoryResult, measureHistory } from './figures/history';
import { measureIdleSockets } from './figures/idle-sockets';
import { MessageRateBench, type RateStep, type StepUpResult, stepUp, warmUp } from './figures/message-rate';
import { pgbenchInsertTps } from './figures/pgbench';
import { type FanoutResult, combineFanout, measureFanout } from './figures/typing-fanout';
import { INSPECTOR_OPTIONS } from './heap-collector';
import {
  checkRedis,
  deleteRedisKeys,
  REPO_ROOT,
  redisServerPid,
  type ServerProcess,
  startBareHistory,
  startBareRelay,
  startParley,
  startParleyCluster,
} from './processes';
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
  stepSeconds: num(args['step-seconds'], quick ? 1.5 : 8),
  latencySeconds: num(args['latency-seconds'], quick ? 3 : 30),
  fanoutSeconds: quick ? 2 : 10,
  fanoutRounds: quick ? 1 : 2,
  historySeconds: quick ? 3 : 15,
  historyWarmupSeconds: quick ? 2 : 5,
  idleSettleSeconds: quick ? 1 : 3,
  warmupMinSeconds: quick ? 1 : 2,
  conversations: num(args.conversations, quick ? 100 : 200),
  idleSockets: num(args['idle-sockets'], quick ? 2_000 : 15_000),
  historyMessages: num(args['history-messages'], quick ? 20_000 : 100_000),
  historyClients: num(args['history-clients'], 16),
  pool: num(args.pool, 10),
  // Quick runs skip the low steps to stay under a minute (the machines this ran on passed
  // 742/s; --start-rate lowers it).
  startRate: num(args['start-rate'], quick ? 742 : 200),
};
// P7 (two instances) is not one of the issue's figures and would double a quick run.
const only = new Set((args.only ?? (quick ? 'p1,p2,p3,p5,p8' : 'p1,p2,p3,p5,p7,p8')).split(','));
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/parley_bench';
const jwtSecret = randomBytes(32).toString('hex');
const PARLEY_PORT = 18_080;
const BARE_PORT = 18_090;
const BARE_HISTORY_PORT = 18_091;
/** P7: senders connect to the first instance, recipients to the second, through this Redis. */
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const CLUSTER_PORTS = [18_081, 18_082];

const serverEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: databaseUrl,
  DB_POOL_SIZE: String(settings.pool),
  JWT_SECRET: jwtSecret,
  LOG_LEVEL: 'warn',
  WS_MESSAGE_RATE_LIMIT: '100000000',
  WS_TYPING_RATE_LIMIT: '100000000',
  // One instance means no Redis, whatever the shell says; P7 sets its own.
  REDIS_URL: '',
};

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

async function main(): Promise<void> {
  const { fresh } = await prepareDatabase(databaseUrl);
  if (!fresh)
    log(
      `${redact(databaseUrl)} is not a parley_bench database: its existing data stays and weighs on the figures`,
    );
  // Before anything runs: a missing Redis should not end a long run at P7 with nothing written.
  if (only.has('p7'))
    await checkRedis(redisUrl).catch((error: unknown) => {
      throw new Error(
        `P7 needs Redis at ${redact(redisUrl)}: ${error instanceof Error ? error.message : String(error)}. ` +
          'Start one, point REDIS_URL at it, or leave p7 out with --only.',
        { cause: error },
      );
    });
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const results: Record<string, unknown> = {};
  const rows: string[][] = [];
  const invalid: string[] = [];
  // Runs the migrations; serves P5 first when it runs, and then needs its inspector.
  let parley = await startParley(serverEnv, PARLEY_PORT, only.has('p5') ? INSPECTOR_OPTIONS : []);
  const seeder = new BenchSeeder(db, jwtSecret);
  try {
    // Every figure runs against a database that already holds history, as a live one
    // does, and whose statistics know it: on a new, never-analysed database PostgreSQL
    // plans the send statement for empty tables (a sequential scan for the
    // client_message_id check) and keeps that plan while the table grows; the first
    // run on a fresh database took 40-50 ms a statement and P1 stopped at 1,255 msg/s.
    log(`seeding one conversation with ${settings.historyMessages} messages (P8 reads it)`);
    const [historyConversation] = await seeder.conversations(1);
    await seeder.history(historyConversation, settings.historyMessages);
    if (only.has('p5')) {
      log(`P5: ${settings.idleSockets} idle sockets on Parley, then on the bare relay`);
      const conversations = await seeder.conversations(500);
      const urls = Array.from({ length: settings.idleSockets }, (_, index) => {
        const conversation = conversations[index % conversations.length];
        const user = index % 2 === 0 ? conversation.client : conversation.owner;
        return chatSocketUrl(parley.baseUrl, conversation.id, user.token);
      });
      const processes = Math.max(1, Math.ceil(settings.idleSockets / 6_000));
      const parleyIdle = await measureIdleSockets(urls, true, parley, processes, settings.idleSettleSeconds);
      const bare = await startBareRelay(BARE_PORT, INSPECTOR_OPTIONS);
      const bareUrls = urls.map((_, index) => `ws://127.0.0.1:${BARE_PORT}/relay/${index % 500}`);
      const bareIdle = await measureIdleSockets(bareUrls, false, bare, processes, settings.idleSettleSeconds);
      await bare.stop();
      results.p5 = { parley: parleyIdle, bare: bareIdle };
      rows.push([
        'P5 idle sockets: RSS per socket',
        `${round(parleyIdle.bytesPerSocket / 1024, 1)} KiB (${parleyIdle.sockets} sockets, opened at ${round(parleyIdle.openedPerSecond, 0)}/s)`,
        `${round(bareIdle.bytesPerSocket / 1024, 1)} KiB bare ws (opened at ${round(bareIdle.openedPerSecond, 0)}/s)`,
        String(ratio(parleyIdle.bytesPerSocket, bareIdle.bytesPerSocket)),
        '≤ 2 × bare',
      ]);
      // A fresh server for the rest, so idle sockets and their presence do not weigh on it.
      await parley.stop();
      parley = await startParley(serverEnv, PARLEY_PORT);
    }

    let single: SingleInstance | null = null;
    if (only.has('p1') || only.has('p2')) {
      log(`pgbench: single-row INSERTs, ${settings.pool} clients, ${settings.stepSeconds * 2} s`);
      const pgTps = await pgbenchInsertTps(db, databaseUrl, settings.pool, settings.stepSeconds * 2);
      const conversations = await seeder.conversations(settings.conversations);
      const bench = new MessageRateBench({
        senderBaseUrl: parley.baseUrl,
        recipientBaseUrl: parley.baseUrl,
        serverPids: [parley.pid],
      });
      try {
        await bench.connect(conversations);
        const found = await findMaxRate(bench, 'P1', invalid);
        results.p1 = {
          pgbenchTps: pgTps,
          maxRate: found.maxRate,
          warmupSeconds: found.warmupSeconds,
          stoppedAt: found.stoppedAt,
          steps: found.steps,
        };
        rows.push([
          'P1 max message rate',
          `${found.maxRate} msg/s`,
          `${round(pgTps, 0)} tps pgbench`,
          String(ratio(found.maxRate, pgTps)),
          '≥ 0.5 × pgbench',
        ]);
        if (found.best) {
          rows.push([
            '  CPU per message at P1 max',
            `server ${round(found.best.serverCpuMsPerMessage, 3)} ms, PostgreSQL ${round(found.best.postgresCpuMsPerMessage, 3)} ms`,
            '',
            '',
            '',
          ]);
        }
        rows.push(['  P1 step-up stopped at', describeStop(found), '', '', '']);
        let latency: RateStep | null = null;
        if (only.has('p2') && found.maxRate > 0) {
          latency = await latencyAt(bench, 'P2', found.maxRate, invalid);
          results.p2 = latency;
          rows.push(['P2 latency at P1/2', describeLatency(latency), '', '', 'p50 ≤ 3 ms, p99 ≤ 20 ms']);
          rows.push(['  of which generator send lag', describeSendLag(latency), '', '', '']);
          rows.push([
            '  lost / duplicated / out of order',
            `${latency.lost} / ${latency.duplicated} / ${latency.outOfOrder}`,
            '',
            '',
            '0 / 0 / 0',
          ]);
        }
        single = { ...found, latency };
      } finally {
        bench.close();
      }
    }

    if (only.has('p7')) {
      const keyPrefix = `bench:${randomBytes(6).toString('hex')}:`;
      const redisPid = redisServerPid(redisUrl);
      log(
        `P7: ${CLUSTER_PORTS.length} instances (ports ${CLUSTER_PORTS.join(', ')}), Redis ${redact(redisUrl)} ` +
          `prefix ${keyPrefix}, ${redisPid === null ? 'no local redis-server: its CPU is not measured' : `redis-server pid ${redisPid}`}`,
      );
      const cluster = await startParleyCluster(
        { ...serverEnv, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix },
        CLUSTER_PORTS,
      );
      let bench: MessageRateBench | null = null;
      try {
        const [senders, recipients] = cluster.instances;
        const conversations = await seeder.conversations(settings.conversations);
        bench = new MessageRateBench({
          senderBaseUrl: senders.baseUrl,
          recipientBaseUrl: recipients.baseUrl,
          serverPids: cluster.instances.map((instance) => instance.pid),
          redisPid,
        });
        await bench.connect(conversations);
        const found = await findMaxRate(bench, 'P7', invalid);
        const latency = found.maxRate > 0 ? await latencyAt(bench, 'P7', found.maxRate, invalid) : null;
        const versus = single ? compareWithSingle(single, found) : null;
        results.p7 = {
          instances: cluster.instances.map((instance, index) => ({
            instanceId: `bench-${index + 1}`,
            baseUrl: instance.baseUrl,
            pid: instance.pid,
            sockets: index === 0 ? 'senders (client side)' : 'recipients (owner side)',
          })),
          redis: { url: redact(redisUrl), keyPrefix, pid: redisPid },
          maxRate: found.maxRate,
          warmupSeconds: found.warmupSeconds,
          stoppedAt: found.stoppedAt,
          steps: found.steps,
          latency,
          versusSingleInstance: versus,
        };
        rows.push(...p7Rows(found, latency, single, versus));
      } finally {
        bench?.close();
        await cluster.stop();
        await deleteRedisKeys(redisUrl, keyPrefix).catch((error: unknown) =>
          log(`P7: could not delete the Redis keys under ${keyPrefix}: ${String(error)}`),
        );
      }
    }

    if (only.has('p3')) {
      log(`P3: typing fan-out, Parley and the bare relay in turns (${settings.fanoutRounds} each)`);
      const conversations = await seeder.conversations(settings.conversations);
      const parleyEndpoints = {
        senderUrls: conversations.map((c) => chatSocketUrl(parley.baseUrl, c.id, c.client.token)),
        recipientUrls: conversations.map((c) => chatSocketUrl(parley.baseUrl, c.id, c.owner.token)),
        waitForConnected: true,
      };
      const bareUrls = conversations.map((_, index) => `ws://127.0.0.1:${BARE_PORT}/relay/${index}`);
      const bareEndpoints = { senderUrls: bareUrls, recipientUrls: bareUrls, waitForConnected: false };
      const sliceSeconds = settings.fanoutSeconds / settings.fanoutRounds;
      const parleySlices: FanoutResult[] = [];
      const bareSlices: FanoutResult[] = [];
      const bare = await startBareRelay(BARE_PORT);
      try {
        // In turns, so that the shared box speeding up or slowing down weighs on both servers alike.
        for (let turn = 0; turn < settings.fanoutRounds; turn++) {
          parleySlices.push(await measureFanout(parleyEndpoints, parley.pid, sliceSeconds));
          bareSlices.push(await measureFanout(bareEndpoints, bare.pid, sliceSeconds));
        }
      } finally {
        await bare.stop();
      }
      const parleyFanout = combineFanout(parleySlices);
      const bareFanout = combineFanout(bareSlices);
      checkGenerator('P3 Parley', parleyFanout, invalid);
      checkGenerator('P3 bare', bareFanout, invalid);
      results.p3 = { parley: parleyFanout, bare: bareFanout, parleySlices, bareSlices };
      rows.push([
        'P3 typing fan-out',
        `${round(parleyFanout.deliveredPerSecond, 0)} frames/s`,
        `${round(bareFanout.deliveredPerSecond, 0)} frames/s bare ws`,
        String(ratio(parleyFanout.deliveredPerSecond, bareFanout.deliveredPerSecond)),
        '≥ 0.7 × bare',
      ]);
    }

    if (only.has('p8')) {
      log(
        `P8: history over ${settings.historyMessages} messages, ${settings.historyClients} clients, then the bare server`,
      );
      const timing = { warmupSeconds: settings.historyWarmupSeconds, seconds: settings.historySeconds };
      const walkHistory = (server: ServerProcess): Promise<HistoryResult> =>
        measureHistory(
          server.baseUrl,
          historyConversation,
          settings.historyMessages,
          settings.historyClients,
          timing,
          server.pid,
        );
      const history = await walkHistory(parley);
      const bareServer = await startBareHistory(BARE_HISTORY_PORT, databaseUrl, settings.pool);
      const bareHistory = await walkHistory(bareServer).finally(() => bareServer.stop());
      checkGenerator('P8 Parley', history, invalid);
      checkGenerator('P8 bare', bareHistory, invalid);
      results.p8 = { parley: history, bare: bareHistory };
      const describe = (result: HistoryResult): string =>
        `${round(result.requestsPerSecond, 0)} req/s, p99 ${round(result.latencyMs.p99)} ms, ${result.errors} errors`;
      rows.push([
        'P8 history pages (limit=50)',
        describe(history),
        `${describe(bareHistory)} bare node:http + pg`,
        String(ratio(history.requestsPerSecond, bareHistory.requestsPerSecond)),
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

type MaxRate = StepUpResult & { warmupSeconds: number };
type SingleInstance = MaxRate & { latency: RateStep | null };

/** The P1 step-up, after warmUp() at the start rate (not counted), logging each step and flagging a busy generator. */
async function findMaxRate(bench: MessageRateBench, label: string, invalid: string[]): Promise<MaxRate> {
  const warmupSeconds = await warmUp(bench, settings.startRate, { minSeconds: settings.warmupMinSeconds });
  log(`${label} warm-up at ${settings.startRate}/s: ${warmupSeconds} s`);
  const found = await stepUp(
    bench,
    { startRate: settings.startRate, stepSeconds: settings.stepSeconds },
    (step, problems) => {
      const rate = step.offeredPerSecond;
      log(
        `${label} ${rate}/s: p99 ${round(step.latencyMs.p99)} ms, lost ${step.lost}, dup ${step.duplicated}, ` +
          `out of order ${step.outOfOrder}, generator ${round(step.generatorCores * 100, 0)} % ` +
          (problems.length === 0 ? 'ok' : `FAILED (${problems.join(', ')})`),
      );
      checkGenerator(`${label} step ${rate}/s`, step, invalid);
    },
  );
  return { ...found, warmupSeconds };
}

/** P2's latency run: half the max rate for --latency-seconds, after warmUp() at that rate. */
async function latencyAt(
  bench: MessageRateBench,
  label: string,
  maxRate: number,
  invalid: string[],
): Promise<RateStep & { warmupSeconds: number }> {
  const half = Math.max(1, Math.round(maxRate / 2));
  // Not measured from the first message: the failing step before left work queued
  // (delivery marks, autovacuum) that would land on the first seconds here.
  const warmupSeconds = await warmUp(bench, half, { minSeconds: settings.warmupMinSeconds });
  log(`${label}: ${half}/s for ${settings.latencySeconds} s after ${warmupSeconds} s of warm-up`);
  const step = await bench.step(half, settings.latencySeconds);
  log(
    `${label} ${half}/s: ${describeLatency(step)} (generator send lag ${describeSendLag(step)}), ` +
      `lost ${step.lost}, dup ${step.duplicated}, out of order ${step.outOfOrder}`,
  );
  checkGenerator(label, step, invalid);
  return { ...step, warmupSeconds };
}

/** Flags a measurement whose load generator used more than 80 % of a core: its figure is invalid. */
function checkGenerator(label: string, usage: { generatorCores: number }, invalid: string[]): void {
  if (usage.generatorCores > 0.8)
    invalid.push(`${label}: generator used ${round(usage.generatorCores * 100, 0)} % of a core`);
}

interface VersusSingle {
  maxRate: { oneInstance: number; twoInstances: number; ratio: number };
  /** The highest offered rate both step-ups passed (else their first step): same load, CPU compared. */
  comparedAtRate: number;
  serverCpuMsPerMessage: { oneInstance: number; twoInstances: number; extra: number };
  postgresCpuMsPerMessage: { oneInstance: number; twoInstances: number };
  redisCpuMsPerMessage: number | null;
}

function compareWithSingle(single: StepUpResult, two: StepUpResult): VersusSingle {
  const passed = (found: StepUpResult): RateStep[] =>
    found.stoppedAt ? found.steps.slice(0, -1) : found.steps;
  const singlePassed = new Map(passed(single).map((step) => [step.offeredPerSecond, step]));
  const common = passed(two)
    .filter((step) => singlePassed.has(step.offeredPerSecond))
    .sort((a, b) => b.offeredPerSecond - a.offeredPerSecond)[0];
  const twoStep = common ?? two.steps[0];
  const oneStep = common ? (singlePassed.get(common.offeredPerSecond) as RateStep) : single.steps[0];
  return {
    maxRate: {
      oneInstance: single.maxRate,
      twoInstances: two.maxRate,
      ratio: ratio(two.maxRate, single.maxRate),
    },
    comparedAtRate: twoStep.offeredPerSecond,
    serverCpuMsPerMessage: {
      oneInstance: oneStep.serverCpuMsPerMessage,
      twoInstances: twoStep.serverCpuMsPerMessage,
      extra: twoStep.serverCpuMsPerMessage - oneStep.serverCpuMsPerMessage,
    },
    postgresCpuMsPerMessage: {
      oneInstance: oneStep.postgresCpuMsPerMessage,
      twoInstances: twoStep.postgresCpuMsPerMessage,
    },
    redisCpuMsPerMessage: twoStep.redisCpuMsPerMessage,
  };
}

function p7Rows(
  found: StepUpResult,
  latency: RateStep | null,
  single: SingleInstance | null,
  versus: VersusSingle | null,
): string[][] {
  const ms = (value: number | null): string => (value === null ? 'n/a' : `${round(value, 3)} ms`);
  const rows: string[][] = [
    [
      'P7 max message rate, 2 instances',
      `${found.maxRate} msg/s`,
      single ? `${single.maxRate} msg/s 1 instance (P1)` : '',
      versus ? String(versus.maxRate.ratio) : '',
      '—',
    ],
  ];
  if (found.best) {
    const each = found.best.serverCpuMsPerMessageEach.map((value) => round(value, 3)).join(' + ');
    rows.push([
      '  CPU per message at P7 max',
      `servers ${ms(found.best.serverCpuMsPerMessage)} (${each}), PostgreSQL ${ms(found.best.postgresCpuMsPerMessage)}, Redis ${ms(found.best.redisCpuMsPerMessage)}`,
      single?.best
        ? `server ${ms(single.best.serverCpuMsPerMessage)}, PostgreSQL ${ms(single.best.postgresCpuMsPerMessage)} at P1 max`
        : '',
      '',
      '',
    ]);
  }
  rows.push([
    '  P7 step-up stopped at',
    describeStop(found),
    single ? `${describeStop(single)} (P1)` : '',
    '',
    '',
  ]);
  if (latency) {
    rows.push([
      `P7 latency at P7/2 (${latency.offeredPerSecond} msg/s)`,
      describeLatency(latency),
      single?.latency
        ? `${describeLatency(single.latency)} (P2, ${single.latency.offeredPerSecond} msg/s)`
        : '',
      '',
      '—',
    ]);
  }
  const total = (stepped: StepUpResult, extra: RateStep | null): string => {
    const steps = extra ? [...stepped.steps, extra] : stepped.steps;
    const sum = (pick: (step: RateStep) => number): number =>
      steps.reduce((acc, step) => acc + pick(step), 0);
    return `${sum((step) => step.lost)} / ${sum((step) => step.duplicated)} / ${sum((step) => step.outOfOrder)}`;
  };
  rows.push([
    '  lost / duplicated / out of order',
    `${latency ? `${latency.lost} / ${latency.duplicated} / ${latency.outOfOrder}, ` : ''}all steps ${total(found, latency)}`,
    single
      ? `${single.latency ? `${single.latency.lost} / ${single.latency.duplicated} / ${single.latency.outOfOrder}, ` : ''}all steps ${total(single, single.latency)} (P1/P2)`
      : '',
    '',
    '—',
  ]);
  if (versus) {
    const cpu = versus.serverCpuMsPerMessage;
    rows.push([
      `Redis cost per message at ${versus.comparedAtRate} msg/s`,
      `servers ${cpu.extra >= 0 ? '+' : ''}${ms(cpu.extra)} CPU (${ms(cpu.twoInstances)} vs ${ms(cpu.oneInstance)}), Redis ${ms(versus.redisCpuMsPerMessage)}`,
      `1 instance: server ${ms(cpu.oneInstance)}`,
      '',
      '—',
    ]);
  } else {
    const at = found.best ?? found.steps[0];
    rows.push([
      `Redis cost per message at ${at.offeredPerSecond} msg/s`,
      `Redis ${ms(at.redisCpuMsPerMessage)} (run P1 too for the extra server CPU)`,
      '',
      '',
      '—',
    ]);
  }
  return rows;
}

function describeLatency(step: RateStep): string {
  return `p50 ${round(step.latencyMs.p50)} ms, p99 ${round(step.latencyMs.p99)} ms, p99.9 ${round(step.latencyMs.p999)} ms`;
}

function describeSendLag(step: RateStep): string {
  return `p50 ${round(step.sendLagMs.p50)} ms, p99 ${round(step.sendLagMs.p99)} ms`;
}

function describeStop(found: StepUpResult): string {
  const stop = found.stoppedAt
    ? `${found.stoppedAt.offeredPerSecond} msg/s: ${found.stoppedAt.problems.join(', ')}`
    : 'never (step limit)';
  const repeated = found.repeated.map(
    (step) => `${step.offeredPerSecond} msg/s (${step.problems.join(', ')})`,
  );
  return repeated.length > 0 ? `${stop}; passed on repeat: ${repeated.join(', ')}` : stop;
}

/** A URL without its password, for logs and results. */
function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
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
