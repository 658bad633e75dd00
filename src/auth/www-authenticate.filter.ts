import { ArgumentsHost, Catch, UnauthorizedException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';

/** Every 401 of the app's own routes names the scheme, as RFC 6750 asks. */
@Catch(UnauthorizedException)
export class WwwAuthenticateFilter extends BaseExceptionFilter {
  override catch(exception: UnauthorizedException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    super.catch(exception, host);
  }
}
