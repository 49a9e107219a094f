package examhall

import (
	"context"
	"time"
)

// Institute is the organisation an examhall installation serves. Its time zone
// renders every datetime and interprets every date-only query parameter
// (SPEC §2).
type Institute struct {
	Name     string
	Location *time.Location
}

// NewInstitute is the institute with the name and the IANA time zone name
// timezone ("" is UTC). Returns EINVALID if the time zone is unknown.
func NewInstitute(name, timezone string) (Institute, error) {
	loc, err := time.LoadLocation(timezone)
	if err != nil {
		return Institute{}, Errorf(EINVALID, "Unknown time zone %q.", timezone)
	}
	return Institute{Name: name, Location: loc}, nil
}

// InstituteSource tells the institute as configured now. Settings live in the
// database so that every replica agrees; an implementation must notice a
// change made by any replica before the next request it serves (SPEC §1: a
// cache is allowed only when it is invalidated correctly).
type InstituteSource interface {
	// Institute returns the institute; it never blocks on I/O.
	Institute() Institute
}

// SettingStore keeps installation-wide settings, shared by every replica.
type SettingStore interface {
	// Setting returns the value of key, or ok=false when it is not set.
	Setting(ctx context.Context, key string) (value string, ok bool, err error)
	// SetSetting stores value under key. Returns EINVALID if the key is the
	// institute time zone and value is not an IANA time zone name.
	SetSetting(ctx context.Context, key, value string) error
	// SettingOrInit returns the value of key; when it is not set it stores
	// initial() first. Concurrent callers (replicas starting together) all get
	// the one value that was stored.
	SettingOrInit(ctx context.Context, key string, initial func() (string, error)) (string, error)
}

// The keys of the settings examhall keeps.
const (
	SettingJWTSecret         = "jwt_secret"
	SettingInstituteName     = "institute_name"
	SettingInstituteTimezone = "institute_timezone"
	// SettingDemoPasswordHash is the hash of the demo students' shared
	// password (never the password): it marks a database the demo loaded,
	// and finds the students whose password a later serve --demo re-sets.
	SettingDemoPasswordHash = "demo_password_hash"
)
