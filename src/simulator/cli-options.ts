import { parseArgs } from 'node:util';
import { ScenarioSchema, type Scenario } from './scenario.ts';

export const CLI_USAGE = `Usage: npm run simulator -- [options]

  --port <n>                 API port (SIMULATOR_PORT, default 4010; 0 picks a free one)
  --host <addr>              address to listen on (SIMULATOR_HOST, default 127.0.0.1)
  --webhook-url <url>        where the demo project's webhooks go (SIMULATOR_WEBHOOK_URL)
  --time-scale <x>           real ms per simulated ms (SIMULATOR_TIME_SCALE, default 1; 0.01 = 100x faster)
  --webhook-timeout-ms <n>   real ms a webhook endpoint gets to answer (SIMULATOR_WEBHOOK_TIMEOUT_MS, default 10000)
  --events <list>            comma-separated events ticked in the dashboard (SIMULATOR_EVENTS, default all)
  --scenario <json>          what goes wrong, e.g. '{"rejectAt":{"event":"build.extracting","objection":"virus"}}'
                             (SIMULATOR_SCENARIO)
  -h, --help                 this text`;

export interface CliOptions {
  port: number;
  host: string;
  webhookUrl: string | undefined;
  timeScale: number;
  webhookTimeoutMs: number;
  eventFilter: string[] | undefined;
  scenario: Scenario;
}

export type CliParseResult =
  { ok: true; options: CliOptions } | { ok: false; help: boolean; problems: string[] };

/** Flags win over SIMULATOR_* variables. Every problem is reported at once, so one run fixes them all. */
export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliParseResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'webhook-url': { type: 'string' },
        'time-scale': { type: 'string' },
        'webhook-timeout-ms': { type: 'string' },
        events: { type: 'string' },
        scenario: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { ok: false, help: false, problems: [(error as Error).message] };
  }
  if (values.help) return { ok: false, help: true, problems: [] };

  const problems: string[] = [];
  const pick = (flag: string, variable: string): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' ? value : env[variable] || undefined;
  };
  const number = (
    flag: string,
    variable: string,
    fallback: number,
    valid: (n: number) => boolean,
  ): number => {
    const raw = pick(flag, variable);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (raw.trim() === '' || !valid(parsed)) {
      problems.push(`--${flag} (${variable}): '${raw}' is not valid`);
      return fallback;
    }
    return parsed;
  };

  const port = number('port', 'SIMULATOR_PORT', 4010, (n) => Number.isInteger(n) && n >= 0 && n <= 65_535);
  const timeScale = number('time-scale', 'SIMULATOR_TIME_SCALE', 1, (n) => n > 0 && Number.isFinite(n));
  const webhookTimeoutMs = number('webhook-timeout-ms', 'SIMULATOR_WEBHOOK_TIMEOUT_MS', 10_000, (n) => n > 0);

  const webhookUrl = pick('webhook-url', 'SIMULATOR_WEBHOOK_URL');
  if (webhookUrl !== undefined && !URL.canParse(webhookUrl)) {
    problems.push('--webhook-url (SIMULATOR_WEBHOOK_URL): not a URL');
  }

  const events = pick('events', 'SIMULATOR_EVENTS');
  const eventFilter = events
    ?.split(',')
    .map((event) => event.trim())
    .filter(Boolean);

  let scenario: Scenario = {};
  const scenarioJson = pick('scenario', 'SIMULATOR_SCENARIO');
  if (scenarioJson !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(scenarioJson);
    } catch {
      problems.push('--scenario (SIMULATOR_SCENARIO): not JSON');
    }
    if (json !== undefined) {
      const parsed = ScenarioSchema.safeParse(json);
      if (parsed.success) scenario = parsed.data;
      else {
        const issues = parsed.error.issues.map(
          (issue) => `${issue.path.join('.') || 'scenario'}: ${issue.message}`,
        );
        problems.push(`--scenario (SIMULATOR_SCENARIO): ${issues.join('; ')}`);
      }
    }
  }

  if (problems.length > 0) return { ok: false, help: false, problems };
  return {
    ok: true,
    options: {
      port,
      host: pick('host', 'SIMULATOR_HOST') ?? '127.0.0.1',
      webhookUrl,
      timeScale,
      webhookTimeoutMs,
      eventFilter,
      scenario,
    },
  };
}
