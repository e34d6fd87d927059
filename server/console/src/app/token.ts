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
