import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIPv4 } from 'node:net';

export interface SelfSignedCertificate {
  /** PKCS#8 PEM of the certificate's EC P-256 key. */
  key: string;
  /** PEM; trust it as a CA (`ca`, NODE_EXTRA_CA_CERTS) to accept the server that presents it. */
  cert: string;
}

export interface SelfSignedCertificateOptions {
  /** The IPv4 address a client dials, put in the subject and subjectAltName. Default 127.0.0.1. */
  ip?: string;
  /** Default one hour. */
  lifetimeMs?: number;
}

/**
 * A self-signed X.509 v3 certificate (ECDSA P-256 / SHA-256) for an IP address, built with
 * node:crypto alone: no openssl binary, no fixture that expires in the repository.
 */
export function selfSignedCertificate(options: SelfSignedCertificateOptions = {}): SelfSignedCertificate {
  const ip = options.ip ?? '127.0.0.1';
  if (!isIPv4(ip)) throw new Error(`selfSignedCertificate: ${ip} is not an IPv4 address`);
  const lifetimeMs = options.lifetimeMs ?? 3_600_000;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const name = sequence(der(0x31, sequence(oid('2.5.4.3'), der(0x0c, Buffer.from(ip)))));
  const serial = randomBytes(8);
  // A positive INTEGER in minimal DER: the first byte neither has its top bit set (negative) nor is
  // zero (a leading zero before a byte below 0x80 is "illegal padding", refused by OpenSSL).
  serial[0] = 0x40 | (serial[0] & 0x3f);
  const now = Date.now();
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    der(0x02, serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now - 60_000)), utcTime(new Date(now + lifetimeMs))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    // subjectAltName iPAddress: what TLS clients check against the IP they dialled (not the CN).
    der(
      0xa3,
      sequence(
        sequence(oid('2.5.29.17'), der(0x04, sequence(der(0x87, Buffer.from(ip.split('.').map(Number)))))),
      ),
    ),
  );
  const certificate = sequence(
    tbs,
    ecdsaWithSha256,
    der(0x03, Buffer.from([0]), sign('sha256', tbs, privateKey)),
  );
  const base64 = certificate.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`,
  };
}

/** A DER TLV: tag, definite length, contents. */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const length: number[] = [];
  for (let n = body.length; n > 0; n >>= 8) length.unshift(n & 0xff);
  const header = body.length < 0x80 ? [tag, body.length] : [tag, 0x80 | length.length, ...length];
  return Buffer.concat([Buffer.from(header), body]);
}

function sequence(...parts: Buffer[]): Buffer {
  return der(0x30, ...parts);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  return der(0x17, Buffer.from(`${date.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`));
}
