import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ChatErrorCode } from '../errors/chat-error-code';
import { ChatException } from '../errors/chat.exception';
import { TypingClientFrame } from './client-frames';
import { readIsTyping } from './typing-frame';

type Outcome = { isTyping: boolean } | { code: ChatErrorCode; message: string };

/** What the frame handler made of a typing frame before: the DTO through class-transformer and class-validator. */
async function throughDto(frame: Record<string, unknown>): Promise<Outcome> {
  const instance = plainToInstance(TypingClientFrame, frame);
  const errors = await validate(instance, { whitelist: true, forbidUnknownValues: false });
  if (errors.length === 0) return { isTyping: instance.is_typing };
  const message = errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ');
  return { code: ChatErrorCode.ValidationFailed, message };
}

function byHand(frame: Record<string, unknown>): Outcome {
  try {
    return { isTyping: readIsTyping(frame) };
  } catch (error) {
    if (!(error instanceof ChatException)) throw error;
    return { code: error.code, message: error.message };
  }
}

/** Frames as JSON.parse hands them over, so keys like `__proto__` are own properties. */
const frames: string[] = [
  '{"type":"typing","is_typing":true}',
  '{"type":"typing","is_typing":false}',
  '{"type":"typing"}',
  '{"type":"typing","is_typing":null}',
  '{"type":"typing","is_typing":"true"}',
  '{"type":"typing","is_typing":"TRUE"}',
  '{"type":"typing","is_typing":"false"}',
  '{"type":"typing","is_typing":"1"}',
  '{"type":"typing","is_typing":"0"}',
  '{"type":"typing","is_typing":""}',
  '{"type":"typing","is_typing":"yes"}',
  '{"type":"typing","is_typing":1}',
  '{"type":"typing","is_typing":1.0}',
  '{"type":"typing","is_typing":0}',
  '{"type":"typing","is_typing":2}',
  '{"type":"typing","is_typing":-1}',
  '{"type":"typing","is_typing":[]}',
  '{"type":"typing","is_typing":[true]}',
  '{"type":"typing","is_typing":{}}',
  '{"type":"typing","is_typing":{"value":true}}',
  '{"type":"typing","is_typing":true,"extra":1,"conversation_id":"x"}',
  '{"type":"typing","isTyping":true}',
  '{"type":"typing","IS_TYPING":true}',
  '{"type":"typing","is_typing":true,"is_typing":false}',
  '{"type":"typing","constructor":{"name":"x"},"is_typing":true}',
  '{"type":"typing","toString":1,"is_typing":"1"}',
  '{"type":"typing","hasOwnProperty":1,"is_typing":true}',
  '{"type":"typing","hasOwnProperty":1}',
  '{"type":"typing","__proto__":{"is_typing":true}}',
  '{"type":"typing","__proto__":{"a":1},"is_typing":true}',
  '{"type":"typing","__proto__":null}',
];

describe(readIsTyping.name, () => {
  it.each(frames)('should answer %s as TypingClientFrame does', async (json) => {
    const frame = JSON.parse(json) as Record<string, unknown>;

    expect(byHand(frame)).toEqual(await throughDto(JSON.parse(json) as Record<string, unknown>));
  });

  it('should refuse a frame without is_typing with validation_failed', () => {
    expect(byHand({ type: 'typing' })).toEqual({
      code: ChatErrorCode.ValidationFailed,
      message: 'is_typing must be a boolean value',
    });
  });

  it('should not read is_typing from the prototype chain', () => {
    const frame = Object.create({ is_typing: true }) as Record<string, unknown>;

    expect(byHand(frame)).toMatchObject({ code: ChatErrorCode.ValidationFailed });
  });
});
