-- D24: users.password_set_by named only an account's last password setter. Since 0036 every set is kept in
-- password_sets, and what ties two users (authority/queue.ts accountsTied) and the SHARED_CREDENTIALS alert read only
-- there; the column was written and never read. Dropped, so that there is one record of who set a password.
ALTER TABLE "users" DROP COLUMN "password_set_by";
