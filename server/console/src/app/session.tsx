import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Provider, useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { createApiClient, type SessionEnd } from './client';
import { readToken, storeToken, tokenUserId } from './token';

export const MeQuery = graphql(`
  query Me {
    me {
      id
      username
      displayName
      role
      region {
        code
        name
        location {
          lat
          lng
        }
      }
      stores {
        id
        code
        name
        kind
        incidentId
        region {
          code
          name
        }
      }
    }
  }
`);

const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export type SessionUser = NonNullable<ResultOf<typeof MeQuery>['me']>;
export type { SessionEnd };

interface Session {
  user: SessionUser | null;
  loading: boolean;
  /**
   * The session this tab held was refused by the API, and why (expired or ended by 退出 elsewhere; the account disabled
   * by an administrator): with a user's page open, a login dialog over it; else the login page says so. Null otherwise.
   */
  ended: SessionEnd | null;
  /** Counts the re-logins of the same user over an open page (sweep 23c F8: a page's live status opens again then). */
  resumed: number;
  /** A login's token (the same user as the open page's resumes the page, another starts at their home). */
  signIn: (token: string) => void;
  signOut: () => void;
  /**
   * A plain-HTTP request of the page (an upload, a download: app/client.ts fileSessionEnd) had the session refused: as a
   * GraphQL refusal does, the login is asked over the page, saying why.
   */
  sessionRefused: (reason: SessionEnd) => void;
}

const SessionContext = createContext<Session | null>(null);

/**
 * Who is signed in: the token in this tab and the `me` it answers for. Each sign-in of another user gets a fresh
 * GraphQL client, so nothing cached for one user is shown to the next.
 *
 * Sweep 23c F4: a session refused while a page is open (expired, 退出 on another device, the account disabled) leaves
 * the page mounted — what was typed stays — and the shell asks for a login over it (SessionEndedDialog). The same user
 * logged in again goes on where they were: the same client (its cache is theirs), the refused queries read again, and
 * the page's submit may be sent again. Another user starts at their own home, with a fresh client, the page dropped.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [signedIn, setSignedIn] = useState(() => Boolean(readToken()));
  const [ended, setEnded] = useState<SessionEnd | null>(null);
  const [resumed, setResumed] = useState(0);
  // A new client for each user who signs in (and after 退出): nothing of one is cached for the next.
  const [generation, setGeneration] = useState(0);
  // Whose page is open: a login as that user resumes it.
  const shown = useRef<string | null>(null);
  // Who signed in last: until `me` answers for them, the last user's shell is not shown (nor their page, to another).
  const [expected, setExpected] = useState<string | null>(null);
  // Set while 退出 is under way: its own refusal (a session already gone) is not news to the user who chose to leave.
  const leaving = useRef(false);
  // A session the server no longer accepts is forgotten here, and the user told why (M7). Only a session held counts: a
  // wrong password on the login page is UNAUTHENTICATED too, with no token in the tab; so is every request of the page
  // after the first refusal — one dialog, one reason.
  const expire = useCallback((reason: SessionEnd) => {
    if (!readToken() || leaving.current) return;
    storeToken(null);
    setEnded(reason);
  }, []);
  const api = useMemo(() => createApiClient(expire), [generation, expire]);
  const signIn = useCallback(
    (token: string) => {
      const userId = tokenUserId(token);
      leaving.current = false;
      storeToken(token);
      const resuming = ended !== null && userId !== null && shown.current === userId;
      setEnded(null);
      if (resuming) {
        api.resume();
        setResumed((n) => n + 1);
      } else {
        shown.current = null;
        setExpected(userId);
        setSignedIn(true);
        setGeneration((g) => g + 1);
      }
    },
    [api, ended],
  );
  // 退出 ends the session on the server too (every token of the user), then here — even if the server cannot be reached.
  const signOut = useCallback(() => {
    leaving.current = true;
    setEnded(null);
    void api.client
      .mutation(LogoutMutation, {})
      .toPromise()
      .finally(() => {
        storeToken(null);
        shown.current = null;
        setExpected(null);
        setSignedIn(false);
        setGeneration((g) => g + 1);
      });
  }, [api]);
  return (
    <Provider value={api.client}>
      <CurrentUser
        signedIn={signedIn}
        expected={expected}
        shown={shown}
        ended={ended}
        resumed={resumed}
        signIn={signIn}
        signOut={signOut}
        sessionRefused={expire}
      >
        {children}
      </CurrentUser>
    </Provider>
  );
}

function CurrentUser({
  children,
  signedIn,
  expected,
  shown,
  ended,
  resumed,
  signIn,
  signOut,
  sessionRefused,
}: {
  children: ReactNode;
  signedIn: boolean;
  expected: string | null;
  shown: { current: string | null };
  ended: SessionEnd | null;
  resumed: number;
  signIn: Session['signIn'];
  signOut: Session['signOut'];
  sessionRefused: Session['sessionRefused'];
}) {
  const [{ data, fetching }] = useQuery({ query: MeQuery, pause: !signedIn, requestPolicy: 'network-only' });
  // While the session is ended the page's user stays (its `me` read again meanwhile would be refused): the page is kept.
  const held = useRef<SessionUser | null>(null);
  const me = data?.me ?? (ended ? held.current : null);
  // The user last signed in, once `me` answers for them (a new client's first answer; the last user's meanwhile is not theirs).
  const theirs = me !== null && (expected === null || me.id === expected);
  const user = signedIn && theirs ? me : null;
  useEffect(() => {
    held.current = user;
    if (user) shown.current = user.id;
  }, [user, shown]);
  const value = useMemo(
    () => ({ user, loading: signedIn && fetching && !theirs, ended, resumed, signIn, signOut, sessionRefused }),
    [user, signedIn, fetching, theirs, ended, resumed, signIn, signOut, sessionRefused],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user (pages below the shell only render when there is one). */
export function useUser(): SessionUser {
  const { user } = useSession();
  if (!user) throw new Error('no signed-in user');
  return user;
}
