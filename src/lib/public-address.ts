import { isIPv4, isIPv6 } from 'node:net';

// Which addresses a URL a user supplies (notify-url) may reach: only public ones (DESIGN §6, §8.2), so a
// workflow input can never make a runner or the bridge talk to its own network. IPv4 is checked against the
// special-purpose ranges below; IPv6 must be global unicast (2000::/3) outside its own special ranges, and the
// forms that carry an IPv4 address (mapped, compatible, NAT64) are judged by the address they carry.

export type AddressVerdict = { public: true } | { public: false; reason: string };

interface Range {
  /** Network address as a number (bigint for IPv6), already masked. */
  network: bigint;
  bits: number;
  reason: string;
}

// Most specific first: the first range that holds an address names the reason.
const IPV4_REFUSED = [
  ['0.0.0.0/8', 'unspecified ("this network", 0.0.0.0/8)'],
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['100.64.0.0/10', 'carrier-grade NAT (RFC 6598, 100.64.0.0/10)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.0.0.0/24', 'IETF protocol assignments (192.0.0.0/24)'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast (192.88.99.0/24)'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['198.18.0.0/15', 'benchmarking (198.18.0.0/15)'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved (240.0.0.0/4)'],
] as const;

const IPV6_REFUSED = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'local-use NAT64 (64:ff9b:1::/48)'],
  ['100::/64', 'discard-only (100::/64)'],
  ['2001::/32', 'Teredo tunnel (2001::/32)'],
  ['2001:2::/48', 'benchmarking (2001:2::/48)'],
  ['2001::/23', 'IETF protocol assignments (2001::/23)'],
  ['2001:db8::/32', 'documentation (2001:db8::/32)'],
  ['2002::/16', 'deprecated 6to4 (2002::/16)'],
  ['3fff::/20', 'documentation (3fff::/20)'],
  ['5f00::/16', 'segment routing (5f00::/16)'],
  ['fc00::/7', 'unique-local (fc00::/7)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated, fec0::/10)'],
  ['ff00::/8', 'multicast'],
] as const;

/** IPv6 forms whose last 32 bits are an IPv4 address, judged by that address. */
const IPV4_CARRIERS = [
  ['::ffff:0:0/96', 'IPv4-mapped'],
  ['::/96', 'IPv4-compatible'],
  ['64:ff9b::/96', 'NAT64'],
] as const;

const GLOBAL_UNICAST = range6('2000::/3', '');

/** Whether a notification may go to `address` (an IPv4 or IPv6 literal), and if not, why. */
export function checkPublicAddress(address: string): AddressVerdict {
  if (isIPv4(address)) return checkIPv4(parseIPv4(address));
  // A zone id (fe80::1%eth0) only means something on one link.
  if (address.includes('%')) return { public: false, reason: 'scoped to one network interface' };
  if (!isIPv6(address)) return { public: false, reason: 'not an IP address' };
  return checkIPv6(parseIPv6(address));
}

export const isPublicAddress = (address: string): boolean => checkPublicAddress(address).public;

const IPV4_RANGES: readonly Range[] = IPV4_REFUSED.map(([cidr, reason]) => range4(cidr, reason));
const IPV6_RANGES: readonly Range[] = IPV6_REFUSED.map(([cidr, reason]) => range6(cidr, reason));
const CARRIER_RANGES: readonly Range[] = IPV4_CARRIERS.map(([cidr, form]) => range6(cidr, form));

function checkIPv4(value: bigint): AddressVerdict {
  const refused = IPV4_RANGES.find((range) => holds(range, value, 32));
  return refused ? { public: false, reason: refused.reason } : { public: true };
}

function checkIPv6(value: bigint): AddressVerdict {
  // :: and ::1 sit inside ::/96 but are IPv6's own unspecified and loopback addresses, not IPv4 ones.
  const own = IPV6_RANGES.find((range) => holds(range, value, 128));
  if (own && own.bits === 128) return { public: false, reason: own.reason };
  const carrier = CARRIER_RANGES.find((range) => holds(range, value, 128));
  if (carrier) {
    const embedded = checkIPv4(value & 0xffff_ffffn);
    if (!embedded.public) return { public: false, reason: `${embedded.reason}, in ${carrier.reason} form` };
    // IPv4-compatible addresses are deprecated (RFC 4291) and never a real destination.
    if (carrier.reason === 'IPv4-compatible')
      return { public: false, reason: 'IPv4-compatible (deprecated)' };
    return { public: true };
  }
  if (own) return { public: false, reason: own.reason };
  if (!holds(GLOBAL_UNICAST, value, 128)) return { public: false, reason: 'reserved (outside 2000::/3)' };
  return { public: true };
}

function holds(range: Range, value: bigint, width: number): boolean {
  return value >> BigInt(width - range.bits) === range.network >> BigInt(width - range.bits);
}

function range4(cidr: string, reason: string): Range {
  const [address = '', bits = ''] = cidr.split('/');
  return { network: parseIPv4(address), bits: Number(bits), reason };
}

function range6(cidr: string, reason: string): Range {
  const [address = '', bits = ''] = cidr.split('/');
  return { network: parseIPv6(address), bits: Number(bits), reason };
}

/** A dotted quad node:net accepted (no leading zeros, no short forms) as a 32-bit number. */
function parseIPv4(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** An IPv6 literal node:net accepted (`::`, a trailing dotted quad) as a 128-bit number. */
function parseIPv6(address: string): bigint {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    const v4 = parseIPv4(dotted);
    text = `${text.slice(0, -dotted.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}
