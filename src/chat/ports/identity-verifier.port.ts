/** Who a bearer token proves the caller to be. */
export interface VerifiedIdentity {
  userId: string;
  /** When the token stops being valid; open sockets are closed then. Null: never. */
  expiresAt: Date | null;
}

/**
 * Port: turns a bearer token into a user id. The host app implements it with
 * its own token scheme; ChatModule never issues tokens.
 * Return null for any token that must be refused (malformed, expired, forged,
 * inactive user): the caller answers 401 without saying which.
 */
export abstract class IdentityVerifier {
  abstract verify(token: string): Promise<VerifiedIdentity | null>;
}
