import { ChatConnectionRegistry } from './chat-connection-registry';

describe(ChatConnectionRegistry.name, () => {
  const tab = (userId: string, conversationId: string) => ({ userId, conversationId });

  it('should report the first and last socket of a user across conversations', () => {
    const sut = new ChatConnectionRegistry();
    const a1 = tab('ana', 'A');
    const a2 = tab('ana', 'B');
    expect(sut.add(a1)).toBe(true);
    expect(sut.add(a2)).toBe(false);
    expect(sut.remove(a1)).toBe(false);
    expect(sut.isUserConnected('ana')).toBe(true);
    expect(sut.remove(a2)).toBe(true);
    expect(sut.isUserConnected('ana')).toBe(false);
  });

  it('should index sockets by conversation and count them', () => {
    const sut = new ChatConnectionRegistry();
    const ana = tab('ana', 'A');
    const omar = tab('omar', 'A');
    const other = tab('omar', 'B');
    [ana, omar, other].forEach((connection) => sut.add(connection));
    expect([...sut.inConversation('A')]).toEqual([ana, omar]);
    expect([...sut.inConversation('C')]).toEqual([]);
    expect(sut.stats()).toMatchObject({
      total_connections: 3,
      unique_users_online: 2,
      active_conversations: 2,
    });
  });

  it('should ignore removing a socket twice', () => {
    const sut = new ChatConnectionRegistry();
    const ana = tab('ana', 'A');
    sut.add(ana);
    expect(sut.remove(ana)).toBe(true);
    expect(sut.remove(ana)).toBe(false);
    expect(sut.stats().total_connections).toBe(0);
  });
});
