// End to end: `kubectl netdiag egress` (the BUILT executable) inside the lab scenarios of
// test/lab/egress-scenarios.ts. The probe really runs over pods/exec (WebSocket) in a network
// namespace standing for the pod; policies, pods and logs come from the fake API server.
import { expect, it } from 'vitest';
import { EXE } from './harness.ts';
import { egress, withLab } from './egress-run.ts';

const POD = ['-n', 'ml', 'training-7f9c'];
const BLOB = 'mlstore.blob.core.windows.net';

withLab('egress-incident-2', (lab) => {
  it('API host allowed, blob host from the logs blocked; the fix names the policy and its Flux source', async () => {
    const d = await egress(lab(), [...POD, 'api.example.net:443', '--from-logs', '--source', '$SOURCE']);
    expect(d.code).toBe(1);
    expect(d.status['egress.pod']).toBe('pass');
    expect(d.check('egress.pod').summary).toContain('python3');
    // the live probe really ran inside the pod's namespace
    expect(d.check('egress.dns').summary).toContain(`${BLOB} → 198.51.100.61`);
    const tcp = d.check('egress.tcp');
    expect(tcp.status).toBe('fail');
    expect(tcp.summary).toMatch(/api\.example\.net \(198\.51\.100\.60\):443 connects/);
    expect(tcp.summary).toMatch(/mlstore\.blob\.core\.windows\.net \(198\.51\.100\.61\):443 timeout/);
    expect(tcp.summary).toContain('[control]');
    // static and live agree
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(d.codes).not.toContain('egress.tcp.contradiction');
    // the policy verdicts, with the exact rule
    const cil = d.check('egress.policy.cilium');
    expect(cil.status).toBe('fail');
    expect(cil.findings.find((f) => f.code === 'egress.policy.cilium.allowed')?.message).toContain('CiliumNetworkPolicy ml/training-egress egress[1] toFQDNs[0] matchName: api.example.net');
    expect(cil.findings.find((f) => f.code === 'egress.policy.cilium.denied')?.message).toContain(BLOB);
    expect(d.status['egress.policy.k8s']).toBe('pass');
    // logs: the failure, the presigned URL, and the verdict for its host
    const logs = d.check('egress.logs');
    expect(logs.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['egress.logs.connection-errors', 'egress.logs.presigned-url', 'egress.logs.host-denied']));
    expect(logs.findings.find((f) => f.code === 'egress.logs.presigned-url')?.message).toContain('Azure SAS');
    // GitOps owner and no drift
    expect(d.check('egress.gitops').summary).toContain('Flux (Kustomization flux-system/ml-apps)');
    expect(d.check('egress.gitops').summary).toContain('0 not in git, 0 not live, 0 different');
    // the diagnosis
    const dx = d.report.diagnosis;
    expect(dx.rootCause).toContain(`cannot reach ${BLOB}:443`);
    expect(dx.rootCause).toContain('CiliumNetworkPolicy ml/training-egress');
    expect(dx.rootCause).toContain('agrees with the policies');
    expect(dx.rootCause).toContain("from the pod's logs");
    expect(dx.rootCause).toMatch(/api\.example\.net is allowed/);
    expect(dx.rootCause).toContain('Flux');
    const fix = dx.remediation.join('\n');
    expect(fix).toContain('spec.egress[1].toFQDNs');
    expect(fix).toContain("- matchPattern: '*.blob.core.windows.net'");
    expect(fix).toContain('apps/ml/training-egress.yaml');
    expect(fix).toContain('flux reconcile kustomization ml-apps -n flux-system');
    // read-only: nothing but GETs and the exec upgrades reached the API server
    expect(lab().log()).toMatch(/\[api [^\]]+\] GET /); // the log is captured in this format
    expect(lab().log()).not.toMatch(/\[api [^\]]+\] (POST|PUT|PATCH|DELETE) /);
    expect(lab().log()).toMatch(/\[exec\] EXEC ml\/training-7f9c v5\.channel\.k8s\.io python3/);
  });

  it('lists with pagination and asks only for the namespace it needs', async () => {
    const before = lab().log().length;
    await egress(lab(), [...POD, 'api.example.net']);
    const log = lab().log().slice(before);
    expect(log).toMatch(/GET \/apis\/cilium\.io\/v2\/namespaces\/ml\/ciliumnetworkpolicies\?limit=\d+ 200/);
    expect(log).toMatch(/GET \/apis\/networking\.k8s\.io\/v1\/namespaces\/ml\/networkpolicies\?limit=\d+/);
    expect(log).not.toMatch(/GET \/apis\/networking\.k8s\.io\/v1\/networkpolicies/);
    expect(log).not.toMatch(/GET \/api\/v1\/pods[?\s]/);
  });

  it('--selector runs every matching pod and groups them by verdict', async () => {
    const d = await egress(lab(), ['-n', 'ml', '--selector', 'app=training', BLOB]);
    expect(d.check('egress.pod').summary).toContain('2 pods match app=training');
    expect(d.check('egress.policy.cilium').findings.find((f) => f.code === 'egress.policy.cilium.denied')?.message).toContain('2 pods (ml/training-7f9c, ml/training-7f9c-b2)');
    expect(d.report.diagnosis.rootCause).toMatch(/^2 pods \(ml\/training-7f9c, ml\/training-7f9c-b2\) cannot reach/);
  });

  it('text output: the YAML snippet stays copyable', async () => {
    const d = await egress(lab(), [...POD, BLOB], 'text');
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/\n\s+- matchPattern: '\*\.blob\.core\.windows\.net'\n/);
  });

  it('TARGET forms: URL and IP', async () => {
    const url = await egress(lab(), [...POD, `https://${BLOB}/c/x.pt?sv=2023&sig=abc&se=2026&sp=r`]);
    expect(url.check('egress.tcp').summary).toContain(`${BLOB} (198.51.100.61):443 timeout`);
    const ip = await egress(lab(), [...POD, '198.51.100.60:443']);
    expect(ip.check('egress.tcp').summary).toContain('198.51.100.60:443 connects');
    // by address only, toFQDNs cannot match: the static verdict denies, the probe connects
    expect(ip.codes).toContain('egress.tcp.contradiction');
    expect(ip.check('egress.tcp').findings.find((f) => f.code === 'egress.tcp.contradiction')?.message).toContain('DNS cache');
  });

  it('TARGET svc/NAME.NS: the backends as the policies see them, and a toEndpoints fix', async () => {
    const d = await egress(lab(), [...POD, 'svc/model-api.ml:443']);
    expect(d.code).toBe(1);
    expect(lab().log()).toMatch(/GET \/apis\/discovery\.k8s\.io\/v1\/namespaces\/ml\/endpointslices\?labelSelector=kubernetes\.io%2Fservice-name%3Dmodel-api&limit=\d+ 200/);
    expect(d.check('egress.tcp').summary).toContain('model-api.ml.svc.cluster.local (198.51.100.62):443 timeout');
    expect(d.codes).toContain('egress.tcp.agrees');
    const fix = d.report.diagnosis.remediation.join('\n');
    expect(fix).toContain('Service ml/model-api');
    expect(fix).toContain('app: model-api');
    expect(fix).not.toContain('controller-revision-hash');
  });

  it('no secret in any output, with -v', async () => {
    const token = String(lab().info.token);
    expect(token).toMatch(/^lab-admin-token-/);
    for (const fmt of ['text', 'json', 'markdown']) {
      const r = await lab().exec(EXE, ['egress', '--kubeconfig', lab().kubeconfig, ...POD, BLOB, '-v', '-o', fmt, '--timeout', '1s'], { env: lab().baseEnv(), timeoutMs: 30_000 });
      expect(r.stdout.length).toBeGreaterThan(200);
      expect(r.stdout).not.toContain(token);
      expect(r.stderr).not.toContain(token);
    }
  });

  it('--control: a failing control and a failing target mean all egress is blocked; a working target does not', async () => {
    const both = await egress(lab(), [...POD, BLOB, '--control', '198.51.100.62:443']);
    expect(both.codes).toContain('egress.tcp.all-egress-blocked');
    expect(both.check('egress.tcp').summary).toContain('198.51.100.62:443 timeout [control]');
    const one = await egress(lab(), [...POD, 'api.example.net', '--control', '198.51.100.62:443']);
    expect(one.codes).not.toContain('egress.tcp.all-egress-blocked');
  });

  it('an in-cluster pod address: found by status.podIP, judged by its labels', async () => {
    const d = await egress(lab(), [...POD, '10.244.0.11:8080']);
    expect(lab().log()).toMatch(/GET \/api\/v1\/pods\?fieldSelector=status\.podIP%3D10\.244\.0\.11&limit=\d+ 200/);
    expect(d.check('egress.policy.cilium').findings.map((f) => f.code)).toContain('egress.policy.cilium.denied');
    const fix = d.report.diagnosis.remediation.join('\n');
    expect(fix).toContain('toEndpoints');
    expect(fix).toContain('app: training');
    expect(fix).not.toContain('pod-template-hash');
  });

  it('a bad target is a usage error (exit 2)', async () => {
    const r = await lab().exec(EXE, ['egress', '--kubeconfig', lab().kubeconfig, ...POD, 'bad host:99999'], { env: lab().baseEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot parse the target|out of range/);
  });
});

