// Reduced (npm test, CI) or full (npm run test:reliability -- --full, which sets RELIABILITY_FULL=1): the same
// scenarios, with more rounds, cases and minutes in the full one. Figures are printed by each test and
// copied into RELIABILITY.md.

export const FULL = process.env['RELIABILITY_FULL'] === '1';
export const MODE = FULL ? 'full' : 'reduced';

/** The reduced figure, or the full one. */
export const scaled = (reduced: number, full: number): number => (FULL ? full : reduced);

/** fast-check's seed: RELIABILITY_SEED replays a failing run; fast-check prints it with any counterexample. */
export const FUZZ_SEED = Number(process.env['RELIABILITY_SEED'] ?? 20_261_201);

/** One line of figures on stdout, prefixed so a reader (or RELIABILITY.md's author) can grep them. */
export function report(scenario: string, figures: Record<string, unknown>): void {
  const text = Object.entries(figures)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(2) : String(value)}`,
    )
    .join(' ');
  process.stdout.write(`[reliability:${MODE}] ${scenario}: ${text}\n`);
}
