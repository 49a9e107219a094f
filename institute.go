package examhall

import (
	"context"
	"time"
)

// Institute is the organisation an examhall installation serves. Its time zone
// renders every datetime and interprets every date-only query parameter.
type Institute struct {
	Name     string
	Location *time.Location
}

// SettingStore keeps installation-wide settings, shared by every replica.
type SettingStore interface {
	// Setting returns the value of key, or ok=false when it is not set.
	Setting(ctx context.Context, key string) (value string, ok bool, err error)
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
)
