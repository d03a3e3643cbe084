// End to end: issue 14's Cilium points that were unit-tested only, through the BUILT executable in
// the lab scenarios of test/lab/policy-scenarios-2.ts. Each flow is also probed for real from the
// pod's network namespace (its drops mirror the policies), and the report must agree with it.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { egress, withLab } from './egress-run.ts';

const POD = ['-n', 'ml', 'training-7f9c'];
const BLOB = 'mlstore.blob.core.windows.net';
const finding = (d: Awaited<ReturnType<typeof egress>>, code: string) => d.report.checks.flatMap((c) => c.findings).find((f) => f.code === code);

withLab('egress-ns-labels', (lab) => {
  it('point 2: a selector on io.cilium.k8s.namespace.labels.team is not confined to the policy\'s namespace: pay/api-0 (team=payments) is allowed', async () => {
    const d = await egress(lab(), [...POD, '198.51.100.62:443']);
    expect(d.code).toBe(0);
    expect(d.status['egress.policy.cilium']).toBe('pass');
    expect(finding(d, 'egress.policy.cilium.allowed')!.message).toContain('CiliumNetworkPolicy ml/to-payments egress[1] toEndpoints[0] {k8s:io.cilium.k8s.namespace.labels.team=payments} (toPorts[0] TCP/443)');
    expect(d.codes).not.toContain('egress.policy.cilium.denied');
    expect(d.check('egress.tcp').summary).toContain('198.51.100.62:443 connects');
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(d.report.diagnosis.rootCause).toMatch(/^198\.51\.100\.62:443 is reachable from pod ml\/training-7f9c: allowed on both sides/);
  });
  it('… and a pod of a namespace without the label (shop/web-0) is denied, with a toEndpoints fix for its namespace', async () => {
    const d = await egress(lab(), [...POD, '198.51.100.61:443']);
    expect(d.code).toBe(1);
    expect(d.status['egress.policy.cilium']).toBe('fail');
    const f = finding(d, 'egress.policy.cilium.denied')!;
    expect(f.severity).toBe('fail');
    expect(f.message).toContain('CiliumNetworkPolicy ml/to-payments puts pod ml/training-7f9c into default deny for egress and no rule allows 198.51.100.61 TCP/443');
    expect(d.codes).toContain('egress.tcp.timeout');
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(d.report.diagnosis.rootCause).toContain('dropped at the source');
    expect(d.report.diagnosis.remediation.join('\n')).toContain('k8s:io.kubernetes.pod.namespace: shop');
  });
});

withLab('egress-fqdn-match-all', (lab) => {
  it('point 3: toFQDNs matchPattern "*" allows any name (here a multi-label one), and the DNS proxy rule "**." covers it: no proxy finding', async () => {
    for (const host of [BLOB, 'api.example.net']) {
      const d = await egress(lab(), [...POD, `${host}:443`]);
      expect(d.code, host).toBe(0);
      expect(d.status['egress.policy.cilium'], host).toBe('pass');
      expect(finding(d, 'egress.policy.cilium.allowed')!.message).toContain('CiliumNetworkPolicy ml/any-https-name egress[1] toFQDNs[0] matchPattern: * (toPorts[0] TCP/443)');
      expect(d.codes).not.toContain('egress.dns.fqdn-proxy-missing');
      expect(d.codes).not.toContain('egress.policy.cilium.dns-proxy-missing');
      expect(d.status['egress.dns']).toBe('pass');
      expect(d.codes).toContain('egress.tcp.agrees');
      expect(d.report.diagnosis.rootCause).toContain(`${host}:443 is reachable from pod ml/training-7f9c`);
    }
  });
});

