// `npm run package` produces the krew archive; plugin.yaml is a valid krew manifest for it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from './harness.ts';

beforeAll(() => requireBuild());

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    version: string;
    shortDescription: string;
    description: string;
    homepage: string;
    platforms: { selector: { matchLabels: Record<string, string> }; uri: string; sha256: string; files: { from: string; to: string }[]; bin: string }[];
  };
}

describe('krew packaging', () => {
  it('plugin.yaml follows krew v1alpha2 rules and matches package.json', () => {
    const m = load(readFileSync('plugin.yaml', 'utf8')) as Manifest;
    expect(m.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(m.kind).toBe('Plugin');
    expect(m.metadata.name).toMatch(/^[a-z0-9][a-z0-9-]*$/); // krew: lowercase, digits, dashes
    expect(m.metadata.name).toBe('netdiag');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(m.spec.version).toBe(`v${pkg.version}`); // krew: semver with a leading v
    expect(m.spec.shortDescription.length).toBeGreaterThan(0);
    expect(m.spec.shortDescription.length).toBeLessThanOrEqual(50);
    expect(m.spec.homepage).toMatch(/^https:\/\//);
    const linux = m.spec.platforms.find((p) => p.selector.matchLabels.os === 'linux' && p.selector.matchLabels.arch === 'amd64');
    expect(linux).toBeDefined();
    expect(linux!.uri).toMatch(/^https:\/\/.*kubectl-netdiag_linux_amd64\.tar\.gz$/);
    expect(linux!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(linux!.bin).toBe('kubectl-netdiag');
    expect(linux!.files.map((f) => f.from).sort()).toEqual(['LICENSE', 'kubectl-netdiag']);
  });

  it('npm run package writes the archive with the executable and LICENSE, and the manifest sha256 matches it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-pkg-'));
    const out = join(dir, 'plugin.yaml');
    const tgz = join(dir, 'kubectl-netdiag_linux_amd64.tar.gz');
    execFileSync(process.execPath, ['scripts/package.mjs', '--manifest', out, '--out', dir], { stdio: 'pipe' });
    const archive = readFileSync(tgz);
    const m = load(readFileSync(out, 'utf8')) as Manifest;
    expect(m.spec.platforms[0]!.sha256).toBe(createHash('sha256').update(archive).digest('hex'));
    const listing = execFileSync('tar', ['tzf', tgz], { encoding: 'utf8' });
    expect(listing.trim().split('\n').sort()).toEqual(['LICENSE', 'kubectl-netdiag']);
    const unpacked = mkdtempSync(join(tmpdir(), 'netdiag-unpack-'));
    execFileSync('tar', ['xzf', tgz, '-C', unpacked]);
    expect(execFileSync(join(unpacked, 'kubectl-netdiag'), ['version'], { encoding: 'utf8', env: { PATH: unpacked } })).toBe('kubectl-netdiag 0.1.0\n');
  }, 120_000);
});