withLab('egress-cname', (lab) => {
  it('the allow-list names the CNAME target, not the dialled name', async () => {
    const d = await egress(lab(), [...POD, 'storage.example.net']);
    expect(d.code).toBe(1);
    expect(d.check('egress.dns').findings.map((f) => f.code)).toContain('egress.dns.cname');
    const c = d.check('egress.policy.cname');
    expect(c.status).toBe('fail');
    expect(c.findings[0]!.code).toBe('egress.policy.cname.target-listed');
    expect(c.findings[0]!.message).toContain(`names ${BLOB}, the CNAME target of storage.example.net`);
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(d.report.diagnosis.remediation.join('\n')).toContain('- matchName: storage.example.net');
  });
});

withLab('egress-dns-blocked', (lab) => {
  it('everything fails and the report says DNS, not the target', async () => {
    const d = await egress(lab(), [...POD, 'api.example.net:443']);
    expect(d.code).toBe(1);
    const dns = d.check('egress.dns');
    expect(dns.status).toBe('fail');
    expect(dns.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['egress.dns.policy-denied', 'egress.dns.timeout']));
    expect(d.status['egress.tcp']).toBe('skip');
    expect(d.report.diagnosis.rootCause).toMatch(/^DNS is blocked, not the target/);
    expect(d.report.diagnosis.remediation[0]).toContain('k8s-app: kube-dns');
    expect(d.report.diagnosis.remediation[0]).toContain('port: 53');
  });
});

