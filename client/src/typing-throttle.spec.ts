import { ReadDebouncer, TypingThrottle } from './typing-throttle';

describe(TypingThrottle.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should send typing true at most once per interval while keys are pressed', () => {
    const sent: boolean[] = [];
    const sut = new TypingThrottle((isTyping) => sent.push(isTyping), { intervalMs: 3_000, idleMs: 5_000 });

    for (let i = 0; i < 10; i += 1) {
      sut.keystroke();
      jest.advanceTimersByTime(250);
    }
    expect(sent).toEqual([true]);
    jest.advanceTimersByTime(500);
    sut.keystroke();

    expect(sent).toEqual([true, true]);
  });

  it('should send typing false after the idle time, once', () => {
    const sent: boolean[] = [];
    const sut = new TypingThrottle((isTyping) => sent.push(isTyping), { idleMs: 5_000 });

    sut.keystroke();
    jest.advanceTimersByTime(4_999);
    expect(sent).toEqual([true]);
    jest.advanceTimersByTime(1);
    jest.advanceTimersByTime(10_000);

    expect(sent).toEqual([true, false]);
  });

  it('should send typing false on stop (a send) and nothing when not typing', () => {
    const sent: boolean[] = [];
    const sut = new TypingThrottle((isTyping) => sent.push(isTyping));

    sut.stop();
    sut.keystroke();
    sut.stop();
    jest.advanceTimersByTime(10_000);
    sut.keystroke();

    expect(sent).toEqual([true, false, true]);
  });
});

describe(ReadDebouncer.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should send one read for the newest seq after a quiet period', () => {
    const sent: number[] = [];
    const sut = new ReadDebouncer((seq) => sent.push(seq) > 0, 500);

    sut.mark(3);
    sut.mark(5);
    sut.mark(4);
    jest.advanceTimersByTime(499);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(1);

    expect(sent).toEqual([5]);
  });

  it('should not send a seq at or below the one already sent', () => {
    const sent: number[] = [];
    const sut = new ReadDebouncer((seq) => sent.push(seq) > 0, 500);

    sut.mark(5);
    jest.advanceTimersByTime(500);
    sut.mark(5);
    sut.mark(2);
    jest.advanceTimersByTime(500);

    expect(sent).toEqual([5]);
  });

  it('should keep a mark that could not be sent until a later flush succeeds', () => {
    let open = false;
    const sent: number[] = [];
    const sut = new ReadDebouncer((seq) => open && sent.push(seq) > 0, 500);

    sut.mark(7);
    jest.advanceTimersByTime(500);
    open = true;
    sut.flush();

    expect(sent).toEqual([7]);
  });
});
