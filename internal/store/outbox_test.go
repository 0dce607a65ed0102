package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/problem"
)

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func migrated(t *testing.T) *DB {
	t.Helper()
	db := open(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return t0 }
	return db
}

func message(ref string) notify.Message {
	return notify.Message{Kind: notify.NewShare, To: "housing.referrals@example.gov.uk", Reference: ref, Link: "https://hub.example.gov.uk/referrals/r-01"}
}

func outboxCount(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.w.QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEnqueueIsPartOfTheCallersTransaction(t *testing.T) {
	ctx := context.Background()
	db := migrated(t)
	boom := errors.New("the change itself failed")
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.enqueue(ctx, tx, message("SH-2026-000001")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if n := outboxCount(t, db); n != 0 {
		t.Fatalf("a rolled-back change left %d notifications", n)
	}
	if err := db.inTx(ctx, func(tx *sql.Tx) error { return db.enqueue(ctx, tx, message("SH-2026-000001")) }); err != nil {
		t.Fatal(err)
	}
	if n := outboxCount(t, db); n != 1 {
		t.Fatalf("a committed change left %d notifications, want 1", n)
	}
}

func TestEnqueueRefusesAnyBadMessageAndWritesNone(t *testing.T) {
	db := migrated(t)
	bad := message("Jane Doe, 12 Acacia Avenue")
	err := db.Enqueue(context.Background(), message("SH-2026-000001"), bad)
	if err == nil {
		t.Fatal("a message with free text in its reference was enqueued")
	}
	if strings.Contains(err.Error(), "Jane") || strings.Contains(err.Error(), "Acacia") {
		t.Fatalf("the error repeats the refused value: %v", err)
	}
	if n := outboxCount(t, db); n != 0 {
		t.Fatalf("%d notifications written", n)
	}
}

func TestClaimLeasesAndCountsAttempts(t *testing.T) {
	ctx := context.Background()
	db := migrated(t)
	if err := db.Enqueue(ctx, message("SH-2026-000001"), message("SH-2026-000002"), message("SH-2026-000003")); err != nil {
		t.Fatal(err)
	}
	first, err := db.ClaimDue(ctx, t0, time.Minute, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || first[0].Reference != "SH-2026-000001" || first[1].Reference != "SH-2026-000002" {
		t.Fatalf("first claim: %+v", first)
	}
	for _, n := range first {
		if n.Attempts != 1 || !n.LeasedUntil.Equal(t0.Add(time.Minute)) || n.State() != notify.Pending || !n.CreatedAt.Equal(t0) {
			t.Fatalf("claimed row: %+v", n)
		}
	}
	second, err := db.ClaimDue(ctx, t0, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(second) != 1 || second[0].Reference != "SH-2026-000003" {
		t.Fatalf("second claim took leased rows: %+v", second)
	}
	none, err := db.ClaimDue(ctx, t0.Add(59*time.Second), time.Minute, 10)
	if err != nil || len(none) != 0 {
		t.Fatalf("claim within the leases: %v %+v", err, none)
	}
	// A worker that died leaves its lease to run out; then the rows are claimed again.
	again, err := db.ClaimDue(ctx, t0.Add(2*time.Minute), time.Minute, 10)
	if err != nil || len(again) != 3 || again[0].Attempts != 2 {
		t.Fatalf("claim after the leases ran out: %v %+v", err, again)
	}
}

func TestMarkDeliveredAndFailed(t *testing.T) {
	ctx := context.Background()
	db := migrated(t)
	if err := db.Enqueue(ctx, message("SH-2026-000001"), message("SH-2026-000002"), message("SH-2026-000003")); err != nil {
		t.Fatal(err)
	}
	claimed, err := db.ClaimDue(ctx, t0, time.Minute, 10)
	if err != nil || len(claimed) != 3 {
		t.Fatal(err, claimed)
	}
	delivered, retried, given := claimed[0].ID, claimed[1].ID, claimed[2].ID
	if err := db.MarkDelivered(ctx, delivered, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkDelivered(ctx, delivered, t0.Add(time.Second)); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("second delivery mark: %v, want NotFound", err)
	}
	next := t0.Add(30 * time.Second)
	if err := db.MarkFailed(ctx, retried, t0.Add(time.Second), "421 4.3.2 try later", next, false); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, given, t0.Add(time.Second), strings.Repeat("x", 2000), next, true); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, delivered, t0.Add(time.Second), "late", next, false); problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("a failure over a delivery: %v, want NotFound", err)
	}

	// Only the retried one comes back, and only once it is due.
	if got, _ := db.ClaimDue(ctx, next.Add(-time.Nanosecond), time.Minute, 10); len(got) != 0 {
		t.Fatalf("claimed before due: %+v", got)
	}
	got, err := db.ClaimDue(ctx, next, time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].ID != retried || got[0].Attempts != 2 || got[0].LastError != "421 4.3.2 try later" {
		t.Fatalf("claim when due: %v %+v", err, got)
	}

	all, err := db.Outbox(ctx, OutboxFilter{})
	if err != nil || len(all) != 3 {
		t.Fatal(err, all)
	}
	byID := map[int64]notify.Notification{}
	for _, n := range all {
		byID[n.ID] = n
	}
	if n := byID[delivered]; n.State() != notify.Delivered || !n.DeliveredAt.Equal(t0.Add(time.Second)) || !n.LeasedUntil.IsZero() {
		t.Fatalf("delivered: %+v", n)
	}
	if n := byID[given]; n.State() != notify.Failed || len(n.LastError) != lastErrorMax || !n.FailedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("given up: %+v", n)
	}
	for state, want := range map[notify.State]int64{notify.Delivered: delivered, notify.Failed: given, notify.Pending: retried} {
		ns, err := db.Outbox(ctx, OutboxFilter{State: state})
		if err != nil || len(ns) != 1 || ns[0].ID != want {
			t.Fatalf("filter %s: %v %+v", state, err, ns)
		}
	}
	if _, err := db.Outbox(ctx, OutboxFilter{State: "lost"}); problem.CodeOf(err) != problem.Invalid {
		t.Fatalf("unknown state: %v", err)
	}
}

func TestDeliveryStandsOverAGiveUp(t *testing.T) {
	ctx := context.Background()
	db := migrated(t)
	if err := db.Enqueue(ctx, message("SH-2026-000001")); err != nil {
		t.Fatal(err)
	}
	claimed, _ := db.ClaimDue(ctx, t0, time.Minute, 1)
	if err := db.MarkFailed(ctx, claimed[0].ID, t0, "timeout", t0, true); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkDelivered(ctx, claimed[0].ID, t0); err != nil {
		t.Fatal(err)
	}
	ns, _ := db.Outbox(ctx, OutboxFilter{State: notify.Failed})
	if len(ns) != 0 {
		t.Fatalf("a delivered notification is listed as failed: %+v", ns)
	}
}

func TestOutboxNewestFirst(t *testing.T) {
	ctx := context.Background()
	db := migrated(t)
	for i, ref := range []string{"SH-2026-000001", "SH-2026-000002", "SH-2026-000003"} {
		db.Now = func() time.Time { return t0.Add(time.Duration(i) * time.Minute) }
		if err := db.Enqueue(ctx, message(ref)); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := db.Outbox(ctx, OutboxFilter{Limit: 2})
	if err != nil || len(ns) != 2 || ns[0].Reference != "SH-2026-000003" || ns[1].Reference != "SH-2026-000002" {
		t.Fatalf("%v %+v", err, ns)
	}
}
