// The executable's entry: wire process streams into main() and turn its answer into an exit code.
// (The single executable also has ./bin-cert.ts, which runs the commonest `cert` lines alone.)
import { main } from './main.ts';
import { runAsProcess } from './process.ts';

// No top-level await: the single executable is built from a CommonJS bundle (see scripts/build.mjs).
runAsProcess((io) => main(process.argv.slice(2), io));
