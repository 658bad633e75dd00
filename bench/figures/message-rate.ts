import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchConversation } from '../bench-database';
import { BenchSocket, chatSocketUrl, openAll } from '../bench-socket';
import { CpuMeter, type CpuUsage } from '../processes';
import { type LatencySummary, summarize } from '../stats';

/** One step's delivery figures, and the CPU it took (`serverCoresEach` in `serverPids` order). */
export interface RateStep extends CpuUsage {
  offeredPerSecond: number;
  sent: number;
  acked: number;
  received: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  latencyMs: LatencySummary;
  /**
   * How late the generator sent each message after its scheduled time. Part of
   * every latency above (which runs from the scheduled time): the send loop wakes
   * about once a millisecond and sends what fell due meanwhile.
   */
  sendLagMs: LatencySummary;
  /** Server sockets closed under the bench while the step ran (their messages count as lost). */
  socketsClosed: number;
  /** CPU time per message sent, over the whole step (sending and draining). */
  serverCpuMsPerMessage: number;
  serverCpuMsPerMessageEach: number[];
  postgresCpuMsPerMessage: number;
  redisCpuMsPerMessage: number | null;
}

/** Where the two sides of every conversation connect, and which processes' CPU to measure. */
export interface MessageRateTarget {
  /** Base URL the senders (client side of each conversation) connect to. */
  senderBaseUrl: string;
  /** Base URL the recipients (owner side) connect to; another instance makes every message cross Redis. */
  recipientBaseUrl: string;
  serverPids: readonly number[];
  redisPid?: number | null;
}

interface Pair {
  conversation: BenchConversation;
  sender: BenchSocket;
  recipient: BenchSocket;
  lastSeq: number;
}

/**
 * P1/P2 and P7: 1:1 conversations with both sides connected; the client side
 * sends at an open-loop constant rate, latency runs from the scheduled send time
 * (so a stalled server cannot hide its backlog) to arrival at the owner's socket.
 * The two sides may be on different instances (P7).
 */
export class MessageRateBench {
  private pairs: Pair[] = [];
  private intended: number[] = [];
  private received = new Uint8Array(0);
  private latencies: number[] = [];
  private sendLags: number[] = [];
  private counts = { acked: 0, received: 0, duplicated: 0, outOfOrder: 0, socketsClosed: 0 };
  private stepId = 0;
  private closing = false;

  constructor(private readonly target: MessageRateTarget) {}

  async connect(conversations: readonly BenchConversation[]): Promise<void> {
    const senders = await openAll(
      conversations.map((c) => chatSocketUrl(this.target.senderBaseUrl, c.id, c.client.token)),
      true,
    );
    const recipients = await openAll(
      conversations.map((c) => chatSocketUrl(this.target.recipientBaseUrl, c.id, c.owner.token)),
      true,
    );
    this.pairs = conversations.map((conversation, index) => ({
      conversation,
      sender: senders[index],
      recipient: recipients[index],
      lastSeq: -1,
    }));
    for (const pair of this.pairs) {
      pair.sender.onFrame = (frame) => {
        if (frame.type === 'message') this.counts.acked++;
      };
      pair.recipient.onFrame = (frame) => {
        if (frame.type === 'message') this.onDelivered(pair, frame.data as { seq: number; content: string });
      };
      for (const socket of [pair.sender.socket, pair.recipient.socket])
        socket.once('close', () => {
          if (!this.closing) this.counts.socketsClosed++;
        });
    }
  }

  private onDelivered(pair: Pair, message: { seq: number; content: string }): void {
    const now = performance.now();
    if (pair.lastSeq >= 0 && message.seq !== pair.lastSeq + 1) {
      if (message.seq <= pair.lastSeq) this.counts.duplicated++;
      else this.counts.outOfOrder++;
    }
    pair.lastSeq = Math.max(pair.lastSeq, message.seq);
    const [step, index] = message.content.split(':').slice(1).map(Number);
    if (step !== this.stepId) return;
    if (this.received[index]) {
      this.counts.duplicated++;
      return;
    }
    this.received[index] = 1;
    this.counts.received++;
    this.latencies.push(now - this.intended[index]);
  }

  async step(ratePerSecond: number, seconds: number): Promise<RateStep> {
    const total = Math.max(1, Math.round(ratePerSecond * seconds));
    this.stepId++;
    this.intended = new Array<number>(total);
    this.received = new Uint8Array(total);
    this.latencies = [];
    this.sendLags = [];
    this.counts = { acked: 0, received: 0, duplicated: 0, outOfOrder: 0, socketsClosed: 0 };
    const cpu = new CpuMeter(this.target.serverPids, this.target.redisPid ?? null);
    const start = performance.now();
    let sent = 0;
    while (sent < total) {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) / 1000) * ratePerSecond) + 1);
      for (; sent < due; sent++) {
        this.intended[sent] = start + (sent * 1000) / ratePerSecond;
        this.sendLags.push(now - this.intended[sent]);
        const pair = this.pairs[sent % this.pairs.length];
        pair.sender.send({
          type: 'message',
          content: `b:${this.stepId}:${sent}`,
          client_message_id: `b${this.stepId}-${sent}`,
        });
      }
      await sleep(1);
    }
    const deadline = performance.now() + 5_000;
    while ((this.counts.received < total || this.counts.acked < total) && performance.now() < deadline)
      await sleep(5);
    const usage = cpu.stop();
    const msPerMessage = (cores: number): number => (cores * usage.wallSeconds * 1000) / total;
    return {
      offeredPerSecond: ratePerSecond,
      sent: total,
      acked: this.counts.acked,
      received: this.counts.received,
      lost: total - this.counts.received,
      duplicated: this.counts.duplicated,
      outOfOrder: this.counts.outOfOrder,
      latencyMs: summarize(this.latencies),
      sendLagMs: summarize(this.sendLags),
      socketsClosed: this.counts.socketsClosed,
      wallSeconds: usage.wallSeconds,
      generatorCores: usage.generatorCores,
      serverCores: usage.serverCores,
      serverCoresEach: usage.serverCoresEach,
      postgresCores: usage.postgresCores,
      redisCores: usage.redisCores,
      serverCpuMsPerMessage: msPerMessage(usage.serverCores),
      serverCpuMsPerMessageEach: usage.serverCoresEach.map(msPerMessage),
      postgresCpuMsPerMessage: msPerMessage(usage.postgresCores),
      redisCpuMsPerMessage: usage.redisCores === null ? null : msPerMessage(usage.redisCores),
    };
  }

  close(): void {
    this.closing = true;
    for (const pair of this.pairs) {
      pair.sender.close();
      pair.recipient.close();
    }
  }
}

