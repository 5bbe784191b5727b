import { Agent, request } from 'undici';
import { createGuardedConnector } from './connector.js';
import { normalizeAllowHosts } from './guard.js';

/** The options of a {@link HttpPoster}. */
export interface HttpPosterOptions {
  /** Destinations (`scheme://host:port`) that may be private addresses, as `PAPERLINE_ALLOW_HOSTS`. */
  allowHosts: readonly string[];
  /** The most one POST may take, connecting and reading the answer included. */
  timeoutMs: number;
}

/**
 * POSTs bodies (webhook deliveries) under the same address guard as the fetcher's GETs: private,
 * loopback and cloud-metadata addresses are refused unless the destination is allowed. It follows
 * no redirects (a 3xx is an answer like any other) and drops the answer's body.
 */
export class HttpPoster {
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(opts: HttpPosterOptions) {
    this.#timeoutMs = opts.timeoutMs;
    this.#agent = new Agent({
      keepAliveTimeout: 4_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: createGuardedConnector({
        timeoutMs: opts.timeoutMs,
        blockPrivateAddresses: true,
        allowHosts: normalizeAllowHosts(opts.allowHosts),
      }),
    });
  }

  /** POSTs `body`; resolves with the answer's status, throws on a refused address, a network error or the time limit. */
  async post(url: string, body: string, headers: Record<string, string>): Promise<number> {
    const res = await request(url, {
      method: 'POST',
      body,
      headers,
      dispatcher: this.#agent,
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    await res.body.dump();
    return res.statusCode;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
