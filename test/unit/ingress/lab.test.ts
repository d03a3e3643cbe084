// The cert/ingress lab scenarios, checked with real clients (openssl, curl, kubectl) so the
// end-to-end tests of our CLI stand on peers that behave as described.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/netns.ts';

const canRun = process.getuid?.() === 0 && spawnSync('unshare', ['--net', '--', 'true']).status === 0;
const TOKEN = 'Xk3vRZ1g0c8Q9ZWmLhYpVt2sN5bJfA7eKuD4oHqWcE0';
const CHALLENGE_PATH = `/.well-known/acme-challenge/${TOKEN}`;

async function withLab(name: string, fn: (lab: Lab) => Promise<void>): Promise<void> {
  const lab = await startLab(name);
  try {
    await fn(lab);
  } finally {
    await lab.stop();
  }
}

function sClient(lab: Lab, port: number, extra: string[] = []) {
  return lab.exec('openssl', ['s_client', '-connect', `cert.lab.test:${port}`, '-servername', 'cert.lab.test', '-showcerts', ...extra], { input: '' });
}

function raw(lab: Lab, path: string) {
  return lab.exec('kubectl', ['--kubeconfig', lab.kubeconfig, 'get', '--raw', path]);
}

describe.skipIf(!canRun)('cert/ingress lab scenarios, seen by openssl, curl and kubectl', () => {
  it('cert-servers: each port serves what its description says', async () => {
    await withLab('cert-servers', async (lab) => {
      const ca = ['-CAfile', lab.files.ca];
      const rsa = await sClient(lab, 443, ca);
      expect(rsa.stdout).toContain('Verify return code: 0 (ok)');
      expect(rsa.stdout).toMatch(/1 s:.*CN\s*=\s*lab-intermediate-ca/);
      const ec = await sClient(lab, 8443, ca);
      expect(ec.stdout).toContain('Verify return code: 0 (ok)');
      expect(ec.stdout).toMatch(/Peer signature type: ECDSA|ecdsa_secp256r1_sha256/);
      const missing = await sClient(lab, 8444, ca);
      expect(missing.stdout).toMatch(/Verify return code: (20|21) \(unable to (get local issuer certificate|verify the first certificate)\)/);
      expect(missing.stdout).not.toMatch(/ 1 s:/);
      const expired = await sClient(lab, 8445, ca);
      expect(expired.stdout).toContain('Verify return code: 10 (certificate has expired)');
      const staging = await sClient(lab, 8446, ['-CAfile', lab.files.stagingCa]);
      expect(staging.stdout).toMatch(/i:.*\(STAGING\) Wannabe Watercress R11/);
      expect(staging.stdout).toContain('Verify return code: 0 (ok)');
      const fake = await sClient(lab, 8447);
      expect(fake.stdout).toMatch(/s:.*CN\s*=\s*Kubernetes Ingress Controller Fake Certificate/);
      const self = await sClient(lab, 8448);
      expect(self.stdout).toContain('Verify return code: 18 (self-signed certificate)');
      // no kubeconfig is in the environment of the scenario
      expect(lab.env.KUBECONFIG).toBeUndefined();
    });
  });

  it('cert-proxies: curl reaches the server through tinyproxy (its chain) and mitmdump (mitmproxy\'s chain); the third proxy answers 403', async () => {
    await withLab('cert-proxies', async (lab) => {
      const p = lab.info.proxies as Record<string, string>;
      const url = 'https://cert.lab.test/';
      const tiny = await lab.exec('curl', ['-sv', '-o', '/dev/null', '--cacert', lab.files.ca, '--proxy', p.tinyproxy!, url]);
      expect(tiny.stderr).toMatch(/HTTP\/1\.[01] 200 Connection established/);
      expect(tiny.stderr).toMatch(/issuer: .*CN ?= ?lab-intermediate-ca/);
      const mitm = await lab.exec('curl', ['-sv', '-o', '/dev/null', '--cacert', lab.files.mitmproxyCa, '--proxy', p.mitmdump!, url]);
      expect(mitm.stderr).toMatch(/issuer: .*CN ?= ?mitmproxy/);
      const unknown = await lab.exec('curl', ['-sS', '-o', '/dev/null', '--cacert', lab.files.ca, '--proxy', p.mitmdump!, url]);
      expect(unknown.code).toBe(60); // SSL certificate problem: mitmproxy's CA is not the lab CA
      const deny = await lab.exec('curl', ['-sS', '-o', '/dev/null', '--proxy', p.deny!, url]);
      expect(deny.stderr).toContain('CONNECT tunnel failed, response 403');
      // the scenario's own environment points at tinyproxy
      expect(lab.env.HTTPS_PROXY).toBe(p.tinyproxy);
    });
  });

  it('ingress-incident-3: outside the challenge URL times out; the service proxy answers the key; MetalLB announces from node-b', async () => {
    await withLab('ingress-incident-3', async (lab) => {
      const out = await lab.exec('curl', ['-sS', '-m', '1', `http://web.lab.test${CHALLENGE_PATH}`]);
      expect(out.code).toBe(28); // curl: operation timed out
      const inside = await raw(lab, `/api/v1/namespaces/web/services/cm-acme-http-solver-7xk2p:8089/proxy${CHALLENGE_PATH}`);
      expect(inside.code).toBe(0);
      expect(inside.stdout.startsWith(`${TOKEN}.`)).toBe(true);
      const ch = JSON.parse((await raw(lab, '/apis/acme.cert-manager.io/v1/namespaces/web/challenges')).stdout);
      expect(ch.items[0].spec.key).toBe(inside.stdout);
      expect(ch.items[0].status.reason).toContain('Timeout during connect (likely firewall problem)');
      const ev = JSON.parse((await raw(lab, '/api/v1/namespaces/ingress-nginx/events')).stdout);
      expect(ev.items.map((e: { message: string }) => e.message)).toContain('announcing from node "node-b" with protocol "layer2"');
      const svc = JSON.parse((await raw(lab, '/api/v1/namespaces/ingress-nginx/services/ingress-nginx-controller')).stdout);
      expect(svc.spec.externalTrafficPolicy).toBe('Local');
      const eps = JSON.parse((await raw(lab, '/apis/discovery.k8s.io/v1/namespaces/ingress-nginx/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dingress-nginx-controller')).stdout);
      expect(eps.items[0].endpoints.map((e: { nodeName: string }) => e.nodeName)).toEqual(['node-a']);
      // a service the proxy has no backend for answers like the real API server
      const none = await raw(lab, '/api/v1/namespaces/web/services/web:80/proxy/');
      expect(none.stderr).toMatch(/ServiceUnavailable|no endpoints available|503/);
    });
  });

  it('ingress-firewall: announced, policy Cluster, outside times out, inside answers', async () => {
    await withLab('ingress-firewall', async (lab) => {
      expect((await lab.exec('curl', ['-sS', '-m', '1', `http://web.lab.test${CHALLENGE_PATH}`])).code).toBe(28);
      const inside = await raw(lab, `/api/v1/namespaces/web/services/cm-acme-http-solver-7xk2p:8089/proxy${CHALLENGE_PATH}`);
      expect(inside.stdout.startsWith(`${TOKEN}.`)).toBe(true);
      const svc = JSON.parse((await raw(lab, '/api/v1/namespaces/ingress-nginx/services/ingress-nginx-controller')).stdout);
      expect(svc.spec.externalTrafficPolicy).toBe('Cluster');
      expect(JSON.parse((await raw(lab, '/apis/metallb.io/v1beta1/l2advertisements')).stdout).items).toHaveLength(1);
    });
  });

  it('ingress-namespaced: namespace web readable, everything else 403 in the real format', async () => {
    await withLab('ingress-namespaced', async (lab) => {
      expect((await raw(lab, '/apis/networking.k8s.io/v1/namespaces/web/ingresses')).code).toBe(0);
      const all = await raw(lab, '/apis/networking.k8s.io/v1/ingresses');
      expect(all.stderr).toContain('ingresses.networking.k8s.io is forbidden: User "lab-admin" cannot list resource "ingresses" in API group "networking.k8s.io" at the cluster scope');
      const svc = await raw(lab, '/api/v1/namespaces/ingress-nginx/services/ingress-nginx-controller');
      expect(svc.stderr).toContain('services "ingress-nginx-controller" is forbidden');
      const inside = await raw(lab, `/api/v1/namespaces/web/services/cm-acme-http-solver-7xk2p:8089/proxy${CHALLENGE_PATH}`);
      expect(inside.stdout.startsWith(`${TOKEN}.`)).toBe(true);
    });
  });

  it('ingress-no-l2: a pool, no advertisement', async () => {
    await withLab('ingress-no-l2', async (lab) => {
      const pools = JSON.parse((await raw(lab, '/apis/metallb.io/v1beta1/ipaddresspools')).stdout);
      expect(pools.items[0].spec.addresses).toEqual(['192.0.2.80/32']);
      // MetalLB's CRDs are installed and empty, as in a cluster where nobody created an advertisement
      for (const plural of ['l2advertisements', 'bgpadvertisements']) {
        const list = JSON.parse((await raw(lab, `/apis/metallb.io/v1beta1/${plural}`)).stdout);
        expect(list.items, plural).toEqual([]);
      }
    });
  });

  it('ingress-ssl-redirect: 308 to https on the challenge path; the fake certificate on 443', async () => {
    await withLab('ingress-ssl-redirect', async (lab) => {
      const r = await lab.exec('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', `http://web.lab.test${CHALLENGE_PATH}`]);
      expect(r.stdout).toBe(`308 https://web.lab.test${CHALLENGE_PATH}`);
      const t = await lab.exec('curl', ['-sS', '-o', '/dev/null', 'https://web.lab.test/']);
      expect(t.stderr).toMatch(/SSL certificate problem|self-signed|unable to get local issuer/);
    });
  });

  it('ingress-class-mismatch: 404 outside, the key inside', async () => {
    await withLab('ingress-class-mismatch', async (lab) => {
      const r = await lab.exec('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `http://web.lab.test${CHALLENGE_PATH}`]);
      expect(r.stdout).toBe('404');
      const inside = await raw(lab, `/api/v1/namespaces/web/services/cm-acme-http-solver-7xk2p:8089/proxy${CHALLENGE_PATH}`);
      expect(inside.stdout.startsWith(`${TOKEN}.`)).toBe(true);
      const ing = JSON.parse((await raw(lab, '/apis/networking.k8s.io/v1/namespaces/web/ingresses/cm-acme-http-solver-wq9vf')).stdout);
      expect(ing.spec.ingressClassName).toBe('nginx-internal');
    });
  });

  it('ingress-exec-inside / ingress-no-inside: services/proxy is 403; kubectl exec works in web only / nowhere, and curl in the web pod reaches the solver by its Service name', async () => {
    await withLab('ingress-exec-inside', async (lab) => {
      const proxy = await raw(lab, `/api/v1/namespaces/web/services/cm-acme-http-solver-7xk2p:8089/proxy${CHALLENGE_PATH}`);
      expect(proxy.stderr).toContain('cannot get resource "services/proxy"');
      const ctrl = await lab.exec('kubectl', ['--kubeconfig', lab.kubeconfig, 'exec', '-n', 'ingress-nginx', 'ingress-nginx-controller-5d8f7c9b6-x2k4j', '--', 'true']);
      expect(ctrl.stderr).toContain('cannot create resource "pods/exec" in API group "" in the namespace "ingress-nginx"');
      const web = await lab.exec('kubectl', ['--kubeconfig', lab.kubeconfig, 'exec', '-n', 'web', 'web-6b9f5d7c8-q7wzt', '--', 'curl', '-sS', '-m', '2', `http://cm-acme-http-solver-7xk2p.web.svc:8089${CHALLENGE_PATH}`]);
      expect(web.code).toBe(0);
      expect(web.stdout.startsWith(`${TOKEN}.`)).toBe(true);
    });
    await withLab('ingress-no-inside', async (lab) => {
      const web = await lab.exec('kubectl', ['--kubeconfig', lab.kubeconfig, 'exec', '-n', 'web', 'web-6b9f5d7c8-q7wzt', '--', 'true']);
      expect(web.stderr).toContain('cannot create resource "pods/exec" in API group "" in the namespace "web"');
    });
  });

  it('ingress-ssl-redirect-exempt: 308 for every path but the token, which answers the key; both annotations on the Ingress', async () => {
    await withLab('ingress-ssl-redirect-exempt', async (lab) => {
      const other = await lab.exec('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', 'http://web.lab.test/']);
      expect(other.stdout).toBe('308 https://web.lab.test/');
      const token = await lab.exec('curl', ['-sS', `http://web.lab.test${CHALLENGE_PATH}`]);
      expect(token.stdout.startsWith(`${TOKEN}.`)).toBe(true);
      const ing = JSON.parse((await raw(lab, '/apis/networking.k8s.io/v1/namespaces/web/ingresses/web')).stdout);
      expect(ing.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/ssl-redirect': 'true', 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true' });
      const ch = JSON.parse((await raw(lab, '/apis/acme.cert-manager.io/v1/namespaces/web/challenges')).stdout);
      expect(ch.items[0].status).toMatchObject({ state: 'pending', presented: true });
    });
  });

  it('ingress-bgp-issuer, ingress-local-selected, ingress-local-partial: the MetalLB and cert-manager objects they describe', async () => {
    await withLab('ingress-bgp-issuer', async (lab) => {
      expect(JSON.parse((await raw(lab, '/apis/metallb.io/v1beta1/namespaces/metallb-system/l2advertisements')).stdout).items).toEqual([]);
      const bgp = JSON.parse((await raw(lab, '/apis/metallb.io/v1beta1/namespaces/metallb-system/bgpadvertisements')).stdout).items;
      expect(bgp.map((a: { spec: { ipAddressPools: string[] } }) => a.spec.ipAddressPools)).toEqual([['public-pool']]);
      const issuer = JSON.parse((await raw(lab, '/apis/cert-manager.io/v1/namespaces/web/issuers/letsencrypt-prod')).stdout);
      expect(issuer.kind).toBe('Issuer');
      const cert = JSON.parse((await raw(lab, '/apis/cert-manager.io/v1/namespaces/web/certificates/web-tls')).stdout);
      expect(cert.spec.issuerRef).toMatchObject({ kind: 'Issuer', name: 'letsencrypt-prod' });
      expect((await sClient(lab, 443, ['-CAfile', lab.files.ca])).stdout).toContain('Verify return code: 0 (ok)');
    });
    for (const [name, selectors] of [['ingress-local-selected', [{ matchLabels: { 'kubernetes.io/hostname': 'node-a' } }]], ['ingress-local-partial', undefined]] as const) {
      await withLab(name, async (lab) => {
        const l2 = JSON.parse((await raw(lab, '/apis/metallb.io/v1beta1/namespaces/metallb-system/l2advertisements')).stdout).items[0];
        expect(l2.spec.nodeSelectors, name).toEqual(selectors);
        const svc = JSON.parse((await raw(lab, '/api/v1/namespaces/ingress-nginx/services/ingress-nginx-controller')).stdout);
        expect(svc.spec.externalTrafficPolicy, name).toBe('Local');
      });
    }
  });

  it('ingress-staging, ingress-no-secret, ingress-healthy, ingress-rbac', async () => {
    await withLab('ingress-staging', async (lab) => {
      const o = await lab.exec('openssl', ['s_client', '-connect', 'web.lab.test:443', '-servername', 'web.lab.test'], { input: '' });
      expect(o.stdout).toMatch(/i:.*\(STAGING\)/);
      const ci = JSON.parse((await raw(lab, '/apis/cert-manager.io/v1/clusterissuers/letsencrypt-staging')).stdout);
      expect(ci.spec.acme.server).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    });
    await withLab('ingress-no-secret', async (lab) => {
      const s = await raw(lab, '/api/v1/namespaces/web/secrets/web-tls');
      expect(s.stderr).toContain('NotFound');
      const o = await lab.exec('openssl', ['s_client', '-connect', 'web.lab.test:443', '-servername', 'web.lab.test'], { input: '' });
      expect(o.stdout).toMatch(/Kubernetes Ingress Controller Fake Certificate/);
    });
    await withLab('ingress-healthy', async (lab) => {
      const r = await lab.exec('curl', ['-sS', '--cacert', lab.files.ca, '-o', '/dev/null', '-w', '%{http_code}', 'https://web.lab.test/']);
      expect(r.stdout).toBe('404'); // the default backend of the stand-in controller, over verified TLS
      const c = JSON.parse((await raw(lab, '/apis/cert-manager.io/v1/certificates')).stdout);
      expect(c.items[0].status.conditions[0]).toMatchObject({ type: 'Ready', status: 'True' });
    });
    await withLab('ingress-rbac', async (lab) => {
      const r = await raw(lab, '/apis/cert-manager.io/v1/certificates');
      expect(r.stderr).toMatch(/Forbidden|forbidden/);
      const ing = await raw(lab, '/apis/networking.k8s.io/v1/ingresses');
      expect(ing.code).toBe(0);
    });
  });
});
