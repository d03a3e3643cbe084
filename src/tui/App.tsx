// The interactive app: the header, the screen on top (menu, form, run; the help and context
// overlays over them) laid out to the terminal's size, and the footer. The state is one reducer
// (state.ts); the keys are the tables of keymap.ts, run against the commands below. It renders what
// the session reports; the session (the command layer) runs the diagnoses, reads the kubeconfig and
// writes files.
import { Box, Text, useAnimation, useApp, useWindowSize, type Key } from 'ink';
import { useCallback, useEffect, useMemo, useReducer, useRef, type ReactNode } from 'react';
import { Header } from './components/Header.tsx';
import type { FormKeyHandler } from './components/InputForm.tsx';
import { handleKey, hints } from './keys.ts';
import { activeKeys, HELP_KEYS, SCREEN_KEYS, type AppCommands } from './keymap.ts';
import type { MenuItem, TuiSession } from './model.ts';
import { ContextPicker } from './screens/ContextOverlay.tsx';
import { FormScreen } from './screens/FormScreen.tsx';
import { KeyHelp } from './screens/HelpOverlay.tsx';
import { Menu } from './screens/MenuScreen.tsx';
import { RunScreen, selectedRow } from './screens/RunScreen.tsx';
import { appReducer, initialState } from './state.ts';
import { ThemeContext, useTheme } from './theme.tsx';
import { useKeyQueue } from './useKeyQueue.ts';
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

function AppBody({ session, initialContext, onExit, size, now }: AppProps) {
  const theme = useTheme();
  const { exit } = useApp();
  const win = useWindowSize();
  const columns = size?.columns ?? win.columns;
  const rows = Math.max(size?.rows ?? win.rows, 8);

  const [state, dispatch] = useReducer(appReducer, initialContext, initialState);
  const { screen, overlay, context, form, view, notice } = state;
  const header = useMemo(() => session.header(context), [session, context]);
  const contentHeight = useRef(0);
  const formKeys = useRef<FormKeyHandler | undefined>(undefined);
  const run = useRun(session);
  const { frame } = useAnimation({ interval: 80, isActive: run.running });
  const checkCount = run.state.rows.length;

  const quit = useCallback(() => {
    run.abort();
    onExit(run.outcome?.exitCode ?? 0);
    exit();
  }, [run, onExit, exit]);

  const startRun = (item: MenuItem, inputs: Record<string, string>) => {
    dispatch({ type: 'run-open' });
    run.start({ command: item.command, context, inputs });
  };

  const rerun = (ctx: string | undefined) => {
    if (!run.request) return;
    dispatch({ type: 'rerun' });
    run.start({ ...run.request, context: ctx });
  };

  // Enter on the form's last field, with every required value: the reducer has the values ready
  const submit = form?.submit;
  useEffect(() => {
    if (form && submit) startRun(form.item, submit);
  }, [submit]);

  const footerLines = notice ? Math.min(notice.length, 3) : 1;
  const bodyHeight = Math.max(3, rows - 3 - footerLines);

  const commands: AppCommands = {
    quit,
    toggleHelp: () => dispatch({ type: 'help', open: overlay !== 'help' }),
    openContexts: () => {
      const c = session.contexts();
      const current = context ?? c.current;
      dispatch({ type: 'contexts-open', list: { names: c.names, current, selected: Math.max(0, c.names.indexOf(current ?? '')), error: c.error } });
    },
    closeOverlay: () => dispatch({ type: 'overlay-close' }),
    menuMove: (by) => dispatch({ type: 'menu-move', by, count: session.diagnoses.length }),
    choose: () => {
      const item = session.diagnoses[state.menuIndex];
      if (!item) return;
      if (item.unavailable) dispatch({ type: 'notice', lines: [`${item.title}: ${item.unavailable}`] });
      else if (item.inputs.length > 0) dispatch({ type: 'form-open', item });
      else startRun(item, {});
    },
    formCancel: () => dispatch({ type: 'menu-open' }),
    formEnter: () => dispatch({ type: 'form-enter' }),
    formField: (by) => dispatch({ type: 'form-field', by }),
    formBackspace: () => dispatch({ type: 'form-backspace' }),
    formType: (text) => dispatch({ type: 'form-type', text }),
    select: (to, relative) => {
      const last = Math.max(0, checkCount - 1);
      const from = selectedRow(view, checkCount);
      const index = to === 'first' ? 0 : to === 'last' ? last : relative ? from + to : to;
      dispatch({ type: 'select', index: Math.min(Math.max(0, index), last) });
    },
    toggle: () => {
      if (run.state.rows[selectedRow(view, checkCount)]?.result) dispatch({ type: 'toggle' });
    },
    collapseOrQuit: () => (view.expanded ? dispatch({ type: 'collapse' }) : quit()),
    scrollPage: (by) => dispatch({ type: 'scroll', by: by * Math.max(1, rows - 12), max: contentHeight.current }),
    rerun: () => rerun(context),
    exportReport: () => {
      if (!run.outcome) return dispatch({ type: 'notice', lines: ['export: wait for the diagnosis to finish'] });
      const r = session.exportReport(run.outcome.report);
      dispatch({ type: 'notice', lines: 'error' in r ? [`export failed: ${r.error}`] : ['exported:', ...r.paths.map((p) => `  ${p}`)] });
    },
    toMenu: () => {
      run.abort();
      dispatch({ type: 'menu-open' });
    },
    contextsMove: (by) => dispatch({ type: 'contexts-move', by }),
    useContext: () => {
      const list = state.contexts;
      const name = list?.names[list.selected];
      if (name === undefined || name === (context ?? list?.current)) return dispatch({ type: 'overlay-close' });
      dispatch({ type: 'context', name });
      if (screen === 'run' && run.request) rerun(name);
    },
  };

  useKeyQueue((input: string, key: Key) => {
    // the form's picker takes its keys (↓ ↑, j k in its list) before the form's table
    if (screen === 'form' && !overlay && formKeys.current?.(input, key)) return;
    handleKey(activeKeys(screen, overlay), input, key, commands);
  }, quit);

  // ---- layout: every row of the terminal is accounted for, so the frame never scrolls
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
          {hints(overlay === 'help' ? HELP_KEYS : SCREEN_KEYS[screen])}
        </Text>
      )}
    </Box>
  );

  let body: ReactNode;
  if (overlay === 'help') body = <KeyHelp table={SCREEN_KEYS[screen]} />;
  else if (overlay === 'contexts' && state.contexts) body = <ContextPicker {...state.contexts} />;
  else if (screen === 'form' && form)
    body = (
      <FormScreen form={form} height={bodyHeight} suggest={session.suggest} context={context} keys={formKeys} onChange={(name, value) => dispatch({ type: 'form-set', name, value })} />
    );
  else if (screen === 'menu') body = <Menu items={session.diagnoses} selected={state.menuIndex} />;
  else {
    const item = session.diagnoses.find((d) => d.command === run.request?.command);
    body = (
      <RunScreen
        title={item?.title ?? run.request?.command ?? ''}
        run={run}
        view={view}
        columns={columns}
        height={bodyHeight}
        frame={frame}
        now={now}
        onContentHeight={(h) => (contentHeight.current = h)}
      />
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
