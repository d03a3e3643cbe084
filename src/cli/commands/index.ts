// The commands, as data: name, usage, their own flags, and the module that runs them (loaded only
// when that command runs, so `version` and `--help` stay fast). A new diagnosis adds an entry here
// and a module under src/cli/commands/.
import type { Argv } from 'yargs';
import type { CommandContext } from '../report-command.ts';

export interface CommandModule {
  run(cc: CommandContext): Promise<number>;
}

export interface CommandEntry {
  /** yargs command string, e.g. 'api' or 'egress <pod> <target>' */
  command: string;
  describe: string;
  builder?: (y: Argv) => Argv;
  /** flags that accumulate when repeated; every other repeated flag keeps its last value */
  listFlags?: string[];
  load(): Promise<CommandModule>;
}

export const COMMANDS: CommandEntry[] = [
  {
    command: 'api',
    describe: 'diagnose this machine → API server (kubeconfig, DNS, proxy, TCP, TLS, HTTP, health, auth, endpoints)',
    builder: (y) =>
      y.option('endpoint', {
        type: 'string',
        array: true,
        describe: 'another address of the API server to probe (URL or host:port; repeatable)',
      }),
    listFlags: ['endpoint'],
    load: () => import('./api.ts'),
  },
];
