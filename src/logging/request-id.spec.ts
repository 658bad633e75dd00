import type { IncomingMessage } from 'node:http';
import { requestIdFor } from './request-id';

const withHeader = (value?: string | string[]): IncomingMessage =>
  ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as IncomingMessage;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it("should keep the caller's X-Request-Id when it is a plain token", () => {
    expect(requestIdFor(withHeader('gw-01.abc_42'))).toBe('gw-01.abc_42');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['with spaces', 'a b'],
    ['with a newline (log injection)', 'a\nb'],
    ['longer than 128 characters', 'x'.repeat(129)],
    ['repeated', ['a', 'b']],
  ])('should make a new UUID when the header is %s', (_, value) => {
    const id = requestIdFor(withHeader(value));
    expect(id).toMatch(UUID);
    expect(requestIdFor(withHeader(value))).not.toBe(id);
  });
});
