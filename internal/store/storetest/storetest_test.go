package storetest

import (
	"context"
	"testing"
)

// The store is on the backend HUB_TEST_BACKEND names, migrated and ready.
func TestOpenOnTheChosenBackend(t *testing.T) {
	db := Open(t)
	if db.Postgres() != Postgres(t) {
		t.Fatalf("store on PostgreSQL: %v, HUB_TEST_BACKEND asks %v", db.Postgres(), Postgres(t))
	}
	if err := db.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
}
