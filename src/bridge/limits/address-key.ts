import { isIPv4, isIPv6 } from 'node:net';

// The key a client's failures are counted under. An IPv4 address is one key; an IPv6 client usually holds a
// whole /64 and could rotate through it, so IPv6 is keyed by its /64. IPv4-mapped IPv6 (::ffff:a.b.c.d, what
// a dual-stack listener reports) is the IPv4 address it maps.

const IPV6_GROUPS = 8;
const PREFIX_GROUPS = 4;

export function addressKey(ip: string | undefined): string {
  if (ip === undefined || ip === '') return 'unknown';
  if (isIPv4(ip)) return ip;
  const address = ip.split('%', 1)[0] ?? ip;
  if (!isIPv6(address)) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined && isIPv4(mapped)) return mapped;
  return `${ipv6Groups(address).slice(0, PREFIX_GROUPS).join(':')}::/64`;
}

/** A valid IPv6 address → its eight groups as lowercase hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const part = (text: string) => (text === '' ? [] : text.split(':').flatMap(groupsOf));
  const before = part(head);
  const after = tail === undefined ? [] : part(tail);
  const zeros = Array.from({ length: IPV6_GROUPS - before.length - after.length }, () => '0');
  return [...before, ...zeros, ...after];
}

/** One group, or two for a dotted IPv4 tail. */
function groupsOf(group: string): string[] {
  if (!group.includes('.')) return [Number.parseInt(group, 16).toString(16)];
  const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
