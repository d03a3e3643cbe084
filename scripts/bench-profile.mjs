// node scripts/bench-profile.mjs [--top N] FILE.cpuprofile...
//
// Where a run's time goes, from V8 CPU profiles (NODE_OPTIONS=--cpu-prof on a build made with
// NETDIAG_MINIFY=0 so that names are readable), averaged over the files given (one per run): the
// wall time of the profile, the part that is idle (waiting for the network or a timer), garbage
// collection, the self time per function (top N) and the inclusive time of landmarks
// (LANDMARKS=name,name… to choose them), with when each is first seen.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
let top = 25;
const ti = argv.indexOf('--top');
if (ti >= 0) top = Number(argv.splice(ti, 2)[1]);
const files = argv;
if (files.length === 0) {
  console.error('usage: node scripts/bench-profile.mjs [--top N] FILE.cpuprofile...');
  process.exit(2);
}
const self = new Map();
const incl = new Map();
const first = new Map();
let total = 0;
const label = (n) => {
  const f = n.callFrame;
  const url = f.url ? f.url.replace(/^.*\//, '') : '';
  return `${f.functionName || '(anonymous)'} ${url}${url ? `:${f.lineNumber + 1}` : ''}`;
};
for (const file of files) {
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
let t = p.startTime;
total += (p.endTime - p.startTime) / 1000;
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
    if (!first.has(ln)) first.set(ln, []);
    const f = first.get(ln);
    if (f.length < files.indexOf(file) + 1) f.push((t - p.startTime) / 1000);
  }
}
}
// averages over the runs
const n = files.length;
total /= n;
for (const m of [self, incl]) for (const [k, v] of m) m.set(k, v / n);
const firstSeen = (k) => {
  const f = [...first.get(k)].sort((a, b) => a - b);
  return f[Math.floor(f.length / 2)];
};
const get = (name) => [...self.entries()].filter(([k]) => k.startsWith(name)).reduce((a, [, v]) => a + v, 0);
console.log(`${n} profile(s), averages per run\nprofile: ${total.toFixed(1)} ms; idle ${get('(idle)').toFixed(1)} ms; GC ${get('(garbage collector)').toFixed(1)} ms; program ${get('(program)').toFixed(1)} ms`);
console.log(`\nself time, top ${top}:`);
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${v.toFixed(1).padStart(7)} ms  ${k}`);
const landmarks = process.env.LANDMARKS ? process.env.LANDMARKS.split(',') : ['main ', 'parseArgs ', 'runChecks ', 'tlsHandshake ', 'httpRequest ', 'verifyChain ', 'loadKubeconfig ', 'require ', 'compileFunction', 'render'];
console.log('\ninclusive (first seen at):');
for (const [k, v] of [...incl.entries()].filter(([k]) => landmarks.some((l) => k.startsWith(l))).sort((a, b) => b[1] - a[1]).slice(0, 40)) {
  console.log(`  ${v.toFixed(1).padStart(7)} ms  @${firstSeen(k).toFixed(0).padStart(4)} ms  ${k}`);
}
