import { randomUUID } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent';
import type { ConversationWire, MessageWire } from '../../src/chat/wire/rest-wire';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  /** `Authorization` header value. */
  auth: string;
}

export interface TestListing {
  id: string;
  owner_user_id: string;
  title: string;
}

/** What the API answers, typed by the wire definition the server and the SDK share. */
export type TestConversation = ConversationWire;
export type TestMessage = MessageWire;

/** Creates users, listings and conversations through the public HTTP API, as a client app would. */
export class ChatFactory {
  constructor(private readonly http: TestAgent) {}

  async user(firstName = 'Test'): Promise<TestUser> {
    const email = `user-${randomUUID()}@example.test`;
    const password = 'password-123';
    const registered = await this.http
      .post('/v1/auth/register')
      .send({ email, password, first_name: firstName, last_name: 'User' })
      .expect(201);
    const login = await this.http.post('/v1/auth/login').send({ email, password }).expect(200);
    const token = (login.body as { access_token: string }).access_token;
    return { id: (registered.body as { id: string }).id, email, password, token, auth: `Bearer ${token}` };
  }

  async listing(owner: TestUser, title = 'Flat in Miraflores'): Promise<TestListing> {
    const response = await this.http
      .post('/v1/listings')
      .set('Authorization', owner.auth)
      .send({ title, price: 1500.5, currency: 'PEN' })
      .expect(201);
    return response.body as TestListing;
  }

  async conversation(client: TestUser, listing: TestListing): Promise<TestConversation> {
    const response = await this.http
      .post('/v1/chat/conversations')
      .set('Authorization', client.auth)
      .send({ listing_id: listing.id });
    if (response.status !== 201 && response.status !== 200) {
      throw new Error(`create conversation answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body as TestConversation;
  }

  /** A client, an owner, the owner's listing and their conversation. */
  async pair(): Promise<{
    client: TestUser;
    owner: TestUser;
    listing: TestListing;
    conversation: TestConversation;
  }> {
    const [client, owner] = await Promise.all([this.user('Clara'), this.user('Omar')]);
    const listing = await this.listing(owner);
    const conversation = await this.conversation(client, listing);
    return { client, owner, listing, conversation };
  }

  async send(
    sender: TestUser,
    conversationId: string,
    content: string,
    extra: object = {},
  ): Promise<TestMessage> {
    const response = await this.http
      .post(`/v1/chat/conversations/${conversationId}/messages`)
      .set('Authorization', sender.auth)
      .send({ content, ...extra })
      .expect(201);
    return response.body as TestMessage;
  }
}
