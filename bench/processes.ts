import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident set size in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** CPU seconds of every PostgreSQL server process on this machine. */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres')
        total += cpuSecondsOf(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** CPU used by the server, PostgreSQL and this generator between two points in time. */
export class CpuMeter {
  private readonly wallStart = process.hrtime.bigint();
  private readonly generatorStart = process.cpuUsage();
  private readonly serverStart: number;
  private readonly postgresStart = postgresCpuSeconds();

  constructor(private readonly serverPid: number) {
    this.serverStart = cpuSecondsOf(serverPid);
  }

  /** Cores used on average (1.0 = one core busy the whole time). */
  stop(): { wallSeconds: number; generatorCores: number; serverCores: number; postgresCores: number } {
    const wallSeconds = Number(process.hrtime.bigint() - this.wallStart) / 1e9;
    const generator = process.cpuUsage(this.generatorStart);
    return {
      wallSeconds,
      generatorCores: (generator.user + generator.system) / 1e6 / wallSeconds,
      serverCores: (cpuSecondsOf(this.serverPid) - this.serverStart) / wallSeconds,
      postgresCores: (postgresCpuSeconds() - this.postgresStart) / wallSeconds,
    };
  }
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  stop(): Promise<void>;
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`process exited with ${child.exitCode} before answering ${url}`);
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
}

/** The built Parley server (`dist/src/main.js`) as its own process. */
export async function startParley(env: Record<string, string>, port: number): Promise<ServerProcess> {
  // PARLEY_BENCH_NODE_OPTIONS=--cpu-prof profiles the server (see BENCHMARKS.md).
  const nodeOptions = (process.env.PARLEY_BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeOptions, path.join(REPO_ROOT, 'dist/src/main.js')], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseUrl}/v1/chat/health`, child);
  return { child, pid: child.pid as number, baseUrl, stop: stopper(child) };
}

/** The bare `ws` relay (`bench/bare-ws-server.ts`), the baseline for fan-out and idle sockets. */
export async function startBareRelay(port: number): Promise<ServerProcess> {
  const child = spawn(process.execPath, [path.join(__dirname, 'bare-ws-server.js'), String(port)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseUrl}/health`, child);
  return { child, pid: child.pid as number, baseUrl, stop: stopper(child) };
}
