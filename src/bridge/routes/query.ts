import { z } from 'zod';

// Query strings of the read routes. Every problem is listed in one 400, like the configuration's.

/** Longest a long-poll may be held, in seconds. */
export const MAX_WAIT_SECONDS = 60;
export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 100;
const MAX_SAFE_CURSOR_DIGITS = 15;

const cursorPattern = new RegExp(`^\\d{1,${MAX_SAFE_CURSOR_DIGITS}}$`);

/** A cursor: a whole number (exclusive lower bound), or `latest` (resolved to the newest stored one). */
export const CursorSchema = z
  .string()
  .trim()
  .refine((value) => value === 'latest' || cursorPattern.test(value), {
    error: 'must be a cursor (a whole number) or latest',
  })
  .transform((value) => (value === 'latest' ? ('latest' as const) : Number(value)));

const SubjectQuery = {
  provider: z.string().trim().min(1).max(100).default('streampixel'),
  // Streampixel's uploadId; '' follows the events that carried none.
  subject: z.string({ error: 'is required (the uploadId to follow)' }).max(200),
  after: CursorSchema.default(0),
};

export const EventsQuerySchema = z.object({
  ...SubjectQuery,
  // Fractions are accepted (handy for tests); the action sends whole seconds.
  wait: z
    .string()
    .trim()
    .regex(/^\d{1,3}(\.\d{1,3})?$/, `must be a number of seconds (0-${MAX_WAIT_SECONDS})`)
    .transform(Number)
    .pipe(z.number().max(MAX_WAIT_SECONDS, `must be at most ${MAX_WAIT_SECONDS} seconds`))
    .default(0),
  limit: z
    .string()
    .trim()
    .regex(/^\d{1,4}$/, `must be a whole number (1-${MAX_LIMIT})`)
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(MAX_LIMIT, `must be at most ${MAX_LIMIT}`))
    .default(DEFAULT_LIMIT),
});
export type EventsQuery = z.output<typeof EventsQuerySchema>;

export const StreamQuerySchema = z.object(SubjectQuery);
export type StreamQuery = z.output<typeof StreamQuerySchema>;

export type QueryResult<T> = { ok: true; query: T } | { ok: false; problems: string[] };

export function parseQuery<T>(schema: z.ZodType<T>, query: unknown): QueryResult<T> {
  const parsed = schema.safeParse(query ?? {}, { reportInput: false });
  if (parsed.success) return { ok: true, query: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`),
  };
}
