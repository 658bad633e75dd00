/** The part of `http_ece` (RFC 8188) the fake push service uses; the package ships no types. */
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';

  export interface DecryptParams {
    version?: 'aes128gcm' | 'aesgcm';
    /** The receiver's ECDH key pair. */
    privateKey?: ECDH;
    /** base64url string or bytes. */
    authSecret?: string | Buffer;
    dh?: string | Buffer;
  }

  export function decrypt(buffer: Buffer, params: DecryptParams): Buffer;
}
