import { useCallback } from 'react';
import { useClient } from 'urql';
import { graphql } from '../graphql/graphql';
import { errorMessages } from './api-errors';

const CreateDownloadLink = graphql(`
  mutation CreateDownloadLink($path: String!) {
    createDownloadLink(path: $path) {
      url
      expiresAt
    }
  }
`);

/** A relative URL with its query, leaving out empty parameters. */
export function pathWithQuery(path: string, params: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => Boolean(e[1])));
  const qs = query.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Mints a short-lived, one-use link to an export or a printable page (createDownloadLink), so that the browser can open
 * the file without the session token in its URL. Answers the link, or the API's Chinese messages.
 */
export function useDownloadLink() {
  const client = useClient();
  return useCallback(
    async (path: string): Promise<{ url: string } | { errors: string[] }> => {
      const result = await client.mutation(CreateDownloadLink, { path }).toPromise();
      if (result.error || !result.data) return { errors: result.error ? errorMessages(result.error) : ['无法生成下载链接'] };
      return { url: result.data.createDownloadLink.url };
    },
    [client],
  );
}
