import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBody, fixtureJson, startApiServer, type ApiServer } from '../../lab/apiserver.ts';
import { labPki } from '../../lab/pki.ts';
import { request, run } from './helpers.ts';

const pki = labPki();
const ADMIN = 'lab-admin-token-unit';
const LIMITED = 'limited-token-unit';
const tokens = {
  [ADMIN]: { user: 'lab-admin', groups: [], rbac: 'admin' as const },
  [LIMITED]: { user: 'limited-token-user', groups: [], rbac: 'none' as const },
};
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

describe('fake kube-apiserver 1.24 answers like the fixtures', () => {
  let s: ApiServer;
  beforeAll(async () => {
    s = await startApiServer({ host: '127.0.0.1', port: 0, tls: pki.server, clientCa: pki.ca.cert, tokens, version: '1.24', endpointSlice: { addresses: ['198.51.100.10', '192.0.2.11'], port: 6443 } });
  });
  afterAll(() => s.close());
  const get = (path: string, headers: Record<string, string> = {}) => request(s.url + path, { ca: pki.ca.cert, headers });

  it('GET /version anonymous: 200, application/json, exactly the fixture', async () => {
    const r = await get('/version');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body).toBe(fixtureBody('version-anonymous'));
    expect(r.headers['audit-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers['cache-control']).toBe('no-cache, private');
    expect(r.headers['x-kubernetes-pf-flowschema-uid']).toBeTruthy();
    expect(r.headers['x-kubernetes-pf-prioritylevel-uid']).toBeTruthy();
    expect(r.headers['date']).toBeTruthy();
    // Go's canonical header case on HTTP/1.1
    expect(r.rawHeaders).toContain('Audit-Id');
    expect(r.rawHeaders).toContain('X-Kubernetes-Pf-Flowschema-Uid');
  });

  it('invalid token → 401 even on /version, exactly the fixture, no pf headers', async () => {
    const r = await get('/version', auth('nope'));
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body).toBe(fixtureBody('bad-token'));
    expect(r.headers['x-kubernetes-pf-flowschema-uid']).toBeUndefined();
  });

  it('rbac none: pods → 403 exactly like forbidden-pods', async () => {
    const r = await get('/api/v1/namespaces/demo/pods', auth(LIMITED));
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body).toBe(fixtureBody('forbidden-pods'));
  });

  it('admin: pods → a PodList', async () => {
    const r = await get('/api/v1/namespaces/default/pods', auth(ADMIN));
    expect(r.status).toBe(200);
    const list = JSON.parse(r.body);
    expect(list.kind).toBe('PodList');
    expect(list.items[0].metadata.namespace).toBe('default');
  });

  it('anonymous on a non-public path → 403 for system:anonymous', async () => {
    const r = await get('/api/v1/namespaces');
    expect(r.status).toBe(403);
    const st = JSON.parse(r.body);
    expect(st).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 });
    expect(st.message).toBe('namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope');
    const api = await get('/api');
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body).message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');
  });

  it('/readyz?verbose, /livez?verbose, /healthz: exactly the fixtures, text/plain', async () => {
    const r = await get('/readyz?verbose');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body).toBe(fixtureBody('readyz-verbose'));
    expect((await get('/livez?verbose')).body).toBe(fixtureBody('livez-verbose'));
    expect((await get('/healthz')).body).toBe(fixtureBody('healthz'));
    expect((await get('/readyz')).body).toBe('ok');
  });

  it('SelfSubjectReview on 1.24 → 404 exactly like the fixture', async () => {
    const r = await request(s.url + '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      ca: pki.ca.cert,
      method: 'POST',
      headers: { ...auth(ADMIN), 'content-type': 'application/json' },
      body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}',
    });
    expect(r.status).toBe(404);
    expect(r.body).toBe(fixtureBody('selfsubjectreview-v1'));
  });

  it('SelfSubjectAccessReview: rbac none → allowed false (fixture shape); admin → allowed true', async () => {
    const body = JSON.stringify({ kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { resourceAttributes: { namespace: 'demo', verb: 'list', resource: 'pods' } } });
    const post = (t: string) =>
      request(s.url + '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { ca: pki.ca.cert, method: 'POST', headers: { ...auth(t), 'content-type': 'application/json' }, body });
    const r = await post(LIMITED);
    expect(r.status).toBe(201);
    const got = JSON.parse(r.body);
    const want = fixtureJson('ssar-list-pods');
    expect(got.status).toEqual(want.status);
    expect(got.spec).toEqual(want.spec);
    expect(got.metadata.managedFields[0].fieldsV1).toEqual(want.metadata.managedFields[0].fieldsV1);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    const a = JSON.parse((await post(ADMIN)).body);
    expect(a.status.allowed).toBe(true);
  });

  it('EndpointSlice and Endpoints list the configured addresses', async () => {
    const r = await get('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes', auth(ADMIN));
    expect(r.status).toBe(200);
    const list = JSON.parse(r.body);
    expect(list.kind).toBe('EndpointSliceList');
    expect(list.items[0].endpoints.map((e: { addresses: string[] }) => e.addresses[0])).toEqual(['198.51.100.10', '192.0.2.11']);
    expect(list.items[0].ports[0].port).toBe(6443);
    const ep = JSON.parse((await get('/api/v1/namespaces/default/endpoints/kubernetes', auth(ADMIN))).body);
    expect(ep.subsets[0].addresses).toEqual([{ ip: '198.51.100.10' }, { ip: '192.0.2.11' }]);
    const f = await get('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', auth(LIMITED));
    expect(f.status).toBe(403);
    expect(JSON.parse(f.body).message).toBe(
      'endpointslices.discovery.k8s.io is forbidden: User "limited-token-user" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "default"',
    );
  });

  it('discovery from the fixtures; /api advertises the endpoint', async () => {
    const api = JSON.parse((await get('/api', auth(ADMIN))).body);
    expect(api.kind).toBe('APIVersions');
    expect(api.serverAddressByClientCIDRs[0].serverAddress).toBe('198.51.100.10:6443');
    const apis = JSON.parse((await get('/apis', auth(ADMIN))).body);
    expect(apis).toEqual(fixtureJson('apis'));
  });

  it('a group the server does not serve → text/plain "404 page not found", as the real 1.24 server answers (pinned against it in test/e2e/real-apiserver.test.ts)', async () => {
    const r = await get('/apis/nope.example/v1/things', auth(ADMIN));
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.body).toBe('404 page not found\n');
  });

  it('an unknown resource of a served group → 404 Status JSON', async () => {
    const r = await get('/apis/apps/v1/things', auth(ADMIN));
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('non-curl clients get compact JSON with a trailing newline', async () => {
    const r = await get('/version', { 'user-agent': 'kubectl-netdiag/0.1.0' });
    expect(r.body.endsWith('}\n')).toBe(true);
    expect(r.body).not.toContain('\n  ');
  });

  it('speaks HTTP/2 like the real server (curl)', async () => {
    const r = await run('curl', ['-sS', '--cacert', caFile(), '-o', '/dev/null', '-w', '%{http_version} %{http_code}', s.url + '/version']);
    expect(r.stdout).toBe('2 200');
  });
});

