// diagnoseEgress on recorded check results: the root cause a user reads, branch by branch.
import { describe, expect, it } from 'vitest';
import { diagnoseEgress } from '../../../src/checks/egress/diagnosis.ts';
import type { CheckResult } from '../../../src/report/types.ts';
import { ALLOW_API, API_HOST, API_IP, BLOB_HOST, BLOB_IP, cluster, CONTROL_OK, netpol, ok, recordedContext, runRecorded } from './harness.ts';

describe('diagnoseEgress', () => {
  it('the pod check failed: its first finding is the root cause, with its remediation', () => {
    const ctx = recordedContext({ objects: cluster() });
    const pod: CheckResult = {
      id: 'egress.pod',
      title: 'Pod and probe tools',
      status: 'fail',
      durationMs: 3,
      summary: 'cannot read pod ml/training-7f9c: Unauthorized',
      findings: [{ code: 'egress.pod.api-error', severity: 'fail', message: 'Reading pod ml/training-7f9c failed: Unauthorized', remediation: ['Run `kubectl netdiag api`.'] }],
      reproduce: [],
    };
    const skipped = (id: string): CheckResult => ({ id, title: id, status: 'skip', durationMs: 0, summary: 'skipped because egress.pod failed', findings: [], reproduce: [] });
    const d = diagnoseEgress([pod, skipped('egress.dns'), skipped('egress.tcp')], ctx);
    expect(d).toEqual({ status: 'fail', rootCause: 'Reading pod ml/training-7f9c failed: Unauthorized', remediation: ['Run `kubectl netdiag api`.'] });
  });

  it('DNS denied by the policies comes first, before the target', async () => {
    const httpsOnly = netpol('allow-https', [{ ports: [{ port: 443, protocol: 'TCP' }] }]);
    const r = await runRecorded({ objects: cluster(httpsOnly), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: true }), CONTROL_OK] });
    const d = diagnoseEgress(r.results, r.ctx);
    expect(d.rootCause).toMatch(/^DNS is blocked, not the target: .* Inside pod ml\/training-7f9c every lookup fails/);
    expect(d.remediation.at(-1)).toBe('Verify: `kubectl netdiag egress -n ml training-7f9c api.example.net:443`');
  });

  it('a denied target: the policy, the live probe agreeing, the allowed contrast and the fix', async () => {
    const r = await runRecorded({
      objects: cluster(ALLOW_API),
      probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: true }), ok(BLOB_HOST, 443, [BLOB_IP], { [BLOB_IP]: 'timeout' }), CONTROL_OK],
      options: { target: `${BLOB_HOST}:443` },
    });
    const d = diagnoseEgress(r.results, r.ctx);
    expect(d.status).toBe('fail');
    expect(d.rootCause).toMatch(new RegExp(`^Pod ml/training-7f9c cannot reach ${BLOB_HOST}:443: `));
    expect(d.rootCause).toContain('The live probe times out (python3), which agrees with the policies.');
    expect(d.rootCause).toContain('CiliumNetworkPolicy ml/training-egress is managed by Flux (Kustomization flux-system/ml-apps)');
    expect(d.remediation[0]).toContain(BLOB_HOST);
    expect(d.remediation[0]).toContain('of CiliumNetworkPolicy ml/training-egress');
  });

  it('allowed by the policies but failing live: the cause is outside the policies', async () => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: 'refused' }), CONTROL_OK] });
    const d = diagnoseEgress(r.results, r.ctx);
    expect(d.rootCause).toBe(`From pod ml/training-7f9c, TCP to ${API_HOST} (${API_IP}):443 was refused. The policies allow the flow (CiliumNetworkPolicy ml/training-egress egress[1] toFQDNs[0] matchName: ${API_HOST} (toPorts[0] TCP/443)): the cause is outside them.`);
  });

  it('nothing wrong: reachable, with the live probe agreeing', async () => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: true }), CONTROL_OK] });
    const d = diagnoseEgress(r.results, r.ctx);
    expect(d.status).toBe('pass');
    expect(d.rootCause).toMatch(new RegExp(`^${API_HOST}:443 is reachable from pod ml/training-7f9c: .* The live probe connects, which agrees with the policies\\.$`));
  });
});
