// A form field's placeholder is a hint, never a value: dim and worded "e.g. …" after the cursor.
// An empty field whose list holds exactly one value takes it on Enter, and the form goes on; with
// more values, or with text typed, Enter keeps what the field holds.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/tui/App.tsx';
import { InputForm } from '../../../src/tui/components/InputForm.tsx';
import type { MenuInput, RunRequest, TuiSession } from '../../../src/tui/model.ts';
import type { Suggestion } from '../../../src/tui/suggest.ts';
import { ThemeContext } from '../../../src/tui/theme.tsx';
import { NOW, strip, waitFor } from './helpers.ts';

afterEach(() => cleanup());

const HOST: MenuInput = { name: 'host', label: 'Host', required: true, placeholder: 'test.example.io', kind: 'host' };

describe('a placeholder', () => {
  it('reads as a hint after the cursor, not as the value', () => {
    const frame = strip(render(<InputForm title="Ingress and certificate" inputs={[HOST]} values={{ host: '' }} active={0} />).lastFrame());
    const line = frame.split('\n').find((l) => l.includes('Host'))!;
    expect(line).toMatch(/❯ Host\* ▏ {2}e\.g\. test\.example\.io/);
    expect(line).not.toMatch(/Host\* +test\.example\.io/);
  });

  it('is dim where there is colour, and gone once the field has a value', async () => {
    const { default: chalk } = await import('chalk');
    const level = chalk.level;
    chalk.level = 1;
    try {
      const r = render(
        <ThemeContext.Provider value={{ color: true }}>
          <InputForm title="t" inputs={[HOST]} values={{ host: '' }} active={0} />
        </ThemeContext.Provider>,
      );
      // SGR 2 (faint) opens right before the hint
      expect(r.lastFrame()).toMatch(/\u001b\[2m {2}e\.g\. test\.example\.io/);
      r.rerender(
        <ThemeContext.Provider value={{ color: true }}>
          <InputForm title="t" inputs={[HOST]} values={{ host: 'a.test' }} active={0} />
        </ThemeContext.Provider>,
      );
      expect(strip(r.lastFrame())).not.toContain('e.g.');
    } finally {
      chalk.level = level;
    }
  });
});

function app(hosts: Suggestion[]) {
  const runs: RunRequest[] = [];
  const session: TuiSession = {
    diagnoses: [{ command: 'ingress', title: 'Ingress and certificate', description: 'the path to a host', inputs: [HOST] }],
    header: () => ({ context: 'c', server: 'https://x', proxy: 'none' }),
    contexts: () => ({ names: ['c'], current: 'c' }),
    suggest: async (kind) => (kind === 'host' ? { items: hosts } : { items: [] }),
    run: async (req) => {
      runs.push(req);
      throw new Error('intercepted by the test');
    },
    exportReport: () => ({ paths: [] }),
  };
  const r = render(<App session={session} color={false} onExit={() => {}} size={{ columns: 100, rows: 30 }} now={NOW} />);
  const frame = () => strip(r.lastFrame());
  const until = (cond: (f: string) => boolean, what: string) => waitFor(() => cond(frame()), what, 5000, frame);
  const press = async (k: string) => {
    r.stdin.write(k);
    await new Promise((res) => setTimeout(res, 30));
  };
  return { frame, until, press, runs };
}

describe('Enter on an empty field', () => {
  it('with exactly one suggestion takes it and proceeds (here: runs)', async () => {
    const t = app([{ value: 'shop.example.test', note: 'Ingress shop/web' }]);
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('\r');
    await t.until((f) => f.includes('1 host'), 'the form with its one host');
    expect(t.frame()).toMatch(/❯ Host\* ▏ {2}enter takes shop\.example\.test/);
    await t.press('\r');
    await t.until(() => t.runs.length > 0, 'the run');
    expect(t.runs).toEqual([{ command: 'ingress', context: undefined, inputs: { host: 'shop.example.test' } }]);
    expect(t.frame()).not.toContain('Host is required');
  });

  it('with two suggestions is still empty: Host is required', async () => {
    const t = app([{ value: 'a.example.test' }, { value: 'b.example.test' }]);
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('\r');
    await t.until((f) => f.includes('2 hosts'), 'the form');
    expect(t.frame()).toMatch(/❯ Host\* ▏ {2}e\.g\. test\.example\.io/);
    await t.press('\r');
    await t.until((f) => f.includes('Host is required'), 'the error');
    expect(t.runs).toEqual([]);
  });

  it('typed text is kept even when one suggestion matches it', async () => {
    const t = app([{ value: 'shop.example.test' }]);
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('\r');
    await t.until((f) => f.includes('1 host'), 'the form');
    await t.press('shop');
    await t.press('\r');
    await t.until(() => t.runs.length > 0, 'the run');
    expect(t.runs[0]!.inputs).toEqual({ host: 'shop' });
  });
});
