/**
 * Issue 12 §4 end to end: presigned URLs as SDKs print them in a pod's log, and incident 2's two
 * hops. The pod's log (served by the fake API server) holds the API call to the allowed host and
 * three failed presigned downloads, each in its SDK's own shape:
 *  - urllib3 (requests / boto3): `HTTPSConnectionPool(host='…s3…amazonaws.com', port=443): Max
 *    retries exceeded with url: /…?X-Amz-…&X-Amz-Signature=…` (the host and the query apart);
 *  - azure-storage-blob (azure-core): `ServiceRequestError: … Request URL: 'https://…blob.core.
 *    windows.net/…?sv=…&sig=…'` (an Azure SAS: sig + sv);
 *  - Go net/http: `Get "https://storage.googleapis.com/…?X-Goog-…&X-Goog-Signature=…": dial tcp
 *    …:443: i/o timeout` (JSON-escaped quotes in a structured log line).
 * The CNP allows the API host only (toFQDNs); the three storage hosts resolve to a lab address the
 * pod's network drops. Registered in scenarios.ts after EGRESS_SCENARIOS.
 */
import type { Scenario } from './scenarios.ts';
import { EGRESS_LAB, egressScenario, trainingEgress } from './egress-scenarios.ts';

/** the storage hosts of the three shapes (all resolve to EGRESS_LAB.blobIp, which the pod's network drops) */
export const PRESIGNED_HOSTS = {
  s3: 'ml-checkpoints.s3.eu-west-1.amazonaws.com',
  azure: EGRESS_LAB.blobHost,
  gcs: 'storage.googleapis.com',
} as const;

/** one signature per shape: none may appear in any output */
export const PRESIGNED_SIGNATURES = {
  s3: '9f2c4e61b8a07d35e1c2b4a6f8d0e2c4a6b8d0f2e4c6a8b0d2f4e6a8c0b2d4f6',
  azure: 'UzNjcjN0U2FzU2lnbmF0dXJlRm9yVGhlTGFi',
  gcs: '5a1e9c7b3d2f8e6a4c0b9d7f5e3a1c8b6d4f2e0a9c7b5d3f1e8a6c4b2d0f9e7c',
} as const;

const S3_QUERY =
  'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261206%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261206T071500Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host' +
  `&X-Amz-Signature=${PRESIGNED_SIGNATURES.s3}`;
const SAS_QUERY = `sv=2023-11-03&st=2026-12-06T07%3A00%3A00Z&se=2026-12-06T09%3A00%3A00Z&sr=b&sp=r&sig=${PRESIGNED_SIGNATURES.azure}%3D`;
const GCS_QUERY =
  'X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=trainer%40ml-prod.iam.gserviceaccount.com%2F20261206%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20261206T071500Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host' +
  `&X-Goog-Signature=${PRESIGNED_SIGNATURES.gcs}`;

export const PRESIGNED_LOGS = [
  `2026-12-06T07:15:00Z INFO  trainer: POST https://${EGRESS_LAB.apiHost}/v1/runs/42/artifacts -> 200 (3 download URLs)`,
  // urllib3 (boto3 through requests): host and port in the pool, the presigned path in "with url:"
  `2026-12-06T07:15:10Z ERROR trainer: s3 download failed: HTTPSConnectionPool(host='${PRESIGNED_HOSTS.s3}', port=443): Max retries exceeded with url: /run-42/ckpt-0042.pt?${S3_QUERY} (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f3a2c1b5d90>, 'Connection to ${PRESIGNED_HOSTS.s3} timed out. (connect timeout=10)'))`,
  // azure-storage-blob through azure-core
  `2026-12-06T07:15:21Z ERROR azure.core.pipeline.policies: azure.core.exceptions.ServiceRequestError: <urllib3.connection.HTTPSConnection object at 0x7f3a2c0e1a10>: Failed to establish a new connection: [Errno 110] Connection timed out; Request URL: 'https://${PRESIGNED_HOSTS.azure}/models/tokenizer.json?${SAS_QUERY}'`,
  // Go net/http in a structured (logfmt) line: the URL inside escaped quotes
  `time=2026-12-06T07:15:31Z level=error msg="fetch dataset shard" err="Get \\"https://${PRESIGNED_HOSTS.gcs}/ml-datasets/shard-0007.tar?${GCS_QUERY}\\": dial tcp ${EGRESS_LAB.blobIp}:443: i/o timeout"`,
  '',
].join('\n');

const base = egressScenario({
  name: 'egress-presigned-logs',
  description: `presigned downloads in three SDK shapes in the pod's log (urllib3 S3 X-Amz-Signature, azure-storage SAS sig+sv, Go net/http GCS X-Goog-Signature); the CNP allows ${EGRESS_LAB.apiHost} only, the storage hosts are dropped`,
  policies: [trainingEgress()],
  drop: [{ ip: EGRESS_LAB.blobIp }, { ip: EGRESS_LAB.otherIp }],
  logs: PRESIGNED_LOGS,
});

export const EGRESS_LOG_SCENARIOS: Scenario[] = [
  {
    ...base,
    // the storage hosts the lab DNS does not know yet, on the dropped address
    dns: { ...base.dns, [PRESIGNED_HOSTS.s3]: { A: [EGRESS_LAB.blobIp] }, [PRESIGNED_HOSTS.gcs]: { A: [EGRESS_LAB.blobIp] } },
  },
];
