/**
 * A command called with the wrong arguments (`compare a.jpg`, `infer` with no file): the CLI prints the
 * message and exits 2, the usage-error code the README promises, rather than 1 (the command failed).
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
