package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// An agency's inbox is read in index order, whatever its size: the open
// work first (shareClosed), then by risk or by when due, with no sort of
// all the agency's shares (migration 0037). SQLite plans without
// statistics, so the plan does not depend on how many rows the test has;
// PostgreSQL's planner weighs the table's size and is not asked here.
func TestInboxOrderIsIndexed(t *testing.T) {
	sqliteOnly(t)
	db := openSQLite(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, f := range []ListFilter{
		{Agency: "housing", Now: now, Limit: 50},
		{Agency: "housing", Sort: "due", Now: now, Limit: 50},
		{Agency: "housing", Sort: "risk", Now: now, Limit: 50},
		{Agency: "housing", Attention: true, Now: now, Limit: 50},
		{Agency: "housing", Now: now, Limit: 50, Cursor: encodeCursor("", "0", "3", "2026-12-01T00:00:00.000000000Z", "s1")},
		{Agency: "housing", Sort: "due", Now: now, Limit: 50, Cursor: encodeCursor("due", "0", "2026-12-01T00:00:00.000000000Z", "s1")},
	} {
		q, args, err := f.query(f.order())
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); strings.Contains(p, "TEMP B-TREE") || !strings.Contains(p, "SEARCH s USING INDEX shares_") {
			t.Errorf("sort %q, cursor %v: the inbox is sorted, not read in index order: %s", f.Sort, f.Cursor != "", p)
		}
	}
}
