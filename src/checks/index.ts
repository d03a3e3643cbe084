// Every diagnosis the tool has. The catalog test reads this list; a new diagnosis (egress,
// cert/ingress, server) adds one entry here and its menu entry in ./menu.ts (the TUI menu reads
// that light list, so its first paint loads no check; test/unit/tui/first-paint.test.ts keeps the two equal).
import { apiDiagnosis } from './api/index.ts';
import { serverDiagnosis } from './server/index.ts';
import { certDiagnosis } from './cert/index.ts';
import { ingressDiagnosis } from './ingress/index.ts';
import type { DiagnosisDefinition } from '../engine/definitions.ts';
import { egressDiagnosis } from './egress/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const DIAGNOSES: DiagnosisDefinition<any, any>[] = [apiDiagnosis, serverDiagnosis, certDiagnosis, ingressDiagnosis, egressDiagnosis];
