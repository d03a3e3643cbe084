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
import { fleetGroups, fleetOrder, isFailing, type FleetSession } from './fleet.ts';
import { stateFromReport, type MenuItem, type TuiSession } from './model.ts';
import { ContextPicker } from './screens/ContextOverlay.tsx';
import { FormScreen } from './screens/FormScreen.tsx';
import { KeyHelp } from './screens/HelpOverlay.tsx';
import { Menu } from './screens/MenuScreen.tsx';
import { FleetScreen, selectedContext } from './screens/FleetScreen.tsx';
import { RunScreen, selectedRow } from './screens/RunScreen.tsx';
import { appReducer, initialState } from './state.ts';
import { ThemeContext, useTheme } from './theme.tsx';
import { useKeyQueue } from './useKeyQueue.ts';
import { useFleet } from './useFleet.ts';
import { useRun } from './useRun.ts';

/** The menu's entries for the diagnoses that run over many contexts: a form asks which. */
export function fleetMenuItems(fleet: FleetSession | undefined): MenuItem[] {
  return (fleet?.commands ?? []).map((c) => ({
    command: c.command,
    title: c.title,
    description: c.description,
    fleet: true,
    inputs: [{ name: 'context-pattern', label: 'Contexts', required: false, placeholder: 'prod-*, a,b (empty: every context)', value: '*' }],
  }));
}

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
  const fleet = useFleet(session.fleet);
  const menuItems = useMemo(() => [...session.diagnoses, ...fleetMenuItems(session.fleet)], [session]);
  const { frame } = useAnimation({ interval: 80, isActive: run.running || fleet.running });
  // the fleet screen: the rows grouped as shown, and the report opened from it
  const groups = useMemo(() => fleetGroups(fleet.state), [fleet.state]);
  const order = useMemo(() => fleetOrder(groups), [groups]);
  const fleetSel = selectedContext(groups, state.fleetSelected);
  const opened = screen === 'fleet-report' ? fleet.state.rows.find((r) => r.context === state.reportContext) : undefined;
  const openedState = useMemo(() => (opened?.report ? stateFromReport(opened.report) : undefined), [opened?.report]);
  const viewRows = screen === 'fleet-report' ? (openedState?.rows ?? []) : run.state.rows;
  const checkCount = viewRows.length;
  // which exit code quitting gives: the last diagnosis run, single or fleet
  const last = useRef<'run' | 'fleet'>('run');

  const quit = useCallback(() => {
    run.abort();
    fleet.abort();
    // a fleet (and its reruns): 1 while any context's row is failing
    const fleetCode = fleet.state.rows.some(isFailing) ? 1 : fleet.outcome?.exitCode;
    onExit((last.current === 'fleet' ? fleetCode : run.outcome?.exitCode) ?? 0);
    exit();
  }, [run, fleet, onExit, exit]);

  const startRun = (item: MenuItem, inputs: Record<string, string>) => {
    if (item.fleet) {
      last.current = 'fleet';
      dispatch({ type: 'fleet-open' });
      fleet.start({ command: item.command, pattern: inputs['context-pattern'] });
      return;
    }
    last.current = 'run';
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
    menuMove: (by) => dispatch({ type: 'menu-move', by, count: menuItems.length }),
    choose: () => {
      const item = menuItems[state.menuIndex];
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
      if (viewRows[selectedRow(view, checkCount)]?.result) dispatch({ type: 'toggle' });
    },
    collapseOrQuit: () => (view.expanded ? dispatch({ type: 'collapse' }) : quit()),
    scrollPage: (by) => dispatch({ type: 'scroll', by: by * Math.max(1, rows - 12), max: contentHeight.current }),
    rerun: () => rerun(context),
    exportReport: () => {
      const report = screen === 'fleet-report' ? opened?.report : run.outcome?.report;
      if (!report) return dispatch({ type: 'notice', lines: ['export: wait for the diagnosis to finish'] });
      const r = session.exportReport(report);
      dispatch({ type: 'notice', lines: 'error' in r ? [`export failed: ${r.error}`] : ['exported:', ...r.paths.map((p) => `  ${p}`)] });
    },
    toMenu: () => {
      run.abort();
      fleet.abort();
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
    fleetMove: (to, relative) => {
      if (order.length === 0) return;
      const from = Math.max(0, order.indexOf(fleetSel ?? ''));
      const index = to === 'first' ? 0 : to === 'last' ? order.length - 1 : relative ? from + to : to;
      dispatch({ type: 'fleet-select', context: order[Math.min(Math.max(0, index), order.length - 1)]! });
    },
    fleetScroll: (by) => commands.fleetMove(by * Math.max(1, bodyHeight - 2), true),
    fleetOpen: () => {
      const row = fleet.state.rows.find((r) => r.context === fleetSel);
      if (!row) return;
      if (!row.report) return dispatch({ type: 'notice', lines: [`${row.context}: ${row.status === 'running' ? 'still running' : 'waiting for a slot'}; its report opens once it has finished`] });
      dispatch({ type: 'fleet-report-open', context: row.context });
    },
    fleetRerunFailing: () => {
      if (fleet.running) return dispatch({ type: 'notice', lines: ['rerun: wait for the run to finish (q stops it)'] });
      const failing = fleet.state.rows.filter(isFailing).map((r) => r.context);
      if (failing.length === 0) return dispatch({ type: 'notice', lines: ['rerun: no context is failing'] });
      last.current = 'fleet';
      dispatch({ type: 'notice', lines: undefined });
      fleet.rerun(failing);
    },
    fleetBack: () => dispatch({ type: 'fleet-back' }),
    collapseOrBack: () => (view.expanded ? dispatch({ type: 'collapse' }) : dispatch({ type: 'fleet-back' })),
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
  else if (screen === 'menu') body = <Menu items={menuItems} selected={state.menuIndex} />;
  else if (screen === 'fleet') {
    const item = menuItems.find((d) => d.fleet && d.command === fleet.request?.command);
    body = (
      <FleetScreen
        title={item?.title ?? fleet.request?.command ?? ''}
        state={fleet.state}
        running={fleet.running}
        error={fleet.error}
        durationMs={fleet.durationMs}
        selected={fleetSel}
        columns={columns}
        height={bodyHeight}
        frame={frame}
      />
    );
  } else {
    // a fleet context's report (its run is over) or the diagnosis run from the menu
    const fromFleet = screen === 'fleet-report' && opened?.report && openedState ? { report: opened.report, state: openedState } : undefined;
    const title = fromFleet
      ? `${fromFleet.report.command} · ${opened!.context}`
      : (session.diagnoses.find((d) => d.command === run.request?.command)?.title ?? run.request?.command ?? '');
    body = (
      <RunScreen
        title={title}
        run={fromFleet ? { state: fromFleet.state, outcome: { report: fromFleet.report, exitCode: opened!.entry?.exitCode ?? 0 }, running: false } : run}
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
