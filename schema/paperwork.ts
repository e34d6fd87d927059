import { builder } from './builder.ts';
import { serviceContext } from './resolve.ts';
import { createDownloadLink, type DownloadLink } from '../server/paperwork/download-links.ts';

// The bureau's paperwork (server/paperwork/): download links for browsers.

const DownloadLinkType = builder.objectRef<DownloadLink>('DownloadLink').implement({
  description: 'A one-use link to a file for the signed-in user, valid for two minutes (no long-lived token in the URL)',
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Relative URL: open it in the browser (same origin as /graphql)' }),
    expiresAt: t.field({ type: 'DateTime', resolve: (l) => l.expiresAt }),
  }),
});

builder.mutationFields((t) => ({
  createDownloadLink: t.field({
    type: DownloadLinkType,
    description:
      'A download link for an export, a printable document or a stocktake sheet, e.g. path "/exports/valuation.xlsx?groupBy=STORE,CATEGORY". ' +
      'The file is produced when the link is opened, in the scope the user has then.',
    authScopes: { authenticated: true },
    args: { path: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => createDownloadLink(serviceContext(ctx), ctx.config.jwtSecret, args.path),
  }),
}));
