import { describeCall, describeDelivery } from '../../src/simulator/log-lines.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { shareCapturedOutput } from '../../scripts/captured-output.ts';

/**
 * Hands the log scan the lines `npm run simulator` would print for this simulator (one per API call and
 * per webhook delivery), so an in-process simulator's log is scanned like a process's.
 */
export function shareSimulatorLog(simulator: Simulator): void {
  const lines: string[] = [];
  simulator.on('call', (call) => void lines.push(describeCall(call)));
  simulator.on('delivery', (delivery) => void lines.push(describeDelivery(delivery)));
  shareCapturedOutput('simulator', () => lines.join('\n'));
}
