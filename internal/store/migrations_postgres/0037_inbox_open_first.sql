-- An agency's inbox lists open work first (store.ListFilter.order): shares
-- not declined, closed or withdrawn, then the rest, each by risk and by when
-- sent, or by when due. Without an index in that order every page sorted
-- all of the agency's shares (62,000 at 100,000 referrals: a third of a
-- second a page). These indexes hold the order, the open/closed term
-- written exactly as the list query writes it (shareClosed in lists.go).
-- The same text on both databases.
CREATE INDEX shares_inbox_open_first ON shares (agency, (CASE WHEN status IN ('declined', 'closed', 'withdrawn') THEN 1 ELSE 0 END), risk_rank DESC, sent_at, id);
CREATE INDEX shares_due_open_first ON shares (agency, (CASE WHEN status IN ('declined', 'closed', 'withdrawn') THEN 1 ELSE 0 END), due_at, id);
