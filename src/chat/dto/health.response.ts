import { ApiProperty } from '@nestjs/swagger';

export class WebsocketStatsResponse {
  @ApiProperty() total_connections!: number;
  @ApiProperty() unique_users_online!: number;
  @ApiProperty() active_conversations!: number;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class HealthResponse {
  @ApiProperty({ enum: ['healthy', 'unhealthy'] }) status!: 'healthy' | 'unhealthy';
  @ApiProperty({ example: 'chat' }) service!: 'chat';
  @ApiProperty({ enum: ['up', 'down'] }) database!: 'up' | 'down';
  @ApiProperty({ type: WebsocketStatsResponse }) websocket_stats!: WebsocketStatsResponse;
}
