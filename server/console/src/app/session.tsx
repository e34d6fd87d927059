import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { Provider, useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { createApiClient } from './client';
import { readToken, storeToken } from './token';

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

interface Session {
  user: SessionUser | null;
  loading: boolean;
  /** The session this tab held was refused by the API (expired, or ended by 退出 elsewhere): the login page says so. */
  ended: boolean;
  signIn: (token: string) => void;
  signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

/**
 * Who is signed in: the token in this tab and the `me` it answers for. Each sign-in gets a fresh GraphQL client, so
 * nothing cached for one user is shown to the next.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState(readToken);
  const [ended, setEnded] = useState(false);
  // Set while 退出 is under way: its own refusal (a session already gone) is not news to the user who chose to leave.
  const leaving = useRef(false);
  const signIn = useCallback((t: string) => {
    leaving.current = false;
    storeToken(t);
    setToken(t);
    setEnded(false);
  }, []);
  const forget = useCallback(() => {
    storeToken(null);
    setToken(null);
  }, []);
  // A session the server no longer accepts is forgotten here, and the login page says why (M7). Only a session held
  // counts: a wrong password on the login page is UNAUTHENTICATED too, with no token in the tab.
  const expire = useCallback(() => {
    if (!readToken()) return;
    forget();
    if (!leaving.current) setEnded(true);
  }, [forget]);
  const client = useMemo(() => createApiClient(expire), [token, expire]);
  // 退出 ends the session on the server too (every token of the user), then here — even if the server cannot be reached.
  const signOut = useCallback(() => {
    leaving.current = true;
    setEnded(false);
    void client.mutation(LogoutMutation, {}).toPromise().finally(forget);
  }, [client, forget]);
  return (
    <Provider value={client}>
      <CurrentUser signedIn={Boolean(token)} ended={ended} signIn={signIn} signOut={signOut}>
        {children}
      </CurrentUser>
    </Provider>
  );
}

function CurrentUser({
  children,
  signedIn,
  ended,
  signIn,
  signOut,
}: {
  children: ReactNode;
  signedIn: boolean;
  ended: boolean;
  signIn: Session['signIn'];
  signOut: Session['signOut'];
}) {
  const [{ data, fetching }] = useQuery({ query: MeQuery, pause: !signedIn, requestPolicy: 'network-only' });
  const user = signedIn ? (data?.me ?? null) : null;
  const value = useMemo(
    () => ({ user, loading: signedIn && fetching && !data, ended, signIn, signOut }),
    [user, signedIn, fetching, data, ended, signIn, signOut],
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
