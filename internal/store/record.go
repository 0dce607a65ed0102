package store

import (
	"context"
	"database/sql"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
)

// record appends the audit entry of a change inside the change's own
// transaction: both commit, or neither does. detail is a code or a status,
// never personal data.
func (db *DB) record(ctx context.Context, tx *sql.Tx, actor identity.Principal, action audit.Action, recordID, agencyID, detail string) error {
	return db.appendAudit(ctx, tx, audit.Entry{
		Time: db.Now().UTC(), Actor: actor.Subject, ActorAgency: actor.Agency, Action: action,
		Record: recordID, Agency: agencyID, Detail: detail, RequestID: audit.RequestIDFrom(ctx),
	})
}
