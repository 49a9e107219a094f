package main

import (
	"cmp"
	"log/slog"
	"runtime"
	"runtime/debug"
)

// buildVersion is what the Go toolchain recorded of this build.
type buildVersion struct {
	// Version is the main module's: a tag such as v1.2.0 or a pseudo-version
	// when built from a module, "(devel)" when built in a working tree.
	Version  string
	Revision string // the commit built; "" when not recorded (go run, go test, a build outside git)
	Time     string // the commit's time, RFC 3339
	Modified bool   // the working tree had uncommitted changes
	Go       string // the Go release that built it, such as go1.24.1
}

// currentVersion is this program's version, from runtime/debug.ReadBuildInfo.
func currentVersion() buildVersion {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	return versionOf(info)
}

// versionOf reads info; nil, for a binary built without module support,
// gives the version "(unknown)".
func versionOf(info *debug.BuildInfo) buildVersion {
	if info == nil {
		return buildVersion{Version: "(unknown)", Go: runtime.Version()}
	}
	v := buildVersion{Version: cmp.Or(info.Main.Version, "(devel)"), Go: cmp.Or(info.GoVersion, runtime.Version())}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the line examhall version prints:
// "examhall v1.2.0 (revision 0123…, 2026-11-30T10:00:00Z, modified), go1.24.1 linux/amd64".
func (v buildVersion) String() string {
	s := "examhall " + v.Version
	if v.Revision != "" {
		s += " (revision " + v.Revision
		if v.Time != "" {
			s += ", " + v.Time
		}
		if v.Modified {
			s += ", modified"
		}
		s += ")"
	}
	return s + ", " + v.Go + " " + runtime.GOOS + "/" + runtime.GOARCH
}

// logAttrs are v as log attributes, those not recorded left out.
func (v buildVersion) logAttrs() []any {
	attrs := []any{slog.String("version", v.Version)}
	if v.Revision != "" {
		attrs = append(attrs, slog.String("revision", v.Revision), slog.String("vcs_time", v.Time), slog.Bool("modified", v.Modified))
	}
	return append(attrs, slog.String("go", v.Go))
}
