import { parseGitHubAppConfig, type GitHubAppConfig } from '../../github/app-config.ts';
import { parseOidcConfig, type OidcConfig } from '../../github/oidc-config.ts';
import type { Parsed } from '../../webhooks/provider-secrets.ts';

// Handoff by GitHub OIDC is on when the bridge can both check who registers (OIDC) and act on GitHub (an App);
// one without the other is a configuration problem, listed with the rest. BRIDGE_HANDOFF_TOKEN (config.ts)
// turns on handoffs without GitHub, alone or beside these.

export interface HandoffConfig {
  oidc: OidcConfig;
  app: GitHubAppConfig;
}

export function parseHandoffConfig(env: NodeJS.ProcessEnv): Parsed<HandoffConfig | null> {
  const oidc = parseOidcConfig(env);
  const app = parseGitHubAppConfig(env);
  const problems = [...(oidc.ok ? [] : oidc.problems), ...(app.ok ? [] : app.problems)];
  if (!oidc.ok || !app.ok) return { ok: false, problems };
  if (oidc.value === null && app.value === null) return { ok: true, value: null };
  if (oidc.value === null || app.value === null) {
    return {
      ok: false,
      problems: [
        oidc.value === null
          ? 'BRIDGE_PUBLIC_URL and BRIDGE_GITHUB_REPOS are required with the GitHub App (handoff needs both)'
          : 'BRIDGE_GITHUB_APP_ID and BRIDGE_GITHUB_PRIVATE_KEY are required with BRIDGE_PUBLIC_URL (handoff needs both)',
      ],
    };
  }
  return { ok: true, value: { oidc: oidc.value, app: app.value } };
}
