// The app's keys: one table per screen and overlay (src/tui/keys.ts), each binding with its keys,
// its words for the `?` help and the footer, and its action on the app's commands. App.tsx hands
// every key to the table of what is on top; HelpOverlay and the footer print the same tables.
import type { KeyTable } from './keys.ts';
import type { Overlay, Screen } from './state.ts';

/** What the keys can do; App.tsx implements it over its state, the run and the session. */
export interface AppCommands {
  quit(): void;
  toggleHelp(): void;
  openContexts(): void;
  closeOverlay(): void;
  // menu
  menuMove(by: number): void;
  choose(): void;
  // form
  formCancel(): void;
  formEnter(): void;
  formField(by: number): void;
  formBackspace(): void;
  formType(text: string): void;
  // run
  select(to: number | 'first' | 'last', relative?: boolean): void;
  toggle(): void;
  collapseOrQuit(): void;
  scrollPage(by: number): void;
  rerun(): void;
  exportReport(): void;
  toMenu(): void;
  // contexts
  contextsMove(by: number): void;
  useContext(): void;
  // fleet
  fleetMove(to: number | 'first' | 'last', relative?: boolean): void;
  fleetOpen(): void;
  fleetRerunFailing(): void;
  fleetScroll(by: number): void;
  /** the fleet report: back to the fleet */
  fleetBack(): void;
  /** the fleet report: collapse the expanded check, else back to the fleet */
  collapseOrBack(): void;
}

type Table = KeyTable<AppCommands>;

const up = (k: string) => k === 'up' || k === 'k';

/** On the menu and the run screen. */
export const GLOBAL_KEYS: Table = [
  { keys: ['x'], help: "switch context (the kubeconfig's contexts)", hint: 'context', run: (c) => c.openContexts() },
  { keys: ['?'], help: 'show or hide these keys', hint: 'keys', run: (c) => c.toggleHelp() },
  { keys: ['q', 'ctrl-c'], help: 'quit (exit code: 0 ok, 1 a check failed, 2 configuration error)', hint: 'quit', run: (c) => c.quit() },
];

export const MENU_KEYS: Table = [
  { keys: ['up', 'down', 'j', 'k'], help: 'move through the diagnoses', hint: 'move', run: (c, k) => c.menuMove(up(k) ? -1 : 1) },
  { keys: ['enter'], help: 'run the chosen diagnosis (a form first when it asks for inputs)', hint: 'run', run: (c) => c.choose() },
  { keys: ['esc'], help: 'quit', run: (c) => c.quit() },
  ...GLOBAL_KEYS,
];

export const RUN_KEYS: Table = [
  { keys: ['up', 'down', 'j', 'k'], help: 'move through the checks', hint: 'move', run: (c, k) => c.select(up(k) ? -1 : 1, true) },
  { keys: ['home', 'end', 'g', 'G'], help: 'first or last check', run: (c, k) => c.select(k === 'home' || k === 'g' ? 'first' : 'last') },
  { keys: ['enter'], help: 'expand or collapse the selected check', hint: 'expand', run: (c) => c.toggle() },
  { keys: ['pgdn', 'space', 'd'], help: 'scroll down the expanded check or the verdict', hint: 'scroll', run: (c) => c.scrollPage(1) },
  { keys: ['pgup', 'u'], help: 'scroll up', run: (c) => c.scrollPage(-1) },
  { keys: ['r'], help: 'run the diagnosis again', hint: 'rerun', run: (c) => c.rerun() },
  { keys: ['e'], help: 'export the report (markdown and JSON in the current directory)', hint: 'export', run: (c) => c.exportReport() },
  { keys: ['m', 'left', 'backspace'], help: 'back to the menu', hint: 'menu', run: (c) => c.toMenu() },
  { keys: ['esc'], help: 'collapse the expanded check; quit when none is', run: (c) => c.collapseOrQuit() },
  ...GLOBAL_KEYS,
];

/** The form's own keys; a field with a picker takes ↓ ↑ (j k in its list) first (Picker.tsx). */
export const FORM_KEYS: Table = [
  { keys: ['ctrl-c'], help: 'quit', run: (c) => c.quit() },
  { keys: ['tab', 'down'], help: 'next field', hint: 'next', run: (c) => c.formField(1) },
  { keys: ['up', 'shift-tab'], help: 'previous field', run: (c) => c.formField(-1) },
  {
    keys: ['enter'],
    help: 'next field; on the last, run (an empty field takes a lone suggestion)',
    hint: 'next/run',
    run: (c) => c.formEnter(),
  },
  { keys: ['backspace'], help: 'delete the last character', run: (c) => c.formBackspace() },
  { keys: ['text'], help: 'type the value (free text, also where a list is offered)', run: (c, _k, input) => c.formType(input) },
  { keys: ['esc'], help: 'back to the menu without running', hint: 'cancel', run: (c) => c.formCancel() },
];

