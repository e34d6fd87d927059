-- D29: two households of one county whose ID numbers share the last 4 characters had one masked number, so they were
-- taken for one household (the second refused, or not counted as served). A short fingerprint of the full 18-digit
-- number now tells them apart (two such families share one by chance 1 in 4,096): 3 hex characters of its SHA-256,
-- so stored data still does not give the birth date back (of the 36,500 birth dates in a century, about 9 share each).
-- Distributions recorded before it have none and are matched by the masked number alone, as they were.
ALTER TABLE "distributions" ADD COLUMN "id_number_fingerprint" varchar(8);
