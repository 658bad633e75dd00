import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CpuMeter, stopProcess } from '../processes';
import type { TypingClientsCommand, TypingClientsReply } from '../typing-clients';

export interface FanoutResult {
  deliveredPerSecond: number;
  /** The busiest generator process's CPU, in cores: past 0.8 the figure is invalid. */
  generatorCores: number;
  /** How many processes shared the generator's work. */
  generatorProcesses: number;
  serverCores: number;
  /** How long the frames were counted. */
  wallSeconds: number;
}

type Reply<Type extends TypingClientsReply['type']> = Extract<TypingClientsReply, { type: Type }>;

/** Sends a command to a generator process and waits for its answer of type `expect`. */
function ask<Type extends TypingClientsReply['type']>(
  child: ChildProcess,
  command: TypingClientsCommand,
  expect: Type,
): Promise<Reply<Type>> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (reply: TypingClientsReply): void => {
      done();
      if (reply.type === 'error') reject(new Error(`typing client: ${reply.error}`));
      else if (reply.type !== expect)
        reject(new Error(`typing client answered ${reply.type}, not ${expect}`));
      else resolve(reply as Reply<Type>);
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`typing client exited (${code}) before answering ${command.type}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(command);
  });
}

/**
 * P3: how many typing frames per second a server relays across many conversations,
 * driven by `processes` generator processes (`typing-clients.ts`), each with its share
 * of the conversations; see `TypingLanes` for the load itself. The same generator
 * drives Parley and the bare relay. Counted over `seconds` after half a second of
 * warm-up; `generatorCores` is the busiest generator process's.
 */
export async function measureFanout(
  endpoints: { senderUrls: readonly string[]; recipientUrls: readonly string[]; waitForConnected: boolean },
  serverPid: number,
  seconds: number,
  window = 8,
  processes = 2,
): Promise<FanoutResult> {
  const children = Array.from({ length: processes }, () =>
    fork(path.join(__dirname, '..', 'typing-clients.js'), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  try {
    const share = Math.ceil(endpoints.senderUrls.length / processes);
    await Promise.all(
      children.map((child, index) =>
        ask(
          child,
          {
            type: 'open',
            senderUrls: endpoints.senderUrls.slice(index * share, (index + 1) * share),
            recipientUrls: endpoints.recipientUrls.slice(index * share, (index + 1) * share),
            waitForConnected: endpoints.waitForConnected,
            window,
          },
          'opened',
        ),
      ),
    );
    const readAll = (): Promise<Array<Reply<'count'>>> =>
      Promise.all(children.map((child) => ask(child, { type: 'read' }, 'count')));
    for (const child of children) child.send({ type: 'start' } satisfies TypingClientsCommand);
    await sleep(500); // warm-up
    const first = await readAll();
    const cpu = new CpuMeter(serverPid);
    await sleep(seconds * 1000);
    const last = await readAll();
    const usage = cpu.stop();
    await Promise.all(children.map((child) => ask(child, { type: 'stop' }, 'stopped')));
    const delivered = last.reduce((sum, count, index) => sum + count.delivered - first[index].delivered, 0);
    const generatorCores = Math.max(
      ...last.map((count, index) => (count.cpuMicros - first[index].cpuMicros) / 1e6 / usage.wallSeconds),
    );
    return {
      deliveredPerSecond: delivered / usage.wallSeconds,
      generatorCores,
      generatorProcesses: processes,
      serverCores: usage.serverCores,
      wallSeconds: usage.wallSeconds,
    };
  } finally {
    await Promise.all(children.map(stopProcess));
  }
}

/**
 * One server's P3 from the slices it was measured in, taking turns with the other
 * server: frames and server CPU over the whole time counted, the busiest generator
 * process of any slice.
 */
export function combineFanout(slices: readonly FanoutResult[]): FanoutResult {
  if (slices.length === 0) throw new Error('no P3 slice to combine');
  const wallSeconds = slices.reduce((sum, slice) => sum + slice.wallSeconds, 0);
  const overTime = (value: (slice: FanoutResult) => number): number =>
    slices.reduce((sum, slice) => sum + value(slice) * slice.wallSeconds, 0) / wallSeconds;
  return {
    deliveredPerSecond: overTime((slice) => slice.deliveredPerSecond),
    generatorCores: Math.max(...slices.map((slice) => slice.generatorCores)),
    generatorProcesses: Math.max(...slices.map((slice) => slice.generatorProcesses)),
    serverCores: overTime((slice) => slice.serverCores),
    wallSeconds,
  };
}
