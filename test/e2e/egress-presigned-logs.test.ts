// Issue 12 §4 end to end: `kubectl netdiag egress --from-logs` (the BUILT executable) on a pod whose
// log holds presigned downloads in three SDK shapes (urllib3 S3, azure-storage SAS, Go net/http
// GCS; test/lab/egress-log-scenarios.ts). The API host is allowed, the storage hosts are denied:
// egress.logs.two-hops fires for each, the root cause explains the two hops, and no signature
// appears in any output format, with -v, on stdout, stderr or in the --output-file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type ExecResult, type Lab } from '../lab/netns.ts';
import { EGRESS_LAB } from '../lab/egress-scenarios.ts';
import { PRESIGNED_HOSTS, PRESIGNED_SIGNATURES } from '../lab/egress-log-scenarios.ts';
import type { Report } from '../../src/report/types.ts';
import { EXE, readReport, requireBuild } from './harness.ts';

const FORMATS = ['json', 'text', 'yaml', 'markdown'] as const;
const ARGS = ['egress', '-n', EGRESS_LAB.ns, EGRESS_LAB.pod, '--from-logs', '--timeout', '2s'];

describe('egress-presigned-logs: three SDK shapes of a presigned download, the API host allowed, the storage hosts denied', () => {
  let lab: Lab;
  const runs: Partial<Record<(typeof FORMATS)[number], ExecResult & { file: string }>> = {};
  let report: Report;

  beforeAll(async () => {
    requireBuild();
    lab = await startLab('egress-presigned-logs');
    await Promise.all(
      FORMATS.map(async (fmt) => {
        const file = join(lab.tmpdir, `presigned.${fmt}`);
        const r = await lab.exec(EXE, [...ARGS, '--kubeconfig', lab.kubeconfig, '-v', '-o', fmt, '--output-file', file], { env: lab.baseEnv(), timeoutMs: 60_000 });
        runs[fmt] = { ...r, file: readFileSync(file, 'utf8') };
      }),
    );
    report = readReport(runs.json!, lab).report;
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });

  const logs = () => report.checks.find((c) => c.id === 'egress.logs')!;

  it('recognises each shape as a presigned URL to its storage host', () => {
    const presigned = logs().findings.filter((f) => f.code === 'egress.logs.presigned-url').map((f) => f.message);
    expect(presigned).toHaveLength(3);
    expect(presigned.find((m) => m.includes(` to ${PRESIGNED_HOSTS.s3}`))).toMatch(/^AWS S3/);
    expect(presigned.find((m) => m.includes(` to ${PRESIGNED_HOSTS.azure}`))).toMatch(/^Azure SAS/);
    expect(presigned.find((m) => m.includes(` to ${PRESIGNED_HOSTS.gcs}`))).toMatch(/Google Cloud Storage|GCS/);
  });

  it('egress.logs.two-hops for every storage host: the API call allowed, the presigned download denied', () => {
    const twoHops = logs().findings.filter((f) => f.code === 'egress.logs.two-hops');
    expect(twoHops.map((f) => f.severity)).toEqual(['fail', 'fail', 'fail']);
    for (const host of Object.values(PRESIGNED_HOSTS)) {
      const f = twoHops.find((x) => x.message.includes(` straight to ${host}:443`));
      expect(f, host).toBeDefined();
      expect(f!.message).toMatch(new RegExp(`^Two hops in the logs of ${EGRESS_LAB.pod}/trainer: the call to the API host ${EGRESS_LAB.apiHost.replace(/\./g, '\\.')}:443 is allowed, then the presigned download \\(`));
      expect(f!.message).toContain('Allowing the API host is not enough: the storage host must be allowed as well.');
    }
    expect(runs.json!.code).toBe(1);
    expect(report.diagnosis.status).toBe('fail');
  });

  it('the root cause explains the two hops', () => {
    const rc = report.diagnosis.rootCause;
    expect(rc).toMatch(new RegExp(`cannot reach (${Object.values(PRESIGNED_HOSTS).map((h) => h.replace(/\./g, '\\.')).join('|')})`));
    expect(rc).toContain(`the call to the API host ${EGRESS_LAB.apiHost}:443 is allowed, then the presigned download`);
    expect(rc).toContain('the storage host must be allowed as well');
  });

  it('no signature in any format, with -v, on stdout, stderr or in the --output-file; the other query parameters kept', () => {
    for (const fmt of FORMATS) {
      const r = runs[fmt]!;
      expect(r.stdout.length, fmt).toBeGreaterThan(200);
      for (const [shape, sig] of Object.entries(PRESIGNED_SIGNATURES)) {
        for (const [where, text] of [['stdout', r.stdout], ['stderr', r.stderr], ['file', r.file]] as const) {
          expect(text, `${fmt} ${where} ${shape}`).not.toContain(sig);
          expect(text, `${fmt} ${where} ${shape}`).not.toContain(sig.slice(0, 16));
        }
      }
    }
    // what the signature signs is not secret, and shows which URL it was
    const hosts = JSON.stringify(logs().evidence);
    expect(hosts).toContain('X-Amz-Signature=REDACTED');
    expect(hosts).toContain('sig=REDACTED');
    expect(hosts).toContain('X-Goog-Signature=REDACTED');
  });
});
