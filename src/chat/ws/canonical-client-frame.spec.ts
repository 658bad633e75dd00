import { readCanonicalFrame } from './canonical-client-frame';

const bytes = (text: string): Buffer => Buffer.from(text);

describe('readCanonicalFrame', () => {
  it.each([
    ['typing true', { type: 'typing', is_typing: true }],
    ['typing false', { type: 'typing', is_typing: false }],
    ['ping', { type: 'ping' }],
  ])('should read %s, as JSON.stringify writes it, to what JSON.parse gives', (_, frame) => {
    const json = JSON.stringify(frame);

    expect(readCanonicalFrame(bytes(json))).toEqual(JSON.parse(json));
  });

  it('should give a new object each time, so no caller shares another frame', () => {
    const data = bytes('{"type":"typing","is_typing":true}');

    expect(readCanonicalFrame(data)).not.toBe(readCanonicalFrame(data));
  });

  it.each([
    '{ "type": "typing", "is_typing": true }',
    '{"is_typing":true,"type":"typing"}',
    '{"type":"typing","is_typing":"true"}',
    '{"type":"typing","is_typing":true,"extra":1}',
    '{"type":"typing","is_typing":true}\n',
    '{"type":"typing","is_typing":tru}',
    '{"type":"pong"}',
    '{"type":"message","content":"hi"}',
    '',
  ])('should leave %j to the general path', (text) => {
    expect(readCanonicalFrame(bytes(text))).toBeNull();
  });
});