withLab('egress-ipblock', (lab) => {
  it('default deny with an ipBlock exception: the excepted address is denied, the control passes', async () => {
    const d = await egress(lab(), [...POD, '198.51.100.61:443']);
    expect(d.code).toBe(1);
    const k8s = d.check('egress.policy.k8s');
    expect(k8s.status).toBe('fail');
    expect(k8s.summary).toContain('ml/allow-egress, ml/default-deny-egress');
    expect(d.check('egress.tcp').summary).toContain('kubernetes.default.svc (198.51.100.10):443 connects [control]');
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(d.codes).toContain('egress.gitops.manual');
    expect(d.report.diagnosis.rootCause).toContain('excluded on purpose: NetworkPolicy ml/allow-egress egress[1] to[0] ipBlock 198.51.100.0/24 excepts 198.51.100.61/32');
    expect(d.report.diagnosis.remediation.join('\n')).toContain('cidr: 198.51.100.61/32');
  });
  it('an address inside the ipBlock is allowed by the exact rule', async () => {
    const d = await egress(lab(), [...POD, '198.51.100.60:443']);
    expect(d.code).toBe(0);
    expect(d.check('egress.policy.k8s').findings[0]!.message).toContain('NetworkPolicy ml/allow-egress egress[1] to[0] ipBlock 198.51.100.0/24 except 198.51.100.61/32 (TCP/443)');
    expect(d.codes).toContain('egress.tcp.agrees');
  });
});

