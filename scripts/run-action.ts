import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shareCapturedOutput } from './captured-output.ts';

export const BUNDLE = new URL('../dist/action/index.js', import.meta.url).pathname;

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Milliseconds from spawn to exit. */
  elapsedMs: number;
}

/** Parses the GITHUB_OUTPUT file format: `name<<DELIMITER\nvalue\nDELIMITER`. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

/**
 * Runs the built action the way a runner does: `node dist/action/index.js` with `INPUT_*` variables and
 * fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, and nothing else from this process's environment.
 */
export async function runAction(
  inputs: Record<string, string>,
  entry = BUNDLE,
  /** More of the runner's environment, e.g. GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_API_URL. */
  runnerEnv: Record<string, string> = {},
): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'action-run-'));
  try {
    const outputFile = join(dir, 'output');
    const summaryFile = join(dir, 'summary');
    await Promise.all([writeFile(outputFile, ''), writeFile(summaryFile, '')]);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: dir,
      ...runnerEnv,
    };
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;

    const started = performance.now();
    const child = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    shareCapturedOutput('action', () => `${stdout}\n${stderr}`);
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const elapsedMs = performance.now() - started;
    const outputs = parseOutputFile(await readFile(outputFile, 'utf8'));
    const summary = await readFile(summaryFile, 'utf8');
    shareCapturedOutput('action job summary', () => summary);
    return { exitCode, stdout, stderr, outputs, summary, elapsedMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Log lines a reader would see: the runner consumes `::add-mask::` commands instead of printing them. */
export const visibleLines = (run: ActionRun): string[] =>
  `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => !line.startsWith('::add-mask::'));
