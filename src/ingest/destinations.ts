// Which addresses a fetch may connect to. A source whose configured URL is public may reach only
// public addresses, checked on the addresses a name resolves to (not on the name) and on every
// hop, so neither a redirect nor a DNS answer can point a public feed at 127.0.0.1, the private
// ranges or a cloud metadata service (169.254.169.254). A source configured with a private
// address was meant for the intranet and may reach private addresses.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * - `when-configured`: private addresses may be reached when the configured URL's host is one
 *   (or resolves to one); otherwise only public ones. Sources written by hand.
 * - `refused`: only public addresses, whatever the configured URL (sources added by import-opml).
 * - `allowed`: any address (`fetch.allow_private: true` in site.yaml).
 */
export type PrivateDestinations = 'when-configured' | 'refused' | 'allowed';

const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local machine
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** True for an address any host on the internet could have; false for private, loopback, link-local and reserved ones. */
export function isPublicAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (version !== 6) return false;
  const embedded = embeddedIpv4(address);
  if (embedded !== undefined) return !NOT_PUBLIC.check(embedded, 'ipv4');
  return !NOT_PUBLIC.check(address, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (!words) return undefined;
  const mapped = words.slice(0, 5).every((word) => word === 0) && words[5] === 0xffff;
  const nat64 = words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((word) => word === 0);
  if (!mapped && !nat64) return undefined;
  return [words[6]! >> 8, words[6]! & 0xff, words[7]! >> 8, words[7]! & 0xff].join('.');
}

/** An IPv6 address as its eight 16-bit words; a dotted IPv4 tail counts as two. */
function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase().split('%')[0]!;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (words: string | undefined) => (words ? words.split(':').map((word) => parseInt(word, 16)) : []);
  const first = part(head);
  const last = part(tail);
  if (tail === undefined) return first.length === 8 ? first : undefined;
  return [...first, ...Array<number>(8 - first.length - last.length).fill(0), ...last];
}

/** The address in a URL's host, brackets removed, or undefined for a name. */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : undefined;
}

/** Raised by `publicOnlyLookup` when a name resolves to an address that is not public. */
export class PrivateAddressError extends Error {
  readonly code = 'FEEDLOOM_PRIVATE_ADDRESS';

  constructor(
    readonly host: string,
    readonly addresses: string[],
  ) {
    super(`${host} resolves to ${addresses.join(', ')}, which is not a public address`);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A DNS lookup for sockets (net.connect's `lookup`) that refuses a name when any address it
 * resolves to is not public. The socket then connects to the address that was checked, so a
 * second DNS answer cannot slip a private one in.
 */
export function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.filter((entry) => !isPublicAddress(entry.address));
    if (refused.length > 0) return callback(new PrivateAddressError(hostname, refused.map((entry) => entry.address)) as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
}

/** Whether a URL's host is, or resolves to, an address that is not public: an intranet source. */
export async function isPrivateHost(hostname: string): Promise<boolean> {
  const literal = literalAddress(hostname);
  if (literal !== undefined) return !isPublicAddress(literal);
  const addresses = await new Promise<LookupAddress[]>((resolve) => dnsLookup(hostname, { all: true }, (error, found) => resolve(error ? [] : found)));
  return addresses.some((entry) => !isPublicAddress(entry.address));
}
