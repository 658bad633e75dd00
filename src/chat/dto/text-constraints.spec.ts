import { validateSync } from 'class-validator';
import { MaxChars, NoNulCharacter } from './text-constraints';

class Sample {
  @MaxChars(3)
  @NoNulCharacter()
  value: unknown;

  constructor(value: unknown) {
    this.value = value;
  }
}

function errorsFor(value: unknown): string[] {
  return validateSync(new Sample(value)).flatMap((error) => Object.values(error.constraints ?? {}));
}

describe(MaxChars.name, () => {
  it('should count code points as PostgreSQL does, variation selectors included', () => {
    expect(errorsFor('abc')).toEqual([]);
    expect(errorsFor('😀😀😀')).toEqual([]);
    expect(errorsFor('abcd')).toEqual(['value must be at most 3 characters']);
    expect(errorsFor('❤️❤️')).toEqual(['value must be at most 3 characters']);
  });

  it('should leave values that are not text to other validators', () => {
    expect(errorsFor(12345)).toEqual([]);
  });
});

describe(NoNulCharacter.name, () => {
  it('should refuse U+0000 anywhere in the text', () => {
    expect(errorsFor('a\u0000')).toEqual(['value must not contain NUL characters']);
    expect(errorsFor('a\u0001')).toEqual([]);
  });
});
