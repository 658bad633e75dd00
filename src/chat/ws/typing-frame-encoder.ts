import type { TypingFrame } from '../wire/chat-frames';
import { OutgoingTextFrame, allocTextFrame } from './outgoing-text-frame';

/** A typing frame of one user in one conversation, in one state: everything but its timestamp. */
interface TypingTemplate {
  /** The JSON up to the timestamp's value: `{"type":"typing",…,"timestamp":"`. */
  readonly head: string;
  readonly headBytes: Buffer;
  /** The last frame built from it, reused within the same millisecond. */
  last: OutgoingTextFrame | null;
  lastTimestamp: string;
}

type UserTemplates = [notTyping: TypingTemplate | null, typing: TypingTemplate | null];

/** The closing `"}` after the timestamp's value. */
const TAIL = Buffer.from('"}');
/** Past this many conversations the templates are dropped, and rebuilt as typing goes on. */
const MAX_CONVERSATIONS = 10_000;

/**
 * Builds server typing frames, encoded for the wire, from a template per user,
 * conversation and state: only the timestamp changes from one frame to the next.
 * Typing is the most frequent frame, and serialising it whole was, after the
 * system calls, the largest cost of its fan-out. The JSON is exactly what
 * JSON.stringify gives for the frame object (the spec compares them).
 */
export class TypingFrameEncoder {
  private readonly templates = new Map<string, Map<string, UserTemplates>>();

  /** The typing frame; `timestamp` is an ISO-8601 string (ASCII, nothing to escape). */
  encode(conversationId: string, userId: string, isTyping: boolean, timestamp: string): OutgoingTextFrame {
    const template = this.template(conversationId, userId, isTyping);
    if (template.last === null || template.lastTimestamp !== timestamp) {
      template.last = build(template, timestamp);
      template.lastTimestamp = timestamp;
    }
    return template.last;
  }

  private template(conversationId: string, userId: string, isTyping: boolean): TypingTemplate {
    let users = this.templates.get(conversationId);
    if (!users) {
      if (this.templates.size >= MAX_CONVERSATIONS) this.templates.clear();
      users = new Map();
      this.templates.set(conversationId, users);
    }
    let states = users.get(userId);
    if (!states) {
      states = [null, null];
      users.set(userId, states);
    }
    const index = isTyping ? 1 : 0;
    return (states[index] ??= newTemplate(conversationId, userId, isTyping));
  }
}

function newTemplate(conversationId: string, userId: string, isTyping: boolean): TypingTemplate {
  // Typed by the wire's TypingFrame, timestamp last: the template is the frame up to it.
  const untimed: Omit<TypingFrame, 'timestamp'> = {
    type: 'typing',
    conversation_id: conversationId,
    user_id: userId,
    is_typing: isTyping,
  };
  const fixed = JSON.stringify(untimed);
  const head = `${fixed.slice(0, -1)},"timestamp":"`;
  return { head, headBytes: Buffer.from(head), last: null, lastTimestamp: '' };
}

function build(template: TypingTemplate, timestamp: string): OutgoingTextFrame {
  const [frame, offset] = allocTextFrame(template.headBytes.length + timestamp.length + TAIL.length);
  let at = offset + template.headBytes.copy(frame, offset);
  at += frame.write(timestamp, at, 'latin1');
  TAIL.copy(frame, at);
  return new OutgoingTextFrame(`${template.head}${timestamp}"}`, frame);
}
