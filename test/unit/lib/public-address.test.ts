import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkPublicAddress, isPublicAddress } from '../../../src/lib/public-address.ts';

// Every refused IPv4 range at its first and last address, with the public neighbour just outside each edge
// (where that neighbour is public), in plain, IPv4-mapped, IPv4-compatible and NAT64 forms.
const IPV4_RANGES = [
  // [first, last, reason, address just below, address just above] (null: the neighbour is refused too)
  ['0.0.0.0', '0.255.255.255', 'unspecified', null, '1.0.0.0'],
  ['10.0.0.0', '10.255.255.255', 'private (RFC 1918)', '9.255.255.255', '11.0.0.0'],
  ['100.64.0.0', '100.127.255.255', 'carrier-grade NAT', '100.63.255.255', '100.128.0.0'],
  ['127.0.0.0', '127.255.255.255', 'loopback', '126.255.255.255', '128.0.0.0'],
  ['169.254.0.0', '169.254.255.255', 'link-local', '169.253.255.255', '169.255.0.0'],
  ['172.16.0.0', '172.31.255.255', 'private (RFC 1918)', '172.15.255.255', '172.32.0.0'],
  ['192.0.0.0', '192.0.0.255', 'IETF protocol assignments', '191.255.255.255', '192.0.1.0'],
  ['192.0.2.0', '192.0.2.255', 'documentation', '192.0.1.255', '192.0.3.0'],
  ['192.88.99.0', '192.88.99.255', '6to4 relay', '192.88.98.255', '192.88.100.0'],
  ['192.168.0.0', '192.168.255.255', 'private (RFC 1918)', '192.167.255.255', '192.169.0.0'],
  ['198.18.0.0', '198.19.255.255', 'benchmarking', '198.17.255.255', '198.20.0.0'],
  ['198.51.100.0', '198.51.100.255', 'documentation', '198.51.99.255', '198.51.101.0'],
  ['203.0.113.0', '203.0.113.255', 'documentation', '203.0.112.255', '203.0.114.0'],
  ['224.0.0.0', '239.255.255.255', 'multicast', '223.255.255.255', null],
  ['240.0.0.0', '255.255.255.254', 'reserved', null, null],
  ['255.255.255.255', '255.255.255.255', 'broadcast', null, null],
] as const;

