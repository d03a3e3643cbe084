// Live-vs-git drift for --source DIR: the policies in a directory of manifests (or its
// `kubectl kustomize` output) compared with the live ones, spec by spec.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { objKey, type KubeObj } from './owner.ts';

export interface SourceObject {
  obj: KubeObj;
  file: string;
}

export const POLICY_KINDS = new Set(['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    if (n.startsWith('.')) continue;
    const p = join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/i.test(n)) out.push(p);
  }
  return out;
}

function parseDocs(text: string, file: string): SourceObject[] {
  const out: SourceObject[] = [];
  for (const d of loadAll(text) as unknown[]) {
    if (!d || typeof d !== 'object') continue;
    const o = d as KubeObj;
    if (o.kind === 'List' && Array.isArray((o as { items?: unknown }).items)) {
      for (const it of (o as unknown as { items: KubeObj[] }).items) if (it?.metadata?.name) out.push({ obj: it, file });
    } else if (o.metadata?.name) out.push({ obj: o, file });
  }
  return out;
}

/** The policies in a directory: `kubectl kustomize DIR` when it holds a kustomization, else every YAML file. */
export async function loadSource(dir: string, timeoutMs: number): Promise<{ objects: SourceObject[]; how: string; errors: string[] }> {
  const errors: string[] = [];
  const isKustomize = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) => existsSync(join(dir, f)));
  if (isKustomize) {
    const text = await new Promise<string>((resolve) => {
      execFile('kubectl', ['kustomize', dir], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) {
          errors.push(`kubectl kustomize ${dir}: ${(stderr || err.message).trim()}`);
          resolve('');
        } else resolve(stdout);
      });
    });
    if (text) return { objects: parseDocs(text, `kustomize ${dir}`), how: `kubectl kustomize ${dir}`, errors };
  }
  const objects: SourceObject[] = [];
  for (const f of yamlFiles(dir)) {
    try {
      objects.push(...parseDocs(readFileSync(f, 'utf8'), relative(dir, f) || f));
    } catch (e) {
      errors.push(`${f}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { objects, how: `${objects.length} objects from the YAML files under ${dir}`, errors };
}

function specOf(o: KubeObj): unknown {
  return o.specs !== undefined ? { specs: o.specs } : { spec: o.spec };
}

/** Lines of the YAML of the live spec not in git (+) and of git not live (-). */
export function specDiff(live: KubeObj, git: KubeObj): string[] {
  const a = dump(specOf(git), { lineWidth: -1, sortKeys: true }).split('\n').filter(Boolean);
  const b = dump(specOf(live), { lineWidth: -1, sortKeys: true }).split('\n').filter(Boolean);
  // LCS line diff (small inputs)
  const n = a.length;
  const m = b.length;
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  while (i < n) out.push(`- ${a[i++]}`);
  while (j < m) out.push(`+ ${b[j++]}`);
  return out;
}

export interface Drift {
  notInGit: KubeObj[];
  notLive: SourceObject[];
  different: { live: KubeObj; git: SourceObject; diff: string[] }[];
  same: string[];
}

export function compareWithSource(live: KubeObj[], source: SourceObject[], inScope: (o: KubeObj) => boolean): Drift {
  const git = new Map(source.filter((s) => POLICY_KINDS.has(s.obj.kind ?? '') && inScope(s.obj)).map((s) => [objKey(s.obj), s]));
  const drift: Drift = { notInGit: [], notLive: [], different: [], same: [] };
  const liveKeys = new Set<string>();
  for (const o of live) {
    const k = objKey(o);
    liveKeys.add(k);
    const g = git.get(k);
    if (!g) drift.notInGit.push(o);
    else {
      const diff = specDiff(o, g.obj);
      if (diff.length) drift.different.push({ live: o, git: g, diff });
      else drift.same.push(k);
    }
  }
  for (const [k, g] of git) if (!liveKeys.has(k)) drift.notLive.push(g);
  return drift;
}
