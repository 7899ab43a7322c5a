-- Opens, clicks and deliveries update discussion_email_tracking rows in place many times over.
-- None of those columns is indexed, so with free space left on each page PostgreSQL can make them
-- HOT updates (no index writes, pruned in-page) instead of a new tuple plus an entry in every index.
ALTER TABLE discussion_email_tracking SET (fillfactor = 70);
ALTER TABLE notifications SET (fillfactor = 80);