withLab('egress-deny', (lab) => {
  it('egressDeny in a CCNP wins over the CNP allow', async () => {
    const d = await egress(lab(), [...POD, 'https://api.example.net/v1/models']);
    expect(d.code).toBe(1);
    const c = d.check('egress.policy.cilium');
    expect(c.findings.map((f) => f.code)).toContain('egress.policy.cilium.egress-deny');
    expect(d.report.diagnosis.rootCause).toContain('CiliumClusterwideNetworkPolicy block-exfil egressDeny[0]');
    expect(d.report.diagnosis.rootCause).toContain('wins over every allow');
    expect(d.report.diagnosis.remediation[0]).toMatch(/^Remove or narrow/);
    expect(d.codes).toContain('egress.tcp.agrees');
  });
});

withLab('egress-drift', (lab) => {
  it('a policy applied by hand is not in --source; the committed CNP differs from the live one', async () => {
    const d = await egress(lab(), [...POD, 'api.example.net', '--from-logs', '--source', '$SOURCE']);
    const g = d.check('egress.gitops');
    expect(g.status).toBe('warn');
    const by = (code: string) => g.findings.filter((f) => f.code === code).map((f) => f.message).join('\n');
    expect(by('egress.gitops.manual')).toContain('NetworkPolicy ml/allow-metrics');
    expect(by('egress.gitops.not-in-source')).toContain('NetworkPolicy ml/allow-metrics');
    expect(by('egress.gitops.missing-live')).toContain('NetworkPolicy ml/allow-telemetry');
    expect(by('egress.gitops.different')).toContain('CiliumNetworkPolicy ml/training-egress');
    expect(by('egress.gitops.different')).toMatch(/^-\s+- matchPattern: '\*\.queue\.core\.windows\.net'$/m);
  });
});

withLab('egress-firewall', (lab) => {
  it('the policies allow it but the probe times out: the contradiction is flagged', async () => {
    const d = await egress(lab(), [...POD, BLOB]);
    expect(d.code).toBe(1);
    expect(d.status['egress.policy.cilium']).toBe('pass');
    expect(d.codes).toContain('egress.tcp.contradiction');
    expect(d.report.diagnosis.rootCause).toContain('something outside the policies drops it');
  });
});

withLab('egress-rbac-namespaced', (lab) => {
  it('CCNPs and namespaces unreadable: says what the verdict cannot count, still gives it', async () => {
    const d = await egress(lab(), [...POD, BLOB]);
    const cil = d.check('egress.policy.cilium');
    expect(cil.findings.find((f) => f.code === 'egress.policy.cilium.error')?.message).toContain('CiliumClusterwideNetworkPolicies could not be listed');
    expect(cil.findings.map((f) => f.code)).toContain('egress.policy.cilium.denied');
    expect(d.check('egress.policy.k8s').findings.find((f) => f.code === 'egress.policy.k8s.error')?.message).toContain('kubernetes.io/metadata.name only');
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(cil.summary).toContain('CCNPs unreadable');
    expect(d.report.diagnosis.rootCause).toContain('a clusterwide policy may still deny or isolate the pod');
  });
});

