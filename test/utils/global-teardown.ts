import { releaseTestDatabase } from './global-setup';

/** Jest globalTeardown for the e2e project: undoes what global-setup created (nothing for TEST_DATABASE_URL). */
export default async function globalTeardown(): Promise<void> {
  const cleanup = globalThis.__parleyTestDatabase;
  globalThis.__parleyTestDatabase = undefined;
  if (cleanup) {
    await releaseTestDatabase(cleanup);
  }
}
