import { createSecretKey } from 'node:crypto';
import { Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityVerifier } from '../chat/ports/identity-verifier.port';
import { UserDirectory } from '../chat/ports/user-directory.port';
import type { EnvironmentVariables } from '../config/environment.schema';
import { AccessTokenService } from './access-token.service';
import { AppUserDirectory } from './app-user-directory';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { BearerAuthGuard } from './bearer-auth.guard';
import { JwtIdentityVerifier } from './jwt-identity-verifier';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';
import { UsersService } from './users.service';

const DEVELOPMENT_SECRET = 'parley-development-secret-do-not-use-in-production';

/** Users, register/login and JWTs: the standalone app's IdentityVerifier and UserDirectory. */
@Module({
  imports: [
    TypeOrmModule.forFeature([User]),
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<EnvironmentVariables, true>) => {
        let secret = config.get('JWT_SECRET', { infer: true });
        if (!secret) {
          new Logger('AuthModule').warn(
            'JWT_SECRET is not set: using a built-in development secret. Anyone can forge tokens; set JWT_SECRET.',
          );
          secret = DEVELOPMENT_SECRET;
        }
        return {
          // A KeyObject: jsonwebtoken would otherwise try createPublicKey() on the string at every verify.
          secret: createSecretKey(Buffer.from(secret)),
          signOptions: { algorithm: 'HS256', expiresIn: config.get('JWT_EXPIRES_IN', { infer: true }) },
          verifyOptions: { algorithms: ['HS256'] },
        };
      },
    }),
  ],
  controllers: [AuthController],
  providers: [
    PasswordHasher,
    UsersService,
    AccessTokenService,
    AuthService,
    BearerAuthGuard,
    { provide: IdentityVerifier, useClass: JwtIdentityVerifier },
    { provide: UserDirectory, useClass: AppUserDirectory },
  ],
  exports: [IdentityVerifier, UserDirectory, BearerAuthGuard, AccessTokenService],
})
export class AuthModule {}
