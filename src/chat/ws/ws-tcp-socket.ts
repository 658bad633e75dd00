import type { Socket } from 'node:net';
import type WebSocket from 'ws';

/** ws keeps its TCP socket private; `_socket` has been its name since ws 1 (checked: ws 8.22, 8.23). */
type WithTcpSocket = WebSocket & { _socket?: Socket | null };

/** The TCP socket under a ws socket; null for a stand-in that has none. */
export function tcpSocketOf(socket: WebSocket): Socket | null {
  return (socket as WithTcpSocket)._socket ?? null;
}
