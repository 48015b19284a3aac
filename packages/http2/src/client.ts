// A client for one origin: requests go to the current connection, and a new one is opened when
// it stops taking streams (GOAWAY, stream ids used up, closed).

import type { ClientConnection, RequestOptions } from './client-connection.js';
import { type ConnectOptions, connect } from './connect.js';
import type { HeaderBlock, OutgoingHeaders } from './hpack/hpack-encoder.js';
import type { Http2Stream } from './stream.js';

export class Http2Client {
  private current: ClientConnection | undefined;
  private readonly all = new Set<ClientConnection>();

  constructor(private readonly options: ConnectOptions) {}

  /** The connection the next request goes to (opened now if needed). */
  connection(): ClientConnection {
    let connection = this.current;
    if (connection === undefined || !connection.canRequest) {
      connection = connect(this.options);
      const opened = connection;
      this.all.add(opened);
      opened.once('close', () => {
        this.all.delete(opened);
        if (this.current === opened) this.current = undefined;
      });
      this.current = opened;
    }
    return connection;
  }

  request(headers: HeaderBlock | OutgoingHeaders, options?: RequestOptions): Http2Stream {
    return this.connection().request(headers, options);
  }

  /** Closes every connection gracefully. */
  close(): void {
    for (const connection of this.all) connection.close();
    this.current = undefined;
  }
}
