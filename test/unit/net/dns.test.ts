import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { lookupHostsFile, probeDnsServer, resolveHost, resolverSocketError, type ServerProbe } from '../../../src/net/dns.ts';
import { startDnsServer, type DnsServer } from './helpers.ts';

let dns: DnsServer;
let dir: string;
let hostsPath: string;
let emptyHosts: string;

beforeAll(async () => {
  dns = await startDnsServer({
    a: { 'api.lab.test': ['198.51.100.10', '198.51.100.11'], 'both.lab.test': ['192.0.2.1'] },
    aaaa: { 'v6only.lab.test': ['2001:db8::10'], 'both.lab.test': ['2001:db8::1'] },
    rcode: { 'broken.lab.test': 2, 'refused.lab.test': 5 },
    silent: ['blackhole.lab.test'],
  });
  dir = mkdtempSync(join(tmpdir(), 'netdiag-dns-'));
  hostsPath = join(dir, 'hosts');
  writeFileSync(
    hostsPath,
    [
      '127.0.0.1 localhost',
      '# a comment line naming api.override.test',
      '203.0.113.7   API.Override.test  override   # pinned by ops',
      '2001:db8::7 api.override.test',
      '',
    ].join('\n'),
  );
  emptyHosts = join(dir, 'empty-hosts');
  writeFileSync(emptyHosts, '');
});

afterAll(async () => {
  await dns.close();
  rmSync(dir, { recursive: true, force: true });
});

const opts = () => ({ timeoutMs: 2000, servers: [dns.server], hostsPath: emptyHosts });

