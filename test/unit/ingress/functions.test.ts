import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../../src/cli/commands/cert.ts';
import { acmeCause } from '../../../src/checks/served-host/certmanager.ts';
import { hostMatches, ingressMatches } from '../../../src/checks/served-host/cluster-context.ts';
import { covers, inRange, selectorMatches } from '../../../src/checks/served-host/metallb.ts';

describe('parseTarget (HOST[:PORT])', () => {
  it('host, host:port, IPv6, URL; default port 443', () => {
    expect(parseTarget('example.com')).toEqual({ host: 'example.com', port: 443 });
    expect(parseTarget('example.com:8443')).toEqual({ host: 'example.com', port: 8443 });
    expect(parseTarget('[2001:db8::1]:443')).toEqual({ host: '2001:db8::1', port: 443 });
    expect(parseTarget('2001:db8::1')).toEqual({ host: '2001:db8::1', port: 443 });
    expect(parseTarget('https://example.com/path')).toEqual({ host: 'example.com', port: 443 });
    expect(parseTarget('https://example.com:9443')).toEqual({ host: 'example.com', port: 9443 });
    expect(parseTarget('example.com:0')).toHaveProperty('error');
    expect(parseTarget('example.com:https')).toHaveProperty('error');
    expect(parseTarget('')).toHaveProperty('error');
  });
});

describe('acmeCause: the ACME error text turned into a cause', () => {
  it.each([
    ['acme: authorization error for a.io: 400 urn:ietf:params:acme:error:connection: 1.2.3.4: Fetching http://a.io/.well-known/acme-challenge/x: Timeout during connect (likely firewall problem)', 'cert.certmanager.acme-timeout'],
    ['400 urn:ietf:params:acme:error:connection: 1.2.3.4: Fetching http://a.io/.well-known/acme-challenge/x: Connection refused', 'cert.certmanager.acme-refused'],
    ['urn:ietf:params:acme:error:unauthorized: Invalid response from http://a.io/.well-known/acme-challenge/x: 404', 'cert.certmanager.acme-404'],
    ['urn:ietf:params:acme:error:dns: DNS problem: NXDOMAIN looking up A for a.io - check that a DNS record exists for this domain', 'cert.certmanager.acme-dns'],
    ['429 urn:ietf:params:acme:error:rateLimited: Error creating new order :: too many certificates already issued for exact set of domains', 'cert.certmanager.acme-rate-limited'],
    ["Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'", 'cert.certmanager.acme-404'],
    ["Waiting for HTTP-01 challenge propagation: failed to perform self check GET request 'http://a.io/x': Get \"https://a.io/x\": x509: certificate is valid for ingress.local, not a.io", 'cert.certmanager.self-check'],
    ['urn:ietf:params:acme:error:unauthorized: The key authorization file from the server did not match this challenge: invalid', 'cert.certmanager.acme-other'],
  ])('%s', (text, code) => {
    expect(acmeCause(text)?.code).toBe(code);
  });
  it('says nothing about an ordinary status', () => {
    expect(acmeCause('Certificate is up to date and has not expired')).toBeUndefined();
  });
});

describe('host matching', () => {
  it('exact, case-insensitive, one-label wildcard', () => {
    expect(hostMatches('Web.Lab.Test', 'web.lab.test')).toBe(true);
    expect(hostMatches('*.lab.test', 'web.lab.test')).toBe(true);
    expect(hostMatches('*.lab.test', 'a.web.lab.test')).toBe(false);
    expect(hostMatches('*.lab.test', 'lab.test')).toBe(false);
  });
  it('an Ingress matches by rule host or TLS host', () => {
    const base = { metadata: { name: 'x', namespace: 'y' } };
    expect(ingressMatches({ ...base, spec: { rules: [{ host: '*.lab.test' }] } }, 'web.lab.test')).toBe(true);
    expect(ingressMatches({ ...base, spec: { tls: [{ hosts: ['web.lab.test'] }] } }, 'web.lab.test')).toBe(true);
    expect(ingressMatches({ ...base, spec: { rules: [{ http: { paths: [] } }] } }, 'web.lab.test')).toBe(false);
  });
});

describe('MetalLB pools and selectors', () => {
  it('CIDR, single address and range entries of an IPAddressPool', () => {
    expect(inRange('192.0.2.0/24', '192.0.2.80')).toBe(true);
    expect(inRange('192.0.2.80/32', '192.0.2.81')).toBe(false);
    expect(inRange('192.0.2.70-192.0.2.90', '192.0.2.80')).toBe(true);
    expect(inRange('192.0.2.70 - 192.0.2.79', '192.0.2.80')).toBe(false);
    expect(inRange('2001:db8::/64', '2001:db8::5')).toBe(true);
  });
  it('label selectors with matchLabels and matchExpressions', () => {
    const labels = { 'kubernetes.io/hostname': 'node-a', zone: 'x' };
    expect(selectorMatches({ matchLabels: { 'kubernetes.io/hostname': 'node-a' } }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['y'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selectorMatches(undefined, labels)).toBe(true);
  });
});

describe('which advertisement covers a pool', () => {
  const pool = { metadata: { name: 'public', namespace: 'metallb-system', labels: { tier: 'edge' } } };
  it('all pools when it names none, by name, or by pool selector', () => {
    expect(covers({ metadata: { name: 'all' }, spec: {} }, pool)).toBe(true);
    expect(covers({ metadata: { name: 'named' }, spec: { ipAddressPools: ['public'] } }, pool)).toBe(true);
    expect(covers({ metadata: { name: 'other' }, spec: { ipAddressPools: ['private'] } }, pool)).toBe(false);
    expect(covers({ metadata: { name: 'sel' }, spec: { ipAddressPoolSelectors: [{ matchLabels: { tier: 'edge' } }] } }, pool)).toBe(true);
    expect(covers({ metadata: { name: 'sel2' }, spec: { ipAddressPoolSelectors: [{ matchLabels: { tier: 'core' } }] } }, pool)).toBe(false);
  });
});
