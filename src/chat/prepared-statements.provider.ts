import type { FactoryProvider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PreparedStatements } from '../database/prepared-statements';
import { ChatSettings } from './chat-settings';

/** One per ChatModule, on the DataSource its repositories use: the server version is asked once. */
export const preparedStatementsProvider: FactoryProvider<PreparedStatements> = {
  provide: PreparedStatements,
  inject: [getDataSourceToken(), ChatSettings],
  useFactory: (dataSource: DataSource, settings: ChatSettings) =>
    new PreparedStatements(dataSource, settings.preparedStatements),
};