describe('resolveHost', () => {
  it('returns IP literals as themselves', async () => {
    const r = await resolveHost('198.51.100.10', opts());
    expect(r.addresses).toEqual([{ address: '198.51.100.10', family: 4, source: 'literal' }]);
    const r6 = await resolveHost('[2001:db8::1]', opts());
    expect(r6.addresses).toEqual([{ address: '2001:db8::1', family: 6, source: 'literal' }]);
    expect(dns.queries.length).toBe(0);
  });

  it('answers A records from DNS', async () => {
    const r = await resolveHost('api.lab.test', opts());
    expect(r.error).toBeUndefined();
    expect(r.addresses).toEqual([
      { address: '198.51.100.10', family: 4, source: 'dns' },
      { address: '198.51.100.11', family: 4, source: 'dns' },
    ]);
    expect(r.servers).toEqual([dns.server]);
  });

  it('accepts an AAAA answer with an empty A answer', async () => {
    const r = await resolveHost('v6only.lab.test', opts());
    expect(r.error).toBeUndefined();
    expect(r.addresses).toEqual([{ address: '2001:db8::10', family: 6, source: 'dns' }]);
  });

  it('returns A and AAAA together', async () => {
    const r = await resolveHost('both.lab.test', opts());
    expect(r.addresses.map((a) => a.address)).toEqual(['192.0.2.1', '2001:db8::1']);
  });

  it('classifies NXDOMAIN', async () => {
    const r = await resolveHost('nope.lab.test', opts());
    expect(r.addresses).toEqual([]);
    expect(r.error?.kind).toBe('nxdomain');
    expect(r.error?.code).toBe('ENOTFOUND');
    expect(r.error?.message).toBe(`lookup nope.lab.test on ${dns.server}: no such host (NXDOMAIN)`);
  });

  it('classifies SERVFAIL and REFUSED', async () => {
    expect((await resolveHost('broken.lab.test', opts())).error?.kind).toBe('servfail');
    expect((await resolveHost('refused.lab.test', opts())).error?.kind).toBe('refused');
  });

  it('times out within timeoutMs for a name the server never answers', async () => {
    const t0 = performance.now();
    const r = await resolveHost('blackhole.lab.test', { ...opts(), timeoutMs: 400 });
    const took = performance.now() - t0;
    expect(r.error?.kind).toBe('timeout');
    expect(took).toBeLessThan(400 + 200);
    expect(r.durationMs).toBeLessThan(600);
  });

  it('can be cancelled with an AbortSignal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    const r = await resolveHost('blackhole.lab.test', { ...opts(), timeoutMs: 5000, signal: ac.signal });
    expect(r.error?.kind).toBe('aborted');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('hosts file entries win over DNS and are reported with the line', async () => {
    dns.queries.length = 0;
    const r = await resolveHost('api.override.test', { ...opts(), hostsPath });
    expect(r.addresses).toEqual([
      { address: '203.0.113.7', family: 4, source: 'hosts' },
      { address: '2001:db8::7', family: 6, source: 'hosts' },
    ]);
    expect(r.hostsFile).toEqual({ path: hostsPath, line: '203.0.113.7   API.Override.test  override   # pinned by ops', lineNumber: 3 });
    expect(dns.queries.length).toBe(0);
  });

  it('falls through to DNS when the hosts file does not name the host or is missing', async () => {
    expect((await resolveHost('api.lab.test', { ...opts(), hostsPath })).addresses[0].source).toBe('dns');
    expect((await resolveHost('api.lab.test', { ...opts(), hostsPath: join(dir, 'missing') })).addresses[0].source).toBe('dns');
  });

  it('never throws for a bad server list', async () => {
    const r = await resolveHost('api.lab.test', { timeoutMs: 500, servers: ['not an ip'], hostsPath: emptyHosts });
    expect(r.error?.kind).toBe('other');
  });
});

describe('lookupHostsFile', () => {
  it('matches case-insensitively, ignores comments and trailing dots', () => {
    const c = '10.0.0.1 a.example # b.example\n10.0.0.2\tB.example.  c\n';
    expect(lookupHostsFile(c, 'b.example').map((e) => e.address)).toEqual(['10.0.0.2']);
    expect(lookupHostsFile(c, 'A.EXAMPLE.').map((e) => e.address)).toEqual(['10.0.0.1']);
    expect(lookupHostsFile(c, 'c')).toHaveLength(1);
  });
});

describe('resolver socket errors: classified by what happened', () => {
  const where = 'lookup api.lab.test on 203.0.113.10:53';
  it('every server without a route (ENETUNREACH / EHOSTUNREACH at connect): unreachable, in Go\'s words', () => {
    expect(resolverSocketError(where, ['203.0.113.10'], [{ kind: 'connect-error', code: 'ENETUNREACH' }])).toEqual({
      kind: 'unreachable',
      code: 'ENETUNREACH',
      message: 'lookup api.lab.test on 203.0.113.10:53: dial udp 203.0.113.10:53: connect: network is unreachable (no route to the DNS server)',
    });
    expect(resolverSocketError(where, ['192.0.2.53:5353', '2001:db8::53'], [{ kind: 'connect-error', code: 'EHOSTUNREACH' }, { kind: 'connect-error', code: 'EHOSTUNREACH' }])?.message).toBe(
      'lookup api.lab.test on 203.0.113.10:53: dial udp 192.0.2.53:5353: connect: no route to host; dial udp [2001:db8::53]:53: connect: no route to host (no route to the DNS server)',
    );
  });
  it('a server that refuses, answers or stays silent keeps what the resolver said', () => {
    for (const o of [{ kind: 'refused' }, { kind: 'answered' }, { kind: 'silent' }] as ServerProbe[]) {
      expect(resolverSocketError(where, ['203.0.113.10', '192.0.2.1'], [{ kind: 'connect-error', code: 'ENETUNREACH' }, o])).toBeUndefined();
    }
  });

  it('resolveHost: a resolver ECONNREFUSED whose socket had no route is "no route to the DNS server", not "nothing answers DNS"', async () => {
    // a loopback port nothing listens on: c-ares says ECONNREFUSED; the socket's probe is the recorded lab outcome
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    const server = `127.0.0.1:${port}`;
    const seen: string[] = [];
    const r = await resolveHost('api.lab.test', { timeoutMs: 2000, servers: [server], hostsPath: emptyHosts, probe: async (sv) => (seen.push(sv), { kind: 'connect-error', code: 'ENETUNREACH' }) });
    expect(seen).toEqual([server]);
    expect(r.error).toEqual({ kind: 'unreachable', code: 'ENETUNREACH', message: `lookup api.lab.test on ${server}: dial udp ${server}: connect: network is unreachable (no route to the DNS server)` });
    // the real probe on the same closed port: ICMP port unreachable, so "connection refused" stays
    expect(await probeDnsServer(server, 1000)).toEqual({ kind: 'refused' });
    const refused = await resolveHost('api.lab.test', { timeoutMs: 2000, servers: [server], hostsPath: emptyHosts });
    expect(refused.error?.kind).toBe('refused');
    expect(refused.error?.message).toContain('connection refused (nothing answers DNS on that server)');
  });
});
