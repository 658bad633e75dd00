import { Controller, Get, Inject, Logger, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { type OutboxStats, PushOutboxRepository } from '../notifications/push-outbox.repository';
import { ChatSettings } from './chat-settings';
import { PresenceTracker } from './cluster/presence-tracker';
import { RedisLink } from './cluster/redis-link';
import { HealthResponse } from './dto/health.response';
import { ChatEventBus } from './events/chat-event-bus';
import { ChatConnectionRegistry } from './ws/chat-connection-registry';
import { ChatHandshakeService } from './ws/chat-handshake.service';
import type { ChatHttpReply } from './http-platform';

const DATABASE_PING_TIMEOUT_MS = 2000;

/** Liveness, readiness and draining for load balancers, with this instance's live socket figures. */
@ApiTags('Chat')
@Controller({ path: 'v1/chat/health', version: VERSION_NEUTRAL })
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly database: TypeOrmHealthIndicator,
    private readonly connections: ChatConnectionRegistry,
    private readonly handshakes: ChatHandshakeService,
    private readonly events: ChatEventBus,
    private readonly presence: PresenceTracker,
    private readonly settings: ChatSettings,
    @Inject(RedisLink) private readonly redisLink: RedisLink | null,
    private readonly pushOutbox: PushOutboxRepository,
  ) {}

  @Get()
  @ApiResponse({ status: 200, type: HealthResponse, description: 'healthy, or degraded while Redis is down' })
  @ApiResponse({
    status: 503,
    type: HealthResponse,
    description: 'The database is unreachable, or shutting down',
  })
  async check(@Res({ passthrough: true }) response: ChatHttpReply): Promise<HealthResponse> {
    const result = await this.database.pingCheck('database', { timeout: DATABASE_PING_TIMEOUT_MS });
    const databaseUp = result.database.status === 'up';
    const redis = this.redisLink ? this.redisLink.state : 'disabled';
    const status = !databaseUp
      ? 'unhealthy'
      : !this.handshakes.isAccepting
        ? 'draining'
        : redis === 'down'
          ? 'degraded'
          : 'healthy';
    response.status(status === 'unhealthy' || status === 'draining' ? 503 : 200);
    const local = this.connections.stats();
    return {
      status,
      service: 'chat',
      instance_id: this.settings.instanceId,
      database: databaseUp ? 'up' : 'down',
      redis,
      websocket_stats: {
        total_connections: local.total_connections,
        unique_users_online: await this.usersOnline(local.unique_users_online),
        instance_users_online: local.unique_users_online,
        active_conversations: local.active_conversations,
        timestamp: local.timestamp,
      },
      event_bus: this.events.stats(),
      push_outbox: databaseUp ? await this.outboxStats() : null,
    };
  }

  private async outboxStats(): Promise<OutboxStats | null> {
    try {
      return await this.pushOutbox.stats();
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not read the push outbox');
      return null;
    }
  }

  /** Across the cluster; this instance's own count while Redis cannot say. */
  private async usersOnline(localCount: number): Promise<number> {
    try {
      return await this.presence.onlineCount();
    } catch (error) {
      this.logger.debug({ err: error }, 'Cluster presence unavailable');
      return localCount;
    }
  }
}
