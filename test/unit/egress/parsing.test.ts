import { describe, expect, it } from 'vitest';
import { parseTarget, presignedKind, TargetError } from '../../../src/checks/egress/target.ts';
import { presignedHosts, scanLogs, storageKind } from '../../../src/checks/egress/log-scan.ts';
import { compareWithSource, specDiff } from '../../../src/checks/egress/drift.ts';
import { ownerOf, ownerText, type KubeObj } from '../../../src/checks/egress/owner.ts';

describe('TARGET forms', () => {
  it.each([
    ['storage.example.net', 'storage.example.net', 443],
    ['storage.example.net:8443', 'storage.example.net', 8443],
    ['Storage.Example.NET.', 'storage.example.net', 443],
    ['198.51.100.7', '198.51.100.7', 443],
    ['198.51.100.7:80', '198.51.100.7', 80],
    ['[2001:db8::1]:8443', '2001:db8::1', 8443],
    ['2001:db8::1', '2001:db8::1', 443],
    ['https://acct.blob.core.windows.net/c/x?sig=1&se=2', 'acct.blob.core.windows.net', 443],
    ['http://example.org/path', 'example.org', 80],
    ['https://example.org:9443/', 'example.org', 9443],
  ])('%s → %s:%d', (input, host, port) => {
    const t = parseTarget(input, 'ml');
    expect(t.host).toBe(host);
    expect(t.port).toBe(port);
  });
  it('svc/NAME.NS[:PORT]', () => {
    expect(parseTarget('svc/postgres.data:5432', 'ml')).toMatchObject({ service: { name: 'postgres', namespace: 'data' }, port: 5432, host: 'postgres.data.svc.cluster.local' });
    expect(parseTarget('svc/redis', 'ml')).toMatchObject({ service: { name: 'redis', namespace: 'ml' }, port: 0 });
  });
  it('rejects nonsense', () => {
    expect(() => parseTarget('bad host', 'ml')).toThrow(TargetError);
    expect(() => parseTarget('host:70000', 'ml')).toThrow(/out of range/);
  });
  it('recognises presigned URLs', () => {
    expect(presignedKind(new URL('https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4&X-Amz-Signature=ab').searchParams)).toContain('AWS');
    expect(presignedKind(new URL('https://a.blob.core.windows.net/c/b?sv=2023&se=2026&sp=r&sig=x').searchParams)).toContain('Azure SAS');
    expect(presignedKind(new URL('https://storage.googleapis.com/b/o?X-Goog-Signature=ab').searchParams)).toContain('Google');
    expect(presignedKind(new URL('https://example.org/?q=1').searchParams)).toBeUndefined();
  });
});

describe('log scanning', () => {
  const cases: [string, string, string, number | undefined][] = [
    ["requests.exceptions.ConnectionError: HTTPSConnectionPool(host='files.example.net', port=443): Max retries exceeded with url: /x", 'files.example.net', 'Max retries exceeded', 443],
    ["urllib3 ConnectTimeoutError(<x>, 'Connection to a.blob.core.windows.net timed out. (connect timeout=10)')", 'a.blob.core.windows.net', 'ConnectTimeoutError', undefined],
    ['Get "https://api.example.net/v1": dial tcp 203.0.113.9:443: i/o timeout', '203.0.113.9', 'dial tcp: i/o timeout', 443],
    ['dial tcp: lookup db.internal.example on 10.96.0.10:53: no such host', 'db.internal.example', 'no such host', undefined],
    ['java.net.UnknownHostException: repo.example.org', 'repo.example.org', 'UnknownHostException', undefined],
    ['java.net.SocketTimeoutException: Connect timed out to mvn.example.org:443', 'mvn.example.org', 'SocketTimeoutException', 443],
    ['org.apache.http.conn.ConnectTimeoutException: Connect to nexus.example.org:8443 [nexus.example.org/198.51.100.9] failed: connect timed out', 'nexus.example.org', 'SocketTimeoutException', 8443],
    ['Error: connect ETIMEDOUT 198.51.100.61:443', '198.51.100.61', 'ETIMEDOUT', 443],
    ['Error: getaddrinfo ENOTFOUND registry.example.com', 'registry.example.com', 'ENOTFOUND', undefined],
    ['curl: (28) Failed to connect to bucket.s3.eu-west-1.amazonaws.com port 443 after 10001 ms: Timeout was reached', 'bucket.s3.eu-west-1.amazonaws.com', 'Failed to connect', 443],
    ['curl: (6) Could not resolve host: nope.example', 'nope.example', 'Could not resolve host', undefined],
  ];
  it.each(cases)('%s', (line, host, error, port) => {
    const hits = scanLogs(`INFO ok\n${line}\n`);
    const h = hits.find((x) => x.host === host && x.error === error);
    expect(h, JSON.stringify(hits)).toBeDefined();
    expect(h!.port).toBe(port);
  });
  it('ignores lines without failure words, finds presigned URLs anywhere', () => {
    const text = 'GET https://api.example.net/v1 200\nurl=https://a.blob.core.windows.net/c/b?sv=1&se=2&sp=r&sig=abc\n';
    expect(scanLogs(text)).toEqual([]);
    expect(presignedHosts(text)).toEqual([{ host: 'a.blob.core.windows.net', port: 443, kind: expect.stringContaining('Azure') }]);
  });
  it('storage hosts', () => {
    expect(storageKind('acct.blob.core.windows.net')).toBe('Azure Blob Storage');
    expect(storageKind('bucket.s3.eu-west-1.amazonaws.com')).toBe('Amazon S3');
    expect(storageKind('storage.googleapis.com')).toBe('Google Cloud Storage');
    expect(storageKind('api.example.net')).toBeUndefined();
  });
});

