// @ts-check
// Live updates over SSE. EventSource reconnects by itself after a dropped
// connection (sending Last-Event-ID); if the server answered with an error
// instead, the browser gives up, so we reopen it ourselves. After any outage
// `onReconnect` refetches the run list, because a restarted server may not be
// able to replay what happened while it was down.

const TYPES = ["status", "progress", "epoch"];

/**
 * @param {{url?: string, onEvent: (type: string, data: any) => void, onReconnect: () => void,
 *   onConnection: (state: string) => void}} hooks
 * @returns {() => void}  closes the stream
 */
export function connectLive({ url = "/api/events", onEvent, onReconnect, onConnection }) {
  /** @type {EventSource | null} */
  let source = null;
  let down = false;
  let timer = 0;
  let delay = 1000;

  function open() {
    source = new EventSource(url);
    source.addEventListener("open", () => {
      delay = 1000;
      onConnection("live");
      if (down) {
        down = false;
        onReconnect();
      }
    });
    source.addEventListener("error", () => {
      down = true;
      onConnection("reconnecting");
      if (source?.readyState === EventSource.CLOSED) {
        source.close();
        clearTimeout(timer);
        timer = setTimeout(open, delay);
        delay = Math.min(delay * 2, 15000);
      }
    });
    for (const type of TYPES) {
      source.addEventListener(type, (/** @type {MessageEvent} */ ev) => {
        let data;
        try {
          data = JSON.parse(ev.data);
        } catch {
          return; // a malformed event is skipped, not fatal
        }
        onEvent(type, data);
      });
    }
  }

  open();
  return () => {
    clearTimeout(timer);
    source?.close();
  };
}
