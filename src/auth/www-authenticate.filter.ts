import { ArgumentsHost, Catch, UnauthorizedException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/** Every 401 of the app's own routes names the scheme, as RFC 6750 asks. */
@Catch(UnauthorizedException)
export class WwwAuthenticateFilter extends BaseExceptionFilter {
  override catch(exception: UnauthorizedException, host: ArgumentsHost): void {
    // The adapter's setHeader: Express and Fastify replies differ.
    this.httpAdapterHost?.httpAdapter.setHeader(
      host.switchToHttp().getResponse(),
      'WWW-Authenticate',
      'Bearer',
    );
    super.catch(exception, host);
  }
}
