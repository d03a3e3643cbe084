// What krew and krew-index do with plugin.yaml, for tests: the manifest rules krew-index's review
// applies, and an install as `kubectl krew install --manifest=plugin.yaml --archive=FILE` does it
// (select the platform by os/arch, check the sha256, unpack, copy `files`, link `bin`).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Platform {
  selector: { matchLabels: Record<string, string> };
  uri: string;
  sha256: string;
  files: { from: string; to: string }[];
  bin: string;
}
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { version: string; homepage: string; shortDescription: string; description: string; caveats: string; platforms: Platform[] };
}

/** krew-index's rules (its plugin naming and description guide, and krew's validation). */
export function krewManifestProblems(m: Manifest, packageVersion: string): string[] {
  const p: string[] = [];
  if (m.apiVersion !== 'krew.googlecontainertools.github.com/v1alpha2') p.push(`apiVersion ${m.apiVersion}`);
  if (m.kind !== 'Plugin') p.push(`kind ${m.kind}`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(m.metadata?.name ?? '')) p.push(`name ${m.metadata?.name}`);
  if (m.spec.version !== `v${packageVersion}`) p.push(`version ${m.spec.version} is not v${packageVersion}`);
  if (!/^v\d+\.\d+\.\d+/.test(m.spec.version)) p.push('version is not semver with a leading v');
  const sd = m.spec.shortDescription ?? '';
  if (!sd) p.push('no shortDescription');
  else if (sd.length > 50) p.push(`shortDescription is ${sd.length} characters (at most 50)`);
  const lines = (m.spec.description ?? '').split('\n');
  lines.forEach((l, i) => {
    if (l.length > 80) p.push(`description line ${i + 1} is ${l.length} columns (at most 80)`);
  });
  for (const l of lines) if (/^\s*(\$ |kubectl |kubectl-)/.test(l) || /`kubectl [a-z]/.test(l)) p.push(`description has a usage example: ${JSON.stringify(l.trim())}`);
  if (!/^https:\/\//.test(m.spec.homepage ?? '')) p.push('homepage is not an https URL');
  if (!m.spec.caveats?.trim()) p.push('no caveats');
  const seen = new Set<string>();
  for (const pl of m.spec.platforms ?? []) {
    const key = `${pl.selector.matchLabels.os}/${pl.selector.matchLabels.arch}`;
    if (seen.has(key)) p.push(`${key}: two entries`);
    seen.add(key);
    if (!pl.uri.includes(`/${m.spec.version}/`)) p.push(`${key}: uri does not name version ${m.spec.version}`);
    if (!/^[0-9a-f]{64}$/.test(pl.sha256)) p.push(`${key}: sha256 ${pl.sha256}`);
    if (!/\.(tar\.gz|tgz|zip)$/.test(pl.uri)) p.push(`${key}: archive type of ${pl.uri}`);
    if (!pl.bin) p.push(`${key}: no bin`);
  }
  return p;
}

/** The platform krew picks for os/arch: the first entry whose matchLabels all match. */
export function selectPlatform(m: Manifest, os: string, arch: string): Platform | undefined {
  return m.spec.platforms.find((p) => Object.entries(p.selector.matchLabels).every(([k, v]) => ({ os, arch })[k as 'os'] === v));
}

export interface Installed {
  /** the plugin's folder in krew's store */
  store: string;
  /** krew's link (or, on windows, copy) in ~/.krew/bin */
  link: string;
  /** krew's root (~/.krew) */
  root: string;
}

/** Every krew root krewInstall made (each holds an unpacked archive, ~300 MB): removeKrewInstalls deletes them. */
const roots: string[] = [];

/** Delete what krewInstall unpacked (a test file calls it after all its tests). */
export function removeKrewInstalls(): void {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
}

/** Install one platform entry from a local archive as krew does; throws on what krew refuses. */
export function krewInstall(m: Manifest, os: string, arch: string, archive: string): Installed {
  const p = selectPlatform(m, os, arch);
  if (!p) throw new Error(`no platform entry for ${os}/${arch}`);
  if (p.uri.split('/').at(-1) !== archive.split('/').at(-1)) throw new Error(`${os}/${arch}: uri ${p.uri} is not ${archive}`);
  const sum = createHash('sha256').update(readFileSync(archive)).digest('hex');
  if (sum !== p.sha256) throw new Error(`${os}/${arch}: sha256 ${sum} is not the manifest's ${p.sha256}`);
  const root = mkdtempSync(join(tmpdir(), 'netdiag-krew-'));
  roots.push(root);
  const unpacked = join(root, 'download');
  mkdirSync(unpacked);
  if (archive.endsWith('.zip')) execFileSync('unzip', ['-q', archive, '-d', unpacked]);
  else execFileSync('tar', ['xzf', archive, '-C', unpacked]);
  const store = join(root, 'store', m.metadata.name, m.spec.version);
  mkdirSync(store, { recursive: true });
  for (const f of p.files) {
    if (!existsSync(join(unpacked, f.from))) throw new Error(`${os}/${arch}: files: ${f.from} is not in the archive`);
    cpSync(join(unpacked, f.from), join(store, f.to, f.from.split('/').at(-1)!), { recursive: true });
  }
  const bin = join(store, p.bin);
  if (!existsSync(bin)) throw new Error(`${os}/${arch}: bin ${p.bin} is not installed`);
  if (os !== 'windows' && (statSync(bin).mode & 0o111) === 0) throw new Error(`${os}/${arch}: bin ${p.bin} is not executable`);
  if (!existsSync(join(store, 'LICENSE'))) throw new Error(`${os}/${arch}: no LICENSE`);
  mkdirSync(join(root, 'bin'));
  const link = join(root, 'bin', `kubectl-${m.metadata.name}${os === 'windows' ? '.exe' : ''}`);
  if (os === 'windows') cpSync(bin, link);
  else symlinkSync(bin, link);
  return { store, link, root };
}
