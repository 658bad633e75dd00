import { fork } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { rssOf } from '../processes';

export interface IdleSocketsResult {
  sockets: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerSocket: number;
}

/** P5: server RSS growth per idle socket, the sockets held by several client processes. */
export async function measureIdleSockets(
  urls: readonly string[],
  waitForConnected: boolean,
  serverPid: number,
  processes: number,
): Promise<IdleSocketsResult> {
  await sleep(1_000);
  const rssBeforeBytes = rssOf(serverPid);
  const children = Array.from({ length: processes }, () =>
    fork(path.join(__dirname, '..', 'idle-clients.js'), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  try {
    const share = Math.ceil(urls.length / processes);
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
    await sleep(3_000); // let the server settle (GC, presence writes)
    const rssAfterBytes = rssOf(serverPid);
    return {
      sockets,
      rssBeforeBytes,
      rssAfterBytes,
      bytesPerSocket: (rssAfterBytes - rssBeforeBytes) / sockets,
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await sleep(1_000);
  }
}
