-- API.md The edge: failed logins per username and per client address, counted where every API process reads them
-- (server/http/login-attempts.ts). Held in each process's memory before, N processes gave an attacker N times the
-- guesses before a username locked. Times are epoch milliseconds from the server's clock; a row goes once it holds
-- nothing (no failure within the window, no attempt in flight).
CREATE TABLE "login_failures" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_failure_ms" bigint DEFAULT 0 NOT NULL,
	"locked_until_ms" bigint DEFAULT 0 NOT NULL,
	"in_flight" integer DEFAULT 0 NOT NULL,
	"in_flight_ms" bigint DEFAULT 0 NOT NULL
);
