// `kubectl netdiag ingress HOST` (and `cert HOST` with a cluster) end to end: the built executable
// inside the lab, against the fake API server's Ingresses, Services, EndpointSlices, Nodes, MetalLB
// and cert-manager objects, and HTTP/HTTPS servers standing for the ingress address.
import { describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/netns.ts';
import type { Report } from '../../src/report/types.ts';
import { EXE, requireBuild } from './harness.ts';

const HOST = 'web.lab.test';
const TOKEN = 'Xk3vRZ1g0c8Q9ZWmLhYpVt2sN5bJfA7eKuD4oHqWcE0';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  report: Report;
  codes: string[];
  status: Record<string, string>;
  check(id: string): Report['checks'][number];
  lab: Lab;
}

async function runIn(lab: Lab, command: 'ingress' | 'cert', args: string[]): Promise<Run> {
  const r = await lab.exec(EXE, [command, ...args, '--kubeconfig', lab.kubeconfig, '-o', 'json', '--timeout', '2s'], { env: lab.baseEnv(), timeoutMs: 30_000 });
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nlab: ${lab.log().slice(-2000)}`);
  }
  return {
    ...r,
    report,
    lab,
    codes: report.checks.flatMap((c) => c.findings.map((f) => f.code)),
    status: Object.fromEntries(report.checks.map((c) => [c.id, c.status])),
    check: (id) => report.checks.find((c) => c.id === id)!,
  };
}

async function inScenario<T>(scenario: string, fn: (lab: Lab) => Promise<T>): Promise<T> {
  requireBuild();
  const lab = await startLab(scenario);
  try {
    return await fn(lab);
  } finally {
    await lab.stop();
  }
}

const ingress = (scenario: string, args: string[] = []) => inScenario(scenario, (lab) => runIn(lab, 'ingress', [HOST, ...args]));

describe('kubectl netdiag ingress', () => {
  it('incident 3: outside times out, inside answers the key; Local policy + MetalLB announcing from node-b explain it', async () => {
    const r = await ingress('ingress-incident-3');
    expect(r.code).toBe(1);
    expect(r.status['ingress.traffic-policy']).toBe('fail');
    expect(r.codes).toContain('ingress.traffic-policy.announcer-without-endpoint');
    const tp = r.check('ingress.traffic-policy').evidence!;
    expect(tp.announcingNode).toBe('node-b');
    expect(tp.nodesWithReadyControllerPod).toEqual(['node-a']);
    expect(r.codes).toContain('ingress.http01.timeout');
    const h = r.check('ingress.http01').evidence!;
    expect(h.challengeToken).toBe(TOKEN);
    expect((h.outside as { errorKind: string; where: string }[])[0]).toMatchObject({ errorKind: 'timeout', where: '192.0.2.80:80' });
    const inside = h.inside as { status: number; body: string; via: string };
    expect(inside.status).toBe(200);
    expect(inside.body).toBe(h.expectedKey);
    expect(inside.via).toContain('/services/cm-acme-http-solver-7xk2p:8089/proxy/.well-known/acme-challenge/');
    expect(r.codes).toContain('cert.certmanager.acme-timeout');
    expect(r.status['ingress.lb']).toBe('pass');
    const d = r.report.diagnosis;
    expect(d.rootCause).toMatch(/^External requests to 192\.0\.2\.80:80 time out while the in-cluster request succeeds/);
    expect(d.rootCause).toContain('externalTrafficPolicy: Local');
    expect(d.rootCause).toContain('from node-b, which has no ready ingress controller pod');
    expect(d.rootCause).toContain('Timeout during connect (likely firewall problem)');
    expect(d.remediation[0]).toContain(`kubectl patch service -n ingress-nginx ingress-nginx-controller -p '{"spec":{"externalTrafficPolicy":"Cluster"}}'`);
    expect(d.remediation.join('\n')).toContain('cmctl renew -n web web-tls');
  });

  it('no services/proxy: the inside request runs over pods/exec (curl in the web pod, after the controller pod refuses exec), with the same root cause', async () => {
    const r = await ingress('ingress-exec-inside');
    expect(r.code).toBe(1);
    const h = r.check('ingress.http01');
    const inside = h.evidence!.inside as { status: number; body: string; via: string; where: string; url: string; reproduce: string };
    expect(inside).toMatchObject({ status: 200, via: 'pods/exec', url: `http://cm-acme-http-solver-7xk2p.web.svc:8089/.well-known/acme-challenge/${TOKEN}` });
    expect(inside.body).toBe(h.evidence!.expectedKey);
    expect(inside.where).toBe('pod behind Service web/web web/web-6b9f5d7c8-q7wzt (kubectl exec, curl)');
    expect(h.reproduce!.find((c) => c.includes(' exec '))).toMatch(/^kubectl .*exec -n web web-6b9f5d7c8-q7wzt -- curl -sS -m 2 -w '\\n%\{http_code\}\\n' http:\/\/cm-acme-http-solver-7xk2p\.web\.svc:8089\//);
    expect(h.summary).toContain('inside: 200');
    expect(r.codes).toContain('ingress.http01.timeout');
    expect(r.codes).not.toContain('ingress.http01.inside-failed');
    expect(r.report.diagnosis.rootCause).toMatch(/^External requests to 192\.0\.2\.80:80 time out while the in-cluster request succeeds/);
    expect(r.report.diagnosis.rootCause).toContain('from node-b, which has no ready ingress controller pod');
    // what the API server saw: the proxy refused, exec refused in ingress-nginx, then allowed in web
    const log = r.lab.log();
    expect(log).toMatch(/UPGRADE \/api\/v1\/namespaces\/ingress-nginx\/pods\/ingress-nginx-controller-5d8f7c9b6-x2k4j\/exec\S* 403/);
    expect(log).toContain('EXEC web/web-6b9f5d7c8-q7wzt v5.channel.k8s.io curl');
  });

  it('neither services/proxy nor exec: the inside request is skipped naming both permissions, and the root cause claims no inside result', async () => {
    const r = await ingress('ingress-no-inside');
    expect(r.code).toBe(1);
    const h = r.check('ingress.http01');
    expect(h.evidence!.inside).toBeNull();
    const skipped = String(h.evidence!.insideSkipped);
    expect(skipped).toContain('needs the RBAC permission to get services/proxy in namespace web');
    expect(skipped).toContain('ingress-nginx/ingress-nginx-controller-5d8f7c9b6-x2k4j: exec forbidden: needs the RBAC permission to create pods/exec in namespace ingress-nginx');
    expect(skipped).toContain('web/web-6b9f5d7c8-q7wzt: exec forbidden: needs the RBAC permission to create pods/exec in namespace web');
    expect(r.codes).toContain('ingress.http01.timeout');
    expect(r.report.diagnosis.rootCause).toMatch(/^External requests to 192\.0\.2\.80:80 time out;/);
    expect(r.report.diagnosis.rootCause).not.toContain('the in-cluster request succeeds');
    expect(r.report.diagnosis.rootCause).toContain('from node-b, which has no ready ingress controller pod');
  });

  it('a firewall: announced, policy Cluster, and the outside still times out while inside works', async () => {
    const r = await ingress('ingress-firewall');
    expect(r.code).toBe(1);
    expect(r.status['ingress.lb']).toBe('pass');
    expect(r.status['ingress.traffic-policy']).toBe('pass');
    expect(r.codes).toContain('ingress.http01.timeout');
    expect(r.report.diagnosis.rootCause).toMatch(/^External requests to 192\.0\.2\.80:80 time out while the in-cluster request succeeds: nothing in the cluster explains it/);
    expect(r.report.diagnosis.rootCause).toContain('a firewall or the network in front of 192.0.2.80 drops port 80');
    expect(r.report.diagnosis.remediation[0]).toContain('allow TCP 80 and 443 from the internet to 192.0.2.80');
  });

  it('a developer with a Role in one namespace: what is readable runs, the rest names the permission, the root cause says what is unknown', async () => {
    const r = await ingress('ingress-namespaced');
    expect(r.code).toBe(1);
    expect(r.check('ingress.resource').summary).toContain('searched namespace web only');
    expect(r.status['ingress.backend']).toBe('pass');
    for (const id of ['ingress.lb', 'ingress.traffic-policy']) {
      expect(r.status[id], id).toBe('skip');
      expect(r.check(id).summary).toBe('skipped: forbidden: needs the RBAC permission to list services in all namespaces');
    }
    expect(r.codes).toContain('cert.certmanager.acme-timeout'); // the Certificate chain in web is readable
    expect(r.codes).not.toContain('cert.certmanager.issuer-missing'); // a forbidden ClusterIssuer is not a missing one
    expect((r.check('ingress.http01').evidence!.inside as { status: number }).status).toBe(200);
    const d = r.report.diagnosis;
    expect(d.rootCause).toContain('the checks that would place it could not run: ingress.lb and ingress.traffic-policy (needs the RBAC permission to list services in all namespaces)');
    expect(d.rootCause).toContain('a firewall in front of 192.0.2.80');
    expect(d.remediation[0]).toContain('kubectl netdiag ingress web.lab.test');
    expect(d.remediation[0]).toContain('`kubectl auth can-i list services -A`');
  });

  it('missing L2Advertisement: the pool holds the address, nothing announces it', async () => {
    const r = await ingress('ingress-no-l2');
    expect(r.code).toBe(1);
    expect(r.codes).toContain('ingress.lb.no-advertisement');
    expect(r.status['ingress.traffic-policy']).toBe('skip');
    expect(r.codes).toContain('ingress.http01.timeout');
    expect(r.report.diagnosis.rootCause).toContain('no L2Advertisement or BGPAdvertisement covers that pool');
    expect(r.report.diagnosis.remediation[0]).toContain('kind: L2Advertisement');
    expect(r.report.diagnosis.remediation[0]).toContain('ipAddressPools: [public-pool]');
  });

  it('ssl-redirect with the challenge path exempt: the token answers the key, the annotation is only noted; ssl-passthrough warns', async () => {
    const r = await ingress('ingress-ssl-redirect-exempt');
    expect(r.status['ingress.http01']).toBe('pass');
    expect(r.codes).not.toContain('ingress.http01.redirect');
    const out = (r.check('ingress.http01').evidence!.outside as { status: number; body: string }[])[0]!;
    expect(out.status).toBe(200);
    const ann = r.check('ingress.annotations');
    expect(ann.status).toBe('warn');
    const redirect = ann.findings.find((f) => f.code === 'ingress.annotations.ssl-redirect')!;
    expect(redirect.severity).toBe('info');
    expect(redirect.message).toContain(`GET http://${HOST}/.well-known/acme-challenge/${TOKEN} answers 200`);
    expect(redirect.message).toContain('HTTP-01 is not affected');
    const passthrough = ann.findings.find((f) => f.code === 'ingress.annotations.ssl-passthrough')!;
    expect(passthrough.severity).toBe('warn');
    expect(passthrough.message).toContain('a cert-manager certificate on this Ingress is never served');
    // a redirect annotation is not blamed: the root cause is the certificate not issued yet
    expect(r.report.diagnosis.rootCause).not.toContain('ssl-redirect');
    expect(r.codes).toContain('cert.tls.fake-certificate');
  });

  it('force-ssl-redirect: the challenge path answers 308 to https', async () => {
    const r = await ingress('ingress-ssl-redirect');
    expect(r.code).toBe(1);
    expect(r.codes).toContain('ingress.http01.redirect');
    const ann = r.check('ingress.annotations').findings.find((f) => f.code === 'ingress.annotations.force-ssl-redirect');
    expect(ann?.severity).toBe('fail');
    const out = (r.check('ingress.http01').evidence!.outside as { status: number; location: string }[])[0]!;
    expect(out.status).toBe(308);
    expect(out.location).toBe(`https://${HOST}/.well-known/acme-challenge/${TOKEN}`);
    expect(r.report.diagnosis.rootCause).toMatch(/answers 308 redirecting to https:/);
    expect(r.report.diagnosis.rootCause).toContain('force-ssl-redirect');
    expect(r.report.diagnosis.remediation[0]).toContain('kubectl annotate ingress -n web web nginx.ingress.kubernetes.io/force-ssl-redirect-');
    // the solver itself is complete: pod, Service and Ingress
    expect(r.codes).not.toContain('cert.certmanager.solver-missing');
    const solver = (r.check('cert.certmanager').evidence!.solvers as Record<string, unknown>[])[0];
    expect(solver).toMatchObject({ solverIngress: 'web/cm-acme-http-solver-wq9vf', solverService: 'web/cm-acme-http-solver-7xk2p', solverPods: ['cm-acme-http-solver-9c4hz Running'] });
  });

  it("the solver's ingress class differs from the controller's: 404 outside, the key inside", async () => {
    const r = await ingress('ingress-class-mismatch');
    expect(r.code).toBe(1);
    expect(r.codes).toContain('ingress.annotations.class-mismatch');
    expect(r.codes).toContain('ingress.http01.token-not-found');
    expect(r.codes).toContain('cert.certmanager.acme-404');
    expect((r.check('ingress.http01').evidence!.inside as { status: number }).status).toBe(200);
    expect(r.report.diagnosis.rootCause).toContain('"nginx-internal"');
    expect(r.report.diagnosis.rootCause).toContain('class "nginx"');
  });

  it('staging issuer: a (STAGING) chain is served and the ClusterIssuer uses the staging server', async () => {
    const r = await ingress('ingress-staging');
    expect(r.code).toBe(1);
    expect(r.codes).toContain('cert.tls.staging');
    expect(r.codes).toContain('cert.certmanager.staging-issuer');
    expect(r.status['cert.certmanager']).toBe('warn');
    expect(r.report.diagnosis.rootCause).toContain('acme-staging-v02.api.letsencrypt.org');
    expect(r.report.diagnosis.remediation.join('\n')).toContain('kubectl annotate ingress -n web web --overwrite cert-manager.io/cluster-issuer=letsencrypt-prod');
  });

  it('TLS secret missing: the fake certificate is served', async () => {
    const r = await ingress('ingress-no-secret', []);
    expect(r.code).toBe(1);
    expect(r.codes).toContain('ingress.resource.tls-secret-missing');
    expect(r.codes).toContain('cert.tls.fake-certificate');
    expect(r.status['ingress.backend']).toBe('pass');
    expect(r.report.diagnosis.rootCause).toMatch(/TLS secret web\/web-tls .* does not exist/);
    expect(r.report.diagnosis.rootCause).toContain('Kubernetes Ingress Controller Fake Certificate');
    expect(r.report.diagnosis.remediation.join('\n')).toContain('kubectl create secret tls web-tls -n web');
  });

  it('healthy: every check passes with --ca-file', async () => {
    const r = await inScenario('ingress-healthy', (lab) => runIn(lab, 'ingress', [HOST, '--ca-file', lab.files.ca]));
    expect(r.status).toEqual({
      'ingress.resource': 'pass',
      'ingress.backend': 'pass',
      'ingress.lb': 'pass',
      'ingress.traffic-policy': 'pass',
      'ingress.dns': 'pass',
      'ingress.http01': 'pass',
      'cert.certmanager': 'pass',
      'ingress.annotations': 'pass',
      'cert.tls': 'pass',
    });
    expect(r.code).toBe(0);
    expect(r.report.target).toMatchObject({ host: HOST, context: 'lab-admin@lab' });
  });

  it('Local policy with the L2Advertisement limited to the controller node passes; without the limit it warns before the failover breaks it', async () => {
    const ok = await inScenario('ingress-local-selected', (lab) => runIn(lab, 'ingress', [HOST, '--ca-file', lab.files.ca]));
    expect(ok.code).toBe(0);
    expect(ok.status['ingress.traffic-policy']).toBe('pass');
    expect(ok.codes).toContain('ingress.traffic-policy.local');
    expect(ok.check('ingress.traffic-policy').evidence).toMatchObject({ nodesThatMayAnnounce: ['node-a'], nodesWithReadyControllerPod: ['node-a'], nodesWithoutEndpoint: [], announcingNode: 'node-a' });
    const partial = await inScenario('ingress-local-partial', (lab) => runIn(lab, 'ingress', [HOST, '--ca-file', lab.files.ca]));
    expect(partial.status['ingress.traffic-policy']).toBe('warn');
    expect(partial.codes).toContain('ingress.traffic-policy.local-partial');
    expect(partial.codes).not.toContain('ingress.traffic-policy.announcer-without-endpoint');
    expect(partial.check('ingress.traffic-policy').evidence).toMatchObject({ nodesThatMayAnnounce: ['node-a', 'node-b'], nodesWithoutEndpoint: ['node-b'] });
    expect(partial.check('ingress.traffic-policy').findings[0]!.message).toContain('nodes node-b may announce 198.51.100.80 but have no ready controller pod');
  });

  it('healthy another way: a BGPAdvertisement announces the pool, a namespaced Issuer issues the certificate', async () => {
    const r = await inScenario('ingress-bgp-issuer', (lab) => runIn(lab, 'ingress', [HOST, '--ca-file', lab.files.ca]));
    expect(r.code).toBe(0);
    expect(Object.values(r.status).every((s) => s === 'pass')).toBe(true);
    expect(r.check('ingress.lb').summary).toContain('announced by BGPAdvertisement public-bgp');
    expect(r.check('ingress.traffic-policy').summary).toContain('externalTrafficPolicy Cluster');
    expect(r.check('cert.certmanager').summary).toContain('Issuer letsencrypt-prod (production ACME)');
    expect(r.check('cert.certmanager').summary).not.toContain('ClusterIssuer');
    // the Issuer was read in the Certificate's namespace, not as a ClusterIssuer
    expect(r.lab.log()).toContain('/apis/cert-manager.io/v1/namespaces/web/issuers/letsencrypt-prod');
  });

  it('RBAC forbids cert-manager: that check skips naming the permission, the rest still run', async () => {
    const r = await inScenario('ingress-rbac', (lab) => runIn(lab, 'ingress', [HOST, '--ca-file', lab.files.ca]));
    expect(r.code).toBe(0);
    const cm = r.check('cert.certmanager');
    expect(cm.status).toBe('skip');
    expect(cm.summary).toContain('list certificates.cert-manager.io in all namespaces');
    expect(cm.reproduce).toContain('kubectl auth can-i list certificates.cert-manager.io -A');
    expect((cm.evidence!.forbidden as { message: string }).message).toContain('certificates.cert-manager.io is forbidden: User "lab-admin" cannot list resource "certificates"');
    for (const id of ['ingress.resource', 'ingress.backend', 'ingress.lb', 'ingress.dns', 'ingress.http01', 'cert.tls']) expect(r.status[id], id).toBe('pass');
    expect(r.report.diagnosis.rootCause).toContain('Not checked: cert.certmanager');
  });

  it('no secret reaches any output: the token, and the TLS key of the secret it reads', async () => {
    await inScenario('ingress-healthy', async (lab) => {
      const secret = JSON.parse((await lab.exec('kubectl', ['--kubeconfig', lab.kubeconfig, 'get', '--raw', '/api/v1/namespaces/web/secrets/web-tls'])).stdout);
      const keyB64 = secret.data['tls.key'] as string;
      const keyLines = Buffer.from(keyB64, 'base64').toString('utf8').split('\n').filter((l) => l.length > 40 && !l.startsWith('-----'));
      const token = String(lab.info.token);
      expect(token.length).toBeGreaterThan(20);
      for (const fmt of ['text', 'json', 'yaml', 'markdown']) {
        const r = await lab.exec(EXE, ['ingress', HOST, '--kubeconfig', lab.kubeconfig, '-v', '-o', fmt, '--ca-file', lab.files.ca], { env: lab.baseEnv() });
        expect(r.code, fmt).toBe(0);
        for (const out of [r.stdout, r.stderr]) {
          expect(out).not.toContain(token);
          expect(out).not.toContain(keyB64);
          for (const l of keyLines) expect(out).not.toContain(l);
        }
      }
    });
  });

  it('an unknown host: no Ingress, the path checks have nothing to follow', async () => {
    const r = await inScenario('ingress-healthy', (lab) => runIn(lab, 'ingress', ['nothing.lab.test']));
    expect(r.code).toBe(1);
    expect(r.codes).toContain('ingress.resource.not-found');
    expect(r.codes).toContain('ingress.dns.nxdomain');
    expect(r.report.diagnosis.rootCause).toMatch(/^No Ingress in any namespace has a rule or TLS entry for nothing\.lab\.test\. nothing\.lab\.test does not resolve/);
  });
});

describe('kubectl netdiag cert with a cluster', () => {
  it('a host the cluster knows: the cert-manager and ingress checks run too', async () => {
    await inScenario('ingress-staging', async (lab) => {
      const r = await runIn(lab, 'cert', [HOST]);
      expect(r.code).toBe(1);
      expect(r.codes).toContain('cert.tls.staging');
      expect(r.status['cert.certmanager']).toBe('warn');
      expect(r.codes).toContain('cert.certmanager.staging-issuer');
      expect(r.status['ingress.resource']).toBe('pass');
      expect(r.report.target.context).toBe('lab-admin@lab');
      // a host the cluster does not know: the cluster checks do not apply
      const other = await runIn(lab, 'cert', ['198.51.100.10:6443', '--ca-file', lab.files.ca]);
      expect(other.code).toBe(0);
      expect(other.check('cert.certmanager').summary).toMatch(/has no Ingress or Certificate for 198\.51\.100\.10/);
    });
  });
});
