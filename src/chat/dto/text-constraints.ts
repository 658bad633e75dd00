import { ValidateBy, buildMessage, type ValidationOptions } from 'class-validator';

/**
 * At most `max` characters as PostgreSQL counts them (code points), so a value
 * that passes never trips a column limit or CHECK. class-validator's MaxLength
 * counts differently (it ignores variation selectors, e.g. in '❤️').
 */
export function MaxChars(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxChars',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || Array.from(value).length <= max,
        defaultMessage: buildMessage(
          (eachPrefix) => `${eachPrefix}$property must be at most $constraint1 characters`,
          options,
        ),
      },
    },
    options,
  );
}

/** PostgreSQL text cannot hold U+0000: refuse it as a validation error, not a database error. */
export function NoNulCharacter(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noNulCharacter',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !value.includes('\u0000'),
        defaultMessage: buildMessage(
          (eachPrefix) => `${eachPrefix}$property must not contain NUL characters`,
          options,
        ),
      },
    },
    options,
  );
}
