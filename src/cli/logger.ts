import type { Logger } from '../lib/logger.ts';
import type { Printer } from './printer.ts';

/** The core's log calls as stderr lines; debug lines only with --verbose. */
export function createCliLogger(printer: Printer, verbose: boolean): Logger {
  return {
    debug: (message) => (verbose ? printer.line(`debug: ${message}`) : undefined),
    info: (message) => printer.line(message),
    warn: (message) => printer.line(`warning: ${message}`),
    error: (message) => printer.line(`error: ${message}`),
  };
}
