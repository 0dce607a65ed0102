-- The outcomes report counts the Victims' Code updates from the counters
-- too (issue 17): each update adds one, under dimension 'vc' with its code
-- (on_time, late or untold), on the day it is due, for the referral's
-- agencies. The counters are emptied here and the store fills them again
-- from the data already held when it applies this migration
-- (internal/store/report_counts.go, fillReportCounts), as for 0036.
DELETE FROM report_counts;
DELETE FROM report_counted;
