/** Raised by the OTLP decoders for a malformed body; receivers answer it with 400 / INVALID_ARGUMENT. */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

/**
 * Runs a whole-message decode, turning a stack overflow (a message nested thousands of
 * levels deep through AnyValue arrays or maps) into a decode error, so a hostile body is
 * refused as malformed instead of surfacing as an internal error.
 */
export function decodeGuarded<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message))
      throw new OtlpDecodeError('message is nested too deeply');
    throw err;
  }
}
