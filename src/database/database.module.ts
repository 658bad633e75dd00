import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EnvironmentVariables } from '../config/environment.schema';
import type { PostgresDataSourceOptions as PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { buildDataSourceOptions } from './data-source-options';
import { initializeAndMigrate } from './migrate-exclusively';
import { EmbeddedDatabaseLifecycle } from './embedded-database.lifecycle';

@Module({ providers: [EmbeddedDatabaseLifecycle], exports: [EmbeddedDatabaseLifecycle] })
class EmbeddedDatabaseModule {}

/**
 * The app's DataSource: DATABASE_URL when set, else the embedded PostgreSQL,
 * which serialises everything and shares one session, hence a pool of one.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [EmbeddedDatabaseModule],
      inject: [ConfigService, EmbeddedDatabaseLifecycle],
      useFactory: async (
        config: ConfigService<EnvironmentVariables, true>,
        embedded: EmbeddedDatabaseLifecycle,
      ) => {
        const url = config.get('DATABASE_URL', { infer: true });
        const options = buildDataSourceOptions(
          url ?? (await embedded.start(config.get('EMBEDDED_DB_DIR', { infer: true }))),
          { poolSize: url ? config.get('DB_POOL_SIZE', { infer: true }) : 1 },
        );
        return {
          ...options,
          migrationsRun: config.get('DB_MIGRATIONS_RUN', { infer: true }),
          retryAttempts: 3,
          retryDelay: 1000,
        };
      },
      dataSourceFactory: async (options) => {
        const postgres = options as PostgresConnectionOptions & { url: string };
        return initializeAndMigrate(postgres, postgres.migrationsRun === true);
      },
    }),
  ],
})
export class DatabaseModule {}
