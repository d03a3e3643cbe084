// kubectl netdiag version: what was built, from what, and where it runs. The commit and build date
// are written into the bundle by scripts/build.mjs (esbuild `define` of __NETDIAG_BUILD__); run from
// the sources (tests, `node src/cli/bin.ts`) they are "unknown".
import { TOOL_VERSION } from '../../report/version.ts';
import type { CommandContext } from '../report-command.ts';

declare const __NETDIAG_BUILD__: { commit: string; date: string } | undefined;

export interface VersionInfo {
  name: 'kubectl-netdiag';
  version: string;
  commit: string;
  buildDate: string;
  node: string;
  /** krew's os/arch words: linux, darwin, windows / amd64, arm64 */
  os: string;
  arch: string;
}

const OS: Record<string, string> = { win32: 'windows' };
const ARCH: Record<string, string> = { x64: 'amd64', ia32: '386' };

export function versionInfo(platform: string = process.platform, arch: string = process.arch, node: string = process.version): VersionInfo {
  const build = typeof __NETDIAG_BUILD__ !== 'undefined' && __NETDIAG_BUILD__ ? __NETDIAG_BUILD__ : { commit: 'unknown', date: 'unknown' };
  return { name: 'kubectl-netdiag', version: TOOL_VERSION, commit: build.commit, buildDate: build.date, node, os: OS[platform] ?? platform, arch: ARCH[arch] ?? arch };
}

export function renderVersion(v: VersionInfo, format: string | undefined): string {
  if (format === 'json') return `${JSON.stringify(v, null, 2)}\n`;
  if (format === 'yaml') return Object.entries(v).map(([k, x]) => `${k}: ${JSON.stringify(x)}\n`).join('');
  return (
    `kubectl-netdiag ${v.version}\n` +
    `  commit:     ${v.commit}\n` +
    `  built:      ${v.buildDate}\n` +
    `  node:       ${v.node}\n` +
    `  platform:   ${v.os}/${v.arch}\n`
  );
}

export async function run(cc: CommandContext): Promise<number> {
  cc.io.stdout.write(renderVersion(versionInfo(), cc.flags.output));
  return 0;
}
