import { planStatusEvents } from '../../server/dispatch/events.ts';

/**
 * D18: a `dispatchPlanStatus` subscription over SSE, opened over POST as the console opens it (API.md: GET only for
 * queries). `text` is what has arrived so far; `readUntil` reads on until `pred` holds or the stream ends.
 */
export async function planStatusStream(url: string, planId: string, token: string, signal: AbortSignal) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: `subscription($p: ID!) { dispatchPlanStatus(planId: $p) { planId status } }`, variables: { p: planId } }),
    signal,
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const stream = {
    res,
    text: '',
    async readUntil(pred: (text: string) => boolean): Promise<boolean> {
      while (!pred(stream.text)) {
        const { value, done } = await reader.read();
        if (done) break;
        stream.text += decoder.decode(value, { stream: true });
      }
      return pred(stream.text);
    },
    close: () => reader.cancel(),
  };
  return stream;
}

/** The plan status events one in-process subscriber hears, collected until `stop`. */
export function listenToPlanStatus(planId: string) {
  const abort = new AbortController();
  const heard: string[] = [];
  const done = (async () => {
    for await (const e of planStatusEvents(planId, abort.signal)) heard.push(e.status);
  })();
  return {
    heard,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

/** Waits (up to 2 s) until `heard` holds `status`: a NOTIFY arrives on the listening connection after its commit. */
export async function until(heard: string[], status: string): Promise<void> {
  for (let i = 0; i < 200 && !heard.includes(status); i++) await new Promise((r) => setTimeout(r, 10));
}
