// Two connected in-memory sockets: what one end writes, the other reads. The fuzz suite runs a
// hundred thousand connections through them, which real TCP sockets would make a matter of
// minutes; the connection code is the real one, only the bytes travel in memory.

import { Duplex } from 'node:stream';

export class PipeSocket extends Duplex {
  other!: PipeSocket;
  bytesWritten = 0;
  readonly connecting = false;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytesWritten += chunk.length;
    if (!this.other.destroyed) this.other.push(chunk);
    callback();
  }

  override _read(): void {}

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.other.destroyed) this.other.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    if (!this.other.destroyed) this.other.destroy();
    callback(error);
  }

  setNoDelay(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}

export function socketPair(): [PipeSocket, PipeSocket] {
  const a = new PipeSocket();
  const b = new PipeSocket();
  a.other = b;
  b.other = a;
  return [a, b];
}
