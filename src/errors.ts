/**
 * The few kinds of failure a user can act on. Each carries the fix in its message; the entry
 * points map them to exit codes and `core.setFailed`, never to a stack trace.
 */

/** Bad or missing input: nothing was sent to S3. Exit code 2 on the command line. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** An object the run needs is not there. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** S3 refused the credentials or the permission. */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedError';
}

/** The bucket lives in another region than the one configured. */
export class WrongRegionError extends Error {
  override readonly name = 'WrongRegionError';
}

/** The S3 endpoint could not be reached at all (DNS, refused connection, TLS). */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';
}

/** Something read back or discovered does not match what it must be. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
}

/** The target already holds a different staging; overwriting it needs `force`. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The run was cancelled (SIGINT or SIGTERM: how a runner cancels a job). Exit code 130. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

/** The run's deadline (`timeout`) passed. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** The message to show a user for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
