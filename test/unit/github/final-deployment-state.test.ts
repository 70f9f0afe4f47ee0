import { expect, test } from 'vitest';
import { finalDeploymentState } from '../../../src/github/deployment-api.ts';
import { OUTCOMES, type Outcome } from '../../../src/wait/types.ts';

// One table for the action's Deployment and the bridge's handoff finisher, which used to map outcomes to a
// final state each on its own (and could drift apart).
const EXPECTED: Record<Outcome, 'success' | 'failure' | 'error'> = {
  approved: 'success',
  succeeded: 'success',
  rejected: 'failure',
  failed: 'failure',
  'timed-out': 'error',
  cancelled: 'error',
  submitted: 'error',
  processed: 'error',
  'test-delivered': 'error',
  'handed-off': 'error',
};

test.each(OUTCOMES)('%s ends the Deployment as the table says', (outcome) => {
  expect(finalDeploymentState(outcome)).toBe(EXPECTED[outcome]);
});

test('no outcome at all (the step ended first) is an error', () => {
  expect(finalDeploymentState(null)).toBe('error');
});
