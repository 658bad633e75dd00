import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { MessageClientFrame } from './client-frames';
import { readPlainTextMessage } from './message-frame';

/** What the frame handler makes of a message frame through the DTO: the accepted fields, or undefined. */
async function throughDto(frame: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  const instance = plainToInstance(MessageClientFrame, frame);
  const errors = await validate(instance, { whitelist: true, forbidUnknownValues: false });
  return errors.length === 0 ? { ...instance } : undefined;
}

const long = (units: number, unit = 'a'): string => unit.repeat(units);

/**
 * Frames as JSON.parse hands them over: the everyday kind the fast path takes, and
 * the rest (refused by the DTO, or accepted only after its own reading) it leaves alone.
 */
const everyday: string[] = [
  '{"type":"message","content":"hola"}',
  '{"type":"message","content":"  padded  "}',
  '{"type":"message","content":"hi","client_message_id":"c-1"}',
  '{"type":"message","content":"hi","message_type":"text"}',
  '{"type":"message","content":"hi","message_type":"text","client_message_id":"c-2"}',
  `{"type":"message","content":"${long(5000)}"}`,
  `{"type":"message","content":"hi","client_message_id":"${long(64)}"}`,
  '{"type":"message","content":"❤️ emoji 👍🏽"}',
];
const unusual: string[] = [
  '{"type":"message"}',
  '{"type":"message","content":""}',
  '{"type":"message","content":"   "}',
  '{"type":"message","content":null}',
  '{"type":"message","content":5}',
  '{"type":"message","content":["hi"]}',
  `{"type":"message","content":"${long(5001)}"}`,
  `{"type":"message","content":"${long(2501, '😀')}"}`,
  `{"type":"message","content":"${long(5000, '😀')}"}`,
  '{"type":"message","content":"a\\u0000b"}',
  '{"type":"message","content":"hi","client_message_id":""}',
  '{"type":"message","content":"hi","client_message_id":null}',
  '{"type":"message","content":"hi","client_message_id":7}',
  `{"type":"message","content":"hi","client_message_id":"${long(65)}"}`,
  `{"type":"message","content":"hi","client_message_id":"${long(40, '😀')}"}`,
  '{"type":"message","content":"hi","client_message_id":"a\\u0000"}',
  '{"type":"message","content":"hi","message_type":"image"}',
  '{"type":"message","content":"hi","message_type":"system"}',
  '{"type":"message","content":"hi","message_type":"TEXT"}',
  '{"type":"message","content":"hi","message_type":null}',
  '{"type":"message","content":"hi","media_url":"https://cdn.example.test/a.jpg"}',
  '{"type":"message","content":"hi","media_url":"ftp://x"}',
  '{"type":"message","content":"hi","extra":1}',
  '{"type":"message","content":"hi","__proto__":{"content":"x"}}',
  '{"type":"message","__proto__":{"content":"x"}}',
  '{"type":"message","content":"hi","constructor":1}',
];

describe(readPlainTextMessage.name, () => {
  it.each(everyday)('takes the everyday frame %s exactly as the DTO reads it', async (json) => {
    const frame = JSON.parse(json) as Record<string, unknown>;
    const fast = readPlainTextMessage(frame);
    expect(fast).toBeDefined();
    expect({ ...fast }).toEqual(await throughDto(frame));
  });

  it.each(unusual)('leaves %s to the DTO, whose answer (or error) stands', (json) => {
    expect(readPlainTextMessage(JSON.parse(json) as Record<string, unknown>)).toBeUndefined();
  });
});