withLab('egress-node-entities', (lab) => {
  it('point 5: the API server on node control-plane-1 is kube-apiserver AND remote-node: toEntities [remote-node] allows it', async () => {
    const d = await egress(lab(), [...POD, 'kubernetes.default.svc:443']);
    expect(d.code).toBe(0);
    expect(d.status['egress.policy.cilium']).toBe('pass');
    expect(finding(d, 'egress.policy.cilium.allowed')!.message).toContain('CiliumNetworkPolicy ml/to-nodes egress[1] toEntities[0] remote-node (all ports)');
    expect(d.check('egress.tcp').summary).toContain('kubernetes.default.svc (198.51.100.10):443 connects');
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(d.report.diagnosis.rootCause).toContain('is allowed by CiliumNetworkPolicy ml/to-nodes egress[1] toEntities[0] remote-node');
  });
  it("… the pod's own node (host) has no rule: denied, the verdict names the identity, the fix is toEntities [host]", async () => {
    const d = await egress(lab(), [...POD, '198.51.100.61:443']);
    expect(d.code).toBe(1);
    expect(d.status['egress.policy.cilium']).toBe('fail');
    expect(finding(d, 'egress.policy.cilium.denied')!.message).toContain("(node worker-2, the pod's own node: Cilium identity host, which CIDR rules do not select; toEntities [host] does)");
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(d.report.diagnosis.rootCause).toContain('Cilium identity host');
    const fix = d.report.diagnosis.remediation.join('\n');
    expect(fix).toContain('Add an egress rule toEntities [host] (port 443) to CiliumNetworkPolicy ml/to-nodes');
    expect(fix).toMatch(/toEntities:\n\s+- host/);
  });
});

withLab('egress-to-services', (lab) => {
  it('point 8: toServices by name: svc/model-api.ml and its DNS name both resolve to the Service\'s pod and are allowed by that rule', async () => {
    for (const target of ['svc/model-api.ml:443', 'model-api.ml.svc.cluster.local:443']) {
      const d = await egress(lab(), [...POD, target]);
      expect(d.code, target).toBe(0);
      expect(d.status['egress.policy.cilium'], target).toBe('pass');
      expect(finding(d, 'egress.policy.cilium.allowed')!.message).toContain('CiliumNetworkPolicy ml/to-services egress[1] toServices[0] k8sService ml/model-api (Service ml/model-api)');
      expect(d.check('egress.tcp').summary).toContain('model-api.ml.svc.cluster.local (198.51.100.62):443 connects');
      expect(d.codes).toContain('egress.tcp.agrees');
      expect(d.report.diagnosis.rootCause).toContain('allowed on both sides');
    }
  });
  it('toServices by selector: the endpoint of the selector-less Service ml/partner-api is allowed', async () => {
    const d = await egress(lab(), [...POD, '198.51.100.60:443']);
    expect(d.code).toBe(0);
    expect(d.status['egress.policy.cilium']).toBe('pass');
    expect(finding(d, 'egress.policy.cilium.allowed')!.message).toContain('egress[2] toServices[0] k8sServiceSelector {external=yes} (namespace ml) (Service ml/partner-api without selector: endpoint 198.51.100.60)');
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(lab().log()).toMatch(/GET \/api\/v1\/services\?limit=\d+ 200/);
  });
  it('toNodes: the API server\'s node (label node-role.kubernetes.io/control-plane) is allowed', async () => {
    const d = await egress(lab(), [...POD, 'kubernetes.default.svc:443']);
    expect(d.code).toBe(0);
    expect(finding(d, 'egress.policy.cilium.allowed')!.message).toContain('egress[3] toNodes[0] {node-role.kubernetes.io/control-plane=}');
    expect(d.codes).toContain('egress.tcp.agrees');
  });
  it('an address no rule selects is denied', async () => {
    const d = await egress(lab(), [...POD, '198.51.100.61:443']);
    expect(d.code).toBe(1);
    expect(d.status['egress.policy.cilium']).toBe('fail');
    expect(d.status['egress.tcp']).toBe('fail');
    expect(finding(d, 'egress.policy.cilium.denied')!.message).toContain('CiliumNetworkPolicy ml/to-services puts pod ml/training-7f9c into default deny');
    expect(d.codes).toContain('egress.tcp.agrees');
  });
});

