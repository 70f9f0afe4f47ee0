export { startSimulator } from './simulator.ts';
export { ScenarioSchema, type Scenario, type ApiFailure } from './scenario.ts';
export { DEFAULT_STAGE_DELAYS_MS } from './pipeline.ts';
export { DEMO_API_KEY, DEMO_PROJECT_ID, DEMO_USER_ID } from './demo-account.ts';
export { NOISE_EVENT, NOISE_PROJECT_SUFFIX } from './envelopes.ts';
export { TEST_PROJECT_ID, TEST_UPLOAD_ID } from '../streampixel/schemas.ts';
export type {
  ApiCall,
  BuildRecord,
  BuildState,
  Delivery,
  Simulator,
  SimulatorEvent,
  SimulatorEventMap,
  SimulatorOptions,
  SimulatorProject,
  SimulatorUser,
  WaitForOptions,
} from './types.ts';
