// diagnoseServer on recorded check results: the order causes are told in, and the words.
import { afterAll, describe, expect, it } from 'vitest';
import { ServerContext } from '../../../src/checks/server/context.ts';
import { diagnoseServer } from '../../../src/checks/server/diagnosis.ts';
import type { FindingInput } from '../../../src/engine/definitions.ts';
import { toFinding } from '../../../src/engine/runner.ts';
import { statusFromFindings, type CheckResult, type CheckStatus } from '../../../src/report/types.ts';
import { cleanupTempDirs } from '../kube/helpers.ts';
import { clientOptions } from '../api/helpers.ts';

afterAll(cleanupTempDirs);

function result(id: string, summary: string, findings: FindingInput[] = [], status?: CheckStatus): CheckResult {
  const fs = findings.map(toFinding);
  return { id, title: id, status: status ?? (statusFromFindings(fs) as CheckStatus), durationMs: 1, summary, findings: fs, reproduce: [] };
}

const remote = () => new ServerContext({ ...clientOptions(), local: false });
const nodeOnly = () => new ServerContext({ ...clientOptions({ noKubeconfig: true }), local: true });

describe('diagnoseServer', () => {
  it('healthy: what each check established, in order', () => {
    const d = diagnoseServer(
      [
        result('server.connection', 'answers'),
        result('server.version', 'server v1.24.0, kubectl v1.24.1: same minor version'),
        result('server.health', 'readyz ok (25 checks), livez ok (23 checks)'),
        result('server.apiservices', 'all 31 APIServices Available'),
      ],
      remote(),
    );
    expect(d).toEqual({
      status: 'pass',
      rootCause: 'The API server https://203.0.113.10:6443 looks healthy from its own side: all 31 APIServices Available; readyz ok (25 checks), livez ok (23 checks); server v1.24.0, kubectl v1.24.1: same minor version.',
      remediation: [],
    });
  });

  it('nothing ran: says so', () => {
    const d = diagnoseServer([result('server.connection', 'not applicable', [], 'skip')], nodeOnly());
    expect(d.rootCause).toBe('Nothing could be checked: no kubeconfig and no --local input.');
  });

  it('failures are told by priority (the listener before the certificates), one account per check, warnings counted at the end', () => {
    const d = diagnoseServer(
      [
        result('server.local.pki', '1 EXPIRED', [{ code: 'server.local.pki.expired', message: 'apiserver-kubelet-client.crt expired.' }]),
        result('server.local.logs', 'errors', [{ code: 'server.local.logs.etcd-errors', message: '2 etcd errors.' }]),
        result('server.local.firewall', '2 rules', [
          { code: 'server.local.firewall.drop-before-accept', message: 'A DROP rule on port 6443 comes before the ACCEPT. Clients see a connect timeout.' },
          { code: 'server.local.firewall.blocked', message: 'iptables rule drops port 6443.' },
        ]),
        result('server.local.listen', 'loopback', [{ code: 'server.local.listen.loopback-only', message: 'The API server listens on 127.0.0.1 port 6443 only.' }]),
      ],
      nodeOnly(),
    );
    expect(d.status).toBe('fail');
    expect(d.rootCause).toBe(
      'The API server on this node has 4 problems on its own side. The API server listens on 127.0.0.1 port 6443 only. 2 rules. Clients see a connect timeout. apiserver-kubelet-client.crt expired. Also 1 warning: server.local.logs.etcd-errors.',
    );
    expect(d.remediation[0]).toMatch(/bind address/);
  });

  it('warnings only: the server works, with the warnings told', () => {
    const d = diagnoseServer([result('server.connection', 'answers'), result('server.version', 'skew', [{ code: 'server.version.skew', message: 'kubectl v1.21 is 3 minor versions older.' }])], remote());
    expect(d).toMatchObject({ status: 'warn', rootCause: 'The API server https://203.0.113.10:6443 works, with 1 warning. kubectl v1.21 is 3 minor versions older.' });
  });

  it("a kubeconfig whose CA does not verify the server (issue 11 point 7): blames this client's CA, not the server's own side", () => {
    const d = diagnoseServer(
      [
        result('server.connection', 'not trusted', [{ code: 'server.connection.untrusted', message: 'The certificate presented for https://203.0.113.10:6443 (CN=kube-apiserver issued by CN=kubernetes) does not verify against the kubeconfig CA: x509: certificate signed by unknown authority.' }]),
        result('server.apiservices', 'skipped because server.connection failed', [], 'skip'),
      ],
      remote(),
    );
    expect(d.status).toBe('fail');
    expect(d.rootCause).toMatch(/^The problem is on this client's side, not the server's: the CA in this kubeconfig does not verify the certificate https:\/\/203\.0\.113\.10:6443 presents, so no credential was sent and the server's own side could not be examined/);
    expect(d.rootCause).not.toContain('on its own side');
  });

  it('an APIService that is not Available (issue 11 point 3): the root cause says kubectl still works, not that discovery fails for every command', () => {
    const d = diagnoseServer(
      [
        result('server.connection', 'answers'),
        result('server.apiservices', '2 of 32 APIServices not Available', [
          { code: 'server.apiservices.unavailable', message: 'APIService v1beta1.metrics.k8s.io is not Available: EndpointsNotFound. kubectl commands still work, but print "couldn\'t get resource list for metrics.k8s.io/v1beta1: the server is currently unable to handle the request" on every discovery; what needs the complete list of APIs fails.' },
          { code: 'server.apiservices.unavailable', message: 'APIService v1beta1.custom.metrics.k8s.io is not Available.' },
        ]),
      ],
      remote(),
    );
    expect(d.rootCause).toBe(
      'The API server https://203.0.113.10:6443 has 2 problems on its own side. 2 of 32 APIServices not Available. kubectl commands still work, but print "couldn\'t get resource list for metrics.k8s.io/v1beta1: the server is currently unable to handle the request" on every discovery.',
    );
  });
});
