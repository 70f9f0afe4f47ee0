// Collects the log text of one test file: what its worker wrote to stdout, stderr and the console, and
// readers of what the processes it started printed. Read once, when the file ends.

export interface LogRecorder {
  /** Appends text written in this process under `source`. */
  write(source: string, text: string): void;
  /** Adds a reader of another source's text (a child process), read at `texts()` time. */
  share(source: string, read: () => string): void;
  /** Every source's text, numbered when a source has several readers (`action #2`). */
  texts(): Array<{ source: string; text: string }>;
}

export function createLogRecorder(): LogRecorder {
  const written = new Map<string, string[]>();
  const shared: Array<{ source: string; read: () => string }> = [];
  return {
    write(source, text) {
      const chunks = written.get(source) ?? [];
      chunks.push(text);
      written.set(source, chunks);
    },
    share(source, read) {
      shared.push({ source, read });
    },
    texts() {
      const counts = new Map<string, number>();
      const fromChildren = shared.map(({ source, read }) => {
        const n = (counts.get(source) ?? 0) + 1;
        counts.set(source, n);
        return { source: `${source} #${n}`, text: read() };
      });
      const fromWorker = [...written].map(([source, chunks]) => ({ source, text: chunks.join('') }));
      return [...fromWorker, ...fromChildren];
    },
  };
}
