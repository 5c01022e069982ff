// Unit tests of the page's live-sync state (wwwroot/js/live.js) against a stand-in for the SignalR connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';

// live.js reads the connection states from the SignalR browser library's global.
globalThis.signalR = { HubConnectionState: { Disconnected: 'Disconnected', Connecting: 'Connecting', Connected: 'Connected', Reconnecting: 'Reconnecting' } };
const { LiveSync, reasonOf } = await import('../../wwwroot/js/live.js');

/** Records what the hub client would do; `join` answers JoinDocument (or throws, like a refusal). */
class FakeConnection {
  constructor(join) {
    this.state = 'Disconnected';
    this.join = join;
    this.callbacks = {};
  }
  on(name, callback) { this.callbacks[name] = callback; }
  onreconnecting(callback) { this.reconnecting = callback; }
  onreconnected(callback) { this.reconnected = callback; }
  onclose(callback) { this.closed = callback; }
  async start() { this.state = 'Connected'; }
  async invoke(method, ...args) {
    assert.equal(method, 'JoinDocument');
    return this.join(...args);
  }
  /** The network goes and comes back, as the automatic reconnect reports it. */
  drop() { this.state = 'Reconnecting'; this.reconnecting(); }
  async restore() { this.state = 'Connected'; await this.reconnected(); }
}

function refusal(message) {
  // How @microsoft/signalr rejects an invocation the server refused with a HubException.
  return new Error(`An unexpected error occurred invoking 'JoinDocument' on the server. HubException: ${message}`);
}

function sync(join) {
  const statuses = [], events = [];
  const connection = new FakeConnection(join);
  const live = new LiveSync({ onEvent: e => events.push(e.sequence), onStatus: (state, text) => statuses.push([state, text]), onPresence: () => {} }, connection);
  live.documents.set(7, 3);
  return { live, connection, statuses, events };
}

const event = sequence => ({ sequence, documentId: 7, kind: 'annotation_created', data: {} });

test('starts live and catches up after a reconnect, applying each event once', async () => {
  let answer = { events: [event(4)], present: [] };
  const { live, connection, statuses, events } = sync(async (documentId, after) => {
    assert.equal(documentId, 7);
    return { ...answer, after };
  });
  await live.start();
  assert.deepEqual(statuses.at(-1), ['live', 'Live']);
  connection.drop();
  assert.equal(statuses.at(-1)[0], 'offline');
  answer = { events: [event(4), event(5), event(6)], present: [] };
  await connection.restore();
  assert.deepEqual(statuses.slice(-2).map(s => s[0]), ['catching-up', 'live']);
  assert.equal(statuses.at(-1)[1], 'Caught up');
  assert.deepEqual(events, [4, 5, 6]);
  assert.equal(live.documents.get(7), 6);
});

test('a refused rejoin says so and to reload, instead of catching up for ever', async () => {
  let refuse = false;
  const { live, connection, statuses } = sync(async () => {
    if (refuse) throw refusal('Document 7 does not exist or you cannot see it.');
    return { events: [], present: [] };
  });
  await live.start();
  connection.drop();
  refuse = true;
  await connection.restore();
  assert.deepEqual(statuses.at(-1), ['failed', 'Could not rejoin: Document 7 does not exist or you cannot see it; reload the page.']);
  assert.ok(!statuses.slice(-2).some(([state]) => state === 'live'));
});

test('a refused first join says so too', async () => {
  const { live, statuses } = sync(async () => { throw refusal('You are not a member of this project.'); });
  await live.start();
  assert.deepEqual(statuses, [['failed', 'Could not join: You are not a member of this project; reload the page.']]);
});

test('a connection lost again while rejoining stays offline, and the next reconnect catches up', async () => {
  let lose = false;
  const { live, connection, statuses, events } = sync(async () => {
    if (lose) { connection.drop(); throw new Error('Invocation canceled due to the underlying connection being closed.'); }
    return { events: [event(9)], present: [] };
  });
  await live.start();
  connection.drop();
  lose = true;
  await connection.restore();
  assert.deepEqual(statuses.slice(-2).map(s => s[0]), ['catching-up', 'offline']);
  lose = false;
  await connection.restore();
  assert.deepEqual(statuses.slice(-2).map(s => s[0]), ['catching-up', 'live']);
  assert.deepEqual(events, [9]);
});

test('reads the reason of a refusal', () => {
  assert.equal(reasonOf(refusal('Not allowed.')), 'Not allowed');
  assert.equal(reasonOf(new Error('Server timeout elapsed without receiving a message from the server.')), 'Server timeout elapsed without receiving a message from the server');
  assert.equal(reasonOf(undefined), 'unknown error');
});

test('a join refused because the database is restarting is retried (not "reload"), and goes live once it answers', async () => {
  let down = true;
  const { live, statuses, events } = sync(async () => {
    if (down) throw refusal('Database unavailable: nothing was saved; send it again in a few seconds.');
    return { events: [event(4)], present: [] };
  });
  live.joinRetryMs = 5;
  await live.start();
  assert.deepEqual(statuses, [['offline', 'The server cannot reach its database; retrying…']]);
  down = false;
  const deadline = Date.now() + 2000;
  while (statuses.at(-1)[0] !== 'live' && Date.now() < deadline) await new Promise(r => setTimeout(r, 5));
  assert.deepEqual(statuses.at(-1), ['live', 'Live']);
  assert.ok(!statuses.some(([state]) => state === 'failed'));
  assert.deepEqual(events, [4]);
});
