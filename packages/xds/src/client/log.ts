// The optional debug log hook of an XdsClient: stream lifecycle, ACK/NACK, deletions.

export type XdsLogLevel = 'debug' | 'info' | 'warn';

export type XdsLogger = (level: XdsLogLevel, message: string) => void;

/** The default: drop everything. */
export const silentLogger: XdsLogger = () => {};
