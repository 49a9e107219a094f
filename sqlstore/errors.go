package sqlstore

// isUniqueViolation reports whether err is a UNIQUE constraint violation on either engine.
func isUniqueViolation(err error) bool {
	return sqliteUniqueViolation(err) || pgErrorCode(err) == pgUniqueViolation
}

// isForeignKeyViolation reports whether err is a FOREIGN KEY violation on either engine.
func isForeignKeyViolation(err error) bool {
	return sqliteForeignKeyViolation(err) || pgErrorCode(err) == pgForeignKeyViolation
}
