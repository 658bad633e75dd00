import type { ValidationError } from 'class-validator';

/**
 * One line per failed constraint, each naming the field by its full path
 * (`rateLimits.messages must not be less than 1`), nested errors included.
 */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) => {
      // whitelist errors read "property x should not exist"
      const unknown = `property ${error.property} `;
      if (text.startsWith(unknown)) return `${path} ${text.slice(unknown.length)}`;
      return text.startsWith(error.property) ? text.replace(error.property, path) : `${path}: ${text}`;
    });
    return [...own, ...describeValidationErrors(error.children ?? [], path)];
  });
}
