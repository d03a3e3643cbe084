// kubectl netdiag ingress HOST: why the world cannot reach an Ingress host, and why there is no certificate.
import { ingressDiagnosis } from '../../checks/ingress/index.ts';
import { runReportCommand, type CommandContext } from '../report-command.ts';
import { EXIT } from '../io.ts';
import { options } from './cert.ts';

export function run(cc: CommandContext): Promise<number> {
  const o = options(cc);
  if ('error' in o) {
    cc.io.stderr.write(`error: ${o.error}\n`);
    return Promise.resolve(EXIT.usage);
  }
  return runReportCommand(ingressDiagnosis, o, cc);
}