describe('GitOps owners', () => {
  const obj = (metadata: Partial<KubeObj['metadata']>): KubeObj => ({ kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'ml', ...metadata }, spec: {} });
  it.each([
    [{ labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }, 'Flux (Kustomization flux-system/apps)'],
    [{ managedFields: [{ manager: 'kustomize-controller' }] }, 'Flux (Kustomization (unknown))'],
    [{ labels: { 'helm.toolkit.fluxcd.io/name': 'net', 'helm.toolkit.fluxcd.io/namespace': 'infra' } }, 'Flux (HelmRelease infra/net)'],
    [{ annotations: { 'argocd.argoproj.io/tracking-id': 'payments:networking.k8s.io/NetworkPolicy:ml/p' } }, 'Argo CD (Application payments)'],
    [{ managedFields: [{ manager: 'argocd-controller' }] }, 'Argo CD'],
    [{ labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'np', 'meta.helm.sh/release-namespace': 'ml' } }, 'Helm (release ml/np)'],
    [{ managedFields: [{ manager: 'kubectl-client-side-apply' }] }, 'kubectl (by hand)'],
    [{ managedFields: [{ manager: 'kube-controller-manager' }] }, 'unknown'],
    [{ labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' }, managedFields: [{ manager: 'kustomize-controller' }, { manager: 'kubectl-edit' }] }, 'Flux (Kustomization flux-system/apps), edited by hand (kubectl-edit)'],
  ])('%j → %s', (metadata, text) => {
    expect(ownerText(ownerOf(obj(metadata)))).toBe(text);
  });
  it('drift: not in git, not live, different (readable diff)', () => {
    const live: KubeObj[] = [
      { kind: 'NetworkPolicy', metadata: { name: 'a', namespace: 'ml' }, spec: { podSelector: {}, policyTypes: ['Egress'] } },
      { kind: 'NetworkPolicy', metadata: { name: 'b', namespace: 'ml' }, spec: { podSelector: { matchLabels: { app: 'api' } } } },
    ];
    const source = [
      { file: 'b.yaml', obj: { kind: 'NetworkPolicy', metadata: { name: 'b', namespace: 'ml' }, spec: { podSelector: { matchLabels: { app: 'web' } } } } as KubeObj },
      { file: 'c.yaml', obj: { kind: 'NetworkPolicy', metadata: { name: 'c', namespace: 'ml' }, spec: {} } as KubeObj },
      { file: 'other.yaml', obj: { kind: 'NetworkPolicy', metadata: { name: 'z', namespace: 'other' }, spec: {} } as KubeObj },
    ];
    const d = compareWithSource(live, source, (o) => o.metadata.namespace === 'ml');
    expect(d.notInGit.map((o) => o.metadata.name)).toEqual(['a']);
    expect(d.notLive.map((o) => o.obj.metadata.name)).toEqual(['c']);
    expect(d.different).toHaveLength(1);
    expect(d.different[0]!.diff).toEqual(['-       app: web', '+       app: api']);
    expect(specDiff(live[0]!, live[0]!)).toEqual([]);
  });
});

describe('--source DIR', () => {
  it('plain YAML files (multi-document, Lists) and `kubectl kustomize` when there is a kustomization', async () => {
    const { mkdtempSync, writeFileSync, mkdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadSource } = await import('../../../src/checks/egress/drift.ts');
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-src-'));
    try {
      mkdirSync(join(dir, 'plain', 'sub'), { recursive: true });
      writeFileSync(join(dir, 'plain', 'a.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: ml}\nspec: {podSelector: {}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
      writeFileSync(join(dir, 'plain', 'sub', 'b.yml'), 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: cilium.io/v2\n  kind: CiliumNetworkPolicy\n  metadata: {name: b, namespace: ml}\n  spec: {endpointSelector: {}}\n');
      const plain = await loadSource(join(dir, 'plain'), 10_000);
      expect(plain.errors).toEqual([]);
      expect(plain.objects.map((o) => `${o.obj.kind}/${o.obj.metadata.name}@${o.file}`)).toEqual(['NetworkPolicy/a@a.yaml', 'ConfigMap/c@a.yaml', 'CiliumNetworkPolicy/b@sub/b.yml']);

      mkdirSync(join(dir, 'kust'));
      writeFileSync(join(dir, 'kust', 'np.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {podSelector: {}, policyTypes: [Egress]}\n');
      writeFileSync(join(dir, 'kust', 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ml\nresources: [np.yaml]\n');
      const k = await loadSource(join(dir, 'kust'), 20_000);
      expect(k.how).toContain('kubectl kustomize');
      expect(k.objects.map((o) => `${o.obj.metadata.namespace}/${o.obj.metadata.name}`)).toEqual(['ml/deny']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
