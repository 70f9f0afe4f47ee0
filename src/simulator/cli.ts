// `npm run simulator`: the simulator as a process, with the demo account, one log line per call and delivery.
import { CLI_USAGE, parseCliOptions } from './cli-options.ts';
import { DEMO_API_KEY, DEMO_PROJECT_ID, DEMO_USER_ID } from './demo-account.ts';
import { describeCall, describeDelivery, redactUrl } from './log-lines.ts';
import { startSimulator } from './simulator.ts';

const parsed = parseCliOptions(process.argv.slice(2), process.env);
if (!parsed.ok) {
  if (parsed.help) console.log(CLI_USAGE);
  else console.error(`${parsed.problems.map((problem) => `error: ${problem}`).join('\n')}\n\n${CLI_USAGE}`);
  process.exit(parsed.help ? 0 : 2);
}
const { options } = parsed;

const simulator = await startSimulator({
  port: options.port,
  host: options.host,
  timeScale: options.timeScale,
  webhookTimeoutMs: options.webhookTimeoutMs,
  scenario: options.scenario,
  users: [{ userId: DEMO_USER_ID, apiKey: DEMO_API_KEY }],
  projects: [
    {
      projectId: DEMO_PROJECT_ID,
      userId: DEMO_USER_ID,
      ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
      ...(options.eventFilter ? { eventFilter: options.eventFilter } : {}),
    },
  ],
});

console.log(`Streampixel simulator listening: api-base-url ${simulator.url}`);
console.log(`  user-id ${DEMO_USER_ID}  api-key ${DEMO_API_KEY}  project-id ${DEMO_PROJECT_ID}`);
console.log(
  `  webhooks to ${options.webhookUrl ? redactUrl(options.webhookUrl) : '(none: set --webhook-url)'}`,
);
console.log(
  `  time scale ${options.timeScale}${Object.keys(options.scenario).length ? `, scenario ${JSON.stringify(options.scenario)}` : ''}`,
);

simulator.on('call', (call) => console.log(describeCall(call)));
simulator.on('delivery', (delivery) => console.log(describeDelivery(delivery)));

const stop = async (signal: string) => {
  console.log(`${signal}: closing`);
  // A wedged close must not keep the process alive forever.
  setTimeout(() => process.exit(1), 5_000).unref();
  await simulator.close();
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
