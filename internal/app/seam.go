package app

import (
	"github.com/stalking-hub/hub/internal/demo"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/web"
)

// The store seam: each consumer declares the small interface it needs, and
// the store (SQLite or PostgreSQL) satisfies every one. Another backend must pass the same
// assertions (docs/store-seam.md).
var (
	_ web.Stores         = (*store.DB)(nil) // every area of the web
	_ web.Gauges         = (*store.DB)(nil)
	_ identity.Store     = (*store.DB)(nil)
	_ notify.Outbox      = (*store.DB)(nil)
	_ partner.Deliveries = (*store.DB)(nil)
	_ demo.Store         = (*store.DB)(nil)
)
