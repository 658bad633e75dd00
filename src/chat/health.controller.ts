import { Controller, Get, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { HealthResponse } from './dto/health.response';
import { ChatConnectionRegistry } from './ws/chat-connection-registry';

const DATABASE_PING_TIMEOUT_MS = 2000;

@ApiTags('Chat')
@Controller({ path: 'v1/chat/health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly database: TypeOrmHealthIndicator,
    private readonly connections: ChatConnectionRegistry,
  ) {}

  @Get()
  @ApiResponse({ status: 200, type: HealthResponse })
  @ApiResponse({ status: 503, type: HealthResponse, description: 'The database is unreachable' })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthResponse> {
    const result = await this.database.pingCheck('database', { timeout: DATABASE_PING_TIMEOUT_MS });
    const databaseUp = result.database.status === 'up';
    response.status(databaseUp ? 200 : 503);
    return {
      status: databaseUp ? 'healthy' : 'unhealthy',
      service: 'chat',
      database: databaseUp ? 'up' : 'down',
      websocket_stats: this.connections.stats(),
    };
  }
}
