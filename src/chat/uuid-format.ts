const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for the textual form PostgreSQL's uuid type accepts from clients here
 * (any version, any case); anything else must be refused before it reaches SQL.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
