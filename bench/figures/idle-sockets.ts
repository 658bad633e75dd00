import { fork } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectGarbage } from '../heap-collector';
import { rssOf, type ServerProcess, stopProcess } from '../processes';

export interface IdleSocketsResult {
  sockets: number;
  /** How fast the server accepted them (upgrade, authentication, first frames), several clients at once. */
  openedPerSecond: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerSocket: number;
}

/**
 * P5: server RSS growth per idle socket, the sockets held by several client processes.
 * `settleSeconds`: how long the server is left alone after the sockets are open (presence
 * writes, timers) before its RSS is read; a third of it before the first reading. Each
 * reading follows a full garbage collection, so both readings count what the server holds.
 */
export async function measureIdleSockets(
  urls: readonly string[],
  waitForConnected: boolean,
  server: ServerProcess,
  processes: number,
  settleSeconds: number,
): Promise<IdleSocketsResult> {
  const inspectorUrl = server.inspectorUrl();
  if (!inspectorUrl) throw new Error('P5 needs the server started with INSPECTOR_OPTIONS');
  const heldBytes = async (): Promise<number> => {
    await collectGarbage(inspectorUrl);
    return rssOf(server.pid);
  };
  await sleep((settleSeconds * 1000) / 3);
  const rssBeforeBytes = await heldBytes();
  const children = Array.from({ length: processes }, () =>
    fork(path.join(__dirname, '..', 'idle-clients.js'), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  try {
    const share = Math.ceil(urls.length / processes);
    const openStart = process.hrtime.bigint();
    const opened = await Promise.all(
      children.map(
        (child, index) =>
          new Promise<number>((resolve, reject) => {
            child.once('message', (reply: { opened?: number; error?: string }) =>
              reply.error ? reject(new Error(reply.error)) : resolve(reply.opened ?? 0),
            );
            child.send({ urls: urls.slice(index * share, (index + 1) * share), waitForConnected });
          }),
      ),
    );
    const sockets = opened.reduce((sum, count) => sum + count, 0);
    const openSeconds = Number(process.hrtime.bigint() - openStart) / 1e9;
    await sleep(settleSeconds * 1000);
    const rssAfterBytes = await heldBytes();
    return {
      sockets,
      openedPerSecond: sockets / openSeconds,
      rssBeforeBytes,
      rssAfterBytes,
      bytesPerSocket: (rssAfterBytes - rssBeforeBytes) / sockets,
    };
  } finally {
    await Promise.all(children.map(stopProcess));
  }
}
