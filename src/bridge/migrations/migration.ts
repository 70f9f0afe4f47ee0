/**
 * One numbered schema change, written once per dialect. The SQL lives in TypeScript string constants,
 * not .sql files, so the ncc bundle carries it and nothing is read from disk at run time.
 */
export interface Migration {
  /** Applied in ascending order; recorded in schema_migrations once applied. Never renumber. */
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}
