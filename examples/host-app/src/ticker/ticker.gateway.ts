import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';

/** The host's own raw-ws gateway: it keeps working beside Parley's on ChatWsAdapter. */
@WebSocketGateway({ path: '/ticker' })
export class TickerGateway {
  @SubscribeMessage('ping')
  ping(@MessageBody() data: unknown): { event: string; data: unknown } {
    return { event: 'pong', data };
  }
}
