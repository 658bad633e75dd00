import { corkUntilTickEnd } from '../src/chat/ws/tick-cork';
import type { BenchSocket } from './bench-socket';

interface Lane {
  sender: BenchSocket;
  inFlight: number;
  deliveredSinceCheck: number;
}

/**
 * The generator must stay cheaper than the servers it drives (the bare relay once
 * saturated it), so it does no per-frame JSON: the frame is serialised once and sent
 * as text from that buffer, and an arrival is recognised by its first bytes. Both
 * servers write a typing frame with `type` first, as JSON.stringify does (Parley's
 * fan-out, and the relay echoing TYPING_FRAME), and no other frame starts so.
 */
const TYPING_FRAME = Buffer.from(JSON.stringify({ type: 'typing', is_typing: true }));
const TYPING_PREFIX = Buffer.from('{"type":"typing",');

function isTypingFrame(data: Buffer): boolean {
  return (
    data.length > TYPING_PREFIX.length &&
    data.compare(TYPING_PREFIX, 0, TYPING_PREFIX.length, 0, TYPING_PREFIX.length) === 0
  );
}

/**
 * The frames one sender sends in one tick (several arrivals read in one chunk) leave in
 * one write system call rather than one each, which was most of the generator's CPU.
 */
function sendTyping(sender: BenchSocket): void {
  corkUntilTickEnd(sender.socket);
  sender.socket.send(TYPING_FRAME, { binary: false });
}

/**
 * P3's load: typing frames across many conversations, each keeping `window` frames in
 * flight and sending one more per arrival, so the server, not a fixed offered rate, sets
 * the pace.
 */
export class TypingLanes {
  /** Typing frames that reached a recipient since `start()`. */
  delivered = 0;
  private running = false;
  private refill: NodeJS.Timeout | null = null;
  private readonly lanes: Lane[];

  constructor(
    pairs: ReadonlyArray<{ sender: BenchSocket; recipient: BenchSocket }>,
    private readonly window: number,
  ) {
    this.lanes = pairs.map(({ sender, recipient }) => {
      const lane: Lane = { sender, inFlight: 0, deliveredSinceCheck: 0 };
      // Replaces BenchSocket's parse-every-frame listener for the measurement.
      recipient.socket.removeAllListeners('message');
      recipient.socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary || !isTypingFrame(data)) return;
        this.delivered++;
        lane.deliveredSinceCheck++;
        lane.inFlight = Math.max(0, lane.inFlight - 1);
        if (this.running) {
          lane.inFlight++;
          sendTyping(sender);
        }
      });
      return lane;
    });
  }

  start(): void {
    this.running = true;
    this.lanes.forEach((lane) => this.fill(lane));
    // A server may drop typing frames under backpressure: refill lanes that went quiet.
    this.refill = setInterval(() => {
      for (const lane of this.lanes) {
        if (lane.deliveredSinceCheck === 0) {
          lane.inFlight = 0;
          this.fill(lane);
        }
        lane.deliveredSinceCheck = 0;
      }
    }, 250);
  }

  stop(): void {
    this.running = false;
    if (this.refill) clearInterval(this.refill);
    this.refill = null;
  }

  private fill(lane: Lane): void {
    for (; lane.inFlight < this.window; lane.inFlight++) sendTyping(lane.sender);
  }
}
