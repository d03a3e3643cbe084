// The interactive app: one component holding the state (screen, selection, overlays), laid out to
// the terminal's size. It renders what the session reports; the session (the command layer) runs
// the diagnoses, reads the kubeconfig and writes files.
import { Box, Text, useAnimation, useApp, useInput, useWindowSize, type Key } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { CheckDetails } from './components/CheckDetails.tsx';
import { CheckRow } from './components/CheckRow.tsx';
import { ContextPicker } from './components/ContextPicker.tsx';
import { DiagnosisBox } from './components/DiagnosisBox.tsx';
import { Header } from './components/Header.tsx';
import { InputForm, type FormKeyHandler } from './components/InputForm.tsx';
import { KeyHelp } from './components/KeyHelp.tsx';
import { Menu } from './components/Menu.tsx';
import { ScrollArea } from './components/ScrollArea.tsx';
import { tally, type MenuItem, type TuiSession } from './model.ts';
import { ThemeContext, useTheme } from './theme.tsx';
import { useRun } from './useRun.ts';

export interface AppProps {
  session: TuiSession;
  color: boolean;
  /** the context given with --context (else the kubeconfig's current-context) */
  initialContext?: string;
  /** called once with the exit code when the user quits */
  onExit(code: number): void;
  /** fixed size (tests); else the terminal's, following resizes */
  size?: { columns: number; rows: number };
  /** clock for certificate validity (tests) */
  now?: Date;
}

export function App(props: AppProps) {
  return (
    <ThemeContext.Provider value={{ color: props.color }}>
      <AppBody {...props} />
    </ThemeContext.Provider>
  );
}

type Screen = 'menu' | 'form' | 'run';
type Overlay = 'help' | 'contexts' | undefined;

interface FormState {
  item: MenuItem;
  values: Record<string, string>;
  active: number;
  error?: string;
}

const MENU_KEYS = '↑↓ move · enter run · x context · ? keys · q quit';
const RUN_KEYS = '↑↓ move · enter expand · pgdn scroll · r rerun · e export · x context · m menu · ? keys · q quit';

