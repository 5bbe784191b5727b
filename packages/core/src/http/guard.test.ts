import { describe, expect, it } from 'vitest';
import { PaperlineError } from '@paperline/contracts';
import {
  isBlockedAddress,
  isCloudMetadataAddress,
  isDestinationAllowed,
  normalizeAllowHosts,
} from './guard.js';

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '169.254.1.1',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '198.18.0.1',
    '::',
    '::1',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    'fd00:ec2::254',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.1.2.3',
    '::ffff:169.254.169.254',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '64:ff9b::10.0.0.1',
    '2002:7f00:1::',
    '2001:db8::1',
    'not-an-ip',
    '',
  ])('blocks %s', (ip) => {
    expect(isBlockedAddress(ip)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '151.101.1.140',
    '172.15.255.255',
    '172.32.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '192.169.0.1',
    '2606:4700::6810:84e5',
    '2a00:1450:4001:81c::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::',
  ])('allows %s', (ip) => {
    expect(isBlockedAddress(ip)).toBe(false);
  });
});

describe('isCloudMetadataAddress', () => {
  it.each([
    '169.254.169.254',
    'fd00:ec2::254',
    'FD00:EC2:0:0:0:0:0:254',
    '::ffff:169.254.169.254',
    '100.100.100.200',
  ])('recognizes %s', (ip) => expect(isCloudMetadataAddress(ip)).toBe(true));
  it.each(['169.254.169.253', '127.0.0.1', 'fd00:ec2::253', 'example.com'])('ignores %s', (ip) =>
    expect(isCloudMetadataAddress(ip)).toBe(false),
  );
});

describe('allow list', () => {
  const allow = normalizeAllowHosts([
    '127.0.0.1',
    'Papers.Test:8080',
    'http://localhost:9000/x',
    'https://[::1]',
    ' ',
  ]);

  it('normalizes entries to scheme://host:port destinations', () => {
    expect([...allow].sort()).toEqual([
      'http://127.0.0.1:80',
      'http://localhost:9000',
      'http://papers.test:8080',
      'https://127.0.0.1:443',
      'https://[::1]:443',
      'https://papers.test:8080',
    ]);
  });

  it('matches a host on its default ports, host:port on that port, a URL on its scheme and port', () => {
    expect(isDestinationAllowed(allow, 'http:', '127.0.0.1', 80)).toBe(true);
    expect(isDestinationAllowed(allow, 'https:', '127.0.0.1', 443)).toBe(true);
    expect(isDestinationAllowed(allow, 'http:', '127.0.0.1', 1234)).toBe(false);
    expect(isDestinationAllowed(allow, 'http:', '127.0.0.1', 443)).toBe(false);
    expect(isDestinationAllowed(allow, 'http:', 'PAPERS.test', 8080)).toBe(true);
    expect(isDestinationAllowed(allow, 'https:', 'papers.test', 8080)).toBe(true);
    expect(isDestinationAllowed(allow, 'http:', 'papers.test', 8081)).toBe(false);
    expect(isDestinationAllowed(allow, 'http:', 'localhost', 9000)).toBe(true);
    expect(isDestinationAllowed(allow, 'https:', 'localhost', 9000)).toBe(false);
    expect(isDestinationAllowed(allow, 'http:', 'localhost', 80)).toBe(false);
    expect(isDestinationAllowed(allow, 'https:', '::1', 443)).toBe(true);
    expect(isDestinationAllowed(allow, 'https:', '[::1]', 443)).toBe(true);
    expect(isDestinationAllowed(allow, 'http:', '::1', 80)).toBe(false);
    expect(isDestinationAllowed(allow, 'ws:', 'localhost', 9000)).toBe(false);
  });

  it.each(['a/b', 'user@host', 'host:', 'host:70000', 'ftp://files.test', 'http://', 'two words'])(
    'refuses the entry %j with CONFIG_INVALID naming it',
    (entry) => {
      const refuse = () => normalizeAllowHosts([entry]);
      expect(refuse).toThrow(PaperlineError);
      expect(refuse).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
      expect(refuse).toThrow(`PAPERLINE_ALLOW_HOSTS: '${entry}'`);
    },
  );
});
