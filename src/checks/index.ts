// Every diagnosis the tool has. The TUI menu and the catalog test read this list; a new
// diagnosis (egress, cert/ingress, server) adds one entry.
import { apiDiagnosis } from './api/index.ts';
import { serverDiagnosis } from './server/index.ts';
import { certDiagnosis, ingressDiagnosis } from './ingress/index.ts';
import type { DiagnosisDefinition } from './registry.ts';
import { egressDiagnosis } from './egress/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const DIAGNOSES: DiagnosisDefinition<any, any>[] = [apiDiagnosis, serverDiagnosis, certDiagnosis, ingressDiagnosis, egressDiagnosis];
