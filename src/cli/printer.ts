import { ciSafeLine } from './ci-safe.ts';
import type { Mask } from './mask.ts';

// Everything the CLI says goes to stderr through here, so stdout holds only --json's object (or --help).
// On a terminal, a live status line sits below the log lines: each line printed clears it first and
// draws it again after, so the two never mix.

export interface ErrorStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Printer {
  /** Prints one line: masked, made safe, split on the line breaks the CLI's own messages hold. */
  line(text: string): void;
  /** Shows `text` as the live line (terminal only), cut to the terminal's width so it never wraps. */
  status(text: string): void;
  /** Removes the live line. */
  clearStatus(): void;
  readonly live: boolean;
}

const CLEAR_LINE = '\r\x1b[2K';

export function createPrinter(stream: ErrorStream, mask: Mask): Printer {
  const live = stream.isTTY === true;
  let shown = '';
  // Room is left for the terminal's own echo of ^C, which would otherwise wrap and strand the line.
  const width = () => Math.max(20, (stream.columns || 80) - 4);
  return {
    live,
    line(text) {
      const lines = text.split('\n').map((part) => ciSafeLine(mask.apply(part)));
      stream.write(`${shown ? CLEAR_LINE : ''}${lines.join('\n')}\n${shown}`);
    },
    status(text) {
      if (!live) return;
      const safe = ciSafeLine(mask.apply(text));
      shown = [...safe].slice(0, width()).join('');
      stream.write(`${CLEAR_LINE}${shown}`);
    },
    clearStatus() {
      if (!shown) return;
      shown = '';
      stream.write(CLEAR_LINE);
    },
  };
}
