// api.tls on a context whose platform is win32: the interceptor's CA is looked up in the Windows
// Root store (`certutil -store Root`, recorded), not in Linux's bundle files.
import { X509Certificate } from 'node:crypto';
import { Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiContext } from '../../../src/checks/api/context.ts';
import { tlsCheck } from '../../../src/checks/api/tls.ts';
import { certInfo, verifyChain } from '../../../src/net/x509.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { labPki, mintCert } from '../../lab/pki.ts';
import { oneContextKubeconfig } from '../kube/helpers.ts';

const pki = labPki();
const boxCa = mintCert({ cn: 'Corp Inspection Root', o: 'Example Corp', isCA: true });
const boxLeaf = mintCert({ cn: '127.0.0.1', ips: ['127.0.0.1'], issuer: boxCa });

const CERTUTIL_ROOT = [
  'Root "Trusted Root Certification Authorities"',
  '================ Certificate 0 ================',
  'Serial Number: 01',
  'Issuer: CN=Corp Inspection Root, O=Example Corp',
  ' NotBefore: 5/10/2025 4:19 PM',
  'Subject: CN=Corp Inspection Root, O=Example Corp',
  'Cert Hash(sha1): 0000000000000000000000000000000000000000',
  'CertUtil: -store command completed successfully.',
].join('\r\n');

async function interceptedOn(platform: NodeJS.Platform) {
  const { file, dir } = oneContextKubeconfig('https://203.0.113.10:6443', pki.ca.cert, 'netdiag-win-store-');
  // a Linux bundle that also holds the box's CA: on win32 it must not be what is cited
  writeFileSync(join(dir, 'bundle.crt'), boxCa.cert);
  const ctx = new ApiContext({
    kubeconfig: { kubeconfig: file, env: {}, homeDir: dir, platform },
    timeoutMs: 1000,
    requestTimeoutMs: 1000,
    endpoints: [],
    env: { SSL_CERT_FILE: join(dir, 'bundle.crt'), SSL_CERT_DIR: join(dir, 'none') },
    redactor: new Redactor(),
  });
  const certificates = [new X509Certificate(boxLeaf.cert)];
  const { roots } = ctx.roots();
  await ctx.once('tls', async () => ({
    dialled: { via: ctx.hostPort, socket: new Socket() },
    tls: { ok: true, durationMs: 4, protocol: 'TLSv1.3', chain: certificates.map((c) => certInfo(c)), certificates },
    verify: verifyChain(certificates, { roots: roots!, serverName: ctx.serverName, now: ctx.now() }),
    serverName: ctx.serverName,
    roots,
  }) as Awaited<ReturnType<ApiContext['tls']>>);
  await ctx.once('trust-store:certutil -store Root', async () => CERTUTIL_ROOT);
  return tlsCheck.run(ctx, new AbortController().signal);
}

describe('api.tls: the trust store of the platform', () => {
  it('win32: the interceptor CA is found in the Windows Root store (certutil -store Root)', async () => {
    const out = await interceptedOn('win32');
    expect(out.findings!.map((f) => f.code)).toContain('api.tls.intercepted');
    expect(out.evidence!.interception).toMatchObject({ trustedBy: 'the Windows Root store (certutil -store Root)' });
    expect(out.findings![0]!.message).toContain('is installed in the Windows Root store (certutil -store Root)');
  });
  it('linux: the same chain is found in the bundle file', async () => {
    const out = await interceptedOn('linux');
    expect((out.evidence!.interception as { trustedBy: string }).trustedBy).toMatch(/^the system trust store .*bundle\.crt$/);
  });
});