withLab('egress-sh-only', (lab) => {
  it('no python3: the probe falls back to sh + getent + bash /dev/tcp and still agrees', async () => {
    const d = await egress(lab(), [...POD, BLOB]);
    expect(d.check('egress.pod').summary).toMatch(/tools: sh, bash, getent, sleep/);
    expect(JSON.stringify(d.check('egress.tcp').evidence)).toContain('sh+getent+bash');
    expect(d.check('egress.dns').summary).toContain(`${BLOB} → 198.51.100.61`);
    expect(d.check('egress.tcp').summary).toContain(`${BLOB} (198.51.100.61):443 timeout`);
    expect(d.check('egress.tcp').summary).toContain('kubernetes.default.svc (198.51.100.10):443 connects');
    expect(d.codes).toContain('egress.tcp.agrees');
  });
});

withLab('egress-no-tools', (lab) => {
  it('a distroless container: says so, explains --debug-image, keeps the static verdict', async () => {
    const d = await egress(lab(), [...POD, BLOB]);
    const f = d.check('egress.pod').findings.find((x) => x.code === 'egress.pod.no-tools');
    expect(f?.message).toContain('--debug-image');
    expect(f?.message).toContain('cannot be removed');
    expect(d.status['egress.dns']).toBe('skip');
    expect(d.status['egress.tcp']).toBe('skip');
    expect(d.status['egress.policy.cilium']).toBe('fail');
    expect(d.report.diagnosis.rootCause).toContain('static verdict alone');
    // read-only without --debug-image
    expect(lab().log()).toMatch(/\[api [^\]]+\] GET /); // the log is captured in this format
    expect(lab().log()).not.toMatch(/\[api [^\]]+\] (POST|PUT|PATCH|DELETE) /);
  });

  it('--debug-image adds an ephemeral container, probes from it, and says it cannot be removed', async () => {
    const d = await egress(lab(), [...POD, BLOB, '--debug-image', 'busybox:1.36']);
    expect(lab().log()).toMatch(/\[api 198\.51\.100\.10:6443\] PUT \/api\/v1\/namespaces\/ml\/pods\/training-7f9c\/ephemeralcontainers 200/);
    expect(lab().log()).toMatch(/\[exec\] EPHEMERAL ml\/training-7f9c \+ netdiag-debug-[0-9a-f]{6} \(busybox:1\.36\)/);
    const f = d.check('egress.pod').findings.find((x) => x.code === 'egress.pod.debug-container');
    expect(f?.message).toContain('Ephemeral containers cannot be removed from a pod');
    expect(d.check('egress.tcp').summary).toContain(`${BLOB} (198.51.100.61):443 timeout`);
    expect(d.codes).toContain('egress.tcp.agrees');
  });
});

withLab('egress-exec-forbidden', (lab) => {
  it('exec forbidden by RBAC: skip with the verb and resource needed', async () => {
    const d = await egress(lab(), [...POD, BLOB]);
    const f = d.check('egress.pod').findings.find((x) => x.code === 'egress.pod.exec-forbidden');
    expect(f?.message).toContain('`create` on `pods/exec`');
    expect(f?.message).toContain('cannot create resource "pods/exec"');
    expect(d.check('egress.dns').summary).toContain('exec is forbidden');
    expect(d.status['egress.tcp']).toBe('skip');
    expect(d.status['egress.policy.cilium']).toBe('fail');
  });
});

