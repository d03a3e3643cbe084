// Every egress check on recorded evidence (no network): the cluster's objects as the API server
// answers them, the live probe as exec returned it. Each case asserts the finding code a user
// sees, with the words that carry its rule.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { cnameFinding } from '../../../src/checks/egress/policy-cname.ts';
import {
  ALLOW_API,
  API_HOST,
  API_IP,
  BLOB_HOST,
  BLOB_IP,
  BY_HAND,
  CILIUM_DNS_RULE,
  cluster,
  cnp,
  CONTROL,
  CONTROL_IP,
  CONTROL_OK,
  FLUX,
  netpol,
  ok,
  pod,
  runRecorded,
} from './harness.ts';
import type { ProbeOutcome } from '../../../src/checks/egress/probe.ts';

const API_OK = ok(API_HOST, 443, [API_IP], { [API_IP]: true });
const toBlob = { options: { target: `${BLOB_HOST}:443` } };
/** A NetworkPolicy that allows HTTPS anywhere and nothing else (DNS included). */
const HTTPS_ONLY = netpol('allow-https', [{ ports: [{ port: 443, protocol: 'TCP' }] }]);
const K8S_DNS = { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] };
const dnsFail = (host: string, error: 'nxdomain' | 'timeout' | 'other', message: string = error): ProbeOutcome => ({ host, port: 443, dns: { ok: false, addresses: [], error, message }, connects: [] });

