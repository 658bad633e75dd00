import { ChatFactory } from './factories/chat-factory';
import { createTestApp, type TestApp } from './utils/create-test-app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });
  it('should send a message', async () => {
    const f = new ChatFactory(t.http);
    const { client, conversation } = await f.pair();
    const m = await f.send(client, conversation.id, ' hello ');
    expect(m.seq).toBe(1);
    expect(m.content).toBe('hello');
  });
});
