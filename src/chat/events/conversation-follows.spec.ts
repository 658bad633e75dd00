import { ConversationFollows } from './conversation-follows';

describe(ConversationFollows.name, () => {
  it('should report only the first follower of a conversation', () => {
    const sut = new ConversationFollows();

    const first = sut.add('A');
    const second = sut.add('A');
    const otherConversation = sut.add('B');

    expect([first, second, otherConversation]).toEqual([true, false, true]);
  });

  it('should report only the last follower leaving', () => {
    const sut = new ConversationFollows();
    sut.add('A');
    sut.add('A');

    expect(sut.remove('A')).toBe(false);
    expect(sut.has('A')).toBe(true);
    expect(sut.remove('A')).toBe(true);
    expect(sut.has('A')).toBe(false);
  });

  it('should ignore removing a conversation never added or already left', () => {
    const sut = new ConversationFollows();
    sut.add('A');
    sut.remove('A');

    expect(sut.remove('A')).toBe(false);
    expect(sut.remove('B')).toBe(false);
    expect(sut.size).toBe(0);
    expect(sut.add('A')).toBe(true);
  });

  it('should count and list followed conversations, not followers', () => {
    const sut = new ConversationFollows();
    ['A', 'A', 'B', 'C'].forEach((id) => sut.add(id));
    sut.remove('C');

    expect(sut.size).toBe(2);
    expect(sut.ids()).toEqual(['A', 'B']);
  });
});
