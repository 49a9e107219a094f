package sqlstore

// isUniqueViolation reports whether err is a UNIQUE constraint violation on either engine.
func isUniqueViolation(err error) bool {
	return sqliteUniqueViolation(err) || pgErrorCode(err) == pgUniqueViolation
}
