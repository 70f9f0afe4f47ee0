import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// npm run test:reliability [-- --full] [vitest arguments]: the reliability suite (test/reliability) alone.
// Without --full it is the reduced configuration `npm test` also runs; --full sets RELIABILITY_FULL=1 for
// the long one (more kill -9 rounds, ≥ 10,000 fuzz cases, a 2-minute soak). Figures print as
// "[reliability:<mode>] …" lines; RELIABILITY.md records them.

const args = process.argv.slice(2);
const full = args.includes('--full');
const passed = args.filter((arg) => arg !== '--full');
// A file filter of the caller's narrows the run (vitest ORs filters, so the folder would undo it).
const files = passed.some((arg) => !arg.startsWith('-')) ? [] : ['test/reliability'];
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const child = spawn(process.execPath, [vitest, 'run', ...files, ...passed], {
  stdio: 'inherit',
  env: { ...process.env, RELIABILITY_FULL: full ? '1' : '0' },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
