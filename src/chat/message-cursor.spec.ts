import { parseMessageCursor } from './message-cursor';

describe(parseMessageCursor.name, () => {
  it('should read a message id', () => {
    expect(parseMessageCursor('3F2504E0-4F89-11D3-9A0C-0305E82C3301')).toEqual({
      kind: 'message',
      messageId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    });
  });

  it('should read ISO-8601 timestamps with an offset, Z or fractional seconds', () => {
    expect(parseMessageCursor('2025-12-12T10:00:00Z')).toEqual({
      kind: 'time',
      at: new Date('2025-12-12T10:00:00.000Z'),
    });
    expect(parseMessageCursor('2025-12-12T10:00:00.123456+02:00')).toEqual({
      kind: 'time',
      at: new Date('2025-12-12T08:00:00.123Z'),
    });
  });

  it('should refuse anything else', () => {
    for (const raw of ['yesterday', '12345', '2025-13-45T99:99:99Z', 'not-a-uuid-at-all', '']) {
      expect(parseMessageCursor(raw)).toBeNull();
    }
  });
});
