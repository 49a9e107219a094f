#!/usr/bin/env bash
# scripts/test.sh - the ONE command that runs every examhall test.
#
# Usage:
#   scripts/test.sh                              # lint + all tests (./...)
#   scripts/test.sh -run TestStore               # lint + go test ... -run TestStore ./...
#   scripts/test.sh -run TestX ./internal/...    # lint + only those packages
#
# Arguments are passed to `go test` after the defaults `-race -count=1 -v`
# (so e.g. `-count=3` overrides). If no argument looks like a package
# pattern (starts with `./`, `../` or `github.com/examhall/examhall`),
# `./...` is appended. Lint always covers the whole module.
#
# Environment:
#   EXAMHALL_TEST_POSTGRES=url      use this server instead of provisioning one
#   EXAMHALL_REQUIRE_POSTGRES=1     fail unless PostgreSQL tests really ran (CI)
#   EXAMHALL_SKIP_LINT=1            skip gofmt/vet/staticcheck (quick local loops)
#   EXAMHALL_TEST_NO_PG_PROVISION=1 debug: pretend PostgreSQL cannot be provisioned
#   EXAMHALL_TEST_CHROMIUM=/path    use this browser binary for the browser tests
#   EXAMHALL_TEST_NO_BROWSER_PROVISION=1 debug: do not install chromium when none is found
#
# Without EXAMHALL_TEST_POSTGRES a throwaway PostgreSQL cluster is created in a
# temp dir (installing the `postgresql` Debian package if no server binaries are
# found), listening on 127.0.0.1 only, superuser `postgres` with trust auth, and
# database `examhall_test`. It is stopped and deleted on exit.
#
# Browser tests (package web/browsertest and its users) need Chromium: without
# EXAMHALL_TEST_CHROMIUM the first of chromium, chromium-browser, google-chrome
# on PATH is used, and if there is none Debian's `chromium` package is
# installed. The script then exports EXAMHALL_TEST_CHROMIUM and
# EXAMHALL_REQUIRE_BROWSER=1, so browser tests fail instead of skipping; if no
# browser can be provided the script fails before running any test.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

STATICCHECK_VERSION=v0.8.2
MODULE=github.com/examhall/examhall

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

require_pg=0
[[ "${EXAMHALL_REQUIRE_POSTGRES:-}" == 1 ]] && require_pg=1

# ---------------------------------------------------------------- temp + cleanup
WORK=$(mktemp -d "${TMPDIR:-/tmp}/examhall-test.XXXXXX")
PG_DATA=""
PG_BIN=""
PG_STARTED=0
PG_PID=""
PG_AS=()   # command prefix to run server binaries as the postgres OS user

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n "$PG_PID" ]]; then
		if ! "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1; then
			# Already gone, or stuck: kill the postmaster by pid as a last resort.
			local pid
			pid=$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
			if [[ -n "$pid" ]]; then kill -9 "$pid" 2>/dev/null || true; fi
		fi
		wait "$PG_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- lint
if [[ "${EXAMHALL_SKIP_LINT:-}" == 1 ]]; then
	log "lint skipped (EXAMHALL_SKIP_LINT=1)"