function AppBody({ session, initialContext, onExit, size, now }: AppProps) {
  const theme = useTheme();
  const { exit } = useApp();
  const win = useWindowSize();
  const columns = size?.columns ?? win.columns;
  const rows = Math.max(size?.rows ?? win.rows, 8);

  const [context, setContext] = useState(initialContext);
  const header = useMemo(() => session.header(context), [session, context]);
  const [screen, setScreen] = useState<Screen>('menu');
  const [overlay, setOverlay] = useState<Overlay>();
  const [menuIndex, setMenuIndex] = useState(0);
  const [form, setForm] = useState<FormState>();
  const [selected, setSelected] = useState(0);
  const [expanded, setExpanded] = useState(false);
  const [scroll, setScroll] = useState(0);
  const contentHeight = useRef(0);
  const formKeys = useRef<FormKeyHandler | undefined>(undefined);
  const [notice, setNotice] = useState<string[]>();
  const [picker, setPicker] = useState<{ names: string[]; current?: string; selected: number; error?: string }>();
  const run = useRun(session);
  const { frame } = useAnimation({ interval: 80, isActive: run.running });

  const rowsState = run.state.rows;
  const sel = Math.min(selected, Math.max(0, rowsState.length - 1));

  const quit = useCallback(() => {
    run.abort();
    onExit(run.outcome?.exitCode ?? 0);
    exit();
  }, [run, onExit, exit]);

  const startRun = useCallback(
    (item: MenuItem, inputs: Record<string, string>, ctx: string | undefined) => {
      setScreen('run');
      setSelected(0);
      setExpanded(false);
      setScroll(0);
      setNotice(undefined);
      run.start({ command: item.command, context: ctx, inputs });
    },
    [run],
  );

  const choose = (item: MenuItem) => {
    if (item.unavailable) {
      setNotice([`${item.title}: ${item.unavailable}`]);
      return;
    }
    if (item.inputs.length > 0) {
      const values = Object.fromEntries(item.inputs.map((i) => [i.name, i.value ?? '']));
      setForm({ item, values, active: 0 });
      setScreen('form');
      return;
    }
    startRun(item, {}, context);
  };

  const rerun = (ctx: string | undefined) => {
    const req = run.request;
    if (!req) return;
    setExpanded(false);
    setScroll(0);
    setNotice(undefined);
    run.start({ ...req, context: ctx });
  };

  const openPicker = () => {
    const c = session.contexts();
    const current = context ?? c.current;
    setPicker({ names: c.names, current, selected: Math.max(0, c.names.indexOf(current ?? '')), error: c.error });
    setOverlay('contexts');
  };

  const scrollBy = (delta: number) => setScroll((s) => Math.max(0, Math.min(s + delta, Math.max(0, contentHeight.current - 1))));

  // Keys are queued and handled one per render, so that a chunk of several keys (typed ahead, or
  // sent at once by tmux or a slow link) acts like the same keys pressed one by one.
  const [queue, setQueue] = useState<{ input: string; key: Key }[]>([]);
  useInput((input, key) => {
    if (key.ctrl && input === 'c') return quit();
    const plain = !key.ctrl && !key.meta && input.length > 1 && !input.startsWith('\u001b');
    const events = plain ? [...input].map((ch) => ({ input: ch, key: keyOf(ch) })) : [{ input, key }];
    // the common case, one key and nothing queued: handle it now (one render per key press)
    if (events.length === 1 && queue.length === 0) return handle(input, key);
    setQueue((q) => [...q, ...events]);
  });
  useEffect(() => {
    const next = queue[0];
    if (!next) return;
    // functional: keys that arrive meanwhile are appended, never dropped
    setQueue((q) => q.slice(1));
    handle(next.input, next.key);
  });

  function handle(input: string, key: Key): void {
    if (key.ctrl && input === 'c') return quit();

    if (overlay === 'help') {
      if (key.escape || input === '?') setOverlay(undefined);
      else if (input === 'q') quit();
      return;
    }
    if (overlay === 'contexts' && picker) {
      if (key.escape) setOverlay(undefined);
      else if (key.upArrow || input === 'k') setPicker({ ...picker, selected: Math.max(0, picker.selected - 1) });
      else if (key.downArrow || input === 'j') setPicker({ ...picker, selected: Math.min(picker.names.length - 1, picker.selected + 1) });
      else if (key.return) {
        const name = picker.names[picker.selected];
        setOverlay(undefined);
        if (name !== undefined && name !== (context ?? picker.current)) {
          setContext(name);
          setNotice([`context: ${name}`]);
          if (screen === 'run' && run.request) rerun(name);
        }
      } else if (input === 'q') quit();
      return;
    }

    if (screen === 'form' && form) {
      if (formKeys.current?.(input, key)) return;
      const inputs = form.item.inputs;
      const name = inputs[form.active]!.name;
      if (key.escape) {
        setForm(undefined);
        setScreen('menu');
      } else if (key.return || key.tab || key.downArrow) {
        if (key.return && form.active === inputs.length - 1) {
          const missing = inputs.find((i) => i.required && !form.values[i.name]?.trim());
          if (missing) return setForm({ ...form, error: `${missing.label} is required`, active: inputs.indexOf(missing) });
          const values = Object.fromEntries(Object.entries(form.values).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]));
          setForm(undefined);
          return startRun(form.item, values, context);
        }
        setForm({ ...form, active: (form.active + 1) % inputs.length, error: undefined });
      } else if (key.upArrow || (key.shift && key.tab)) {
        setForm({ ...form, active: (form.active + inputs.length - 1) % inputs.length });
      } else if (key.backspace || key.delete) {
        setForm({ ...form, values: { ...form.values, [name]: (form.values[name] ?? '').slice(0, -1) } });
      } else if (input && !key.ctrl && !key.meta && !/[\u0000-\u001f]/.test(input)) {
        setForm({ ...form, values: { ...form.values, [name]: (form.values[name] ?? '') + input }, error: undefined });
      }
      return;
    }

    if (input === 'q') return quit();
    if (input === '?') return setOverlay('help');
    if (input === 'x') return openPicker();

    if (screen === 'menu') {
      const items = session.diagnoses;
      if (key.escape) quit();
      else if (key.upArrow || input === 'k') setMenuIndex((i) => Math.max(0, i - 1));
      else if (key.downArrow || input === 'j') setMenuIndex((i) => Math.min(items.length - 1, i + 1));
      else if (key.return && items[menuIndex]) choose(items[menuIndex]);
      return;
    }

    // screen === 'run'
    if (key.escape) {
      if (expanded) {
        setExpanded(false);
        setScroll(0);
      } else quit();
    } else if (key.upArrow || input === 'k') {
      setSelected(Math.max(0, sel - 1));
      setScroll(0);
    } else if (key.downArrow || input === 'j') {
      setSelected(Math.min(rowsState.length - 1, sel + 1));
      setScroll(0);
    } else if (key.home || input === 'g') {
      setSelected(0);
      setScroll(0);
    } else if (key.end || input === 'G') {
      setSelected(Math.max(0, rowsState.length - 1));
      setScroll(0);
    } else if (key.return) {
      if (rowsState[sel]?.result) {
        setExpanded(!expanded);
        setScroll(0);
      }
    } else if (key.pageDown || input === 'd' || input === ' ') scrollBy(Math.max(1, rows - 12));
    else if (key.pageUp || input === 'u') scrollBy(-Math.max(1, rows - 12));
    else if (input === 'r') rerun(context);
    else if (input === 'e') {
      if (!run.outcome) setNotice(['export: wait for the diagnosis to finish']);
      else {
        const r = session.exportReport(run.outcome.report);
        setNotice('error' in r ? [`export failed: ${r.error}`] : ['exported:', ...r.paths.map((p) => `  ${p}`)]);
      }
    } else if (input === 'm' || key.leftArrow || key.backspace || key.delete) {
      run.abort();
      setScreen('menu');
      setExpanded(false);
      setNotice(undefined);
    }
  }

  // ---- layout: every row of the terminal is accounted for, so the frame never scrolls
  const footerLines = notice ? Math.min(notice.length, 3) : 1;
  const bodyHeight = Math.max(3, rows - 3 - footerLines);
  const footer = (
    <Box flexDirection="column" flexShrink={0}>
      {notice ? (
        notice.slice(0, 3).map((l, i) => (
          <Text key={i} wrap="truncate-end" color={theme.color ? 'yellow' : undefined}>
            {l}
          </Text>
        ))
      ) : (
        <Text dimColor={theme.color} wrap="truncate-end">
          {screen === 'run' ? RUN_KEYS : screen === 'menu' ? MENU_KEYS : 'esc back · ? keys'}
        </Text>
      )}
    </Box>
  );

  let body: ReactNode;
  if (overlay === 'help') body = <KeyHelp />;
  else if (overlay === 'contexts' && picker) body = <ContextPicker {...picker} />;
  else if (screen === 'form' && form) body = <InputForm title={form.item.title} inputs={form.item.inputs} values={form.values} active={form.active} error={form.error} suggest={session.suggest} context={context} keys={formKeys} onChange={(n, v) => setForm((f) => f && { ...f, values: { ...f.values, [n]: v }, error: undefined })} listHeight={Math.max(1, bodyHeight - form.item.inputs.length - 8)} />;
  else if (screen === 'menu') body = <Menu items={session.diagnoses} selected={menuIndex} />;
  else body = renderRun();

  function renderRun(): ReactNode {
    const item = session.diagnoses.find((d) => d.command === run.request?.command);
    const n = rowsState.length;
    const listAvail = bodyHeight - 1;
    const detail = expanded ? rowsState[sel]?.result : undefined;
    const verdict = !detail && (run.outcome || run.error);
    const listHeight = detail ? Math.min(n, Math.max(3, Math.min(5, Math.floor(listAvail / 4)))) : verdict ? Math.min(n, Math.max(3, listAvail - 8)) : Math.min(n, listAvail);
    const first = Math.max(0, Math.min(sel - Math.floor(listHeight / 2), n - listHeight));
    const visible = rowsState.slice(first, first + listHeight);
    const idWidth = Math.min(Math.max(10, ...rowsState.map((r) => r.id.length)), Math.max(10, Math.floor(columns / 3)));
    const restHeight = Math.max(0, listAvail - listHeight - 1);
    const doneCount = rowsState.filter((r) => r.status !== 'pending' && r.status !== 'running').length;
    const status = run.running
      ? `running ${doneCount}/${n}`
      : run.outcome
        ? `${run.outcome.report.diagnosis.status.toUpperCase()} · ${n} checks: ${tally(rowsState)} · ${((run.outcome.report.durationMs ?? 0) / 1000).toFixed(2)}s`
        : run.error
          ? 'the diagnosis itself failed'
          : 'cancelled';
    return (
      <Box flexDirection="column" flexShrink={0}>
        <Text wrap="truncate-end">
          <Text bold={theme.color}>{item?.title ?? run.request?.command}</Text>
          <Text dimColor={theme.color}> · </Text>
          <Text color={theme.color && run.outcome ? statusColorName(run.outcome.report.diagnosis.status) : undefined}>{status}</Text>
          {first > 0 || first + listHeight < n ? <Text dimColor={theme.color}>{` · checks ${first + 1}–${first + visible.length} of ${n}`}</Text> : null}
        </Text>
        {visible.map((row, i) => (
          <CheckRow key={row.id} row={row} idWidth={idWidth} selected={first + i === sel} expanded={expanded && first + i === sel} frame={frame} />
        ))}
        {restHeight > 0 && (detail || verdict) ? (
          <Box marginTop={1} flexShrink={0} flexDirection="column">
            <ScrollArea height={restHeight} offset={scroll} onContentHeight={(h) => (contentHeight.current = h)}>
              {detail ? (
                <CheckDetails result={detail} now={now} />
              ) : run.outcome ? (
                <DiagnosisBox diagnosis={run.outcome.report.diagnosis} configError={run.outcome.configError} />
              ) : (
                <Text color={theme.color ? 'magenta' : undefined}>error: {run.error}</Text>
              )}
            </ScrollArea>
          </Box>
        ) : null}
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Header info={header} />
      <Box flexDirection="column" marginTop={1} height={bodyHeight} overflow="hidden" flexShrink={0}>
        {body}
      </Box>
      <Box flexGrow={1} />
      {footer}
    </Box>
  );
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** One character of a multi-key chunk as a key press. */
function keyOf(ch: string): Key {
  return { ...NO_KEY, return: ch === '\r' || ch === '\n', tab: ch === '\t' };
}

function statusColorName(s: string): string {
  return s === 'pass' ? 'green' : s === 'warn' ? 'yellow' : s === 'skip' ? 'gray' : s === 'error' ? 'magenta' : 'red';
}
