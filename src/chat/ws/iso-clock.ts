/**
 * Now as an ISO-8601 string, formatted once per millisecond: the string has
 * millisecond precision, and a burst of typing frames stamps many frames in the same one.
 */
export class IsoClock {
  private millis = Number.NaN;
  private iso = '';

  now(millis = Date.now()): string {
    if (millis !== this.millis) {
      this.millis = millis;
      this.iso = new Date(millis).toISOString();
    }
    return this.iso;
  }
}
