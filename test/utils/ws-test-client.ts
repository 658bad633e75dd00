import WebSocket from 'ws';

export interface Frame {
  type: string;
  conversation_id?: string;
  [key: string]: unknown;
}

export interface CloseEvent {
  code: number;
  reason: string;
}

const DEFAULT_TIMEOUT_MS = 3000;

/**
 * A real `ws` client that queues every frame it receives, so a test can await
 * the next frame of a type (with a timeout) or assert that none arrived.
 */
export class WsTestClient {
  readonly frames: Frame[] = [];
  private readonly waiters: Array<{ match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];
  private readonly closedPromise: Promise<CloseEvent>;
  private consumed = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse((data as Buffer).toString('utf8')) as Frame;
      this.frames.push(frame);
      const index = this.waiters.findIndex((waiter) => waiter.match(frame));
      if (index >= 0) {
        const [waiter] = this.waiters.splice(index, 1);
        this.consumed = this.frames.length;
        waiter.resolve(frame);
      }
    });
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  /** Opens a socket; resolves once open, rejects if the server refuses the upgrade. */
  static connect(
    url: string,
    options: WebSocket.ClientOptions & { protocols?: string[] } = {},
  ): Promise<WsTestClient> {
    const { protocols, ...rest } = options;
    const socket = new WebSocket(url, protocols, rest);
    const client = new WsTestClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused with HTTP ${response.statusCode}`)),
      );
    });
  }

  /** Opens a socket and resolves with how the server closed it (for handshake refusals). */
  static async closeCodeOf(url: string, options: WebSocket.ClientOptions = {}): Promise<CloseEvent> {
    const socket = new WebSocket(url, options);
    return new Promise((resolve, reject) => {
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused with HTTP ${response.statusCode}`)),
      );
      socket.once('error', () => undefined);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * The first frame received after the last awaited one that matches; waits up
   * to `timeoutMs` for it to arrive.
   */
  next(
    type: string,
    predicate: (frame: Frame) => boolean = () => true,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<Frame> {
    const match = (frame: Frame): boolean => frame.type === type && predicate(frame);
    const already = this.frames.slice(this.consumed).findIndex(match);
    if (already >= 0) {
      const frame = this.frames[this.consumed + already];
      this.consumed += already + 1;
      return Promise.resolve(frame);
    }
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (frame: Frame): void => resolve(frame) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `no "${type}" frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`,
          ),
        );
      }, timeoutMs);
      waiter.resolve = (frame: Frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push(waiter);
    });
  }

  /** Every frame of a type received so far. */
  all(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  closed(): Promise<CloseEvent> {
    return this.closedPromise;
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closedPromise;
  }

  /** Kills the TCP connection without a close frame, as a crashed client would. */
  terminate(): void {
    this.socket.terminate();
  }
}
