import { eventsMigration } from './001-events.ts';
import { normalizedMigration } from './002-normalized.ts';
import { handoffsMigration } from './003-handoffs.ts';
import { handoffRepositoryNullableMigration } from './004-handoff-repository-nullable.ts';
import type { Migration } from './migration.ts';

export type { Migration } from './migration.ts';

/** Every migration, in the order they apply. Append new ones; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  eventsMigration,
  normalizedMigration,
  handoffsMigration,
  handoffRepositoryNullableMigration,
];
