import { describe, expect, it } from 'vitest';
import { copiesToSend, ScenarioSchema, type Scenario } from '../../../src/simulator/scenario.ts';

describe('copiesToSend', () => {
  const cases: Array<[string, Scenario, string[] | undefined, number]> = [
    ['sent once by default', {}, undefined, 1],
    ['unticked in the dashboard', {}, ['build.approved'], 0],
    ['ticked in the dashboard', {}, ['build.saving'], 1],
    ['dropped', { drop: ['build.saving'] }, undefined, 0],
    ['another event dropped', { drop: ['build.approved'] }, undefined, 1],
    ['duplicated by name', { duplicate: ['build.saving'] }, undefined, 2],
    ['duplicated: all', { duplicate: 'all' }, undefined, 2],
    ['unticked wins over duplicate', { duplicate: 'all' }, [], 0],
    ['drop wins over duplicate', { duplicate: 'all', drop: ['build.saving'] }, undefined, 0],
  ];
  it.each(cases)('%s', (_name, scenario, filter, expected) => {
    expect(copiesToSend('build.saving', scenario, filter)).toBe(expected);
  });
});

describe('ScenarioSchema', () => {
  it('accepts every documented knob', () => {
    const scenario = {
      rejectAt: { event: 'build.extracting', objection: 'virus found' },
      duplicate: 'all',
      drop: ['build.saving'],
      reorder: true,
      uploadedBeforeResponse: true,
      apiFailures: [{ endpoint: 'upload-file', status: 429, times: 2, retryAfterSeconds: 5 }],
      extraEvents: 'noise',
    };
    expect(ScenarioSchema.parse(scenario)).toEqual(scenario);
  });

  it.each([
    ['rejection at a non-stage', { rejectAt: { event: 'build.rejected', objection: 'x' } }],
    ['rejection without objection', { rejectAt: { event: 'build.saving', objection: '' } }],
    ['unknown event', { drop: ['build.exploded'] }],
    ['unsupported status', { apiFailures: [{ endpoint: 'upload-file', status: 404 }] }],
    ['unknown endpoint', { apiFailures: [{ endpoint: 'delete-file', status: 500 }] }],
    ['misspelt key', { reoder: true }],
  ])('refuses %s', (_name, scenario) => {
    expect(ScenarioSchema.safeParse(scenario).success).toBe(false);
  });
});
