import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchConversation } from '../bench-database';
import { BenchSocket, chatSocketUrl, openAll } from '../bench-socket';
import { CpuMeter } from '../processes';
import { type LatencySummary, summarize } from '../stats';

export interface RateStep {
  offeredPerSecond: number;
  sent: number;
  acked: number;
  received: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  latencyMs: LatencySummary;
  generatorCores: number;
  serverCores: number;
  postgresCores: number;
  serverCpuMsPerMessage: number;
}

interface Pair {
  conversation: BenchConversation;
  sender: BenchSocket;
  recipient: BenchSocket;
  lastSeq: number;
}

/**
 * P1/P2: 1:1 conversations with both sides connected; the client side sends at
 * an open-loop constant rate, latency runs from the scheduled send time (so a
 * stalled server cannot hide its backlog) to arrival at the owner's socket.
 */
export class MessageRateBench {
  private pairs: Pair[] = [];
  private intended: number[] = [];
  private received = new Uint8Array(0);
  private latencies: number[] = [];
  private counts = { acked: 0, received: 0, duplicated: 0, outOfOrder: 0 };
  private stepId = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly serverPid: number,
  ) {}

  async connect(conversations: readonly BenchConversation[]): Promise<void> {
    const senders = await openAll(
      conversations.map((c) => chatSocketUrl(this.baseUrl, c.id, c.client.token)),
      true,
    );
    const recipients = await openAll(
      conversations.map((c) => chatSocketUrl(this.baseUrl, c.id, c.owner.token)),
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
    this.counts = { acked: 0, received: 0, duplicated: 0, outOfOrder: 0 };
    const cpu = new CpuMeter(this.serverPid);
    const start = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * ratePerSecond) + 1);
      for (; sent < due; sent++) {
        this.intended[sent] = start + (sent * 1000) / ratePerSecond;
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
    return {
      offeredPerSecond: ratePerSecond,
      sent: total,
      acked: this.counts.acked,
      received: this.counts.received,
      lost: total - this.counts.received,
      duplicated: this.counts.duplicated,
      outOfOrder: this.counts.outOfOrder,
      latencyMs: summarize(this.latencies),
      generatorCores: usage.generatorCores,
      serverCores: usage.serverCores,
      postgresCores: usage.postgresCores,
      serverCpuMsPerMessage: (usage.serverCores * usage.wallSeconds * 1000) / total,
    };
  }

  close(): void {
    for (const pair of this.pairs) {
      pair.sender.close();
      pair.recipient.close();
    }
  }
}
