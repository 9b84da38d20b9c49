// Reads every row of a SQLite store straight from its file, around the store layer, so that tests see
// exactly what was persisted: every namespace and key, whatever code wrote it.
import KeyvSqlite from '@keyv/sqlite';

/** Every `<namespace>:<key>` row of the store at `file` with its raw serialised value. */
export async function dumpSqliteStore(file: string): Promise<Map<string, string>> {
  const db = new KeyvSqlite({ uri: `sqlite://${file}` });
  try {
    const rows = (await db.query('SELECT key, value FROM keyv ORDER BY key')) as {
      key: string;
      value: string;
    }[];
    return new Map(rows.map((r) => [r.key, r.value]));
  } finally {
    await db.disconnect();
  }
}

/** The keys added, removed or changed between two dumps, for a readable assertion message. */
export function dumpDifference(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [key, value] of after) {
    if (!before.has(key)) changes.push(`+ ${key}`);
    else if (before.get(key) !== value) changes.push(`~ ${key}`);
  }
  for (const key of before.keys()) if (!after.has(key)) changes.push(`- ${key}`);
  return changes;
}
