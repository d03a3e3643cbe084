// The commands with what runs them: each module is loaded only when its command runs, so
// `version` and `--help` stay fast. The data (names, usage, flags) is in ./spec.ts.
import type { CommandContext } from '../report-command.ts';
import { COMMAND_SPECS, commandName, type CommandSpec } from './spec.ts';

export interface CommandModule {
  run(cc: CommandContext): Promise<number>;
}

export interface CommandEntry extends CommandSpec {
  load(): Promise<CommandModule>;
}

const LOADERS: Record<string, () => Promise<CommandModule>> = {
  api: () => import('./api.ts'),
  server: () => import('./server.ts'),
  diff: () => import('./diff.ts'),
  open: () => import('../open.tsx'),
  egress: () => import('./egress.ts'),
  cert: () => import('./cert.ts'),
  ingress: () => import('./ingress.ts'),
  version: () => import('./version.ts'),
  completion: () => import('./completion.ts'),
};

export const COMMANDS: CommandEntry[] = COMMAND_SPECS.map((c) => {
  const load = LOADERS[commandName(c)];
  if (!load) throw new Error(`command ${c.command} has no module`);
  return { ...c, load };
});