else
	log "gofmt"
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		mapfile -t gofiles < <(git ls-files -z --cached --others --exclude-standard -- '*.go' | xargs -0 -r ls -d 2>/dev/null)
	else
		mapfile -t gofiles < <(find . -name '*.go' -not -path './vendor/*' -not -path './.git/*')
	fi
	if ((${#gofiles[@]})); then
		unformatted=$(gofmt -l "${gofiles[@]}")
		if [[ -n "$unformatted" ]]; then
			printf 'gofmt: these files need formatting (run gofmt -w):\n%s\n' "$unformatted" >&2
			exit 1
		fi
	fi
	if [[ -z "$(go list ./... 2>/dev/null)" ]]; then
		log "no Go packages yet: skipping go vet and staticcheck"
	else
		log "go vet"
		go vet ./...
		log "staticcheck $STATICCHECK_VERSION"
		go run "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" ./...
	fi
fi

# ---------------------------------------------------------------- PostgreSQL
as_root() {
	if [[ $(id -u) == 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		return 1
	fi
}

find_pg_bin() {
	local d
	d=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb 2>/dev/null | grep -v '\*' | sort -V | tail -n1 || true)
	[[ -n "$d" && -x "$d" ]] && dirname "$d"
}

# Returns 0 with PG_BIN set, or 1 with the reason printed.
ensure_pg_binaries() {
	if [[ "${EXAMHALL_TEST_NO_PG_PROVISION:-}" == 1 ]]; then
		log "PostgreSQL provisioning disabled (EXAMHALL_TEST_NO_PG_PROVISION=1)"
		return 1
	fi
	if PG_BIN=$(find_pg_bin); then return 0; fi
	log "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin; installing package postgresql"
	if ! as_root true; then
		log "cannot install postgresql: not root and no passwordless sudo"
		return 1
	fi
	if ! as_root env DEBIAN_FRONTEND=noninteractive sh -c 'apt-get update && apt-get install -y postgresql' >"$WORK/apt.log" 2>&1; then
		cat "$WORK/apt.log" >&2
		log "apt-get install postgresql failed"
		return 1
	fi
	# The package auto-creates and starts a "main" cluster on 5432; we do not use it.
	if PG_BIN=$(find_pg_bin); then return 0; fi
	log "postgresql installed but no initdb found under /usr/lib/postgresql/*/bin"
	return 1
}

port_is_free() {
	if command -v ss >/dev/null 2>&1; then
		[[ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
	else
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 1; fi
	fi
}

provision_pg() {
	ensure_pg_binaries || return 1

	if [[ $(id -u) == 0 ]]; then
		# PostgreSQL refuses to run as root: run it as the postgres OS user.
		if ! id postgres >/dev/null 2>&1; then
			useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres ||
				{ log "could not create OS user postgres"; return 1; }
		fi
		PG_AS=(runuser -u postgres --)
		chown postgres: "$WORK"
	fi
	# else: run as ourselves (any non-root user may run its own cluster).

	PG_DATA="$WORK/pgdata"
	local sock="$WORK/sock" pglog="$WORK/postgres.log"
	"${PG_AS[@]}" mkdir -m 700 "$sock"
	if ! "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C --no-sync >"$WORK/initdb.log" 2>&1; then
		cat "$WORK/initdb.log" >&2
		log "initdb failed"
		return 1
	fi

	local attempt port=""
	for attempt in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + RANDOM % 40000))
		port_is_free "$port" || continue
		# The postmaster runs as our own background child (not daemonized via
		# pg_ctl start) so cleanup can wait for it: nothing outlives the script.
		: >"$pglog"
		"${PG_AS[@]}" "$PG_BIN/postgres" -D "$PG_DATA" -c listen_addresses=127.0.0.1 \
			-c "port=$port" -c "unix_socket_directories=$sock" -c fsync=off \
			-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
			>>"$pglog" 2>&1 &
		PG_PID=$!
		for _ in $(seq 1 120); do
			kill -0 "$PG_PID" 2>/dev/null || break
			if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && kill -0 "$PG_PID" 2>/dev/null; then
				PG_STARTED=1
				break 2
			fi
			sleep 0.5
		done
		if kill -0 "$PG_PID" 2>/dev/null; then
			log "PostgreSQL did not become ready within 60s"
			break
		fi
		wait "$PG_PID" 2>/dev/null || true
		PG_PID=""
		# Exited: retry on another port if it was a bind race, else give up.
		grep -q 'could not bind\|could not create any TCP/IP sockets\|already in use' "$pglog" || break
		log "port $port taken (attempt $attempt), retrying"
	done
	if [[ $PG_STARTED != 1 ]]; then
		cat "$pglog" >&2 || true
		log "could not start PostgreSQL"
		return 1
	fi

	"$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres examhall_test ||
		{ log "createdb examhall_test failed"; return 1; }
	export EXAMHALL_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/examhall_test?sslmode=disable"
	log "$("$PG_BIN/postgres" --version) ready: $EXAMHALL_TEST_POSTGRES"
}

if [[ -n "${EXAMHALL_TEST_POSTGRES:-}" ]]; then
	log "using existing PostgreSQL from EXAMHALL_TEST_POSTGRES"
elif ! provision_pg; then
	if ((require_pg)); then
		die "EXAMHALL_REQUIRE_POSTGRES=1 but no PostgreSQL is available (see messages above); set EXAMHALL_TEST_POSTGRES or fix provisioning"
	fi
	log "WARNING: continuing without PostgreSQL; /postgres tests will be skipped"
	unset EXAMHALL_TEST_POSTGRES
fi

# ---------------------------------------------------------------- Chromium
# The same names, in the same order, as web/browsertest searches.
BROWSER_NAMES=(chromium chromium-browser google-chrome)

find_browser() {
	local n
	for n in "${BROWSER_NAMES[@]}"; do
		command -v "$n" 2>/dev/null && return 0
	done
	return 1
}

# Exports EXAMHALL_TEST_CHROMIUM and EXAMHALL_REQUIRE_BROWSER=1, or dies.
provision_browser() {
	local bin version
	local advice="install Debian's chromium (apt-get install -y chromium) or set EXAMHALL_TEST_CHROMIUM=/path/to/chromium"
	if [[ -n "${EXAMHALL_TEST_CHROMIUM:-}" ]]; then
		[[ -f "$EXAMHALL_TEST_CHROMIUM" && -x "$EXAMHALL_TEST_CHROMIUM" ]] ||
			die "EXAMHALL_TEST_CHROMIUM=$EXAMHALL_TEST_CHROMIUM is not an executable file"
		bin=$EXAMHALL_TEST_CHROMIUM
	elif bin=$(find_browser); then
		:
	else
		[[ "${EXAMHALL_TEST_NO_BROWSER_PROVISION:-}" == 1 ]] &&
			die "no browser for the browser tests (none of ${BROWSER_NAMES[*]} on PATH) and provisioning is disabled (EXAMHALL_TEST_NO_BROWSER_PROVISION=1); $advice"
		log "no browser on PATH (${BROWSER_NAMES[*]}); installing package chromium"
		as_root true || die "cannot install chromium: not root and no passwordless sudo; $advice"
		if ! as_root env DEBIAN_FRONTEND=noninteractive sh -c 'apt-get update && apt-get install -y chromium' >"$WORK/apt-chromium.log" 2>&1; then
			cat "$WORK/apt-chromium.log" >&2
			die "apt-get install chromium failed (log above); $advice"
		fi
		bin=$(find_browser) || die "package chromium installed but none of ${BROWSER_NAMES[*]} is on PATH ($PATH); $advice"
	fi
	# Debian's launcher script prints shell noise on stderr; the exit status is what counts.
	version=$("$bin" --version 2>/dev/null) || die "$bin --version failed: the browser cannot run; $advice"
	export EXAMHALL_TEST_CHROMIUM=$bin EXAMHALL_REQUIRE_BROWSER=1
	log "browser tests required, using $version ($bin)"
}
provision_browser

# ---------------------------------------------------------------- go test
args=("$@")
have_pkg=0
for a in "${args[@]}"; do
	[[ "$a" == ./* || "$a" == ../* || "$a" == "$MODULE"* ]] && have_pkg=1
done
((have_pkg)) || args+=(./...)

if [[ $have_pkg == 0 && -z "$(go list ./... 2>/dev/null)" ]]; then
	log "no Go packages yet: nothing to test"
	((require_pg)) && die "EXAMHALL_REQUIRE_POSTGRES=1 but there are no tests at all"
	exit 0
fi

TESTLOG="$WORK/go-test.log"
log "go test -race -count=1 -v ${args[*]}"
set +e
go test -race -count=1 -v "${args[@]}" 2>&1 | tee "$TESTLOG" |
	grep --line-buffered -E '^(ok|FAIL|\?)[[:space:]]+[^[:space:]]'
test_rc=${PIPESTATUS[0]}
set -e

if ((test_rc != 0)); then
	printf '\n==================== full go test output ====================\n'
	cat "$TESTLOG"
	printf '==================== failures recap ====================\n'
	grep -E '^[[:space:]]*--- FAIL:|^panic:|^FAIL[[:space:]]|\[build failed\]|\[setup failed\]' "$TESTLOG" || true
fi

# Count leaf tests (tests without subtests of their own) per status whose name
# has a /postgres or /sqlite segment; parents like TestStore/postgres are not
# counted separately. Names are keyed per package so equal names don't merge.
read -r pg_pass sq_pass pg_skip < <(awk '
	/^(ok|FAIL)[ \t]+[^ \t]+[ \t]/ { pkg++ ; next }
	match($0, /^[ \t]*--- (PASS|FAIL|SKIP): [^ ]+ \(/) {
		split(substr($0, RSTART, RLENGTH), f, " ")
		name = pkg SUBSEP f[3]; status[name] = substr(f[2], 1, 4)
		while (sub(/\/[^\/]*$/, "", name)) parent[name] = 1
	}
	END {
		for (n in status) {
			if (n in parent) continue
			split(n, k, SUBSEP); t = k[2] "/"
			if (t ~ /\/postgres\// && status[n] == "PASS") pp++
			if (t ~ /\/sqlite\// && status[n] == "PASS") sp++
			if (t ~ /\/postgres\// && status[n] == "SKIP") ps++
		}
		print pp + 0, sp + 0, ps + 0
	}' "$TESTLOG")
printf '\n==> summary (leaf tests): /postgres passed: %d, /sqlite passed: %d, /postgres skipped: %d\n' \
	"$pg_pass" "$sq_pass" "$pg_skip"

if ((test_rc != 0)); then
	die "go test failed (exit $test_rc)"
fi
if ((require_pg)); then
	((pg_pass > 0)) || die "EXAMHALL_REQUIRE_POSTGRES=1 but no /postgres test passed"
	((pg_skip == 0)) || die "EXAMHALL_REQUIRE_POSTGRES=1 but $pg_skip /postgres test(s) were skipped"
fi
log "all tests passed"
