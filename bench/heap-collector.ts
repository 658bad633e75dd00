import { once } from 'node:events';
import WebSocket from 'ws';

/**
 * The node option that lets `collectGarbage` reach a server. Published over HTTP only
 * (`/json/list`), so the server does not print its debugger address into the bench's output.
 */
export function inspectorOptions(port: number): string[] {
  return [`--inspect=127.0.0.1:${port}`, '--inspect-publish-uid=http'];
}

interface InspectorTarget {
  webSocketDebuggerUrl: string;
}

/**
 * Runs a full garbage collection, as V8 does when it reduces memory, in the Node process
 * started with `inspectorOptions(port)`, through the inspector protocol's
 * `HeapProfiler.collectGarbage`, then detaches. An RSS read after it counts what the
 * process holds rather than garbage whose collection had not come yet: P5 read without it
 * gave 5.6, 7.7 and 12.1 KiB per socket for the same server on the same box.
 */
export async function collectGarbage(port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/json/list`);
  const [target] = (await response.json()) as InspectorTarget[];
  if (!target) throw new Error(`no inspector target on port ${port}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  try {
    await once(socket, 'open');
    const reply = new Promise<void>((resolve, reject) => {
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString('utf8')) as { id?: number; error?: { message: string } };
        if (message.id !== 1) return;
        if (message.error) reject(new Error(`collectGarbage: ${message.error.message}`));
        else resolve();
      });
      socket.once('close', () => reject(new Error('inspector closed before collectGarbage answered')));
    });
    socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    await reply;
  } finally {
    socket.close();
  }
}
