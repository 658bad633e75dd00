import { buildPushContent, type PushContentInput } from './push-content.builder';

const input = (overrides: Partial<PushContentInput> = {}): PushContentInput => ({
  conversationId: '0b6a3f0e-6a3e-4a37-9d43-6f1b1b3e1a11',
  listingId: '5a0a3f0e-6a3e-4a37-9d43-6f1b1b3e1a22',
  listingTitle: 'Flat in Miraflores',
  senderUserId: '9c0a3f0e-6a3e-4a37-9d43-6f1b1b3e1a33',
  senderName: 'Ana Pérez',
  count: 1,
  lastMessage: { id: '1d0a3f0e-6a3e-4a37-9d43-6f1b1b3e1a44', seq: 7, content: 'Is it still available?' },
  badge: 4,
  preview: 'sender',
  ...overrides,
});

describe(buildPushContent.name, () => {
  it('should name the sender and the listing but never the text by default', () => {
    const sut = buildPushContent(input());

    expect(sut).toMatchObject({ title: 'Flat in Miraflores', body: 'New message from Ana Pérez', badge: 4 });
    expect(JSON.stringify(sut)).not.toContain('still available');
  });

  it('should say how many messages a burst holds', () => {
    expect(buildPushContent(input({ count: 3 })).body).toBe('3 new messages from Ana Pérez');
    expect(buildPushContent(input({ count: 3, preview: 'full' })).body).toBe(
      '3 new messages from Ana Pérez: Is it still available?',
    );
    expect(buildPushContent(input({ count: 3, preview: 'none' })).body).toBe('3 new messages');
  });

  it('should show the text only with the full preview, truncated to 200 characters', () => {
    expect(buildPushContent(input({ preview: 'full' }))).toMatchObject({
      title: 'Ana Pérez · Flat in Miraflores',
      body: 'Is it still available?',
    });
    const long = buildPushContent(
      input({ preview: 'full', lastMessage: { id: 'x', seq: 1, content: 'a'.repeat(500) } }),
    );
    expect(long.body).toHaveLength(200);
    expect(long.body.endsWith('…')).toBe(true);
  });

  it('should reveal neither sender nor listing with no preview', () => {
    const sut = buildPushContent(input({ preview: 'none' }));

    expect(sut).toMatchObject({ title: 'New message', body: 'You have a new message' });
    expect(sut.data.sender_user_id).toBeUndefined();
    expect(JSON.stringify(sut)).not.toContain('Ana');
    expect(JSON.stringify(sut)).not.toContain('Miraflores');
  });

  it('should carry what the app needs to open the conversation, as strings, and collapse per conversation', () => {
    const sut = buildPushContent(input({ count: 2 }));

    expect(sut.collapseKey).toBe(input().conversationId);
    expect(sut.data).toEqual({
      type: 'chat.message',
      conversation_id: input().conversationId,
      message_id: input().lastMessage.id,
      seq: '7',
      count: '2',
      listing_id: input().listingId,
      sender_user_id: input().senderUserId,
    });
  });

  it('should fall back when the sender or listing is unknown', () => {
    expect(buildPushContent(input({ senderName: null, listingTitle: null }))).toMatchObject({
      title: 'your listing',
      body: 'New message from Someone',
    });
  });
});
