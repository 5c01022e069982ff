// The size of a hub message before it is sent. The hub closes the connection on a message larger than its limit
// (one change's budget, in UTF-8 bytes), so the page measures a change first and refuses it itself, saying why.

const utf8 = new TextEncoder();

// The invocation id the client adds is a counter; counting it as ten digits keeps the estimate at or above the real size.
const WIDEST_ID = '9999999999';

/**
 * UTF-8 bytes of the invocation of `method` with `args` as SignalR's JSON protocol writes it (the message, then its
 * one-byte record separator), counted with the widest invocation id a page will use.
 */
export function messageBytes(method, args) {
  const message = { target: method, arguments: args, invocationId: WIDEST_ID, type: 1 };
  return utf8.encode(JSON.stringify(message)).length + 1;
}

/** Null when the message fits in `budget` bytes; otherwise what the page says instead of sending it. */
export function tooLarge(method, args, budget) {
  if (!(budget > 0)) return null;
  const size = messageBytes(method, args);
  if (size <= budget) return null;
  const over = size - budget;
  return `This change is too large to send: ${size.toLocaleString('en')} bytes, ${over.toLocaleString('en')} byte${over === 1 ? '' : 's'} over `
    + `the limit of ${budget.toLocaleString('en')} bytes for one change. Shorten it (its note, attribution or selected text) and try again.`;
}
