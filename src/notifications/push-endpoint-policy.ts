import { Injectable } from '@nestjs/common';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ChatSettings } from '../chat/chat-settings';

/** Addresses a server must never be talked into calling on a user's behalf. */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is that IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]);
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class UnsafeEndpointError extends Error {}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * Guards the Web Push endpoints users register against server-side request
 * forgery: https only, on an allowed push-service host, never an IP literal,
 * never a name that resolves to a private, loopback or link-local address.
 * `allowLoopbackEndpoints` (tests, local trials) admits http://127.0.0.1:<port>.
 * The same rules run again when a push is sent, on the address actually
 * connected to, so a name re-pointed after registration gains nothing.
 */
@Injectable()
export class PushEndpointPolicy {
  constructor(private readonly settings: ChatSettings) {}

  /** Throws UnsafeEndpointError saying why the endpoint is refused. */
  async check(endpoint: string): Promise<URL> {
    const url = this.parse(endpoint);
    if (this.isAllowedLoopback(url)) return url;
    let addresses: LookupAddress[];
    try {
      addresses = await dns.lookup(url.hostname, { all: true, verbatim: true });
    } catch {
      throw new UnsafeEndpointError(`endpoint host ${url.hostname} does not resolve`);
    }
    if (addresses.length === 0 || addresses.some((entry) => isPrivateAddress(entry.address))) {
      throw new UnsafeEndpointError(`endpoint host ${url.hostname} resolves to a private or local address`);
    }
    return url;
  }

  /** A `lookup` for http(s).request that refuses private addresses at connection time. */
  readonly safeLookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const loopbackAllowed = this.settings.push.allowLoopbackEndpoints && hostname === '127.0.0.1';
      if (!loopbackAllowed && addresses.some((entry) => isPrivateAddress(entry.address))) {
        return callback(
          Object.assign(new Error(`refusing to connect to a private address for ${hostname}`), {
            code: 'EUNSAFE',
          }),
          [],
        );
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };

  private parse(endpoint: string): URL {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UnsafeEndpointError('endpoint must be an absolute URL');
    }
    if (this.isAllowedLoopback(url)) return url;
    if (url.protocol !== 'https:') throw new UnsafeEndpointError('endpoint must use https');
    if (url.username || url.password) throw new UnsafeEndpointError('endpoint must not carry credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0)
      throw new UnsafeEndpointError('endpoint must name a push service, not an IP address');
    if (!this.settings.push.endpointHosts.some((pattern) => hostMatches(host.toLowerCase(), pattern))) {
      throw new UnsafeEndpointError(
        `endpoint host ${host} is not an allowed push service (${this.settings.push.endpointHosts.join(', ')})`,
      );
    }
    return url;
  }

  private isAllowedLoopback(url: URL): boolean {
    return (
      this.settings.push.allowLoopbackEndpoints &&
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname === '127.0.0.1' &&
      url.port !== ''
    );
  }
}

function hostMatches(host: string, pattern: string): boolean {
  const normalized = pattern.toLowerCase();
  if (normalized.startsWith('*.'))
    return host.endsWith(normalized.slice(1)) && host.length > normalized.length - 1;
  return host === normalized;
}