export const HELP_KEYS: Table = [
  { keys: ['?', 'esc'], help: 'close this help', hint: 'close', run: (c) => c.toggleHelp() },
  { keys: ['q', 'ctrl-c'], help: 'quit', hint: 'quit', run: (c) => c.quit() },
];

export const CONTEXT_KEYS: Table = [
  { keys: ['up', 'down', 'j', 'k'], help: 'move through the contexts', hint: 'move', run: (c, k) => c.contextsMove(up(k) ? -1 : 1) },
  { keys: ['enter'], help: 'use the chosen context (the shown diagnosis runs again there)', hint: 'use', run: (c) => c.useContext() },
  { keys: ['esc'], help: 'close the list', hint: 'close', run: (c) => c.closeOverlay() },
  { keys: ['q', 'ctrl-c'], help: 'quit', hint: 'quit', run: (c) => c.quit() },
];

/** One diagnosis over many contexts: the contexts grouped by root cause. */
export const FLEET_KEYS: Table = [
  { keys: ['up', 'down', 'j', 'k'], help: 'move through the contexts', hint: 'move', run: (c, k) => c.fleetMove(up(k) ? -1 : 1, true) },
  { keys: ['home', 'end', 'g', 'G'], help: 'first or last context', run: (c, k) => c.fleetMove(k === 'home' || k === 'g' ? 'first' : 'last') },
  { keys: ['pgdn', 'space', 'd'], help: 'a page down the list', run: (c) => c.fleetScroll(1) },
  { keys: ['pgup', 'u'], help: 'a page up the list', run: (c) => c.fleetScroll(-1) },
  { keys: ['enter'], help: "open the selected context's report", hint: 'report', run: (c) => c.fleetOpen() },
  { keys: ['r'], help: 'run the failing contexts again (the others keep their rows)', hint: 'rerun failing', run: (c) => c.fleetRerunFailing() },
  { keys: ['q', 'esc', 'm', 'left', 'backspace'], help: 'back to the menu (stops a run in flight)', hint: 'back', run: (c) => c.toMenu() },
  { keys: ['?'], help: 'show or hide these keys', hint: 'keys', run: (c) => c.toggleHelp() },
  { keys: ['ctrl-c'], help: 'quit (exit code: 0 all ok, 1 a context failed)', run: (c) => c.quit() },
];

/** One context's report, opened from the fleet screen. */
export const FLEET_REPORT_KEYS: Table = [
  { keys: ['up', 'down', 'j', 'k'], help: 'move through the checks', hint: 'move', run: (c, k) => c.select(up(k) ? -1 : 1, true) },
  { keys: ['home', 'end', 'g', 'G'], help: 'first or last check', run: (c, k) => c.select(k === 'home' || k === 'g' ? 'first' : 'last') },
  { keys: ['enter'], help: 'expand or collapse the selected check', hint: 'expand', run: (c) => c.toggle() },
  { keys: ['pgdn', 'space', 'd'], help: 'scroll down the expanded check or the verdict', hint: 'scroll', run: (c) => c.scrollPage(1) },
  { keys: ['pgup', 'u'], help: 'scroll up', run: (c) => c.scrollPage(-1) },
  { keys: ['e'], help: 'export the report (markdown and JSON in the current directory)', hint: 'export', run: (c) => c.exportReport() },
  { keys: ['q', 'left', 'backspace'], help: 'back to the contexts', hint: 'back', run: (c) => c.fleetBack() },
  { keys: ['esc'], help: 'collapse the expanded check; back to the contexts when none is', run: (c) => c.collapseOrBack() },
  { keys: ['?'], help: 'show or hide these keys', hint: 'keys', run: (c) => c.toggleHelp() },
  { keys: ['ctrl-c'], help: 'quit', run: (c) => c.quit() },
];

export const SCREEN_KEYS: Record<Screen, Table> = { menu: MENU_KEYS, form: FORM_KEYS, run: RUN_KEYS, fleet: FLEET_KEYS, 'fleet-report': FLEET_REPORT_KEYS };

/** The table that gets the keys: the overlay's when one is open, else the screen's. */
export function activeKeys(screen: Screen, overlay: Overlay | undefined): Table {
  return overlay === 'help' ? HELP_KEYS : overlay === 'contexts' ? CONTEXT_KEYS : SCREEN_KEYS[screen];
}
