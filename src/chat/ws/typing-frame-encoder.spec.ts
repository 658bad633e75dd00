import { encodeTextFrame } from './outgoing-text-frame';
import { TypingFrameEncoder } from './typing-frame-encoder';

const CONVERSATION_ID = '11111111-1111-4111-8111-111111111111';
const USER_ID = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const AT = '2026-12-07T04:07:15.123Z';

function frameJson(conversationId: string, userId: string, isTyping: boolean, timestamp: string): string {
  return JSON.stringify({
    type: 'typing',
    conversation_id: conversationId,
    user_id: userId,
    is_typing: isTyping,
    timestamp,
  });
}

describe(TypingFrameEncoder.name, () => {
  it.each([
    [USER_ID, true],
    [USER_ID, false],
    ['host-user "7" \\ ünïcödé 🙂', true],
  ])('should give the JSON and bytes of the frame object for user %j typing %j', (userId, isTyping) => {
    const sut = new TypingFrameEncoder();

    const frame = sut.encode(CONVERSATION_ID, userId, isTyping, AT);

    const expected = frameJson(CONVERSATION_ID, userId, isTyping, AT);
    expect(frame.json).toBe(expected);
    expect(frame.bytes).toEqual(encodeTextFrame(expected));
  });

  it('should reuse a frame within the same timestamp and build a new one after it', () => {
    const sut = new TypingFrameEncoder();
    const later = '2026-12-07T04:07:15.124Z';

    const first = sut.encode(CONVERSATION_ID, USER_ID, true, AT);
    const again = sut.encode(CONVERSATION_ID, USER_ID, true, AT);
    const next = sut.encode(CONVERSATION_ID, USER_ID, true, later);

    expect(again).toBe(first);
    expect(next.json).toBe(frameJson(CONVERSATION_ID, USER_ID, true, later));
    expect(next.bytes).toEqual(encodeTextFrame(next.json));
  });

  it('should keep users, conversations and states apart', () => {
    const sut = new TypingFrameEncoder();
    const other = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

    const frames = [
      sut.encode(CONVERSATION_ID, USER_ID, true, AT),
      sut.encode(CONVERSATION_ID, USER_ID, false, AT),
      sut.encode(CONVERSATION_ID, other, true, AT),
      sut.encode(other, USER_ID, true, AT),
    ];

    expect(frames.map((frame) => frame.json)).toEqual([
      frameJson(CONVERSATION_ID, USER_ID, true, AT),
      frameJson(CONVERSATION_ID, USER_ID, false, AT),
      frameJson(CONVERSATION_ID, other, true, AT),
      frameJson(other, USER_ID, true, AT),
    ]);
  });

  it('should keep encoding correctly once it has dropped its templates for holding too many conversations', () => {
    const sut = new TypingFrameEncoder();
    const conversation = (index: number): string =>
      `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;

    for (let index = 0; index <= 10_001; index += 1) sut.encode(conversation(index), USER_ID, true, AT);
    const frame = sut.encode(conversation(5), USER_ID, true, AT);

    expect(frame.json).toBe(frameJson(conversation(5), USER_ID, true, AT));
    expect(frame.bytes).toEqual(encodeTextFrame(frame.json));
  });
});
