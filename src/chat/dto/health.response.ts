import { ApiProperty } from '@nestjs/swagger';

export class WebsocketStatsResponse {
  @ApiProperty({ description: 'Sockets open on this instance' }) total_connections!: number;
  @ApiProperty({ description: 'Users online across every instance' }) unique_users_online!: number;
  @ApiProperty({ description: 'Users with a socket on this instance' }) instance_users_online!: number;
  @ApiProperty({ description: 'Conversations with a socket on this instance' }) active_conversations!: number;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class EventBusStatsResponse {
  @ApiProperty({ description: 'Conversations whose events this instance receives from the others' })
  followed_conversations!: number;
  @ApiProperty({ description: 'Events received from other instances since start-up' })
  remote_events_received!: number;
}

export class PushOutboxStatsResponse {
  @ApiProperty({ description: 'Pushes waiting to be sent (or being sent)' }) pending!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Age of the oldest waiting push, seconds' })
  oldest_pending_age_seconds!: number | null;
  @ApiProperty({ description: 'Pushes given up on in the last hour' }) failed_last_hour!: number;
}

export class HealthResponse {
  @ApiProperty({
    enum: ['healthy', 'degraded', 'draining', 'unhealthy'],
    description:
      'degraded (200): Redis is down, local sockets still served; draining (503): shutting down; ' +
      'unhealthy (503): the database is unreachable',
  })
  status!: 'healthy' | 'degraded' | 'draining' | 'unhealthy';
  @ApiProperty({ example: 'chat' }) service!: 'chat';
  @ApiProperty({ description: 'Names this instance (INSTANCE_ID)' }) instance_id!: string;
  @ApiProperty({ enum: ['up', 'down'] }) database!: 'up' | 'down';
  @ApiProperty({ enum: ['up', 'down', 'disabled'], description: 'disabled: a single instance, no REDIS_URL' })
  redis!: 'up' | 'down' | 'disabled';
  @ApiProperty({ type: WebsocketStatsResponse }) websocket_stats!: WebsocketStatsResponse;
  @ApiProperty({ type: EventBusStatsResponse }) event_bus!: EventBusStatsResponse;
  @ApiProperty({
    type: PushOutboxStatsResponse,
    nullable: true,
    description: 'null while the database is down',
  })
  push_outbox!: PushOutboxStatsResponse | null;
}
