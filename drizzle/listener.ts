import postgres from 'postgres';

// DESIGN "Growing past one machine": what one process changes, the others hear of through LISTEN/NOTIFY — the
// reference cache drops what it holds (server/reference-cache.ts), plan status reaches subscribers
// (server/dispatch/events.ts). A notification sent while the listening connection is down (a PostgreSQL restart, a
// terminated backend, a network cut) is lost for good, so the listeners are told the connection's state: DOWN at once
// when it closes (hold nothing that a lost notification would have changed), UP each time LISTEN is in place again
// (read again whatever may have changed meanwhile). postgres.js's own `listen` re-listens after a loss but says
// nothing of it, and gives up for good if its first try fails; this one keeps trying until it is closed.

export type ListenState = 'UP' | 'DOWN';

export interface Listening {
  onNotify: (payload: string) => void;
  onState?: (state: ListenState) => void;
}

/** Milliseconds between tries to listen again: growing to the last, then staying there. */
const RETRY_MS = [100, 500, 1000, 2000, 5000];

export class PostgresListener {
  readonly #channels = new Map<string, Listening[]>();
  readonly #sql: postgres.Sql;
  #up = false;
  #closed = false;
  #tries = 0;
  #retry: NodeJS.Timeout | undefined;
  #relistening: Promise<void> | null = null;

  constructor(url: string, applicationName: string) {
    const options = {
      max: 1,
      idle_timeout: null,
      max_lifetime: null,
      fetch_types: false,
      onnotice: () => {},
      connection: { application_name: applicationName },
      // postgres.js hands every NotificationResponse of its connections here (src/connection.js).
      onnotify: (channel: string, payload: string) => {
        for (const l of this.#channels.get(channel) ?? []) l.onNotify(payload);
      },
      onclose: () => this.#lost(),
    };
    // null: no idle or lifetime limit (as postgres.js sets for its own listening connection; its types allow numbers only).
    this.#sql = postgres(url, options as unknown as postgres.Options<Record<string, never>>);
  }

  /** Listens on `channel`; resolves once LISTEN is in place, rejects if the first try fails (tries go on meanwhile). */
  async listen(channel: string, listening: Listening): Promise<void> {
    const first = !this.#channels.has(channel);
    this.#channels.set(channel, [...(this.#channels.get(channel) ?? []), listening]);
    if (first) {
      try {
        await this.#sql.unsafe(`LISTEN ${quoted(channel)}`);
      } catch (error) {
        this.#lost();
        throw error;
      }
    }
    // Were the connection down, waiting to listen again, this listener is told UP with the others once it has.
    if (this.#retry || this.#relistening) return;
    this.#up = true;
    listening.onState?.('UP');
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#sql.end({ timeout: 5 });
  }

  /** The connection closed (or a LISTEN failed): every listener is told DOWN once, and tries to listen again begin. */
  #lost(): void {
    if (this.#closed) return;
    if (this.#up) {
      this.#up = false;
      this.#tell('DOWN');
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#retry || this.#relistening) return;
    const wait = RETRY_MS[Math.min(this.#tries++, RETRY_MS.length - 1)];
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#relistening = this.#relisten().finally(() => (this.#relistening = null));
    }, wait);
    this.#retry.unref();
  }

  async #relisten(): Promise<void> {
    try {
      // One connection: the LISTENs of every channel are on it again, or none is trusted.
      for (const channel of this.#channels.keys()) await this.#sql.unsafe(`LISTEN ${quoted(channel)}`);
    } catch {
      this.#relistening = null;
      this.#schedule();
      return;
    }
    this.#tries = 0;
    this.#up = true;
    this.#tell('UP');
  }

  #tell(state: ListenState): void {
    for (const listeners of this.#channels.values()) for (const l of listeners) l.onState?.(state);
  }
}

const quoted = (channel: string) => `"${channel.replace(/"/g, '""')}"`;
