/** The message of anything thrown, for a log line or a user-facing sentence. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
