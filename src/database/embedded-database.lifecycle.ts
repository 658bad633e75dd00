import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { EmbeddedDatabase } from './embedded-database';

/**
 * Owns the embedded PostgreSQL of a server started without DATABASE_URL, and
 * closes it only after the DataSource's pool is gone.
 */
@Injectable()
export class EmbeddedDatabaseLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedDatabase');
  private database: EmbeddedDatabase | null = null;

  constructor(private readonly moduleRef: ModuleRef) {}

  async start(dataDir: string): Promise<string> {
    this.logger.log(`DATABASE_URL is not set: starting the embedded PostgreSQL in ${dataDir}`);
    this.database = await EmbeddedDatabase.start({ dataDir });
    return this.database.url;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.database) return;
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.database.stop();
    this.database = null;
  }
}
