/** The mlobs version reported as the tracer's instrumentation-scope version; a test keeps it equal to package.json. */
export const MLOBS_VERSION = '0.1.0';
