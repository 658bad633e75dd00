import WebSocket from 'ws';

export interface ServerFrame {
  type: string;
  [key: string]: unknown;
}

/** A client socket whose frames go to one handler, parsed once. */
export class BenchSocket {
  onFrame: (frame: ServerFrame) => void = () => undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.onFrame(JSON.parse(data.toString('utf8')) as ServerFrame));
  }

  /** Opens a socket; for Parley (`waitForConnected`) resolves on its `connected` frame. */
  static open(url: string, waitForConnected: boolean): Promise<BenchSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      const bench = new BenchSocket(socket);
      socket.once('error', reject);
      socket.once('close', (code) => reject(new Error(`closed with ${code} while opening`)));
      if (!waitForConnected) {
        socket.once('open', () => resolve(bench));
        return;
      }
      bench.onFrame = (frame) => {
        if (frame.type === 'connected') {
          bench.onFrame = () => undefined;
          resolve(bench);
        }
      };
    });
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Opens many sockets, at most `concurrency` handshakes at a time. */
export async function openAll(
  urls: readonly string[],
  waitForConnected: boolean,
  concurrency = 100,
): Promise<BenchSocket[]> {
  const sockets: BenchSocket[] = new Array<BenchSocket>(urls.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < urls.length) {
      const index = next++;
      sockets[index] = await BenchSocket.open(urls[index], waitForConnected);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, () => worker()));
  return sockets;
}

export function chatSocketUrl(baseUrl: string, conversationId: string, token: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}/v1/ws/chat/${conversationId}?token=${encodeURIComponent(token)}`;
}
