import { EventEmitter, on } from 'node:events';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterCommit } from '../../drizzle/after-commit.ts';
import type { Database, Db } from '../../drizzle/client.ts';
import { dispatchPlans } from '../../drizzle/schema/index.ts';
import { rateLimited } from '../errors.ts';

// Plan status changes for the live subscription (D18). DESIGN "Growing past one machine": every API process listens
// on one LISTEN/NOTIFY channel of its database (PGlite too), and a change is sent on it as a NOTIFY inside the
// transaction that makes it — the database delivers it at commit, in the order transactions commit, to every process,
// whichever made it, and never if it rolls back. Each process hands it to its own subscribers.

export interface PlanStatusEvent {
  planId: string;
  status: string;
}

export const PLAN_STATUS_CHANNEL = 'plan_status';

const bus = new EventEmitter();
bus.setMaxListeners(0);
let listening = false;

/**
 * Hears the database's plan status changes; from then on changes travel as NOTIFY (publishPlanStatus). While the
 * listening connection is down (drizzle/listener.ts) this process's own changes are told here after their commit, and
 * the other processes' are lost: once it is up again, every plan someone here follows is read again and its status
 * told (a subscriber hears only a status other than the last it was told).
 */
export async function listenForPlanStatus(database: Pick<Database, 'listen' | 'db'>, onError: (error: unknown) => void): Promise<void> {
  let lost = false;
  await database.listen(
    PLAN_STATUS_CHANNEL,
    (payload) => {
      try {
        const { planId, status } = JSON.parse(payload) as PlanStatusEvent;
        deliverPlanStatus({ planId, status });
      } catch (error) {
        onError(error);
      }
    },
    (state) => {
      listening = state === 'UP';
      if (state === 'DOWN') lost = true;
      else if (lost) {
        lost = false;
        retellFollowedPlans(database.db).catch(onError);
      }
    },
  );
}

/** Tells the status of every plan this process's subscribers follow, as it stands now. */
async function retellFollowedPlans(db: Db): Promise<void> {
  const planIds = bus
    .eventNames()
    .map(String)
    .filter((name) => name.startsWith('plan:'))
    .map((name) => name.slice('plan:'.length));
  if (!planIds.length) return;
  const plans = await db.select({ id: dispatchPlans.id, status: dispatchPlans.status }).from(dispatchPlans).where(inArray(dispatchPlans.id, planIds));
  for (const plan of plans) deliverPlanStatus({ planId: plan.id, status: plan.status });
}

/**
 * A plan's new status, told to subscribers once the transaction that set it has committed, in commit order: a change
 * that rolls back is never told, and the last event a subscriber hears is the plan's state. Called where the status is
 * written, inside its transaction `db`. Until this process listens (start-up, or a listener that failed), it is told
 * to this process's subscribers after the commit (afterCommit).
 */
export async function publishPlanStatus(db: Db, planId: string, status: string): Promise<void> {
  const event: PlanStatusEvent = { planId, status };
  if (listening) await db.execute(sql`SELECT pg_notify(${PLAN_STATUS_CHANNEL}, ${JSON.stringify(event)})`);
  else afterCommit(() => deliverPlanStatus(event));
}

/** Hands a change to this process's subscribers. */
function deliverPlanStatus(event: PlanStatusEvent) {
  bus.emit(`plan:${event.planId}`, event);
}

/** The status changes of one plan, as an async iterable; ends when the consumer returns or the signal aborts. */
export async function* planStatusEvents(planId: string, signal?: AbortSignal): AsyncGenerator<PlanStatusEvent> {
  try {
    for await (const [event] of on(bus, `plan:${planId}`, { signal })) yield event as PlanStatusEvent;
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  }
}

/**
 * API.md "The edge": a client's budget. Each open stream holds a connection and a listener, so one user holds at most
 * this many at once in a process (a console shows one plan at a time; a few tabs are many).
 */
export const MAX_STREAMS_PER_USER = 20;
const openStreams = new Map<string, number>();

/** Who follows a plan's status (D18), and for how long: the session the subscription was opened in. */
export interface PlanStatusSubscriber {
  userId: string;
  /**
   * Whether the subscriber may still be told a change: their session goes on (not logged out, password not reset, not
   * deactivated) and the plan is still theirs to read. Asked before each change is told.
   */
  mayStillHear: () => Promise<boolean>;
  /** When the session ends at the latest (its token's expiry): the stream ends then, whether or not anything changed. */
  sessionEndsAt: Date;
  /** Calls back after each change that may end the session (users changed); returns what stops it. */
  watchSession?: (onChange: () => void) => () => void;
}

