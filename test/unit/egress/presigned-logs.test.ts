// Issue 12 §4: presigned URLs as SDKs print them (urllib3, botocore, azure-core, Go net/http, Java,
// Node), their signatures never printed, and incident 2's two hops: the API call allowed, the
// presigned download to the storage host denied.
import { describe, expect, it } from 'vitest';
import { presignedInLine, scanLogs } from '../../../src/checks/egress/log-scan.ts';
import { Redactor, redactQuerySecrets } from '../../../src/report/redact.ts';
import { ALLOW_API, API_HOST, API_IP, BLOB_HOST, BLOB_IP, cluster, CONTROL_OK, ok, runRecorded } from './harness.ts';

const SIG = 'Zm9vYmFyc2lnbmF0dXJlMTIz';
const S3 = 'models.s3.eu-west-1.amazonaws.com';
const GCS = 'storage.googleapis.com';
const S3_QUERY = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261206%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261206T053000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIG}`;
const SAS_QUERY = `sv=2022-11-02&se=2026-12-06T10%3A00%3A00Z&sr=b&sp=r&sig=${SIG}%3D`;
const GCS_QUERY = `X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=sa%40p.iam.gserviceaccount.com%2F20261206%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20261206T053000Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature=${SIG}`;

/** [shape, log line, host, port, presigned kind (start), runtime] */
const SHAPES: [string, string, string, number, string][] = [
  [
    'urllib3 (requests): host in HTTPSConnectionPool, the query in "with url:"',
    `urllib3.exceptions.MaxRetryError: HTTPSConnectionPool(host='${BLOB_HOST}', port=443): Max retries exceeded with url: /models/m.bin?${SAS_QUERY} (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f2c>, 'Connection to ${BLOB_HOST} timed out. (connect timeout=10)'))`,
    BLOB_HOST,
    443,
    'Azure SAS',
  ],
  [
    'botocore: Connect timeout on endpoint URL',
    `botocore.exceptions.ConnectTimeoutError: Connect timeout on endpoint URL: "https://${S3}/m.bin?${S3_QUERY}"`,
    S3,
    443,
    'AWS S3',
  ],
  [
    'botocore: Could not connect to the endpoint URL',
    `botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint URL: "https://${S3}/m.bin?${S3_QUERY}"`,
    S3,
    443,
    'AWS S3',
  ],
  [
    'azure-storage-blob (azure-core): ServiceRequestError with the request URL',
    `azure.core.exceptions.ServiceRequestError: <urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno 110] Connection timed out; Request URL: 'https://${BLOB_HOST}/models/m.bin?${SAS_QUERY}'`,
    BLOB_HOST,
    443,
    'Azure SAS',
  ],
  [
    'Go net/http: Get "URL": dial tcp: i/o timeout',
    `level=error msg="download failed" err="Get \\"https://${GCS}/bucket/m.bin?${GCS_QUERY}\\": dial tcp 142.250.1.2:443: i/o timeout"`,
    GCS,
    443,
    'Google Cloud Storage',
  ],
  [
    'Java (AWS SDK v2, Apache HttpClient): Connect to HOST:443 [...] failed',
    `software.amazon.awssdk.core.exception.SdkClientException: Unable to execute HTTP request: Connect to ${S3}:443 [${S3}/52.218.1.2] failed: Connect timed out (GET /m.bin?${S3_QUERY})`,
    S3,
    443,
    'AWS S3',
  ],
  [
    'Node.js fetch (undici): attempted address',
    `TypeError: fetch failed { cause: ConnectTimeoutError: Connect Timeout Error (attempted address: ${BLOB_HOST}:443, timeout: 10000ms) } url=/models/m.bin?${SAS_QUERY}`,
    BLOB_HOST,
    443,
    'Azure SAS',
  ],
];

describe('presigned URLs in the log shapes of the SDKs', () => {
  it.each(SHAPES)('%s', (_shape, line, host, port, kind) => {
    const hits = scanLogs(`INFO starting\n${line}\n`).filter((h) => h.host === host);
    expect(hits.length, JSON.stringify(scanLogs(line))).toBeGreaterThan(0);
    expect(hits.some((h) => h.port === port && h.presigned?.startsWith(kind))).toBe(true);
    // the signature never reaches a finding's evidence
    for (const h of hits) expect(h.line).not.toContain(SIG);
  });

  it('presignedInLine: S3, Azure SAS (sig with sv), GCS; not a lone sig or an ordinary query', () => {
    expect(presignedInLine(`with url: /m.bin?${SAS_QUERY}`)).toMatch(/^Azure SAS/);
    expect(presignedInLine(`GET /m.bin?${S3_QUERY}`)).toMatch(/^AWS S3/);
    expect(presignedInLine(`/b/m.bin?${GCS_QUERY}`)).toMatch(/^Google Cloud Storage/);
    expect(presignedInLine('GET /search?sig=1&q=x')).toBeUndefined();
    expect(presignedInLine('GET /search?q=x&page=2')).toBeUndefined();
  });
});