let caPath: string | undefined;
afterAll(() => {
  if (caPath) rmSync(join(caPath, '..'), { recursive: true, force: true });
});
function caFile(): string {
  if (!caPath) {
    caPath = join(mkdtempSync(join(tmpdir(), 'netdiag-unit-')), 'ca.crt');
    writeFileSync(caPath, pki.ca.cert);
  }
  return caPath;
}

describe('fake kube-apiserver 1.31, client certs, failing readyz', () => {
  let s: ApiServer;
  beforeAll(async () => {
    s = await startApiServer({ tls: pki.server, clientCa: pki.ca.cert, tokens, version: '1.31', readyzFailing: ['etcd'] });
  });
  afterAll(() => s.close());

  it('SelfSubjectReview v1 and v1beta1 with a client certificate: user CN, groups O', async () => {
    for (const v of ['v1', 'v1beta1']) {
      const r = await request(`${s.url}/apis/authentication.k8s.io/${v}/selfsubjectreviews`, {
        ca: pki.ca.cert,
        cert: pki.client.cert,
        key: pki.client.key,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(r.status).toBe(201);
      const o = JSON.parse(r.body);
      expect(o.kind).toBe('SelfSubjectReview');
      expect(o.apiVersion).toBe(`authentication.k8s.io/${v}`);
      expect(o.status.userInfo).toEqual({ username: 'lab-admin', groups: ['system:masters', 'system:authenticated'] });
    }
  });

  it('a client certificate from another CA → 401', async () => {
    const r = await request(`${s.url}/version`, { ca: pki.ca.cert, cert: pki.serverOtherCa.cert, key: pki.serverOtherCa.key });
    expect(r.status).toBe(401);
  });

  it('readyz failing etcd: 500, [-]etcd failed: reason withheld, readyz check failed', async () => {
    for (const path of ['/readyz?verbose', '/readyz']) {
      const r = await request(s.url + path, { ca: pki.ca.cert });
      expect(r.status).toBe(500);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body).toContain('[+]ping ok\n');
      expect(r.body).toContain('[-]etcd failed: reason withheld\n');
      expect(r.body.endsWith('readyz check failed\n')).toBe(true);
    }
    const live = await request(s.url + '/livez', { ca: pki.ca.cert });
    expect(live.status).toBe(200);
    const excl = await request(s.url + '/readyz?verbose&exclude=etcd', { ca: pki.ca.cert });
    expect(excl.status).toBe(200);
    expect(excl.body).toContain('[+]etcd excluded: ok');
  });

  it('version 1.31', async () => {
    const r = await request(`${s.url}/version`, { ca: pki.ca.cert, headers: auth(ADMIN) });
    expect(JSON.parse(r.body)).toMatchObject({ major: '1', minor: '31' });
  });
});

describe('raw behaviours', () => {
  const servers: ApiServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('hang-after-accept: TCP connects, no byte ever comes', async () => {
    const s = await startApiServer({ tls: pki.server, behaviour: 'hang-after-accept' });
    servers.push(s);
    const got = await new Promise<string>((resolve) => {
      const sock = net.connect(s.port, '127.0.0.1');
      sock.on('connect', () => sock.write('\x16\x03\x01\x00\x05hello'));
      sock.on('data', () => resolve('data'));
      setTimeout(() => {
        sock.destroy();
        resolve('silent');
      }, 400);
    });
    expect(got).toBe('silent');
  });

  it('garbage: the TLS handshake fails', async () => {
    const s = await startApiServer({ tls: pki.server, behaviour: 'garbage' });
    servers.push(s);
    const err = await new Promise<Error>((resolve) => {
      const sock = tls.connect({ port: s.port, host: '127.0.0.1', ca: pki.ca.cert });
      sock.on('secureConnect', () => resolve(new Error('unexpected handshake')));
      sock.on('error', resolve);
    });
    expect(err.message).not.toBe('unexpected handshake');
  });

  it('trickle: TLS completes, the answer comes one byte every 500 ms', async () => {
    const s = await startApiServer({ tls: pki.server, behaviour: 'trickle' });
    servers.push(s);
    const got = await new Promise<string>((resolve) => {
      const sock = tls.connect({ port: s.port, host: '127.0.0.1', ca: pki.ca.cert }, () => sock.write('GET /version HTTP/1.1\r\nHost: x\r\n\r\n'));
      let buf = '';
      sock.on('data', (d) => (buf += d.toString()));
      setTimeout(() => {
        sock.destroy();
        resolve(buf);
      }, 1300);
    });
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(got.length).toBeLessThanOrEqual(4);
    expect('HTTP/1.1 200 OK'.startsWith(got)).toBe(true);
  });
});
