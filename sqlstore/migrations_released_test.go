package sqlstore

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"testing"
)

// releasedMigrations pins the SHA-256 of every released migration. A
// database migrated by a file keeps what that file made, so a released
// migration is never edited: a change to the schema is a new, numbered
// migration, whose checksum is added here when it is released (with the
// commit that adds it). Issue 10, fault 12: 00001 and 00002 had been edited
// in place after databases were migrated with them.
var releasedMigrations = map[string]string{
	"postgres/00001_schema.sql":                 "0c6813bfc76aae73702b1f0c85e90d1dcee14f1f52528ddb46fd874abe325e7d",
	"postgres/00002_attempt_counts.sql":         "8712333a6656175347c79e8bdc5799e9cc37c24a46109b97e12948513fcfecf5",
	"postgres/00003_login_failures_last.sql":    "5270c85e3ae257d0cc617661738ed977336829c7e4fcac81912a4162fa693968",
	"postgres/00004_webhook_events.sql":         "87e3a8e2b6e63cee4e4c2cfecbb4c28a56b81769e5ce20e802a71a641cd9a0d9",
	"postgres/00005_attempt_counts_pending.sql": "c66ab23cfe8865ca1c82725046a4735887d7f58ce78b03f5dde2f2910155fad0",
	"sqlite/00001_schema.sql":                   "db8c84b37056d7f2332fb30772a84376d6b42957de987f19ddb7740fa49a7cf1",
	"sqlite/00002_attempt_counts.sql":           "7aeaa0396da9aaa41c5c37013b2570a6d0f82554827b59b80cd99fa370bec17b",
	"sqlite/00003_login_failures_last.sql":      "5270c85e3ae257d0cc617661738ed977336829c7e4fcac81912a4162fa693968",
	"sqlite/00004_webhook_events.sql":           "87e3a8e2b6e63cee4e4c2cfecbb4c28a56b81769e5ce20e802a71a641cd9a0d9",
	"sqlite/00005_attempt_counts_pending.sql":   "d5109421b237963923e8533207400b4ee94ee17eb90f174fbf4232d137178b95",
	"postgres/00006_export_jobs.sql":            "25994238cff2c69c51253137fcb7efd990f146cef40014a952079f0acdb92d02",
	"sqlite/00006_export_jobs.sql":              "4ed9675da5364787e4ad11f630257f6e55db6a81a68ac9e8322734e51d5fafba",
	"postgres/00007_attempt_changes.sql":        "24b65608c224e665e8a1b26f16ae97654e82f6374861d0c9b5b93114d9d66b5f",
	"sqlite/00007_attempt_changes.sql":          "b4ef5f41bacde347adcb7f779ca2e5ff71b8e045795289e55d84fdd7209f48b6",
	"postgres/00008_item_statistics.sql":        "b79a4191a0fa0c858d508d347e4a5f0858b7b53f2814d78e4fd7a3ad911a385e",
	"sqlite/00008_item_statistics.sql":          "a839def005f34a055bc0754654e3819eef3dbf1e3e4bc49df8fd4fe88bfcbe91",
	"postgres/00009_attempt_events.sql":         "60a3f196892cf1a8e1ea7f32eb87d292b02300aba49d781a4e65e33c92d6e0c9",
	"sqlite/00009_attempt_events.sql":           "b164fd0de822256bab369e9afb02e3b0ccb1dd28fbd3e3253e6480e95c5d8f6b",
	"postgres/00010_attempt_event_chains.sql":   "f0d3ebe85a8e6a5aebc2a9cab4b970ac120deef46c6afc8dcf31b07f6c85a776",
	"sqlite/00010_attempt_event_chains.sql":     "fcd3c15eed1ee32871216b3216a3af437c3e0b43f8ce8bb540abea7f2fd02ef2",
	"postgres/00011_running_attempts_index.sql": "5be1133039436494c2dc3e7fa6b78acec1aa768482056fc263b63e325b15e793",
	"sqlite/00011_running_attempts_index.sql":   "5be1133039436494c2dc3e7fa6b78acec1aa768482056fc263b63e325b15e793",
}

func TestReleasedMigrationsUnchanged(t *testing.T) {
	seen := map[string]bool{}
	err := fs.WalkDir(migrations, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := path[len("migrations/"):]
		b, err := migrations.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		want, released := releasedMigrations[name]
		switch {
		case !released:
			t.Errorf("migration %s (sha256 %x) is not in releasedMigrations: add it when it is released", name, sum)
		case hex.EncodeToString(sum[:]) != want:
			t.Errorf("released migration %s was edited (sha256 %x, released as %s): restore it and add a new migration instead", name, sum, want)
		}
		seen[name] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range releasedMigrations {
		if !seen[name] {
			t.Errorf("released migration %s is gone", name)
		}
	}
}
