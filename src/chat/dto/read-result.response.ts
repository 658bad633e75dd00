import { ApiProperty } from '@nestjs/swagger';
import type { ReadResultWire, UnreadCountWire } from '../wire/rest-wire';

export class ReadResultResponse implements ReadResultWire {
  @ApiProperty({ format: 'uuid' }) conversation_id!: string;
  @ApiProperty() messages_marked_read!: number;
  @ApiProperty({ description: "the caller's read position (seq)" }) last_read_seq!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) read_at!: string | null;
}

export class UnreadCountResponse implements UnreadCountWire {
  @ApiProperty() unread_count!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'conversation id → unread messages (conversations with none are left out)',
  })
  conversation_counts!: Record<string, number>;
}