/** What the step-up stop rule objects to in a step; empty when the step passes. */
export function stepProblems(step: RateStep, maxP99Ms = 50): string[] {
  const problems: string[] = [];
  if (!(step.latencyMs.p99 <= maxP99Ms))
    problems.push(`p99 ${Math.round(step.latencyMs.p99 * 100) / 100} ms > ${maxP99Ms} ms`);
  if (step.lost > 0) problems.push(`${step.lost} lost`);
  if (step.duplicated > 0) problems.push(`${step.duplicated} duplicated`);
  if (step.outOfOrder > 0) problems.push(`${step.outOfOrder} out of order`);
  if (step.socketsClosed > 0) problems.push(`${step.socketsClosed} sockets closed`);
  return problems;
}

/**
 * Warm-up, not counted: `minSeconds` at `rate`, then 1 s slices until one passes the stop rule
 * (fresh processes are still compiling hot paths, two fresh instances for longer than one) or
 * `maxSeconds` are spent. Returns the seconds spent.
 */
export async function warmUp(
  bench: Pick<MessageRateBench, 'step'>,
  rate: number,
  { minSeconds = 2, maxSeconds = 20, maxP99Ms = 50 } = {},
): Promise<number> {
  await bench.step(rate, minSeconds);
  let spent = minSeconds;
  while (spent < maxSeconds) {
    const slice = await bench.step(rate, 1);
    spent += 1;
    if (stepProblems(slice, maxP99Ms).length === 0) break;
  }
  return spent;
}

export interface StepUpResult {
  /** The highest offered rate that passed; 0 when the first step failed. */
  maxRate: number;
  best: RateStep | null;
  /** Every measured step, repeats included, the failing one last. */
  steps: RateStep[];
  /** Rates whose first run failed on latency alone and whose repeat passed, with the first run's problems. */
  repeated: Array<{ offeredPerSecond: number; problems: string[] }>;
  stoppedAt: { offeredPerSecond: number; problems: string[] } | null;
}

/**
 * Offers `startRate`, then 1.3 × more each step, until a step has p99 over
 * `maxP99Ms` or loses, duplicates or reorders anything (or `maxSteps` passed).
 * A step that fails on latency alone is run once more, and the step-up goes on
 * if the repeat passes: on a shared machine one stall from outside the server
 * would otherwise decide the figure (seen: p99 54 ms in one step, 17 ms in its
 * repeat; a run stopped at 0.04 × pgbench on one such step). Losing,
 * duplicating or reordering anything stops it at once.
 */
export async function stepUp(
  bench: Pick<MessageRateBench, 'step'>,
  options: { startRate: number; stepSeconds: number; maxP99Ms?: number; factor?: number; maxSteps?: number },
  onStep: (step: RateStep, problems: string[]) => void = () => undefined,
): Promise<StepUpResult> {
  const { startRate, stepSeconds, maxP99Ms = 50, factor = 1.3, maxSteps = 100 } = options;
  const steps: RateStep[] = [];
  const repeated: StepUpResult['repeated'] = [];
  let best: RateStep | null = null;
  let rate = startRate;
  const measure = async (): Promise<{ problems: string[]; latencyAlone: boolean }> => {
    const step = await bench.step(rate, stepSeconds);
    steps.push(step);
    const problems = stepProblems(step, maxP99Ms);
    onStep(step, problems);
    return { problems, latencyAlone: problems.length === 1 && !(step.latencyMs.p99 <= maxP99Ms) };
  };
  for (let index = 0; index < maxSteps; index++) {
    const first = await measure();
    let { problems } = first;
    if (first.latencyAlone) {
      problems = (await measure()).problems;
      if (problems.length === 0) repeated.push({ offeredPerSecond: rate, problems: first.problems });
    }
    if (problems.length > 0)
      return {
        maxRate: best?.offeredPerSecond ?? 0,
        best,
        steps,
        repeated,
        stoppedAt: { offeredPerSecond: rate, problems },
      };
    best = steps[steps.length - 1];
    rate = Math.round(rate * factor);
  }
  return { maxRate: best?.offeredPerSecond ?? 0, best, steps, repeated, stoppedAt: null };
}
