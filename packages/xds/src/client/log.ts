// The optional debug log hook of an XdsClient: stream lifecycle, ACK/NACK, deletions.

/** The level of a log line. */
export type XdsLogLevel = 'debug' | 'info' | 'warn';

/** Receives the xDS client's log lines. */
export type XdsLogger = (level: XdsLogLevel, message: string) => void;

/** The default: drop everything. */
export const silentLogger: XdsLogger = () => {};
