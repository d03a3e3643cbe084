// node scripts/bench-profile.mjs FILE.cpuprofile [TOP]
//
// Where a run's time goes, from a V8 CPU profile (NODE_OPTIONS=--cpu-prof on a build made with
// NETDIAG_MINIFY=0 so that names are readable): the wall time of the profile, the part that is
// idle (waiting for the network or a timer), garbage collection, the start-up before our code
// runs, the self time per function (top N) and the inclusive time of a few landmarks.
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/bench-profile.mjs FILE.cpuprofile [TOP]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
const incl = new Map();
const label = (n) => {
  const f = n.callFrame;
  const url = f.url ? f.url.replace(/^.*\//, '') : '';
  return `${f.functionName || '(anonymous)'} ${url}${url ? `:${f.lineNumber + 1}` : ''}`;
};
const first = new Map();
let t = p.startTime;
const total = (p.endTime - p.startTime) / 1000;
for (let i = 0; i < p.samples.length; i++) {
  const dt = (p.timeDeltas[i] ?? 0) / 1000;
  t += p.timeDeltas[i] ?? 0;
  const n = byId.get(p.samples[i]);
  const l = label(n);
  self.set(l, (self.get(l) ?? 0) + dt);
  const seen = new Set();
  for (let id = n.id; id !== undefined; id = parent.get(id)) {
    const ln = label(byId.get(id));
    if (seen.has(ln)) continue;
    seen.add(ln);
    incl.set(ln, (incl.get(ln) ?? 0) + dt);
    if (!first.has(ln)) first.set(ln, (t - p.startTime) / 1000);
  }
}
const get = (name) => [...self.entries()].filter(([k]) => k.startsWith(name)).reduce((a, [, v]) => a + v, 0);
console.log(`${file}\nprofile: ${total.toFixed(1)} ms; idle ${get('(idle)').toFixed(1)} ms; GC ${get('(garbage collector)').toFixed(1)} ms; program ${get('(program)').toFixed(1)} ms`);
console.log(`\nself time, top ${top}:`);
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${v.toFixed(1).padStart(7)} ms  ${k}`);
const landmarks = process.env.LANDMARKS ? process.env.LANDMARKS.split(',') : ['main ', 'parseArgs ', 'runChecks ', 'tlsHandshake ', 'httpRequest ', 'verifyChain ', 'loadKubeconfig ', 'require ', 'compileFunction', 'render'];
console.log('\ninclusive (first seen at):');
for (const [k, v] of [...incl.entries()].filter(([k]) => landmarks.some((l) => k.startsWith(l))).sort((a, b) => b[1] - a[1]).slice(0, 40)) {
  console.log(`  ${v.toFixed(1).padStart(7)} ms  @${first.get(k).toFixed(0).padStart(4)} ms  ${k}`);
}
