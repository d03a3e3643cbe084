import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../../src/report/catalog.ts';
import { API_CHECKS } from '../../../src/checks/api/index.ts';
import { DIAGNOSES } from '../../../src/checks/index.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

// a check shared by two diagnoses (cert and ingress share theirs, each with its own requirements) is one check: one run
const ALL_CHECKS = [...new Map(DIAGNOSES.flatMap((d) => d.checks).map((c) => [c.run, c] as const)).values()];

describe('finding catalog', () => {
  const declared = new Set(ALL_CHECKS.flatMap((c) => c.codes));

  it('has every code a check of any diagnosis declares', () => {
    // every diagnosis' checks are looked at (the api checks among them), and each declares codes
    for (const c of API_CHECKS) expect(ALL_CHECKS.map((a) => a.id), c.id).toContain(c.id);
    for (const d of DIAGNOSES) expect(d.checks.length, d.command).toBeGreaterThan(0);
    for (const c of ALL_CHECKS) for (const code of c.codes) expect(CATALOG[code], `${c.id} declares ${code}`).toBeDefined();
  });

  it('has no code that no check declares (only the runner\'s own check.* codes)', () => {
    const orphans = Object.keys(CATALOG).filter((code) => !declared.has(code) && !code.startsWith('check.'));
    expect(orphans).toEqual([]);
    expect(Object.keys(CATALOG).filter((code) => code.startsWith('check.')).sort()).toEqual(['check.crashed', 'check.deadline']);
  });

  it('check ids are unique across diagnoses', () => {
    const ids = ALL_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has every finding code literal that appears in the checks\' source, and each is declared by a check', () => {
    const literals = new Set<string>();
    for (const file of sources('src/checks')) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/code:\s*'([a-z]+\.[a-z0-9.-]+)'/g)) literals.add(m[1]!);
      for (const m of text.matchAll(/'((?:api|egress|cert|ingress|server)\.[a-z0-9-]+\.[a-z0-9-]+)'/g)) if (!ALL_CHECKS.some((c) => c.id === m[1])) literals.add(m[1]!);
    }
    expect(literals.size).toBeGreaterThan(30);
    for (const code of literals) {
      expect(CATALOG[code], `${code} is in the catalog`).toBeDefined();
      expect(declared.has(code), `${code} is declared by a check`).toBe(true);
    }
  });

  it('lists the SPEC §5 api codes with their meaning', () => {
    const spec = [
      'api.kubeconfig.missing', 'api.kubeconfig.unknown-context', 'api.kubeconfig.invalid', 'api.kubeconfig.localhost-fallback',
      'api.dns.nxdomain', 'api.dns.timeout', 'api.dns.hosts-override', 'api.proxy.in-use', 'api.proxy.no-proxy-miss',
      'api.tcp.unreachable', 'api.tcp.refused', 'api.tcp.timeout', 'api.tcp.reset', 'api.proxy.unreachable', 'api.proxy.denied',
      'api.proxy.auth-required', 'api.proxy.upstream-failed', 'api.tls.intercepted', 'api.tls.no-ip-san', 'api.tls.name-mismatch',
      'api.tls.unknown-authority', 'api.tls.expired', 'api.tls.not-yet-valid', 'api.tls.expiring-soon', 'api.tls.ca-invalid',
      'api.http.error', 'api.http.clock-skew', 'api.health.not-ready', 'api.auth.unauthorized', 'api.auth.forbidden',
      'api.auth.exec-plugin-failed', 'api.endpoints.partial',
    ];
    for (const code of spec) expect(declared.has(code), code).toBe(true);
    expect(CATALOG['api.tls.expiring-soon']!.severity).toBe('warn');
    expect(CATALOG['api.proxy.in-use']!.severity).toBe('info');
  });

  it('gives every code a title', () => {
    for (const [code, e] of Object.entries(CATALOG)) expect(e.title.trim().length, code).toBeGreaterThan(10);
  });

  it('gives every fail-severity code a remediation (each step a sentence), but for the listed gaps', () => {
    // Fail codes whose catalog entry has no remediation and whose check supplies none either: a user
    // who meets them is told what is wrong and not what to do. Their owners should write one; the
    // list must stay exact (a code that gets a remediation leaves it).
    const KNOWN_GAPS = ['api.health.not-live', 'api.http.error', 'api.proxy.connect-error', 'api.tcp.error'];
    const without: string[] = [];
    for (const [code, e] of Object.entries(CATALOG)) {
      if (e.severity !== 'fail') continue;
      for (const step of e.remediation) expect(step.trim().length, `${code}: a remediation step`).toBeGreaterThan(10);
      if (e.remediation.length === 0) without.push(code);
    }
    expect(without.sort()).toEqual(KNOWN_GAPS);
  });

  it('uses the SPEC check ids, in layer order', () => {
    expect(API_CHECKS.map((c) => c.id)).toEqual([
      'api.kubeconfig', 'api.dns', 'api.proxy', 'api.tcp', 'api.proxy.connect', 'api.tls', 'api.http', 'api.health', 'api.auth', 'api.discovery', 'api.endpoints',
    ]);
  });
});

describe('README', () => {
  it('documents every finding code of the catalog, with its severity', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const [code, e] of Object.entries(CATALOG)) expect(readme, code).toContain(`| \`${code}\` | ${e.severity} |`);
  });
});

describe('README check ids', () => {
  it('names every check of every diagnosis', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const c of ALL_CHECKS) expect(readme, c.id).toContain(`\`${c.id}\``);
  });
});
