// A stand-in for a host that is not the platform's (an attacker's server, an internal service): it serves
// a real-looking PNG to anyone and records every request with its headers, so tests can prove the bot
// never contacted it, or never sent it a token.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server that records what reaches it. */
export class RecordingHost {
  readonly requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  readonly #server = createServer((req, res) => {
    this.requests.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });
  #base = '';

  /** `http://127.0.0.1:<port>`, a different host (port) from any stand-in's. */
  get base(): string {
    return this.#base;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