withLab('egress-curl-only', (lab) => {
  it('only sh + getent + curl: the probe connects with curl and classifies connects vs timeouts', async () => {
    const d = await egress(lab(), [...POD, BLOB, '--control', 'api.example.net:443']);
    expect(d.check('egress.pod').summary).toMatch(/tools: sh, curl, getent(?!,)/);
    expect(JSON.stringify(d.check('egress.tcp').evidence)).toContain('sh+getent+curl');
    const tcp = d.check('egress.tcp');
    expect(tcp.summary).toContain(`${BLOB} (198.51.100.61):443 timeout`);
    expect(tcp.summary).toContain('api.example.net (198.51.100.60):443 connects [control]');
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(d.code).toBe(1);
  });
  it('curl: an allowed host connects (exit 0); a closed port is refused, not a timeout', async () => {
    const d = await egress(lab(), [...POD, 'api.example.net:443']);
    expect(d.check('egress.tcp').summary).toContain('api.example.net (198.51.100.60):443 connects');
    expect(d.code).toBe(0);
    const closed = await egress(lab(), [...POD, 'api.example.net:8443']);
    expect(closed.check('egress.tcp').summary).toMatch(/api\.example\.net \(198\.51\.100\.60\):8443 refused/);
  });
});

withLab('egress-wget-only', (lab) => {
  it('only sh + getent + wget: the probe connects with wget and classifies connects vs timeouts', async () => {
    const d = await egress(lab(), [...POD, BLOB, '--control', 'api.example.net:443']);
    expect(d.check('egress.pod').summary).toMatch(/tools: sh, wget, getent(?!,)/);
    expect(JSON.stringify(d.check('egress.tcp').evidence)).toContain('sh+getent+wget');
    const tcp = d.check('egress.tcp');
    expect(tcp.summary).toContain(`${BLOB} (198.51.100.61):443 timeout`);
    expect(tcp.summary).toContain('api.example.net (198.51.100.60):443 connects [control]');
    expect(d.codes).toContain('egress.tcp.agrees');
  });
  it('wget: a closed port is refused, not a timeout', async () => {
    const d = await egress(lab(), [...POD, 'api.example.net:8443']);
    expect(d.check('egress.tcp').summary).toMatch(/api\.example\.net \(198\.51\.100\.60\):8443 refused/);
  });
});

withLab('egress-exec-v4', (lab) => {
  it('the API server speaks only v4.channel.k8s.io: exec falls back to v4 and the probe still runs', async () => {
    const d = await egress(lab(), [...POD, BLOB]);
    expect(lab().log()).toMatch(/\[exec\] EXEC ml\/training-7f9c v4\.channel\.k8s\.io python3/);
    expect(lab().log()).not.toMatch(/\[exec\] EXEC ml\/training-7f9c v5\.channel\.k8s\.io/);
    expect(d.check('egress.pod').summary).toContain('python3');
    // the client's side: the protocol it negotiated
    expect(JSON.stringify(d.check('egress.pod').evidence)).toContain('"execProtocol":"v4.channel.k8s.io"');
    expect(d.check('egress.tcp').summary).toContain(`${BLOB} (198.51.100.61):443 timeout`);
    expect(d.check('egress.tcp').summary).toContain('kubernetes.default.svc (198.51.100.10):443 connects');
    expect(d.codes).toContain('egress.tcp.agrees');
  });
});

withLab('egress-nc-only', (lab) => {
  it('only sh + getent + nc: the probe connects with nc and classifies connects, timeouts and refusals', async () => {
    const d = await egress(lab(), [...POD, BLOB, '--control', 'api.example.net:443']);
    expect(d.check('egress.pod').summary).toMatch(/tools: sh, nc, getent(?!,)/);
    expect(JSON.stringify(d.check('egress.tcp').evidence)).toContain('sh+getent+nc');
    const tcp = d.check('egress.tcp');
    expect(tcp.summary).toContain(`${BLOB} (198.51.100.61):443 timeout`);
    expect(tcp.summary).toContain('api.example.net (198.51.100.60):443 connects [control]');
    expect(d.codes).toContain('egress.tcp.agrees');
    const closed = await egress(lab(), [...POD, 'api.example.net:8443']);
    expect(closed.check('egress.tcp').summary).toMatch(/api\.example\.net \(198\.51\.100\.60\):8443 refused/);
  });
});

// issue 14: both sides of an in-cluster flow, admin policies, Cilium's implicit labels

