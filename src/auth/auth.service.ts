import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AccessTokenService, type IssuedToken } from './access-token.service';
import { PasswordHasher } from './password-hasher';
import type { User } from './user.entity';
import { UsersService } from './users.service';

const BAD_CREDENTIALS = 'Incorrect email or password';

@Injectable()
export class AuthService {
  // Compared against when the email is unknown, so both failures cost the same time.
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: AccessTokenService,
  ) {
    this.decoyHash = hasher.hash('decoy password for unknown emails');
  }

  async register(input: {
    email: string;
    password: string;
    firstName: string | null;
    lastName: string | null;
  }): Promise<User> {
    return this.users.create({
      email: input.email,
      passwordHash: await this.hasher.hash(input.password),
      firstName: input.firstName,
      lastName: input.lastName,
    });
  }

  /** One message for an unknown email, a wrong password and an inactive user. */
  async login(email: string, password: string): Promise<IssuedToken> {
    const user = await this.users.findByEmail(email);
    const valid = await this.hasher.verify(password, user?.passwordHash ?? (await this.decoyHash));
    if (!user || !valid || !user.isActive) throw new UnauthorizedException(BAD_CREDENTIALS);
    return this.tokens.issue(user.id);
  }
}