describe('the redactor masks presigned signatures everywhere', () => {
  it.each([
    [`https://${S3}/m.bin?${S3_QUERY}`, 'X-Amz-Signature=REDACTED'],
    [`with url: /models/m.bin?${SAS_QUERY} (Caused by`, 'sig=REDACTED'],
    [`https://${GCS}/b/m.bin?${GCS_QUERY}`, 'X-Goog-Signature=REDACTED'],
    [`https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIA&Expires=1&Signature=${SIG}`, 'Signature=REDACTED'],
    [`https://${S3}/k?X-Amz-Security-Token=${SIG}&X-Amz-Signature=${SIG}`, 'X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED'],
  ])('%s', (text, want) => {
    for (const out of [redactQuerySecrets(text), new Redactor().redact(text), new Redactor().redact(JSON.stringify({ line: text }))]) {
      expect(out).toContain(want);
      expect(out).not.toContain(SIG);
    }
  });
  it('leaves the other parameters (sv, se, X-Amz-Credential) and ordinary words alone', () => {
    const out = redactQuerySecrets(`/m.bin?${SAS_QUERY}`);
    expect(out).toContain('sv=2022-11-02&se=2026-12-06T10%3A00%3A00Z&sr=b&sp=r&sig=REDACTED');
    expect(redactQuerySecrets('the signature=valid; design=ok')).toBe('the signature=valid; design=ok');
  });
});

describe('egress.logs.two-hops (incident 2)', () => {
  const LOGS = {
    'ml/training-7f9c': [
      `2026-12-06 05:30:01 INFO POST https://${API_HOST}/v1/models/m/download -> 200 (download_url=https://${BLOB_HOST}/models/m.bin?${SAS_QUERY})`,
      `2026-12-06 05:30:11 ERROR HTTPSConnectionPool(host='${BLOB_HOST}', port=443): Max retries exceeded with url: /models/m.bin?${SAS_QUERY} (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object>, 'Connection to ${BLOB_HOST} timed out. (connect timeout=10)'))`,
    ].join('\n'),
  };
  const API_OK = ok(API_HOST, 443, [API_IP], { [API_IP]: true });

  it('the API host is allowed, the storage host is not: the finding and the root cause explain the two hops', async () => {
    const r = await runRecorded({ objects: cluster(ALLOW_API), logs: LOGS, probe: [API_OK, ok(BLOB_HOST, 443, [BLOB_IP], { [BLOB_IP]: 'timeout' }), CONTROL_OK], options: { fromLogs: true } });
    const f = r.of('egress.logs.two-hops');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('fail');
    expect(f[0]!.message).toMatch(
      new RegExp(
        `^Two hops in the logs of training-7f9c/[\\w-]+: the call to the API host ${API_HOST.replace(/\./g, '\\.')}:443 is allowed, then the presigned download \\(Azure SAS URL \\(sig/se/sp\\)\\) goes straight to ${BLOB_HOST.replace(/\./g, '\\.')}:443 \\(Azure Blob Storage\\), which is denied: `,
      ),
    );
    expect(f[0]!.message).toContain('Allowing the API host is not enough: the storage host must be allowed as well.');
    expect(r.diagnosis.rootCause).toContain(`the call to the API host ${API_HOST}:443 is allowed, then the presigned download`);
    expect(JSON.stringify(r)).not.toContain(SIG);
  });

  it('no two hops when the storage host is allowed too, or when no allowed API host is in the log', async () => {
    const both = { ...ALLOW_API, spec: { ...(ALLOW_API.spec as object), egress: [...((ALLOW_API.spec as { egress: unknown[] }).egress), { toFQDNs: [{ matchName: BLOB_HOST }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] } };
    const r1 = await runRecorded({ objects: cluster(both), logs: LOGS, probe: [API_OK, CONTROL_OK] });
    expect(r1.of('egress.logs.two-hops')).toEqual([]);
    const onlyStorage = { 'ml/training-7f9c': LOGS['ml/training-7f9c'].split('\n')[1]! };
    const r2 = await runRecorded({ objects: cluster(ALLOW_API), logs: onlyStorage, probe: [API_OK, CONTROL_OK] });
    expect(r2.of('egress.logs.two-hops')).toEqual([]);
    expect(r2.of('egress.logs.host-denied')).toHaveLength(1);
  });
});