withLab('egress-cidr-group-l7', (lab) => {
  it('point 8: toCIDRSet cidrGroupRef (a CiliumCIDRGroup) allows at L3/L4, and the http rule is quoted in egress.policy.cilium.l7-rules', async () => {
    const d = await egress(lab(), [...POD, '198.51.100.61:443']);
    expect(d.code).toBe(0);
    const l7 = finding(d, 'egress.policy.cilium.l7-rules')!;
    expect(l7.severity).toBe('info');
    expect(l7.message).toContain('allowed at L3/L4, and L7 rules then also apply: CiliumNetworkPolicy ml/storage-ranges egress[1] toCIDRSet[0] cidrGroupRef storage-ranges (198.51.100.61/32) (toPorts[0] TCP/443) with L7 rules http: [{"method":"GET","path":"/checkpoints/.*"}]');
    expect(d.check('egress.policy.cilium').status).toBe('pass');
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(lab().log()).toMatch(/GET \/apis\/cilium\.io\/v2alpha1\/ciliumcidrgroups\?limit=\d+ 200/);
    expect(d.report.diagnosis.rootCause).toContain('with L7 rules http');
  });
  it('an address outside the group is denied', async () => {
    const d = await egress(lab(), [...POD, '198.51.100.60:443']);
    expect(d.code).toBe(1);
    expect(d.status['egress.policy.cilium']).toBe('fail');
    expect(d.codes).toContain('egress.policy.cilium.denied');
    expect(d.codes).not.toContain('egress.policy.cilium.l7-rules');
    expect(d.codes).toContain('egress.tcp.agrees');
  });
});

withLab('egress-dns-ingress', (lab) => {
  it("kube-dns's own ingress drops the pod's lookups: the finding names the side that drops and the policy; DNS is the root cause", async () => {
    const d = await egress(lab(), [...POD, 'api.example.net:443']);
    expect(d.code).toBe(1);
    const f = finding(d, 'egress.dns.policy-denied')!;
    expect(f.severity).toBe('fail');
    expect(d.status['egress.dns']).toBe('fail');
    expect(d.status['egress.policy.k8s']).toBe('pass');
    expect(f.message).toContain('on UDP/53 is dropped at kube-dns, by its ingress policies (the pod\'s egress allows it): NetworkPolicy kube-system/coredns-ingress selects pod kube-system/coredns-5d78c9869d-abcde for ingress');
    expect(d.codes).toContain('egress.dns.timeout');
    expect(d.status['egress.tcp']).toBe('skip');
    expect(d.report.diagnosis.rootCause).toMatch(/^DNS is blocked, not the target: the pod's egress allows DNS, but kube-dns \(kube-system\/coredns-5d78c9869d-abcde\) drops it at its ingress/);
    expect(d.report.diagnosis.remediation[0]).toContain('Allow DNS at kube-dns, in namespace kube-system (NetworkPolicy kube-system/coredns-ingress)');
    expect(lab().log()).toMatch(/GET \/apis\/networking\.k8s\.io\/v1\/namespaces\/kube-system\/networkpolicies\?limit=\d+ 200/);
  });
});

withLab('egress-cname-alias', (lab) => {
  it('point 4: the allow-list names an alias (CNAME served by dnsmasq) of the name the app dials: egress.policy.cname.alias-listed fires', async () => {
    const d = await egress(lab(), [...POD, `${BLOB}:443`]);
    expect(d.code).toBe(1);
    expect(d.status['egress.policy.cilium']).toBe('fail');
    const c = d.check('egress.policy.cname');
    expect(c.status).toBe('fail');
    const f = finding(d, 'egress.policy.cname.alias-listed')!;
    expect(f.message).toContain(`CiliumNetworkPolicy ml/training-egress egress[1] toFQDNs[1] matchName: storage.example.net (TCP/443) names storage.example.net, an alias of ${BLOB}; the application now dials ${BLOB} directly. Add matchName: ${BLOB}.`);
    expect(JSON.stringify(c.evidence)).toContain(`storage.example.net → ${BLOB} (listed)`);
    expect(d.codes).toContain('egress.policy.cilium.denied');
    expect(d.codes).toContain('egress.tcp.agrees');
    expect(d.report.diagnosis.rootCause).toContain(`names storage.example.net, an alias of ${BLOB}`);
    // the chain came from the real dnsmasq
    expect(readFileSync(lab().files.dnsmasqLog!, 'utf8')).toMatch(/query\[CNAME\] storage\.example\.net/);
  });
});
