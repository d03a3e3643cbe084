// `npm run package` produces this machine's krew archive; plugin.yaml follows krew-index's rules.
// (Every platform's archive: npm run release, tested by test/release/ under npm run verify-release.)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from './harness.ts';
import { krewManifestProblems, type Manifest } from '../release/krew.ts';

beforeAll(() => requireBuild());

const PLATFORMS = ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64', 'windows/amd64', 'windows/arm64'];

describe('krew packaging', () => {
  it("plugin.yaml follows krew-index's rules, has one entry per platform, and matches package.json", () => {
    const m = load(readFileSync('plugin.yaml', 'utf8')) as Manifest;
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(krewManifestProblems(m, pkg.version)).toEqual([]);
    expect(m.spec.platforms.map((p) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`)).toEqual(PLATFORMS);
    const linux = m.spec.platforms[0]!;
    expect(linux.uri).toMatch(/^https:\/\/.*\/v0\.1\.0\/kubectl-netdiag_linux_amd64\.tar\.gz$/);
    expect(linux.bin).toBe('kubectl-netdiag');
    expect(linux.files.map((f) => f.from).sort()).toEqual(['LICENSE', 'kubectl-netdiag', 'kubectl_complete-netdiag']);
    expect(m.spec.platforms[4]!.uri).toMatch(/kubectl-netdiag_windows_amd64\.zip$/);
    expect(m.spec.platforms[4]!.bin).toBe('kubectl-netdiag.exe');
  });

  it('the manifest checker catches what krew-index rejects', () => {
    const m = load(readFileSync('plugin.yaml', 'utf8')) as Manifest;
    const bad = structuredClone(m);
    bad.spec.shortDescription = 'x'.repeat(51);
    bad.spec.description = `${'word '.repeat(20)}\n$ kubectl netdiag api\n`;
    bad.spec.platforms[1]!.uri = bad.spec.platforms[1]!.uri.replace('v0.1.0', 'v0.0.9');
    delete (bad.spec as Partial<Manifest['spec']>).caveats;
    const problems = krewManifestProblems(bad, '0.1.0');
    expect(problems).toEqual([
      'shortDescription is 51 characters (at most 50)',
      'description line 1 is 100 columns (at most 80)',
      'description has a usage example: "$ kubectl netdiag api"',
      'no caveats',
      'linux/arm64: uri does not name version v0.1.0',
    ]);
  });

  it('npm run package writes the archive (executable, completion, LICENSE), and the manifest sha256 matches it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-pkg-'));
    const out = join(dir, 'plugin.yaml');
    const tgz = join(dir, 'kubectl-netdiag_linux_amd64.tar.gz');
    execFileSync(process.execPath, ['scripts/package.mjs', '--manifest', out, '--out', dir], { stdio: 'pipe' });
    const archive = readFileSync(tgz);
    const m = load(readFileSync(out, 'utf8')) as Manifest;
    expect(m.spec.platforms[0]!.sha256).toBe(createHash('sha256').update(archive).digest('hex'));
    const listing = execFileSync('tar', ['tzf', tgz], { encoding: 'utf8' });
    expect(listing.trim().split('\n').sort()).toEqual(['LICENSE', 'kubectl-netdiag', 'kubectl_complete-netdiag']);
    const unpacked = mkdtempSync(join(tmpdir(), 'netdiag-unpack-'));
    execFileSync('tar', ['xzf', tgz, '-C', unpacked]);
    expect(execFileSync(join(unpacked, 'kubectl-netdiag'), ['version'], { encoding: 'utf8', env: { PATH: unpacked } })).toMatch(/^kubectl-netdiag 0\.1\.0\n/);
    expect(execFileSync(join(unpacked, 'kubectl_complete-netdiag'), ['ver'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } })).toMatch(/^version\t.*\n:4\n$/);
  }, 180_000);
});
