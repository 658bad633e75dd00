import { randomUUID } from 'node:crypto';
import type { Frame, WsTestClient } from './ws-test-client';

/** Sends a text message frame with a fresh client_message_id. */
export function sendMessage(socket: WsTestClient, content: string): void {
  socket.send({ type: 'message', content, client_message_id: randomUUID() });
}

/** Matches the `message` frame carrying this text. */
export function messageWith(content: string): (frame: Frame) => boolean {
  return (frame) => (frame.data as { content: string }).content === content;
}

/** The seqs of every `message` frame a socket received, in arrival order. */
export function seqsOf(socket: WsTestClient): number[] {
  return socket.all('message').map((frame) => (frame.data as { seq: number }).seq);
}