describe('egress.pod', () => {
  it('not-found: the pod does not exist (a 404 of the object), fail, and the diagnosis says so', async () => {
    const r = await runRecorded({ objects: cluster().filter((o) => o.metadata.name !== 'training-7f9c'), probe: [API_OK, CONTROL_OK] });
    expect(r.check('egress.pod').status).toBe('fail');
    expect(r.of('egress.pod.not-found')[0]!.message).toBe('Pod training-7f9c does not exist in namespace ml.');
    expect(r.diagnosis.rootCause).toBe('Pod training-7f9c does not exist in namespace ml.');
    // every check that needs the pod is skipped because of it
    expect(r.check('egress.tcp').summary).toBe('skipped because egress.pod failed');
  });

  it('not-found with --selector: no pod matches', async () => {
    const r = await runRecorded({ objects: cluster(), probe: [API_OK, CONTROL_OK], options: { pod: undefined, selector: 'app=none' } });
    expect(r.of('egress.pod.not-found')[0]!.message).toBe('No pod in namespace ml matches app=none.');
    expect(r.ctx.client.requests).toContain('GET /api/v1/namespaces/ml/pods?labelSelector=app%3Dnone&limit=250');
  });

  it('api-error: reading the pod is forbidden, with the server\'s words', async () => {
    const r = await runRecorded({ objects: cluster(), forbidden: ['pods'], probe: [API_OK, CONTROL_OK] });
    const f = r.of('egress.pod.api-error')[0]!;
    expect(f.message).toContain('Reading pod ml/training-7f9c failed: pods is forbidden: User "dev" cannot get resource "pods"');
    expect(r.codes).not.toContain('egress.pod.not-found');
    expect(r.check('egress.pod').status).toBe('fail');
  });

  it('not-running: a Pending pod', async () => {
    const r = await runRecorded({ objects: [...cluster().filter((o) => o.metadata.name !== 'training-7f9c'), pod(undefined, undefined, 'Pending')], probe: [API_OK, CONTROL_OK] });
    expect(r.of('egress.pod.not-running')[0]!.message).toBe('training-7f9c is Pending (scheduled to worker-2, containers not started), so nothing can be probed from inside it (exec needs a running container on a node).');
    expect(r.check('egress.pod').status).toBe('fail');
  });

  it('not-running: an unscheduled Pending pod (issue 11 point 10) says why it cannot be probed, names the pod in the advice, and no "tools: none found"', async () => {
    const p = pod(undefined, undefined, 'Pending') as unknown as { spec: { nodeName?: string }; status: Record<string, unknown> };
    delete p.spec.nodeName;
    p.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] };
    const r = await runRecorded({ objects: [...cluster().filter((o) => o.metadata.name !== 'training-7f9c'), p as never], probe: [API_OK, CONTROL_OK] });
    const f = r.check('egress.pod').findings.find((x) => x.code === 'egress.pod.not-running')!;
    expect(f.message).toBe('training-7f9c is Pending (not scheduled to any node: Unschedulable, "0/3 nodes are available"; no IP), so nothing can be probed from inside it (exec needs a running container on a node).');
    expect(f.remediation[0]).toMatch(/^`kubectl describe pod -n ml training-7f9c( --[^`]*)?` shows why/);
    expect(r.check('egress.pod').summary).not.toContain('tools: none found');
    expect(r.check('egress.pod').summary).toContain('tools: not looked for (not running)');
  });

  it('exec-forbidden: a warning with the permission needed; the live checks skip, the static verdict stays', async () => {
    const r = await runRecorded({
      objects: cluster(ALLOW_API),
      tools: { skipped: 'forbidden', message: 'pods "training-7f9c" is forbidden: User "dev" cannot create resource "pods/exec" in API group "" in the namespace "ml"', tools: undefined },
      resolve: { [API_HOST]: [API_IP] },
    });
    const f = r.of('egress.pod.exec-forbidden')[0]!;
    expect(f.severity).toBe('warn');
    expect(f.message).toContain('the live probe needs `create` on `pods/exec` in namespace ml');
    expect(r.check('egress.pod').summary).toContain('tools: unknown (exec forbidden)');
    expect(r.check('egress.tcp')).toMatchObject({ status: 'skip', summary: 'not applicable: exec is forbidden (needs create on pods/exec in ml); static verdict only' });
    expect(r.check('egress.dns').summary).toContain('exec is forbidden');
    expect(r.diagnosis.rootCause).toContain('static verdict alone');
  });

  it('no-tools: a distroless container, with the --debug-image hint', async () => {
    const r = await runRecorded({ objects: cluster(), tools: { skipped: 'no-tools', message: 'exec: "sh": executable file not found in $PATH', tools: undefined }, resolve: { [API_HOST]: [API_IP] } });
    const f = r.of('egress.pod.no-tools')[0]!;
    expect(f.message).toContain('has none of python3, sh, nc, busybox, wget, curl, getent');
    expect(f.message).toContain('Rerun with --debug-image IMAGE');
    expect(r.check('egress.tcp').summary).toBe('not applicable: the container has no probe tool (see egress.pod; --debug-image)');
  });

  it('exec-failed: exec answered with an error', async () => {
    const r = await runRecorded({ objects: cluster(), tools: { skipped: 'exec-failed', message: 'container not found ("trainer")', tools: undefined }, resolve: { [API_HOST]: [API_IP] } });
    expect(r.of('egress.pod.exec-failed')[0]!.message).toBe('Exec into pod ml/training-7f9c (container trainer) failed: container not found ("trainer").');
  });

  it('debug-container: --debug-image added an ephemeral container and probed from it', async () => {
    const r = await runRecorded({
      objects: cluster(),
      tools: { container: 'netdiag-debug-0a1b2c', debug: { name: 'netdiag-debug-0a1b2c', image: 'busybox:1.36', target: 'trainer' } },
      probe: [API_OK, CONTROL_OK],
      options: { debugImage: 'busybox:1.36' },
    });
    const f = r.of('egress.pod.debug-container')[0]!;
    expect(f.message).toContain('added the ephemeral container netdiag-debug-0a1b2c (image busybox:1.36, target trainer)');
    expect(f.message).toContain('cannot be removed from a pod');
    expect(r.check('egress.pod').summary).toContain('(ephemeral, --debug-image)');
  });

  it('debug-failed: the ephemeral container could not be added (nothing was added)', async () => {
    const r = await runRecorded({
      objects: cluster(),
      tools: { skipped: 'no-tools', tools: undefined, debug: { image: 'busybox:1.36', target: 'trainer', error: 'pods "training-7f9c" is forbidden (needs `update` on `pods/ephemeralcontainers`)' } },
      resolve: { [API_HOST]: [API_IP] },
      options: { debugImage: 'busybox:1.36' },
    });
    expect(r.of('egress.pod.debug-failed')[0]!.message).toBe('--debug-image busybox:1.36: pods "training-7f9c" is forbidden (needs `update` on `pods/ephemeralcontainers`). Nothing was added to the pod.');
    // with --debug-image given, no-tools does not suggest it again
    expect(r.of('egress.pod.no-tools')[0]!.message).not.toContain('Rerun with --debug-image');
  });
});

describe('egress.dns', () => {
  it.each([
    ['nxdomain', 'egress.dns.nxdomain', 'does not exist (NXDOMAIN)'],
    ['timeout', 'egress.dns.timeout', 'got no DNS answer within 2000 ms'],
    ['other', 'egress.dns.error', 'failed to resolve: SERVFAIL'],
  ] as const)('%s inside the pod → %s (fail); tcp skips because of it', async (error, code, words) => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), probe: [dnsFail(API_HOST, error, 'SERVFAIL'), CONTROL_OK] });
    const f = r.of(code)[0]!;
    expect(f.severity).toBe('fail');
    expect(f.message).toBe(`Inside pod ml/training-7f9c, ${API_HOST} ${words}.`);
    expect(r.check('egress.dns').status).toBe('fail');
  });

  it('the control target failing to resolve is only a warning', async () => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), probe: [API_OK, dnsFail(CONTROL, 'nxdomain')] });
    const f = r.of('egress.dns.nxdomain')[0]!;
    expect(f.severity).toBe('warn');
    expect(f.message).toContain('(the control target)');
  });

  it('cname: the name is an alias (info), the chain end named', async () => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: true }, 'api.edge.example.net'), CONTROL_OK] });
    const f = r.of('egress.dns.cname')[0]!;
    expect(f.severity).toBe('info');
    expect(f.message).toContain('the chain ends at api.edge.example.net. toFQDNs matches api.example.net');
    expect(r.check('egress.dns').summary).toContain('(CNAME → api.edge.example.net)');
  });

  it('policy-denied: NetworkPolicies allow HTTPS only, so DNS to kube-dns is denied (fail) and the diagnosis blames DNS', async () => {
    const r = await runRecorded({ objects: cluster(HTTPS_ONLY), probe: [dnsFail(API_HOST, 'timeout'), dnsFail(CONTROL, 'timeout')] });
    const f = r.of('egress.dns.policy-denied')[0]!;
    expect(f.severity).toBe('fail');
    expect(f.message).toContain('to kube-dns (kube-system, k8s-app=kube-dns) on UDP/53 is denied');
    expect(r.diagnosis.rootCause).toMatch(/^DNS is blocked, not the target: /);
    expect(r.diagnosis.rootCause).toContain('NetworkPolicy ml/allow-https is managed by Flux');
    expect(r.diagnosis.remediation[0]).toContain('k8s-app: kube-dns');
  });

  it('policy-denied on TCP/53 only: a warning about truncated answers', async () => {
    const udpOnly = netpol('allow-https', [{ ports: [{ port: 443, protocol: 'TCP' }] }, { ports: [{ port: 53, protocol: 'UDP' }] }]);
    const r = await runRecorded({ objects: cluster(udpOnly), probe: [API_OK, CONTROL_OK] });
    const f = r.of('egress.dns.policy-denied')[0]!;
    expect(f.severity).toBe('warn');
    expect(f.message).toContain('allowed on UDP/53 but denied on TCP/53');
    expect(r.diagnosis.rootCause).not.toContain('DNS is blocked');
  });

  it('fqdn-proxy-missing: toFQDNs without a DNS-proxy rule (port 53 allowed, no rules.dns)', async () => {
    const noProxy = cnp('training-egress', [{ toEndpoints: CILIUM_DNS_RULE.toEndpoints, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }, { toFQDNs: [{ matchName: API_HOST }] }, { toEntities: ['kube-apiserver'] }]);
    const r = await runRecorded({ objects: cluster(noProxy), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: 'timeout' }), CONTROL_OK] });
    expect(r.of('egress.dns.fqdn-proxy-missing')[0]!.message).toContain("no rule sends its DNS through Cilium's DNS proxy (toPorts 53 with rules.dns): toFQDNs never learns the addresses of api.example.net");
    expect(r.of('egress.policy.cilium.dns-proxy-missing')[0]!.message).toContain('DNS proxy');
    expect(r.check('egress.policy.cilium').status).toBe('fail');
  });
});

describe('egress.tcp', () => {
  it.each([
    ['refused', 'egress.tcp.refused', 'was refused'],
    ['unreachable', 'egress.tcp.unreachable', 'has no route'],
    ['reset', 'egress.tcp.reset', 'failed: reset'],
    ['other', 'egress.tcp.error', 'failed: other'],
    ['timeout', 'egress.tcp.timeout', 'timed out after 2000 ms (dropped)'],
  ] as const)('%s where the policies allow the flow → %s; the diagnosis puts the cause outside the policies', async (error, code, words) => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: error }), CONTROL_OK] });
    const f = r.of(code)[0]!;
    expect(f.severity).toBe('fail');
    expect(f.message).toBe(`From pod ml/training-7f9c, TCP to ${API_HOST} (${API_IP}):443 ${words}.`);
    expect(r.check('egress.tcp').status).toBe('fail');
    // a refusal got through the policies: no contradiction; anything else contradicts "allowed"
    expect(r.codes.includes('egress.tcp.contradiction')).toBe(error !== 'refused');
    expect(r.diagnosis.rootCause).toContain(f.message);
    if (error === 'refused') expect(r.diagnosis.rootCause).toContain('the cause is outside them');
    else expect(r.diagnosis.rootCause).toContain('something outside the policies drops it');
  });

  it('contradiction: the policies deny the flow but the connect succeeds (a warning)', async () => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), probe: [ok(BLOB_HOST, 443, [BLOB_IP], { [BLOB_IP]: true }), CONTROL_OK], ...toBlob });
    const f = r.of('egress.tcp.contradiction')[0]!;
    expect(f.severity).toBe('warn');
    expect(f.message).toContain(`The policies deny ${BLOB_HOST} (${BLOB_IP}) TCP/443, but the connect succeeds`);
    expect(f.message).toContain('the CNI does not enforce these policies');
    expect(r.codes).not.toContain('egress.tcp.agrees');
  });

  it('agrees: live and static agree on every connection (info)', async () => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), probe: [ok(BLOB_HOST, 443, [BLOB_IP], { [BLOB_IP]: 'timeout' }), CONTROL_OK], ...toBlob });
    expect(r.of('egress.tcp.agrees')[0]!.message).toBe('The live probe agrees with the static verdict on all 2 connections.');
    expect(r.codes).not.toContain('egress.tcp.contradiction');
  });

  it('all-egress-blocked: the control target fails too', async () => {
    const r = await runRecorded({ objects: cluster(), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: 'timeout' }), ok(CONTROL, 443, [CONTROL_IP], { [CONTROL_IP]: 'timeout' })] });
    expect(r.of('egress.tcp.all-egress-blocked')[0]!.message).toBe(`The control target ${CONTROL}:443 fails from pod ml/training-7f9c too: all egress is blocked, not only the target.`);
    // the control's own failure is only a warning
    expect(r.of('egress.tcp.timeout').map((f) => f.severity).sort()).toEqual(['fail', 'warn']);
  });

  it('a control that connects rules out "all egress blocked"', async () => {
    const r = await runRecorded({ objects: cluster(), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: 'timeout' }), CONTROL_OK] });
    expect(r.codes).not.toContain('egress.tcp.all-egress-blocked');
  });
});

describe('egress.policy.k8s', () => {
  const CIDR_ONLY = netpol('allow-internal', [K8S_DNS, { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 443, protocol: 'TCP' }] }]);

  it('denied: the pod is isolated and no rule allows the address; the diagnosis names the policy and the fix', async () => {
    const r = await runRecorded({ objects: cluster(CIDR_ONLY), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: 'timeout' }), CONTROL_OK] });
    expect(r.check('egress.policy.k8s').status).toBe('fail');
    expect(r.of('egress.policy.k8s.denied')[0]!.message).toContain(`pod ml/training-7f9c → ${API_HOST}:443 (${API_IP})`);
    expect(r.diagnosis.rootCause).toContain(`Pod ml/training-7f9c cannot reach ${API_HOST}:443`);
    expect(r.diagnosis.rootCause).toContain('NetworkPolicy ml/allow-internal is managed by Flux');
    expect(r.diagnosis.remediation.join('\n')).toContain('flux reconcile kustomization ml-apps -n flux-system --with-source');
  });

  it('allowed: a rule allows the flow (info), and the diagnosis says it is reachable', async () => {
    const r = await runRecorded({ objects: cluster(netpol('allow-https', [K8S_DNS, { ports: [{ port: 443, protocol: 'TCP' }] }])), probe: [API_OK, CONTROL_OK] });
    expect(r.of('egress.policy.k8s.allowed')[0]!.severity).toBe('info');
    expect(r.check('egress.policy.k8s').summary).toContain('selecting the pod for egress: ml/allow-https; the flow is allowed');
    expect(r.diagnosis.status).toBe('pass');
    expect(r.diagnosis.rootCause).toMatch(new RegExp(`^${API_HOST}:443 is reachable from pod ml/training-7f9c: `));
  });

  it('error: NetworkPolicies cannot be listed (RBAC), a warning that the verdict is incomplete', async () => {
    const r = await runRecorded({ objects: cluster(), forbidden: ['networkpolicies.networking.k8s.io'], probe: [API_OK, CONTROL_OK] });
    const f = r.of('egress.policy.k8s.error')[0]!;
    expect(f.severity).toBe('warn');
    expect(f.message).toContain('Listing NetworkPolicies in ml failed: networkpolicies.networking.k8s.io is forbidden');
  });

  it('error: namespaces unreadable while a namespaceSelector is used', async () => {
    const r = await runRecorded({ objects: cluster(netpol('allow-dns', [K8S_DNS, { ports: [{ port: 443 }] }])), forbidden: ['namespaces'], probe: [API_OK, CONTROL_OK] });
    expect(r.of('egress.policy.k8s.error')[0]!.message).toContain('Namespaces could not be listed (namespaces is forbidden');
  });

  it('a server that does not serve networking.k8s.io: no NetworkPolicies, no error', async () => {
    // no NetworkPolicy object and the group not installed: the list answers 404 of the kind
    const r = await runRecorded({ objects: cluster(), probe: [API_OK, CONTROL_OK] });
    expect(r.check('egress.policy.k8s').summary).toMatch(/^0 NetworkPolicies in ml; none selects the pod for egress; the flow is allowed$/);
    expect(r.codes).not.toContain('egress.policy.k8s.error');
  });
});

describe('egress.policy.cilium', () => {
  it('Cilium not installed (neither kind served): not applicable, declared', async () => {
    const r = await runRecorded({ objects: cluster(), probe: [API_OK, CONTROL_OK] });
    expect(r.check('egress.policy.cilium')).toMatchObject({ status: 'skip', summary: 'not applicable: the Cilium CRDs are not installed (404)' });
    expect(r.check('egress.policy.cname')).toMatchObject({ status: 'skip', summary: 'not applicable: no Cilium policies (toFQDNs)' });
  });

  it('denied and allowed: the allow-list lets api.example.net through and not the blob host', async () => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), probe: [API_OK, ok(BLOB_HOST, 443, [BLOB_IP], { [BLOB_IP]: 'timeout' }), CONTROL_OK], options: { target: `${BLOB_HOST}:443` } });
    expect(r.of('egress.policy.cilium.denied')[0]!.message).toContain(`pod ml/training-7f9c → ${BLOB_HOST}:443 (${BLOB_IP}): `);
    expect(r.of('egress.policy.cilium.denied')[0]!.message).toContain('Fix: ');
    expect(r.check('egress.policy.cilium').summary).toBe('1 CNPs in ml, 0 CCNPs; selecting the pod: CiliumNetworkPolicy ml/training-egress; the flow is denied');
    const allowed = await runRecorded({ objects: cluster(ALLOW_API), probe: [API_OK, CONTROL_OK] });
    expect(allowed.of('egress.policy.cilium.allowed')[0]!.message).toContain('CiliumNetworkPolicy ml/training-egress egress[1] toFQDNs[0] matchName: api.example.net');
    expect(allowed.check('egress.policy.cilium').status).toBe('pass');
  });

  it('egress-deny: a clusterwide egressDeny wins over every allow', async () => {
    const deny = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'block-exfil', ...FLUX }, spec: { endpointSelector: {}, egressDeny: [{ toCIDRSet: [{ cidr: `${API_IP}/32` }] }] } };
    const r = await runRecorded({ objects: cluster(ALLOW_API, deny), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: 'timeout' }), CONTROL_OK] });
    const f = r.of('egress.policy.cilium.egress-deny')[0]!;
    expect(f.severity).toBe('fail');
    expect(f.message).toContain('CiliumClusterwideNetworkPolicy block-exfil');
    expect(r.codes).not.toContain('egress.policy.cilium.allowed');
  });

  it('error: the clusterwide policies are forbidden, the namespace\'s CNPs still count', async () => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), forbidden: ['ciliumclusterwidenetworkpolicies.cilium.io'], probe: [API_OK, CONTROL_OK] });
    const f = r.of('egress.policy.cilium.error')[0]!;
    expect(f.severity).toBe('warn');
    expect(f.message).toContain('CiliumClusterwideNetworkPolicies could not be listed (ciliumclusterwidenetworkpolicies.cilium.io is forbidden');
    expect(r.check('egress.policy.cilium').summary).toMatch(/^1 CNPs in ml, CCNPs unreadable;/);
  });

  it('error: both kinds forbidden', async () => {
    const r = await runRecorded({ objects: cluster(), forbidden: ['ciliumclusterwidenetworkpolicies.cilium.io', 'ciliumnetworkpolicies.cilium.io'], probe: [API_OK, CONTROL_OK] });
    expect(r.of('egress.policy.cilium.error')[0]!.message).toMatch(/^Listing Cilium policies failed: ciliumnetworkpolicies\.cilium\.io is forbidden/);
  });
});

describe('egress.policy.cname', () => {
  it('target-listed: the allow-list names the CNAME target, the application dials the alias', async () => {
    const listsTarget = cnp('training-egress', [CILIUM_DNS_RULE, { toFQDNs: [{ matchName: BLOB_HOST }] }, { toEntities: ['kube-apiserver'] }]);
    const alias = 'storage.example.net';
    const r = await runRecorded({ objects: cluster(listsTarget), probe: [ok(alias, 443, [BLOB_IP], { [BLOB_IP]: 'timeout' }, BLOB_HOST), CONTROL_OK], options: { target: `${alias}:443` } });
    const f = r.of('egress.policy.cname.target-listed')[0]!;
    expect(f.message).toContain(`names ${BLOB_HOST}, the CNAME target of ${alias}`);
    expect(f.message).toContain(`Add matchName: ${alias}.`);
    expect(r.diagnosis.rootCause).toContain(f.message);
  });

  it('alias-listed: the finding for a listed alias that the application no longer dials', () => {
    // (index.cnameHints yields alias-listed only when it is given the listed names' CNAME chains)
    const rule = { kind: 'CiliumNetworkPolicy' as const, namespace: 'ml', name: 'training-egress', section: 'egress' as const, ruleIndex: 1, peer: 'toFQDNs[0] matchName: storage.example.net', port: 'TCP/443' };
    const f = cnameFinding({ kind: 'alias-listed', dialled: BLOB_HOST, listed: 'storage.example.net', rule });
    expect(f.code).toBe('egress.policy.cname.alias-listed');
    expect(f.message).toBe(`CiliumNetworkPolicy ml/training-egress egress[1] toFQDNs[0] matchName: storage.example.net (TCP/443) names storage.example.net, an alias of ${BLOB_HOST}; the application now dials ${BLOB_HOST} directly. Add matchName: ${BLOB_HOST}.`);
    const t = cnameFinding({ kind: 'target-listed', dialled: 'storage.example.net', listed: BLOB_HOST, rule });
    expect(t.code).toBe('egress.policy.cname.target-listed');
  });
});

describe('egress.gitops', () => {
  it('owner, manual and hand-edited', async () => {
    const manual = netpol('allow-metrics', [K8S_DNS, { ports: [{ port: 443 }] }], BY_HAND);
    const edited = cnp('training-egress', [CILIUM_DNS_RULE, { toFQDNs: [{ matchName: API_HOST }] }], { ...FLUX, managedFields: [{ manager: 'kustomize-controller', operation: 'Apply' }, { manager: 'kubectl-edit', operation: 'Update' }] });
    const r = await runRecorded({ objects: cluster(manual, edited), probe: [API_OK, CONTROL_OK] });
    expect(r.of('egress.gitops.owner').map((f) => f.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('NetworkPolicy ml/allow-metrics: kubectl (by hand)'), expect.stringContaining('CiliumNetworkPolicy ml/training-egress: Flux (Kustomization flux-system/ml-apps), edited by hand (kubectl-edit)')]),
    );
    expect(r.of('egress.gitops.manual')[0]!.message).toContain('NetworkPolicy ml/allow-metrics was applied by hand');
    expect(r.of('egress.gitops.hand-edited')[0]!.message).toBe('CiliumNetworkPolicy ml/training-egress is managed by Flux (Kustomization flux-system/ml-apps), edited by hand (kubectl-edit); the next sync reverts the hand edits (kubectl-edit).');
  });

  it('--source: not in git, not live, different, and an unreadable file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egress-source-'));
    const live = netpol('allow-https', [K8S_DNS, { ports: [{ port: 443, protocol: 'TCP' }] }]);
    const stray = netpol('allow-metrics', [{ ports: [{ port: 9090 }] }], BY_HAND);
    writeFileSync(join(dir, 'https.yaml'), dump({ ...live, spec: { ...(live.spec as object), egress: [K8S_DNS, { ports: [{ port: 8443, protocol: 'TCP' }] }] } }));
    writeFileSync(join(dir, 'telemetry.yaml'), dump(netpol('allow-telemetry', [{ ports: [{ port: 4317 }] }])));
    writeFileSync(join(dir, 'broken.yaml'), 'kind: [unclosed\n');
    const r = await runRecorded({ objects: cluster(live, stray), probe: [API_OK, CONTROL_OK], options: { source: dir } });
    expect(r.of('egress.gitops.not-in-source')[0]!.message).toContain(`NetworkPolicy ml/allow-metrics is live but not in ${dir} (owner: kubectl (by hand)): it was never committed`);
    expect(r.of('egress.gitops.missing-live')[0]!.message).toBe('NetworkPolicy ml/allow-telemetry is in telemetry.yaml but not live.');
    const d = r.of('egress.gitops.different')[0]!.message;
    expect(d).toContain('NetworkPolicy ml/allow-https differs from https.yaml (- git, + live):');
    expect(d).toMatch(/- .*port: 8443/);
    expect(d).toMatch(/\+ .*port: 443/);
    expect(r.of('egress.gitops.source-error')[0]!.message).toContain('broken.yaml');
    expect(r.check('egress.gitops').summary).toContain('--source: 1 not in git, 1 not live, 1 different');
  });
});

describe('egress.logs', () => {
  const SAS = `https://${BLOB_HOST}/models/ckpt-41.pt?sv=2023-11-03&se=2026-11-20T10%3A00%3A00Z&sp=r&sig=abc`;
  const LOGS = {
    'ml/training-7f9c': [
      '2026-11-20 09:14:01 INFO uploading checkpoint',
      `2026-11-20 09:14:03 ERROR urllib3.connectionpool: HTTPSConnectionPool(host='${BLOB_HOST}', port=443): Max retries exceeded with url: /models/ckpt-41.pt (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object>, 'Connection to ${BLOB_HOST} timed out. (connect timeout=10)'))`,
      `2026-11-20 09:14:03 DEBUG signed upload URL ${SAS}`,
    ].join('\n'),
  };

  it('connection-errors, presigned-url and host-denied from the logs', async () => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), logs: LOGS, probe: [API_OK, CONTROL_OK] });
    expect(r.of('egress.logs.connection-errors')[0]!.message).toContain(`${BLOB_HOST}:443 (Python (urllib3/requests): Max retries exceeded)`);
    expect(r.of('egress.logs.presigned-url')[0]!.message).toContain(`to ${BLOB_HOST} (Azure Blob Storage): the SDK reaches this storage host directly`);
    const denied = r.of('egress.logs.host-denied')[0]!;
    expect(denied.severity).toBe('fail');
    expect(denied.message).toMatch(new RegExp(`^${BLOB_HOST.replace(/\./g, '\\.')}:443 \\(from the logs, Azure Blob Storage\\) is denied: `));
    expect(r.check('egress.logs').summary).toBe(`1 host in the logs: ${BLOB_HOST} denied`);
  });

  it('--from-logs: the blob host becomes a target; the diagnosis says where it came from', async () => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), logs: LOGS, probe: [API_OK, ok(BLOB_HOST, 443, [BLOB_IP], { [BLOB_IP]: 'timeout' }), CONTROL_OK], options: { fromLogs: true } });
    expect(r.diagnosis.rootCause).toContain(`cannot reach ${BLOB_HOST}:443`);
    expect(r.diagnosis.rootCause).toContain("The host comes from the pod's logs");
    expect(r.diagnosis.rootCause).toContain(`By contrast ${API_HOST} is allowed`);
  });

  it('unavailable: the logs cannot be read (RBAC), an info and a skip', async () => {
    const r = await runRecorded({ objects: cluster(), logsForbidden: true, probe: [API_OK, CONTROL_OK] });
    expect(r.check('egress.logs').status).toBe('skip');
    expect(r.of('egress.logs.unavailable')[0]!.message).toMatch(/^Reading the logs failed: pods\/log is forbidden: User "dev" cannot get resource "pods\/log"/);
  });
});
