import { defineConfig } from 'drizzle-kit';

// Generates SQL into drizzle/migrations from the table definitions; the app applies them at start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './drizzle/schema/index.ts',
  out: './drizzle/migrations',
});
