import { Controller, Get, UseFilters, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ChatSettings } from '../chat/chat-settings';
import { ChatHttpExceptionFilter } from '../chat/errors/chat-http-exception.filter';
import { ChatErrorCode } from '../chat/errors/chat-error-code';
import { ChatException } from '../chat/errors/chat.exception';

class VapidPublicKeyResponse {
  @ApiProperty({ description: 'base64url; pass as applicationServerKey to pushManager.subscribe()' })
  public_key!: string;
}

/** Public: a browser needs the key before it can subscribe. */
@ApiTags('Chat')
@Controller({ path: 'v1/chat/push', version: VERSION_NEUTRAL })
@UseFilters(ChatHttpExceptionFilter)
export class VapidKeyController {
  constructor(private readonly settings: ChatSettings) {}

  @Get('vapid-public-key')
  @ApiOkResponse({ type: VapidPublicKeyResponse })
  get(): VapidPublicKeyResponse {
    const webPush = this.settings.push.webPush;
    if (!webPush) {
      throw new ChatException(
        ChatErrorCode.NotFound,
        'Web Push is not configured on this server (no VAPID keys)',
      );
    }
    return { public_key: webPush.publicKey };
  }
}
