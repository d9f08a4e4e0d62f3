/**
 * The one catalogue of mlobs error codes, after fastify's: every error a user can see
 * carries a stable `MLOBS_ERR_*` code they can search for, and a test checks the codes
 * are unique. Add a code here rather than inventing one at the throw site.
 */

/** Every error code mlobs throws, by name. Values equal their keys so logs stay greppable. */
export const ErrorCodes = {
  /** A collector config has one or more problems (each listed with its path). */
  MLOBS_ERR_CONFIG_INVALID: 'MLOBS_ERR_CONFIG_INVALID',
  /** A config file could not be read from disk. */
  MLOBS_ERR_CONFIG_READ: 'MLOBS_ERR_CONFIG_READ',
  /** A config file is not valid YAML. */
  MLOBS_ERR_CONFIG_YAML: 'MLOBS_ERR_CONFIG_YAML',
  /** A component failed to start; the collector stops what it had started. */
  MLOBS_ERR_COMPONENT_START: 'MLOBS_ERR_COMPONENT_START',
  /** Shutdown did not finish within `service.shutdown_timeout`. */
  MLOBS_ERR_SHUTDOWN_TIMEOUT: 'MLOBS_ERR_SHUTDOWN_TIMEOUT',
  /** The collector was started twice, or used after shutdown. */
  MLOBS_ERR_SERVICE_STATE: 'MLOBS_ERR_SERVICE_STATE',
  /** The self-telemetry endpoint could not listen. */
  MLOBS_ERR_TELEMETRY_LISTEN: 'MLOBS_ERR_TELEMETRY_LISTEN',
  /** The command line could not be understood. */
  MLOBS_ERR_CLI_USAGE: 'MLOBS_ERR_CLI_USAGE',
  /** An exporter could not write its output (file, socket). */
  MLOBS_ERR_EXPORT_FAILED: 'MLOBS_ERR_EXPORT_FAILED',
  /** Data was refused because the process is above its memory limit. */
  MLOBS_ERR_MEMORY_LIMIT: 'MLOBS_ERR_MEMORY_LIMIT',
  /** Incoming data could not be decoded (bad protobuf or JSON). */
  MLOBS_ERR_DECODE: 'MLOBS_ERR_DECODE',
  /** A reference profile (`mlobs profile` output) is malformed; the message names the field. */
  MLOBS_ERR_PROFILE_INVALID: 'MLOBS_ERR_PROFILE_INVALID',
  /** The durable state store (SQLite) could not be opened, read or written, or holds unreadable state. */
  MLOBS_ERR_STORE: 'MLOBS_ERR_STORE',
  /** Training data given to `mlobs profile` is malformed; the message names the line and field. */
  MLOBS_ERR_DATA_INVALID: 'MLOBS_ERR_DATA_INVALID',
  /** Reaction policies given to `MlSpanProcessor` are invalid; the message lists each problem with its path. */
  MLOBS_ERR_REACTIONS_INVALID: 'MLOBS_ERR_REACTIONS_INVALID',
  /** The collector's reaction endpoint could not listen. */
  MLOBS_ERR_REACTIONS_LISTEN: 'MLOBS_ERR_REACTIONS_LISTEN',
  /** Two component factories of one kind share a type (extra factories given to `components()`). */
  MLOBS_ERR_COMPONENT_REGISTRY: 'MLOBS_ERR_COMPONENT_REGISTRY',
  /** A config asks for an optional dependency that is not installed (the message names the config path and the install command). */
  MLOBS_ERR_DEPENDENCY_MISSING: 'MLOBS_ERR_DEPENDENCY_MISSING',
  /** An `MLOBS_*` (or `OTEL_*`) variable `mlobs/register` reads has a value it cannot use. */
  MLOBS_ERR_ENV_INVALID: 'MLOBS_ERR_ENV_INVALID',
} as const;

/** One of the codes in {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error with a stable code; `details` holds structured extras (for example config problems). */
export class MlobsError extends Error {
  /** The stable code, one of {@link ErrorCodes}. */
  readonly code: ErrorCode;
  /** Structured data for programs (the message is for people). */
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MlobsError';
    this.code = code;
    this.details = options.details;
  }
}
