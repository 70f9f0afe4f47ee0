import type { z } from 'zod';

/** "data.build.id: Invalid input; type: …": zod's issues as one line, with no input value in it. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
