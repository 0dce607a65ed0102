package store

// The few places where SQLite and PostgreSQL spell the same thing
// differently; everything else in the store's SQL is one text for both.

// groupConcat is the aggregate joining the values of expr with sep, a
// literal without quotes.
func (db *DB) groupConcat(expr, sep string) string {
	if db.pg {
		return "string_agg(" + expr + ", '" + sep + "')"
	}
	return "group_concat(" + expr + ", '" + sep + "')"
}

// skipLocked ends a SELECT of rows to claim: on PostgreSQL it locks them
// (those of alias, when the SELECT joins), skipping rows another
// transaction holds; SQLite has one writer and needs nothing.
func (db *DB) skipLocked(alias string) string {
	switch {
	case !db.pg:
		return ""
	case alias != "":
		return " FOR UPDATE OF " + alias + " SKIP LOCKED"
	}
	return " FOR UPDATE SKIP LOCKED"
}
