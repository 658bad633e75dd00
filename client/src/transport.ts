/**
 * The few members of `WebSocket` and `fetch` the SDK uses, so it needs neither the DOM typings
 * nor Node's: browsers' globals, Node 20's `fetch` and the `ws` package all fit.
 */

export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface FetchResponseLike {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<FetchResponseLike>;

/** WebSocket.OPEN in every implementation. */
export const WS_OPEN = 1;

interface Globals {
  WebSocket?: WebSocketConstructor;
  fetch?: FetchLike;
  window?: {
    addEventListener(type: string, listener: () => void): void;
    removeEventListener(type: string, listener: () => void): void;
  };
  document?: {
    visibilityState?: string;
    addEventListener(type: string, listener: () => void): void;
    removeEventListener(type: string, listener: () => void): void;
  };
  crypto?: { randomUUID?: () => string };
}

export const globals = globalThis as unknown as Globals;

export function randomId(): string {
  const uuid = globals.crypto?.randomUUID?.();
  if (uuid) return uuid;
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}
