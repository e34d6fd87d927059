// The signed-in user's token, kept for the browser tab (sessionStorage): the GraphQL client and the Excel downloads
// read it from here.
const KEY = 'reserves.token';

export const readToken = (): string | null => sessionStorage.getItem(KEY);

export function storeToken(token: string | null) {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

export const authHeaders = (): Record<string, string> => {
  const token = readToken();
  return token ? { authorization: `Bearer ${token}` } : {};
};

/**
 * Whose a token is (its `sub`), read from the token itself — not verified: the API does that on every request. The
 * login asks no `user` for it: a User in the login's answer would make urql's cache read the open page's `me` again,
 * while the tab still had no token (sweep 23c F4: the page behind the login dialog was dropped).
 */
export function tokenUserId(token: string): string | null {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '='))) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null;
  }
}
