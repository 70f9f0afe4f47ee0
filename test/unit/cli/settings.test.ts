import { expect, test } from 'vitest';
import { parseSettings } from '../../../src/cli/settings.ts';

// The CLI runs the action's input rules and names each problem by its flag and variable. The problems come
// as values (checkInputs), not read back from the action's error text.

test('every problem is named by its flag and environment variable, none lost', () => {
  const parsed = parseSettings({ command: 'release', 'timeout-minutes': 'abc' }, () => {}, false);
  expect(parsed.ok).toBe(false);
  const problems = parsed.ok ? [] : parsed.problems;
  expect(problems[0]).toMatch(/^--timeout-minutes \(STREAMPIXEL_TIMEOUT_MINUTES\): must be a number/);
  expect(problems.map((problem) => problem.split(' ')[0])).toEqual([
    '--timeout-minutes',
    '--api-key',
    '--user-id',
    '--project-id',
    '--file-url',
    '--bridge-url',
    '--bridge-token',
  ]);
});

test("a missing command is the CLI's to report: no problem of the command input, and none of a command never chosen", () => {
  const parsed = parseSettings({}, () => {}, true);
  const problems = parsed.ok ? [] : parsed.problems;
  expect(problems.some((problem) => problem.startsWith('<command>'))).toBe(false);
  expect(problems.some((problem) => problem.startsWith('--file-url'))).toBe(false);
  expect(problems.length).toBeGreaterThan(0);
});

test('secrets are masked even when the inputs have problems', () => {
  const masked: string[] = [];
  parseSettings({ command: 'release', 'api-key': 'sk-secret-123' }, (value) => masked.push(value), false);
  expect(masked).toContain('sk-secret-123');
});