withLab('egress-ingress-denied', (lab) => {
  it('pod → pod dropped by the destination\'s NetworkPolicy: the probe times out, the root cause names the destination\'s rule, the fix its namespace', async () => {
    const d = await egress(lab(), [...POD, '198.51.100.62:443']);
    expect(d.code).toBe(1);
    expect(d.codes).toContain('egress.tcp.timeout');
    expect(d.codes).toContain('egress.tcp.agrees');
    const f = d.check('egress.policy.k8s').findings.find((x) => x.code === 'egress.policy.k8s.ingress-denied')!;
    expect(f.severity).toBe('fail');
    expect(f.message).toContain('the destination shop/backend-0 drops it');
    expect(f.message).toContain('NetworkPolicy shop/backend-ingress');
    expect(d.codes).not.toContain('egress.policy.k8s.denied');
    expect(d.report.diagnosis.rootCause).toContain('dropped at the destination');
    expect(d.report.diagnosis.rootCause).toContain('The destination drops it');
    expect(d.report.diagnosis.remediation[0]).toContain('Allow it at the destination, in namespace shop');
    expect(d.report.diagnosis.remediation[0]).toContain('NetworkPolicy shop/backend-ingress');
  });
});

withLab('egress-anp-deny', (lab) => {
  it('an AdminNetworkPolicy Deny wins over a NetworkPolicy that allows all egress', async () => {
    const d = await egress(lab(), [...POD, 'api.example.net:443']);
    expect(d.code).toBe(1);
    const f = d.check('egress.policy.admin').findings.find((x) => x.code === 'egress.policy.admin.denied')!;
    expect(f.message).toContain('AdminNetworkPolicy deny-exfil egress[0] Deny "no-partner-api"');
    expect(d.status['egress.policy.admin']).toBe('fail');
    expect(d.report.diagnosis.rootCause).toContain('AdminNetworkPolicies decide before NetworkPolicies');
    expect(d.report.diagnosis.remediation[0]).toContain('Ask the cluster administrators');
    expect(d.codes).toContain('egress.tcp.timeout');
    expect(d.codes).toContain('egress.tcp.agrees');
  });
});

withLab('egress-sa-selector', (lab) => {
  it('a CNP selecting the destination by its service account (a label Cilium adds) allows it, and the probe agrees', async () => {
    const d = await egress(lab(), [...POD, '198.51.100.62:443']);
    expect(d.code).toBe(0);
    const f = d.check('egress.policy.cilium').findings.find((x) => x.code === 'egress.policy.cilium.allowed')!;
    expect(f.message).toContain('CiliumNetworkPolicy ml/to-backend-sa egress[1] toEndpoints[0]');
    expect(d.codes).not.toContain('egress.policy.cilium.denied');
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(d.report.diagnosis.rootCause).toMatch(/^198\.51\.100\.62:443 is reachable from pod ml\/training-7f9c/);
  });
});

withLab('egress-icmp', (lab) => {
  it('icmp://IP: ping from the pod; the verdict is for an ICMP echo request (icmps type 8), and the live ping agrees', async () => {
    const ok = await egress(lab(), [...POD, 'icmp://198.51.100.60']);
    expect(ok.code).toBe(0);
    expect(ok.check('egress.policy.cilium').findings.find((f) => f.code === 'egress.policy.cilium.allowed')!.message).toContain('icmps');
    expect(ok.check('egress.tcp').summary).toContain('icmp://198.51.100.60');
    expect(ok.codes).toContain('egress.tcp.agrees');
    const denied = await egress(lab(), [...POD, 'icmp://198.51.100.61']);
    expect(denied.code).toBe(1);
    expect(denied.codes).toContain('egress.policy.cilium.denied');
    expect(denied.check('egress.tcp').findings.find((f) => f.code === 'egress.tcp.timeout')!.message).toContain('ICMP echo (ping) to icmp://198.51.100.61 got no reply');
    expect(denied.codes).toContain('egress.tcp.agrees');
  });
});