const IPV6_RANGES = [
  ['::', '::', 'unspecified', null, null],
  ['::1', '::1', 'loopback', null, null],
  ['64:ff9b:1::', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff', 'local-use NAT64', null, null],
  ['100::', '100::ffff:ffff:ffff:ffff', 'discard-only', null, null],
  ['2001::', '2001:0:ffff:ffff:ffff:ffff:ffff:ffff', 'Teredo', null, null],
  ['2001:2::', '2001:2:0:ffff:ffff:ffff:ffff:ffff', 'benchmarking', null, null],
  ['2001:1::', '2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', 'IETF protocol assignments', null, '2001:200::'],
  [
    '2001:db8::',
    '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
    'documentation',
    '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff',
    '2001:db9::',
  ],
  [
    '2002::',
    '2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '6to4',
    '2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '2003::',
  ],
  [
    '3fff::',
    '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff',
    'documentation',
    '3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '3fff:1000::',
  ],
  ['5f00::', '5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'segment routing', null, null],
  ['fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique-local', null, null],
  ['fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'link-local', null, null],
  ['fec0::', 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'site-local', null, null],
  ['ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'multicast', null, null],
  // Nothing outside global unicast 2000::/3 is a destination today.
  ['::1:0:0', '1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved', null, '2000::'],
  [
    '4000::',
    'fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    'reserved',
    '3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    null,
  ],
] as const;

const mapped = (v4: string) => `::ffff:${v4}`;
const mappedHex = (v4: string) => {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
  return `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
};
const compatible = (v4: string) => `::${v4}`;
const nat64 = (v4: string) => `64:ff9b::${v4}`;

const refusedFor = (address: string) => {
  const verdict = checkPublicAddress(address);
  return verdict.public ? null : verdict.reason;
};

describe('checkPublicAddress: IPv4 ranges, at both edges and just outside', () => {
  for (const [first, last, reason, below, above] of IPV4_RANGES) {
    describe(`${first} – ${last}`, () => {
      it.each([first, last])(`%s is refused as ${reason}`, (address) => {
        expect(refusedFor(address)).toContain(reason);
      });
      it.each([first, last])(
        `%s is refused in IPv4-mapped (dotted and hex), compatible and NAT64 form`,
        (address) => {
          for (const form of [mapped(address), mappedHex(address)])
            expect(refusedFor(form)).toBe(`${refusedFor(address)}, in IPv4-mapped form`);
          expect(refusedFor(compatible(address))).toContain(reason);
          expect(refusedFor(nat64(address))).toBe(`${refusedFor(address)}, in NAT64 form`);
        },
      );
      const neighbours = [below, above].filter((address) => address !== null);
      if (neighbours.length > 0)
        it.each(neighbours)('%s, just outside, is public in plain, mapped and NAT64 form', (address) => {
          expect(refusedFor(address)).toBeNull();
          expect(refusedFor(mapped(address))).toBeNull();
          expect(refusedFor(mappedHex(address))).toBeNull();
          expect(refusedFor(nat64(address))).toBeNull();
        });
    });
  }
});

describe('checkPublicAddress: IPv6 ranges, at both edges and just outside', () => {
  for (const [first, last, reason, below, above] of IPV6_RANGES) {
    describe(`${first} – ${last}`, () => {
      it.each([first, last])(`%s is refused as ${reason}`, (address) => {
        expect(refusedFor(address)).toContain(reason);
        expect(refusedFor(address.toUpperCase())).toContain(reason);
      });
      const neighbours = [below, above].filter((address) => address !== null);
      if (neighbours.length > 0)
        it.each(neighbours)('%s, just outside, is public', (address) => {
          expect(refusedFor(address)).toBeNull();
        });
    });
  }

  it('refuses every IPv4-compatible address, even of a public IPv4 address (deprecated, never a destination)', () => {
    expect(refusedFor('::8.8.8.8')).toBe('IPv4-compatible (deprecated)');
    expect(refusedFor('::808:808')).toBe('IPv4-compatible (deprecated)');
  });

  it('judges IPv4-mapped and NAT64 addresses by the IPv4 address they carry', () => {
    expect(refusedFor('::ffff:0:0')).toMatch(/^unspecified .*, in IPv4-mapped form$/);
    expect(refusedFor('0:0:0:0:0:ffff:7f00:1')).toBe('loopback, in IPv4-mapped form');
    expect(refusedFor('64:ff9b::a00:1')).toBe('private (RFC 1918), in NAT64 form');
    // DNS64 on an IPv6-only runner answers the NAT64 form of a public address: that must work.
    expect(refusedFor('64:ff9b::8.8.8.8')).toBeNull();
    // Just outside the NAT64 prefix, the last 32 bits carry nothing.
    expect(refusedFor('64:ff9a:ffff:ffff:ffff:ffff:a00:1')).toBe('reserved (outside 2000::/3)');
  });

  it('accepts ordinary public addresses', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '52.95.110.1',
      '2606:4700:4700::1111',
      '2a00:1450:4001::200e',
    ])
      expect(checkPublicAddress(address)).toEqual({ public: true });
    expect(isPublicAddress('8.8.4.4')).toBe(true);
    expect(isPublicAddress('10.0.0.1')).toBe(false);
  });

  it('refuses what is not an IP literal, and a zone-scoped address', () => {
    for (const text of [
      '',
      'localhost',
      '1.2.3',
      '127.1',
      '0x7f.0.0.1',
      '010.0.0.1',
      '1.2.3.4.5',
      ':::',
      'g::1',
      ' 8.8.8.8',
    ])
      expect(refusedFor(text)).toBe('not an IP address');
    expect(refusedFor('fe80::1%eth0')).toBe('scoped to one network interface');
    expect(refusedFor('2606:4700::1%1')).toBe('scoped to one network interface');
  });
});

describe('checkPublicAddress agrees with node:net BlockList over the IPv4 ranges', () => {
  // An independent implementation of the same subnets: a typo in a mask or network would show here.
  const blocked = new BlockList();
  const subnets: [string, number][] = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ];
  for (const [network, prefix] of subnets) blocked.addSubnet(network, prefix, 'ipv4');

  it('on a sweep of addresses across the whole IPv4 space, plain and mapped', () => {
    let seed = 0x2545f491;
    const next = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    for (let i = 0; i < 20_000; i++) {
      // Half the samples near a range edge, where mistakes hide.
      const [network = '0.0.0.0', prefix = 8] = subnets[next() % subnets.length] ?? [];
      const base = network.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
      const size = 2 ** (32 - prefix);
      const value =
        i % 2 === 0 ? next() : (base + (next() % 5) - 2 + (next() % 2) * size + 2 ** 32) % 2 ** 32;
      const address = [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
      expect(isPublicAddress(address), address).toBe(!blocked.check(address, 'ipv4'));
      expect(isPublicAddress(mapped(address)), mapped(address)).toBe(!blocked.check(address, 'ipv4'));
    }
  });
});
