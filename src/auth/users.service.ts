import { ConflictException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { User } from './user.entity';

export interface NewUser {
  email: string;
  passwordHash: string;
  firstName: string | null;
  lastName: string | null;
}

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** 409 when the email is taken, whatever its case. */
  async create(input: NewUser): Promise<User> {
    const rows: Array<{ id: string }> = await this.users.query(
      `INSERT INTO app.users (email, password_hash, first_name, last_name)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT ((lower(email))) DO NOTHING
       RETURNING id`,
      [input.email, input.passwordHash, input.firstName, input.lastName],
    );
    if (rows.length === 0) throw new ConflictException('A user with this email already exists');
    return this.users.findOneByOrFail({ id: rows[0].id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /**
   * Whether the user exists and may sign in. Asked on every socket connect and token check,
   * so in plain SQL: TypeORM's query building for `findOneBy` cost more CPU than the query.
   */
  async isActive(id: string): Promise<boolean> {
    const rows: Array<{ is_active: boolean }> = await this.users.query(
      'SELECT is_active FROM app.users WHERE id = $1',
      [id],
    );
    return rows[0]?.is_active === true;
  }

  findByIds(ids: readonly string[]): Promise<User[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.users.findBy({ id: In([...ids]) });
  }
}
