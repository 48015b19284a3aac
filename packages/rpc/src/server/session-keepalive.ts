// Server-side keepalive (gRFC A8): ping each HTTP/2 connection every timeMs; a connection that
// does not answer within timeoutMs is closed, so dead peers do not hold streams forever.

import type http2 from 'node:http2';

export class SessionKeepalive {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly timeMs: number,
    private readonly timeoutMs: number,
  ) {}

  watch(session: http2.Http2Session): void {
    if (!Number.isFinite(this.timeMs) || this.timeMs <= 0) return;
    const timer = setInterval(() => {
      if (session.destroyed || session.closed) return;
      const deadline = setTimeout(() => session.destroy(), this.timeoutMs);
      deadline.unref();
      const sent = session.ping((err) => {
        clearTimeout(deadline);
        if (err && !session.destroyed) session.destroy();
      });
      if (!sent) clearTimeout(deadline);
    }, this.timeMs);
    timer.unref();
    this.timers.add(timer);
    session.once('close', () => {
      clearInterval(timer);
      this.timers.delete(timer);
    });
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
  }
}
