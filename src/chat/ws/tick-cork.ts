import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { tcpSocketOf } from './ws-tcp-socket';

function uncork(tcp: Socket): void {
  tcp.uncork();
}

/**
 * Holds a socket's writes until the end of the current tick. ws writes each frame
 * with its own system call, which profiling showed to be the largest single cost of
 * a typing frame; corked, the frames one socket is sent in one tick (a burst of
 * typing frames read in one chunk, a replay page) leave in one write. Nothing waits
 * for I/O: process.nextTick runs before the event loop moves on, and ws's
 * bufferedAmount counts corked bytes, so the slow-consumer limits still see them.
 */
export function corkUntilTickEnd(socket: WebSocket): void {
  const tcp = tcpSocketOf(socket);
  if (!tcp || tcp.writableCorked > 0) return;
  tcp.cork();
  process.nextTick(uncork, tcp);
}
