import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
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
  const signIn = useCallback((t: string) => {
    storeToken(t);
    setToken(t);
  }, []);
  // A session the server no longer accepts is simply forgotten here.
  const forget = useCallback(() => {
    storeToken(null);
    setToken(null);
  }, []);
  const client = useMemo(() => createApiClient(forget), [token, forget]);
  // 退出 ends the session on the server too (every token of the user), then here — even if the server cannot be reached.
  const signOut = useCallback(() => {
    void client.mutation(LogoutMutation, {}).toPromise().finally(forget);
  }, [client, forget]);
  return (
    <Provider value={client}>
      <CurrentUser signedIn={Boolean(token)} signIn={signIn} signOut={signOut}>
        {children}
      </CurrentUser>
    </Provider>
  );
}

function CurrentUser({
  children,
  signedIn,
  signIn,
  signOut,
}: {
  children: ReactNode;
  signedIn: boolean;
  signIn: Session['signIn'];
  signOut: Session['signOut'];
}) {
  const [{ data, fetching }] = useQuery({ query: MeQuery, pause: !signedIn, requestPolicy: 'network-only' });
  const user = signedIn ? (data?.me ?? null) : null;
  const value = useMemo(() => ({ user, loading: signedIn && fetching && !data, signIn, signOut }), [user, signedIn, fetching, data, signIn, signOut]);
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
