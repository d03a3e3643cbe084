// Which kubeconfig files kubectl reads when no --kubeconfig is given, by the platform's rules. Its
// own small module: `cert` decides "no cluster" from it without loading the kubeconfig parser.
import { hostPlatform, kubeHomeDir, pathsOf, platformEnv, splitPathList, type Env, type HomeProbe, type Platform } from '../net/platform.ts';

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

/**
 * The kubeconfig files kubectl would read without --kubeconfig, in order: KUBECONFIG's list
 * (filepath.SplitList of the platform: ';' on Windows, ':' elsewhere; empty entries ignored,
 * duplicates dropped), else the home's .kube/config (client-go's homedir on Windows).
 */
export function defaultKubeconfigFiles(
  opts: { env: Env; homeDir: string; platform?: Platform },
  probe?: HomeProbe,
): { from: 'KUBECONFIG' | 'default'; paths: string[] } {
  const platform = opts.platform ?? hostPlatform();
  const env = platformEnv(opts.env, platform);
  const list = nonEmpty(env.KUBECONFIG);
  if (list) {
    const seen = new Set<string>();
    const paths: string[] = [];
    for (const p of splitPathList(list, platform)) {
      if (p === '' || seen.has(p)) continue;
      seen.add(p);
      paths.push(p);
    }
    return { from: 'KUBECONFIG', paths };
  }
  const home = platform === 'win32' ? (kubeHomeDir(env, platform, probe) ?? opts.homeDir) : opts.homeDir;
  return { from: 'default', paths: [pathsOf(platform).join(home, '.kube', 'config')] };
}

