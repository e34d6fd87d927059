CREATE TABLE "download_link_uses" (
	"jti" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id"),
	"used_at" timestamp with time zone NOT NULL
);
