import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer } from '../../lab/dns.ts';

describe('lab DNS server (loopback)', () => {
  let d: DnsServer;
  let r: Resolver;
  beforeAll(async () => {
    d = await startDnsServer({
      host: '127.0.0.1',
      port: 0,
      records: {
        'api.lab.test': { A: ['198.51.100.10'], AAAA: ['2001:db8::10'] },
        'alias.lab.test': { CNAME: 'api.lab.test' },
        'v4only.lab.test': { A: ['198.51.100.11', '192.0.2.11'] },
      },
      nxdomain: 'all-unknown',
      silent: ['slow.lab.test'],
    });
    r = new Resolver({ timeout: 300, tries: 1 });
    r.setServers([`127.0.0.1:${d.port}`]);
  });
  afterAll(() => d.close());

  it('answers A and AAAA', async () => {
    expect(await r.resolve4('api.lab.test')).toEqual(['198.51.100.10']);
    expect(await r.resolve6('API.lab.test.')).toEqual(['2001:db8::10']);
    expect(await r.resolve4('v4only.lab.test')).toEqual(['198.51.100.11', '192.0.2.11']);
  });

  it('follows CNAMEs', async () => {
    expect(await r.resolve4('alias.lab.test')).toEqual(['198.51.100.10']);
    expect(await r.resolveCname('alias.lab.test')).toEqual(['api.lab.test']);
  });

  it('NODATA for a known name without that type, NXDOMAIN for unknown names', async () => {
    await expect(r.resolve6('v4only.lab.test')).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(r.resolve4('missing.lab.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('never answers silent names (timeout)', async () => {
    const t = Date.now();
    await expect(r.resolve4('slow.lab.test')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    expect(d.queries.some((q) => q.name === 'slow.lab.test' && q.rcode === 'SILENT')).toBe(true);
  });
});
