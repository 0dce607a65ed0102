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
// the SQLite store satisfies every one. A second backend must pass the same
// assertions (docs/store-seam.md).
var (
	_ web.ReferralStore   = (*store.DB)(nil)
	_ web.ShareStore      = (*store.DB)(nil)
	_ web.ConsentStore    = (*store.DB)(nil)
	_ web.MARACStore      = (*store.DB)(nil)
	_ web.JusticeStore    = (*store.DB)(nil)
	_ web.AuditStore      = (*store.DB)(nil)
	_ web.SessionStore    = (*store.DB)(nil)
	_ web.GovernanceStore = (*store.DB)(nil)
	_ web.OutboxStore     = (*store.DB)(nil)
	_ web.ReportStore     = (*store.DB)(nil)
	_ web.PartnerStore    = (*store.DB)(nil)
	_ web.HealthStore     = (*store.DB)(nil)
	_ web.Gauges          = (*store.DB)(nil)
	_ identity.Store      = (*store.DB)(nil)
	_ notify.Outbox       = (*store.DB)(nil)
	_ partner.Deliveries  = (*store.DB)(nil)
	_ demo.Store          = (*store.DB)(nil)
)
