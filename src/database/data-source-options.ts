import type { PostgresDataSourceOptions as PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { CreateAppSchema1764000000000 } from '../../migrations/1764000000000-CreateAppSchema';
import { User } from '../auth/user.entity';
import { CHAT_ENTITIES, CHAT_MIGRATIONS } from '../chat/chat-entities';
import { Listing } from '../listings/listing.entity';

export const APP_ENTITIES = [User, Listing, ...CHAT_ENTITIES];
export const APP_MIGRATIONS = [CreateAppSchema1764000000000, ...CHAT_MIGRATIONS];

/** The standalone app's DataSource options, shared by Nest, the TypeORM CLI and the tests. */
export function buildDataSourceOptions(
  url: string,
  overrides: Partial<PostgresConnectionOptions> = {},
): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url,
    entities: APP_ENTITIES,
    migrations: APP_MIGRATIONS,
    migrationsTableName: 'parley_migrations',
    synchronize: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    ...overrides,
  };
}
