import { describe, expect, it } from 'vitest';
import { FleetSelectionError, globToRegExp, selectContexts } from '../../../src/fleet/select.ts';

const NAMES = ['dev-a', 'prod-eu-1', 'prod-eu-2', 'prod-us-1', 'staging'];

describe('selecting the contexts of a fleet run', () => {
  it('--all-contexts takes every context in kubeconfig order', () => {
    expect(selectContexts(NAMES, { all: true })).toEqual(NAMES);
  });

  it('--contexts takes the names given, comma separated or repeated, in that order, once each', () => {
    expect(selectContexts(NAMES, { contexts: ['staging,dev-a', 'staging'] })).toEqual(['staging', 'dev-a']);
  });

  it('--context-pattern is a shell glob over the whole name', () => {
    expect(selectContexts(NAMES, { patterns: ['prod-*'] })).toEqual(['prod-eu-1', 'prod-eu-2', 'prod-us-1']);
    expect(selectContexts(NAMES, { patterns: ['prod-eu-?'] })).toEqual(['prod-eu-1', 'prod-eu-2']);
    expect(selectContexts(NAMES, { patterns: ['*-[u]s-*'] })).toEqual(['prod-us-1']);
    expect(globToRegExp('prod.*').test('prodXfoo')).toBe(false);
    expect(globToRegExp('prod').test('prod-1')).toBe(false);
  });

  it('an unknown name or a pattern that matches nothing is an error naming it', () => {
    expect(() => selectContexts(NAMES, { contexts: ['nope'] })).toThrow(FleetSelectionError);
    expect(() => selectContexts(NAMES, { contexts: ['nope'] })).toThrow(/not found in the kubeconfig: nope/);
    expect(() => selectContexts(NAMES, { patterns: ['qa-*'] })).toThrow(/'qa-\*' matches no context/);
    expect(() => selectContexts([], { all: true })).toThrow(/no context selected/);
  });
});
