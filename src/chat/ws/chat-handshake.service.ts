import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { ChatAccess } from '../chat-access';
import { ChatSettings } from '../chat-settings';
import { ACTIVE_IDENTITY_VERIFIER } from '../identity/active-identity-verifier';
import { IdentityVerifier } from '../ports/identity-verifier.port';
import type { ChatHandshake } from './chat-connection';
import { ChatCloseCode } from './chat-protocol';
import { isUuid } from '../uuid-format';

export type HandshakeResult =
  { ok: true; handshake: ChatHandshake } | { ok: false; closeCode: ChatCloseCode; reason: string };

const BEARER_PROTOCOL = 'bearer';

function refuse(closeCode: ChatCloseCode, reason: string): HandshakeResult {
  return { ok: false, closeCode, reason };
}

/** The token from `?token=` or from the subprotocol pair `bearer, <token>` (kept out of URL logs). */
export function tokenOf(request: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((part) => part.trim());
  const index = protocols.findIndex((protocol) => protocol.toLowerCase() === BEARER_PROTOCOL);
  return index >= 0 && protocols[index + 1] ? protocols[index + 1] : null;
}

/** ws `handleProtocols`: when the client offered `bearer, <token>`, answer `bearer` (never echo the token). */
export function selectProtocol(protocols: Set<string>): string | false {
  for (const protocol of protocols) if (protocol.toLowerCase() === BEARER_PROTOCOL) return protocol;
  return false;
}

/**
 * Authenticates and authorises a WebSocket upgrade before the gateway sees the
 * socket: origin, token, conversation membership. Runs once per socket; frames
 * then rely on what it proved.
 */
@Injectable()
export class ChatHandshakeService {
  private accepting = true;

  constructor(
    @Inject(ACTIVE_IDENTITY_VERIFIER) private readonly identity: IdentityVerifier,
    private readonly access: ChatAccess,
    private readonly settings: ChatSettings,
  ) {}

  /** False once shutdown began: health then reports `draining` so load balancers stop routing here. */
  get isAccepting(): boolean {
    return this.accepting;
  }

  /** Called at shutdown: new sockets are turned away with 1001 so clients try another instance. */
  stopAccepting(): void {
    this.accepting = false;
  }

  async authenticate(
    request: IncomingMessage,
    url: URL,
    rawConversationId: string,
  ): Promise<HandshakeResult> {
    if (!this.accepting) return refuse(ChatCloseCode.GoingAway, 'Server shutting down');
    const origin = request.headers.origin;
    const allowed = this.settings.allowedOrigins;
    if (origin && allowed.length > 0 && !allowed.includes(origin)) {
      return refuse(ChatCloseCode.Forbidden, 'Origin not allowed');
    }
    if (!isUuid(rawConversationId)) return refuse(ChatCloseCode.BadRequest, 'conversation_id must be a UUID');
    const rawAfterSeq = url.searchParams.get('after_seq');
    if (rawAfterSeq !== null && !/^\d{1,10}$/.test(rawAfterSeq)) {
      return refuse(ChatCloseCode.BadRequest, 'after_seq must be a whole number');
    }
    const token = tokenOf(request, url);
    if (!token) return refuse(ChatCloseCode.Unauthorized, 'Missing token');
    const identity = await this.identity.verify(token);
    if (!identity) return refuse(ChatCloseCode.Unauthorized, 'Invalid or expired token');
    try {
      const membership = await this.access.requireMembership(
        rawConversationId.toLowerCase(),
        identity.userId,
      );
      return {
        ok: true,
        handshake: { identity, membership, afterSeq: rawAfterSeq === null ? null : Number(rawAfterSeq) },
      };
    } catch {
      return refuse(ChatCloseCode.NotFound, 'Conversation not found');
    }
  }
}
