import { z } from 'zod';

// The one shape every provider's webhook is normalised into (DESIGN §7). The bridge stores it beside the raw
// body, readers and the outcome tracker read only this, and it is the only shape that crosses the wire from
// the bridge to the action, so the action carries no provider's parser it does not need.

export const PROVIDERS = ['streampixel', 'buildpixel', 'fastpix', 'pixop', 'standard-webhooks'] as const;
export type ProviderId = (typeof PROVIDERS)[number];
/** How messages name a provider's unit of work: "BuildPixel build 65f2…", "FastPix media 7318…". */
export const UNIT_OF_WORK: Readonly<Record<ProviderId, string>> = {
  streampixel: 'build',
  buildpixel: 'BuildPixel build',
  fastpix: 'FastPix media',
  pixop: 'Pixop video',
  'standard-webhooks': 'unit of work',
};

export const isProviderId = (value: string): value is ProviderId =>
  (PROVIDERS as readonly string[]).includes(value);

/** Where an event leaves a unit of work: still going, ended one of three ways, a test, or unrelated. */
export const PHASES = ['progress', 'success', 'failure', 'cancelled', 'test', 'other'] as const;
export type Phase = (typeof PHASES)[number];
export const TERMINAL_PHASES: ReadonlySet<Phase> = new Set(['success', 'failure', 'cancelled']);

/** Useful fields a job hands on: the artifact to release, playback ids, output ids. */
export const LinksSchema = z.object({
  artifactUrl: z.string().optional(),
  mediaId: z.string().optional(),
  playbackIds: z.array(z.string()).optional(),
  videoId: z.string().optional(),
  fileUrl: z.string().optional(),
});
export type Links = z.infer<typeof LinksSchema>;

export const NormalizedEventSchema = z.object({
  provider: z.enum(PROVIDERS),
  /** The unit of work a job waits for: Streampixel's uploadId, a BuildPixel build id, a media or video id. */
  subject: z.string(),
  /** The provider's own event name, e.g. build.approved, video.media.ready. */
  type: z.string().min(1),
  phase: z.enum(PHASES),
  /** The provider's own status word for the event (Streampixel's `status`), shown and set as an output. */
  status: z.string().nullable(),
  /** The provider's own time of the event (ISO 8601), when it sends one that parses. */
  occurredAt: z.string().nullable(),
  /** Same key, same event: a re-delivery is acknowledged and stored once. */
  dedupeKey: z.string().min(1),
  /** The project, organisation or workspace the event belongs to, when the provider says. */
  scope: z.string().nullable(),
  /** A rejection's objection or a failure's reason. */
  detail: z.string().nullable(),
  links: LinksSchema,
});
export type NormalizedEvent = z.infer<typeof NormalizedEventSchema>;

/** A key built from parts: JSON-encoded so no part can forge another's, and free of NUL characters. */
export const dedupeKeyOf = (provider: ProviderId, ...parts: ReadonlyArray<string | null>): string =>
  JSON.stringify([provider, ...parts]);

/** An ISO 8601 time as given, or null when the provider sent none or something that does not parse. */
export const occurredAtOf = (value: unknown): string | null =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : null;
