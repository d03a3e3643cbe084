// Cilium's matchPattern semantics, row by row from its own tests (cilium/cilium
// pkg/fqdn/matchpattern/matchpattern_test.go, TestAnchoredMatchPatternMatching and the
// isDNSWildcard / dnsWildcardREGroup cases of matchpattern.go). Cilium matches FQDN form (trailing
// dot); the engine normalises names without it, so "cilium.io." here is "cilium.io".
import { describe, expect, it } from 'vitest';
import { fqdnMatches, isMatchAllPattern } from '../../../src/policy/fqdn.ts';

const ROWS: { pattern: string; accept: string[]; reject: string[]; source: string }[] = [
  { pattern: 'cilium.io.', accept: ['cilium.io.'], reject: ['anysub.cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'], source: 'matchpattern_test.go' },
  { pattern: '*.cilium.io.', accept: ['anysub.cilium.io.'], reject: ['cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.', 'a.b.cilium.io.'], source: 'matchpattern_test.go' },
  { pattern: '*.ci*.io.', accept: ['anysub.cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'], reject: ['cilium.io.'], source: 'matchpattern_test.go' },
  { pattern: '*', accept: ['io.', 'cilium.io.', 'svc.cluster.local.', 'service.namesace.svc.cluster.local.', '_foobar._tcp.cilium.io.'], reject: ['.io.', '.cilium.io.', '.svc.cluster.local.'], source: 'matchpattern_test.go' },
  { pattern: '_foobar._tcp.cilium.io.', accept: ['_foobar._tcp.cilium.io.'], reject: ['_tcp.cilium.io.', 'cilium.io.'], source: 'matchpattern_test.go' },
  { pattern: '*.*.cilium.io.', accept: ['_foobar._tcp.cilium.io.'], reject: ['cilium.io.', 'a.cilium.io.'], source: 'matchpattern_test.go' },
  // isDNSWildcard: stars only, optional final dot: every name
  { pattern: '**', accept: ['io', 'cilium.io', 'a.b.c.example.com'], reject: ['.io'], source: 'matchpattern.go isDNSWildcard' },
  { pattern: '**.', accept: ['io', 'a.b.example.com'], reject: [], source: 'matchpattern.go isDNSWildcard' },
  { pattern: '***.', accept: ['cilium.io', 'x'], reject: [], source: 'matchpattern.go isDNSWildcard' },
  // a leading run of 2+ stars and a dot: one or more whole labels (dnsWildcardREGroup)
  { pattern: '**.example.com', accept: ['a.example.com', 'a.b.example.com', 'x-1.y_2.z.example.com'], reject: ['example.com', 'aexample.com'], source: 'matchpattern.go escapeRegexpCharacters' },
  { pattern: '***.example.com', accept: ['a.b.example.com'], reject: ['example.com'], source: 'matchpattern.go escapeRegexpCharacters' },
  // elsewhere a run of stars is one * (zero or more DNS characters, never a dot)
  { pattern: 'api**.example.com', accept: ['api.example.com', 'api-v2.example.com'], reject: ['api.v2.example.com'], source: 'matchpattern.go escapeRegexpCharacters' },
  { pattern: 'CILIUM.IO', accept: ['cilium.io', 'Cilium.Io.'], reject: [], source: 'ToAnchoredRegexp lowercases' },
];

describe('matchPattern as Cilium implements it', () => {
  for (const row of ROWS) {
    it(`${row.pattern} (${row.source})`, () => {
      for (const n of row.accept) expect(fqdnMatches({ matchPattern: row.pattern }, n), `${row.pattern} accepts ${n}`).toBe(true);
      for (const n of row.reject) expect(fqdnMatches({ matchPattern: row.pattern }, n), `${row.pattern} rejects ${n}`).toBe(false);
    });
  }

  it('isDNSWildcard: stars with an optional final dot, and nothing else', () => {
    expect(['*', '**', '**.', '***', '***.'].filter(isMatchAllPattern)).toHaveLength(5);
    expect(['.', '*.*', '**.com', 'a*', ''].filter(isMatchAllPattern)).toEqual([]);
  });

  it('matchName is exact: case-insensitive, trailing dot ignored, no wildcard', () => {
    expect(fqdnMatches({ matchName: 'API.example.net.' }, 'api.example.net')).toBe(true);
    expect(fqdnMatches({ matchName: '*.example.net' }, 'api.example.net')).toBe(false);
  });
});
