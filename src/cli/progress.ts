import type { Clock } from '../lib/clock.ts';
import { startHeartbeat, type Progress } from '../release/heartbeat.ts';
import type { Printer } from './printer.ts';

// While a run waits: on a terminal, a live line with the stage and the elapsed time, redrawn every
// half second; elsewhere (CI logs), the core's heartbeat line every `heartbeatMs` (a minute by default).
// Events are printed as lines in both cases, by the logger.

const REDRAW_MS = 500;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** "0:07", "12:40", "1:02:05": a width that barely moves while the line is redrawn. */
export function clockText(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const seconds = String(total % 60).padStart(2, '0');
  const minutes = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** "⠹ build.extracting · 2:15 elapsed · 0:40 in stage · 42:45 left". */
export function liveLine(progress: Progress | null, startedAt: number, now: number, frame: number): string {
  const spinner = SPINNER[frame % SPINNER.length];
  const elapsed = `${clockText(now - startedAt)} elapsed`;
  if (!progress) return `${spinner} starting · ${elapsed}`;
  return (
    `${spinner} ${progress.stage} · ${elapsed} · ${clockText(now - progress.since)} in stage · ` +
    `${clockText(progress.deadline - now)} left`
  );
}

/** Starts showing progress; the function it returns stops it and clears the live line. */
export function startProgress(options: {
  printer: Printer;
  clock: Clock;
  startedAt: number;
  read: () => Progress | null;
  heartbeatMs: number;
}): () => void {
  const { printer, clock, startedAt, read } = options;
  if (!printer.live) {
    return startHeartbeat({
      clock,
      read,
      beat: (line) => printer.line(line),
      intervalMs: options.heartbeatMs,
    });
  }
  let frame = 0;
  const draw = () => printer.status(liveLine(read(), startedAt, clock.now(), frame++));
  draw();
  const timer = setInterval(draw, REDRAW_MS);
  // The line must not keep a finished process alive; stop() is the normal end.
  timer.unref();
  return () => {
    clearInterval(timer);
    printer.clearStatus();
  };
}
