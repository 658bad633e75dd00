import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './src/database/data-source-options';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:run|revert|show`).
 * The CLI needs a real server: set DATABASE_URL.
 */
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error(
    'Set DATABASE_URL to the PostgreSQL the TypeORM CLI should use, e.g. postgres://postgres@127.0.0.1:5432/parley',
  );
}

export default new DataSource(buildDataSourceOptions(url));
