// The page's side of live sync. Joins documents on the hub, applies events in sequence order exactly
// once, and after an automatic reconnect asks for everything after the last sequence it applied.
// Mutations go through the hub and answer {ok, status, value, detail, current}.

/* global signalR */

import { tooLarge } from './budget.js';

export class LiveSync {
  /**
   * @param {{onEvent: (e: object) => void, onStatus: (status: string, detail?: string) => void,
   *          onPresence: (documentId: number, people: object[]) => void, onAccessChanged?: () => void}} handlers
   *   onAccessChanged: the server dropped this page's subscriptions (role changed, removed); the default reloads.
   *        statuses: 'live', 'offline' (reconnecting), 'catching-up', 'failed' (the server refused to rejoin: reload)
   * @param connection  the hub connection (tests pass a stand-in); by default one to /hubs/annotations
   * @param budgetBytes  the largest message the hub takes (one change, in UTF-8 bytes): a larger call is refused here
   */
  constructor(handlers, connection = hubConnection(), budgetBytes = 0) {
    this.handlers = handlers;
    this.budgetBytes = budgetBytes;
    this.documents = new Map(); // documentId -> last sequence applied for it
    this.seen = new Set();      // sequences applied (a pushed event may also come back in a catch-up)
    this.buffer = null;         // events pushed while a join is in flight
    this.joinRetryMs = 2000;    // wait before joining again when the server's database is not answering
    this.connection = connection;
    this.connection.on('Changed', e => this.receive(e));
    this.connection.on('Presence', (documentId, people) => this.handlers.onPresence?.(documentId, people));
    // The server dropped our subscriptions because our role here changed (or we were removed): what is on the
    // page may be more than we may now see, so load it again and let the server decide afresh.
    this.connection.on('AccessChanged', () => {
      if (this.handlers.onAccessChanged) { this.handlers.onAccessChanged(); return; }
      this.handlers.onStatus('failed', 'Your access to this project changed; reloading…');
      setTimeout(() => window.location.reload(), 1500);
    });
    this.connection.onreconnecting(() => this.handlers.onStatus('offline', 'Connection lost; reconnecting…'));
    this.connection.onreconnected(async () => {
      this.handlers.onStatus('catching-up', 'Reconnected; catching up…');
      if (await this.joinedAll('rejoin')) this.handlers.onStatus('live', 'Caught up');
    });
    // The automatic retries gave up (a long outage): keep trying, more slowly.
    this.connection.onclose(() => { this.handlers.onStatus('offline', 'Offline; retrying…'); setTimeout(() => this.start(), 5000); });
  }

  async start() {
    try {
      if (this.connection.state === signalR.HubConnectionState.Disconnected) await this.connection.start();
    } catch (error) {
      this.handlers.onStatus('offline', 'Offline; retrying…');
      setTimeout(() => this.start(), 3000);
      return;
    }
    if (await this.joinedAll('join')) this.handlers.onStatus('live', 'Live');
  }

  /**
   * (Re)joins every document; true when all were joined. When the server refuses (the person was removed from
   * the project, the article was deleted) the status says so and to reload: retrying would be refused again and
   * the page would otherwise claim to be catching up for ever. When the connection dropped meanwhile, the status
   * already says offline and the next reconnect joins again.
   */
  async joinedAll(what) {
    try {
      await this.rejoinAll();
      return this.connection.state === signalR.HubConnectionState.Connected;
    } catch (error) {
      if (this.connection.state !== signalR.HubConnectionState.Connected) return false;
      // The database is restarting: the same join works in a moment (the hub says so in these words).
      if (reasonOf(error).startsWith('Database unavailable')) {
        this.handlers.onStatus('offline', 'The server cannot reach its database; retrying…');
        setTimeout(async () => { if (await this.joinedAll(what)) this.handlers.onStatus('live', 'Live'); }, this.joinRetryMs);
        return false;
      }
      this.handlers.onStatus('failed', `Could not ${what}: ${reasonOf(error)}; reload the page.`);
      return false;
    }
  }

  /** Joins a document and applies its events after `after` (0 for a first join). */
  async join(documentId) {
    const after = this.documents.get(documentId) ?? 0;
    this.documents.set(documentId, after);
    if (this.connection.state !== signalR.HubConnectionState.Connected) return null;
    this.buffer = this.buffer ?? [];
    try {
      const result = await this.connection.invoke('JoinDocument', documentId, after);
      for (const e of result.events) this.apply(e);
      this.handlers.onPresence?.(documentId, result.present);
      return result;
    } finally {
      const pending = this.buffer ?? [];
      this.buffer = null;
      for (const e of pending) this.apply(e);
    }
  }

  async rejoinAll() {
    for (const documentId of [...this.documents.keys()]) await this.join(documentId);
  }

  receive(e) {
    if (this.buffer) this.buffer.push(e); else this.apply(e);
  }

  apply(e) {
    if (this.seen.has(e.sequence)) return;
    this.seen.add(e.sequence);
    for (const id of [e.documentId, e.otherDocumentId]) {
      if (id != null && this.documents.has(id)) this.documents.set(id, Math.max(this.documents.get(id), e.sequence));
    }
    this.handlers.onEvent(e);
  }

  /**
   * Calls a hub mutation; a dropped connection is answered like a refusal, so the page can say so. So is a change
   * over the budget (status 413), without sending it: the hub would close the connection on it.
   */
  async call(method, ...args) {
    const refusal = tooLarge(method, args, this.budgetBytes);
    if (refusal) return { ok: false, status: 413, detail: refusal };
    try {
      return await this.connection.invoke(method, ...args);
    } catch (error) {
      return { ok: false, status: 0, detail: 'Not sent: the connection is down. Try again when the page says Live.' };
    }
  }
}

/**
 * WebSockets straight away, without the negotiate request: behind a load balancer the negotiate and the
 * socket could reach two different nodes, and the second would not know the first's connection token.
 */
export const hubOptions = { skipNegotiation: true, transport: 1 /* signalR.HttpTransportType.WebSockets */ };

function hubConnection() {
  return new signalR.HubConnectionBuilder()
    .withUrl('/hubs/annotations', hubOptions)
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(10000, 250 * 2 ** ctx.previousRetryCount) })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
}

/** What the server said: a HubException's message reaches the client after "HubException: ". */
export function reasonOf(error) {
  const message = String(error?.message ?? error ?? 'unknown error');
  const at = message.indexOf('HubException: ');
  return (at >= 0 ? message.slice(at + 'HubException: '.length) : message).trim().replace(/\.$/, '');
}