/**
 * One subscriber's view of a plan (D18): its status now, then its changes, for as long as the subscriber's session
 * lasts. The stream ends (the client gets `complete`) as soon as the session has ended — logout, a password reset or a
 * deactivation (README), heard as a change of users (watchSession; and asked again before each change is told) —, when
 * the session's token expires, when the consumer returns, or when `stopping` aborts (shutdown). The caller has already
 * decided that the subscriber may read the plan.
 */
export function planStatusForSession(db: Db, planId: string, subscriber: PlanStatusSubscriber, stopping?: AbortSignal): AsyncGenerator<PlanStatusEvent> {
  const held = openStreams.get(subscriber.userId) ?? 0;
  if (held >= MAX_STREAMS_PER_USER) {
    throw rateLimited(`同时打开的调拨方案动态过多（每人最多 ${MAX_STREAMS_PER_USER} 个），请关闭不再查看的页面后重试`, 30);
  }
  openStreams.set(subscriber.userId, held + 1);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const left = (openStreams.get(subscriber.userId) ?? 1) - 1;
    if (left > 0) openStreams.set(subscriber.userId, left);
    else openStreams.delete(subscriber.userId);
  };
  const ended = new AbortController();
  const signal = stopping ? AbortSignal.any([stopping, ended.signal]) : ended.signal;
  // Listening from here, before the current status is read: a change committed meanwhile is told after it, not lost.
  const changes = on(bus, `plan:${planId}`, { signal });
  const cancelExpiry = abortAt(subscriber.sessionEndsAt, ended);
  const unwatch = subscriber.watchSession?.(sessionCheck(subscriber, ended)) ?? (() => {});
  const stop = () => {
    cancelExpiry();
    unwatch();
    ended.abort();
    release();
  };
  const stream = (async function* () {
    try {
      const [plan] = await db.select({ status: dispatchPlans.status }).from(dispatchPlans).where(eq(dispatchPlans.id, planId));
      if (!plan) return;
      let told: string = plan.status;
      yield { planId, status: told };
      for await (const [event] of changes) {
        const { status } = event as PlanStatusEvent;
        // A change heard after the status was read may have committed before it: told already, not again. (An older
        // one may still be heard after the status read; the newer ones follow it, so the last told is the plan's.)
        if (status === told) continue;
        if (!(await subscriber.mayStillHear())) return;
        told = status;
        yield { planId, status };
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    } finally {
      stop();
    }
  })();
  // A consumer that returns before the first event never runs the generator's `finally`: stop listening then too.
  const finish = stream.return.bind(stream);
  stream.return = (value) => {
    stop();
    return finish(value);
  };
  return stream;
}

/**
 * What runs on each change that may have ended the session: asks whether the subscriber may still hear, and ends the
 * stream if not. One question at a time; changes heard meanwhile ask once more after it (a burst costs two reads).
 */
function sessionCheck(subscriber: PlanStatusSubscriber, ended: AbortController): () => void {
  let asking = false;
  let again = false;
  const ask = async () => {
    asking = true;
    try {
      do {
        again = false;
        if (!(await subscriber.mayStillHear())) return ended.abort();
      } while (again && !ended.signal.aborted);
    } catch {
      // A failed read ends nothing: the next change, or the next event, asks again.
    } finally {
      asking = false;
    }
  };
  return () => {
    if (ended.signal.aborted) return;
    if (asking) again = true;
    else void ask();
  };
}

/** setTimeout's longest wait (about 24.8 days); a token may live 30 (TOKEN_TTL_HOURS). */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Aborts `controller` at `when` (at once if past); returns what cancels it. */
function abortAt(when: Date, controller: AbortController): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const wait = when.getTime() - Date.now();
    if (wait <= 0) return controller.abort();
    // Does not keep the process alive by itself (an open stream ends at shutdown anyway).
    timer = setTimeout(arm, Math.min(wait, LONGEST_TIMER_MS)).unref();
  };
  arm();
  return () => clearTimeout(timer);
}
