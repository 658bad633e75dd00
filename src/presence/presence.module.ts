import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PresenceService } from './presence.service';
import { UserPresence } from './user-presence.entity';

@Module({
  imports: [TypeOrmModule.forFeature([UserPresence])],
  providers: [PresenceService],
  exports: [PresenceService],
})
export class PresenceModule {}
