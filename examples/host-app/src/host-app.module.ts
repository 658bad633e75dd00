import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CHAT_ENTITIES, CHAT_MIGRATIONS, ChatModule } from 'parley';
import { Product } from './catalog/product.entity';
import { HOST_APP_CONFIG, PARLEY_AUDIENCE, type HostAppConfig } from './host-app.config';
import { MarketplaceModule } from './marketplace.module';
import { Member } from './members/member.entity';
import { CreateMarketplaceSchema1765000000000 } from './migrations/1765000000000-CreateMarketplaceSchema';

/**
 * An existing marketplace that adds Parley: its own members, RS256 tokens and
 * products; Parley's tables and migrations join its DataSource.
 */
@Module({})
export class HostAppModule {
  static register(config: HostAppConfig): DynamicModule {
    const marketplace = MarketplaceModule.register(config);
    return {
      module: HostAppModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: config.databaseUrl,
          extra: { max: config.poolSize ?? 10 },
          entities: [Member, Product, ...CHAT_ENTITIES],
          migrations: [CreateMarketplaceSchema1765000000000, ...CHAT_MIGRATIONS],
          migrationsTableName: 'marketplace_migrations',
          migrationsRun: true,
        }),
        marketplace,
        ChatModule.forRootAsync({
          imports: [marketplace],
          inject: [HOST_APP_CONFIG],
          useFactory: (host: HostAppConfig) => ({
            jwt: { publicKey: host.signingKeys.publicKey, issuer: host.issuer, audience: PARLEY_AUDIENCE },
          }),
        }),
      ],
    };
  }
}
