// The reference for P3: PostGraphile v5 over the same database, in its own process like the product's server.
// Started by run.ts with DATABASE_URL and PORT; prints "PostGraphile at" when it listens.
import './postgraphile-polyfill.ts';
import { createServer } from 'node:http';

// PostGraphile v5 declares Node ≥ 22: it is not a dependency of the project (npm install on the Node 20 machines stays
// free of engine warnings); `npm run bench` installs it for the run without saving it.
const load = (specifier: string): Promise<any> => import(specifier);
const { postgraphile } = await load('postgraphile');
const { PostGraphileAmberPreset } = await load('postgraphile/presets/amber');
const { makePgService } = await load('postgraphile/adaptors/pg');
const { grafserv } = await load('postgraphile/grafserv/node');

const port = Number(process.env.PORT);
const pgl = postgraphile({
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL!, schemas: ['public'], poolConfig: { max: 24 } })],
  grafserv: { port, graphqlPath: '/graphql', graphiql: false },
  grafast: { explain: false },
  schema: { pgForbidSetofFunctionsToReturnNull: true },
});
const server = createServer();
await pgl.createServ(grafserv).addTo(server);
server.listen(port, '127.0.0.1', () => console.log(`PostGraphile at http://127.0.0.1:${port}/graphql`));
// On SIGTERM: stop listening and release the pool; with nothing left to do the process ends by itself.
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pgl.release();
});
