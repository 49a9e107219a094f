#!/usr/bin/env bash
# scripts/bench.sh - the ONE command that reproduces BENCHMARKS.md (issue 6).
#
# Usage:
#   scripts/bench.sh [--only reads|rank|writes] [--engine sqlite|postgres|both]
#                    [--runs N] [--duration S] [--regen] [-h]
#
#   --only      run one group (default: all three)
#   --engine    sqlite, postgres or both (default both; PostgreSQL is skipped
#               with a warning when none can be had, unless --engine postgres)
#   --runs      measured runs per number; the tables show their median (default 3)
#   --duration  seconds of each read wrk run (default 20; rank runs take half)
#   --regen     regenerate the cached demo databases
#
# Environment:
#   EXAMHALL_BENCH_DIR=dir        cache of demo databases and the results
#                                 (default /var/tmp/examhall-bench)
#   EXAMHALL_BENCH_SCALE=small    smoke run: demo data of 2,000 students, 20 exams,
#                                 20,000 attempts; 100/1,000-student storms, short holds
#   EXAMHALL_BENCH_POSTGRES=url   use this PostgreSQL server (its role must be able
#                                 to CREATE DATABASE); otherwise a cluster is kept
#                                 under the bench dir and started for the run
#
# What it does, per engine: builds examhall and the two ceilings
# (bench/ceiling/read, bench/ceiling/write) into a temp dir; generates the demo
# data with `examhall demo` once and caches it; runs `examhall serve` on
# 127.0.0.1 and wrk against it and against the read ceiling, interleaved; the
# attempt detail endpoint on a 1,000- and a 1,000,000-attempt exam; `examhall
# loadtest` storms and the write ceiling. Every server it starts listens on
# 127.0.0.1 only and is stopped on exit. The results (markdown tables to paste
# into BENCHMARKS.md), the raw wrk/loadtest output and the TSV behind the
# tables go to $EXAMHALL_BENCH_DIR/results/<UTC time>/ (and results/latest).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

# ---------------------------------------------------------------- arguments
ONLY=all ENGINE=both RUNS=3 DURATION=20 REGEN=0
while (($#)); do
	case "$1" in
	--only) ONLY=${2:-}; shift 2 || die "--only needs a value" ;;
	--only=*) ONLY=${1#*=}; shift ;;
	--engine) ENGINE=${2:-}; shift 2 || die "--engine needs a value" ;;
	--engine=*) ENGINE=${1#*=}; shift ;;
	--runs) RUNS=${2:-}; shift 2 || die "--runs needs a value" ;;
	--runs=*) RUNS=${1#*=}; shift ;;
	--duration) DURATION=${2:-}; shift 2 || die "--duration needs a value" ;;
	--duration=*) DURATION=${1#*=}; shift ;;
	--regen) REGEN=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done
case "$ONLY" in all | reads | rank | writes) ;; *) die "--only must be reads, rank or writes (got '$ONLY')" ;; esac
case "$ENGINE" in sqlite | postgres | both) ;; *) die "--engine must be sqlite, postgres or both (got '$ENGINE')" ;; esac
[[ "$RUNS" =~ ^[1-9][0-9]?$ ]] || die "--runs must be 1 to 99 (got '$RUNS')"
[[ "$DURATION" =~ ^[1-9][0-9]{0,3}$ ]] || die "--duration must be 1 to 9999 seconds (got '$DURATION')"
RANK_DURATION=$(((DURATION + 1) / 2))
want() { [[ "$ONLY" == all || "$ONLY" == "$1" ]]; }

# ---------------------------------------------------------------- scale
SCALE=${EXAMHALL_BENCH_SCALE:-full}
SEED=1
case "$SCALE" in
full)
	READ_DATA=(100000 1000 1000000)  # students exams attempts
	# students exams attempts [max questions]: the rank datasets need many
	# attempts of one exam, not many answers, so their exam has 5 questions.
	RANK_SMALL=(1000 1 1000 5)
	RANK_BIG=(100000 1 1000000 5)
	STORMS=(1000 10000) RAMP=10s HOLD=60s CLOSED_HOLD=30s OVER_STUDENTS=2000
	WARMUP=5
	;;
small)
	READ_DATA=(2000 20 20000)
	RANK_SMALL=(1000 1 1000 5)
	RANK_BIG=(2000 1 20000 5)
	STORMS=(100 1000) RAMP=2s HOLD=5s CLOSED_HOLD=5s OVER_STUDENTS=200
	WARMUP=1
	;;
*) die "EXAMHALL_BENCH_SCALE must be full or small (got '$SCALE')" ;;
esac
# The loadtest parameters that BENCHMARKS.md states.
LT_QUESTIONS=50 LT_SAVE_EVERY=5s LT_READERS=0 LT_TIMEOUT=5m CLOSED_STUDENTS=64
WRITE_CEILING_WORKERS=32
ADMIN_USER=bench ADMIN_PASSWORD=bench-password-not-secret

BENCH_DIR=${EXAMHALL_BENCH_DIR:-/var/tmp/examhall-bench}
CACHE=$BENCH_DIR/cache
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH_DIR/results/$STAMP
RAW=$OUT/raw
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$CACHE" "$RAW"
ln -sfn "$STAMP" "$BENCH_DIR/results/latest"

# ---------------------------------------------------------------- temp + cleanup
WORK=$(mktemp -d "${TMPDIR:-/tmp}/examhall-bench.XXXXXX")
BIN=$WORK/bin
SERVE_PID="" CEIL_PID="" SAMPLER_PID="" PG_PID="" PG_DATA="" PG_BIN=""
PG_AS=()

stop_pid() { # pid [seconds]: TERM, wait, then KILL
	local pid=$1 t=${2:-30} i
	[[ -n "$pid" ]] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < t * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_pid "$SAMPLER_PID" 2
	stop_pid "$CEIL_PID" 10
	stop_pid "$SERVE_PID" 40
	if [[ -n "$PG_PID" ]]; then
		"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 || stop_pid "$PG_PID" 30
		wait "$PG_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
	((rc == 0)) || log "failed (exit $rc); partial results and logs in $OUT"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools
as_root() {
	if [[ $(id -u) == 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		return 1
	fi
}
APT_UPDATED=0
need() { # command debian-package
	command -v "$1" >/dev/null 2>&1 && return 0
	log "installing Debian package $2 (for $1)"
	as_root true || die "$1 is missing and cannot be installed (not root, no sudo): apt-get install $2"
	if ((!APT_UPDATED)); then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
		APT_UPDATED=1
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null || die "apt-get install $2 failed"
}
need wrk wrk
need jq jq
need curl curl
need sqlite3 sqlite3

# ---------------------------------------------------------------- build
log "building examhall and the ceilings into $BIN"
mkdir -p "$BIN"
go build -o "$BIN/examhall" ./cmd/examhall
go build -o "$BIN/read-ceiling" ./bench/ceiling/read
go build -o "$BIN/write-ceiling" ./bench/ceiling/write
EH=$BIN/examhall
has_command() { # examhall subcommand: does this build have it?
	local out
	out=$("$EH" "$1" --help 2>&1 || true)
	! grep -qi 'unknown command' <<<"$out" && grep -qi "usage of examhall $1" <<<"$out"
}

# ---------------------------------------------------------------- results plumbing
READS_TSV=$OUT/reads.tsv RANK_TSV=$OUT/rank.tsv WRITES_TSV=$OUT/writes.tsv PARAMS=$OUT/params.tsv
printf 'engine\tshape\ttarget\trun\trps\tp50_ms\tp99_ms\trss_kb\tnon2xx\n' >"$READS_TSV"
printf 'engine\tdataset\trun\trps\tp50_ms\tp99_ms\n' >"$RANK_TSV"
printf 'engine\tscenario\trun\tmetric\tvalue\n' >"$WRITES_TSV"
printf 'engine\tkey\tvalue\n' >"$PARAMS"
param() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$PARAMS"; }

# wrk_parse FILE: prints "rps p50_ms p99_ms non2xx" from wrk --latency output.
wrk_parse() {
	awk '
		function ms(v) {
			if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
			if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
			if (v ~ /m$/) return substr(v, 1, length(v) - 1) * 60000
			if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
			return v + 0
		}
		/^Requests\/sec:/ { rps = $2 }
		/^ +50% / { p50 = ms($2) }
		/^ +99% / { p99 = ms($2) }
		/Non-2xx or 3xx responses:/ { bad = $NF }
		/Socket errors:/ { bad += 0 }
		END { printf "%.1f %.3f %.3f %d\n", rps, p50, p99, bad }' "$1"
}

# ---------------------------------------------------------------- RSS sampling
RSS_FILE=$WORK/rss
rss_start() { # pid: sample VmRSS every 200 ms until rss_stop
	local pid=$1
	echo 0 >"$RSS_FILE"
	(
		max=0
		while [[ -r /proc/$pid/status ]]; do
			while read -r key value _; do
				if [[ $key == VmRSS: ]] && ((value > max)); then
					max=$value
					echo "$max" >"$RSS_FILE"
				fi
			done <"/proc/$pid/status" 2>/dev/null || true
			sleep 0.2
		done
	) &
	SAMPLER_PID=$!
}
rss_stop() { # prints the max VmRSS in kB since rss_start
	stop_pid "$SAMPLER_PID" 2
	SAMPLER_PID=""
	cat "$RSS_FILE"
}
vm_hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------- PostgreSQL
PG_URL_BASE=""
find_pg_bin() {
	local d
	d=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb 2>/dev/null | grep -v '\*' | sort -V | tail -n1 || true)
	[[ -n "$d" && -x "$d" ]] && dirname "$d"
}
port_is_free() {
	if command -v ss >/dev/null 2>&1; then
		[[ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
	else
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 1; fi
	fi
}
# A cluster kept under the bench dir (so cached demo databases survive runs),
# started as our own child, 127.0.0.1 only, with PostgreSQL's default
# durability (fsync, synchronous_commit and full_page_writes on).
provision_pg() {
	if ! PG_BIN=$(find_pg_bin); then
		log "no PostgreSQL server binaries; installing package postgresql"
		as_root true || { warn "cannot install postgresql: not root and no sudo"; return 1; }
		as_root env DEBIAN_FRONTEND=noninteractive sh -c 'apt-get update -qq && apt-get install -y -qq postgresql' \
			>"$WORK/apt-pg.log" 2>&1 || { cat "$WORK/apt-pg.log" >&2; warn "apt-get install postgresql failed"; return 1; }
		PG_BIN=$(find_pg_bin) || { warn "postgresql installed but no initdb found"; return 1; }
	fi
	local pgdir=$BENCH_DIR/pg
	PG_DATA=$pgdir/data
	mkdir -p "$pgdir/sock"
	if [[ $(id -u) == 0 ]]; then
		id postgres >/dev/null 2>&1 ||
			useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres ||
			{ warn "could not create OS user postgres"; return 1; }
		PG_AS=(runuser -u postgres --)
		chown postgres: "$pgdir" "$pgdir/sock"
	fi
	if [[ ! -s "$PG_DATA/PG_VERSION" ]]; then
		rm -rf "$PG_DATA"
		"${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C \
			>"$RAW/initdb.log" 2>&1 || { cat "$RAW/initdb.log" >&2; warn "initdb failed"; return 1; }
	fi
	local attempt port pglog=$RAW/postgres.log
	for attempt in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		port_is_free "$port" || continue
		"${PG_AS[@]}" "$PG_BIN/postgres" -D "$PG_DATA" -c listen_addresses=127.0.0.1 -c "port=$port" \
			-c "unix_socket_directories=$pgdir/sock" -c max_connections=200 -c shared_buffers=1GB \
			>>"$pglog" 2>&1 &
		PG_PID=$!
		for _ in $(seq 1 240); do
			kill -0 "$PG_PID" 2>/dev/null || break
			if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port"; then
				PG_URL_BASE="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
				log "$("$PG_BIN/postgres" --version) ready on 127.0.0.1:$port (data in $PG_DATA)"
				return 0
			fi
			sleep 0.5
		done
		kill -0 "$PG_PID" 2>/dev/null && { warn "PostgreSQL did not become ready"; return 1; }
		wait "$PG_PID" 2>/dev/null || true
		PG_PID=""
		grep -q 'could not bind\|already in use' "$pglog" || break
		log "port $port taken (attempt $attempt), retrying"
	done
	tail -n 20 "$pglog" >&2 || true
	warn "could not start PostgreSQL"
	return 1
}
# pg_url NAME: the server's URL with its database replaced by NAME.
pg_url() {
	local base=$PG_URL_BASE rest query=""
	[[ "$base" == *\?* ]] && query="?${base#*\?}" && base=${base%%\?*}
	rest=${base#*://}
	if [[ "$rest" == */* ]]; then base=${base%/*}; fi
	printf '%s/%s%s' "$base" "$1" "$query"
}
psql_q() { # url sql: one unaligned result
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}
pg_recreate() { # name: drop and create an empty database
	psql_q "$(pg_url postgres)" "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
	psql_q "$(pg_url postgres)" "CREATE DATABASE \"$1\"" >/dev/null
}
pg_exists() { [[ "$(psql_q "$(pg_url postgres)" "SELECT 1 FROM pg_database WHERE datname = '$1'")" == 1 ]]; }

# ---------------------------------------------------------------- engines
ENGINES=()
case "$ENGINE" in sqlite) ENGINES=(sqlite) ;; postgres) ENGINES=(postgres) ;; both) ENGINES=(sqlite postgres) ;; esac
if [[ " ${ENGINES[*]} " == *" postgres "* ]]; then
	need psql postgresql-client
	if [[ -n "${EXAMHALL_BENCH_POSTGRES:-}" ]]; then
		PG_URL_BASE=$EXAMHALL_BENCH_POSTGRES
		log "using PostgreSQL from EXAMHALL_BENCH_POSTGRES"
	elif ! provision_pg; then
		[[ "$ENGINE" == postgres ]] && die "no PostgreSQL available (set EXAMHALL_BENCH_POSTGRES)"
		warn "no PostgreSQL: benchmarking SQLite only"
		ENGINES=(sqlite)
	fi
fi

# ---------------------------------------------------------------- data
# dataset ENGINE NAME STUDENTS EXAMS ATTEMPTS [MAX_QUESTIONS]: sets DSN to a database holding
# that demo data, generating it (and recording time and size) unless cached.
DSN=""
need_demo() {
	has_command demo ||
		die "this build has no 'examhall demo' command and the data is not cached (merge main once it lands); --only writes still works"
}
dataset() {
	local engine=$1 name=$2 students=$3 exams=$4 attempts=$5 maxq=${6:-0}
	local key="${students}s-${exams}e-${attempts}a-seed$SEED"
	((maxq > 0)) && key+="-q$maxq"
	local meta=$CACHE/$engine-$key.meta
	if [[ $engine == sqlite ]]; then
		DSN=$CACHE/sqlite-$key.db
		if ((REGEN)) || [[ ! -s "$DSN" || ! -s "$meta" ]]; then
			need_demo
			rm -f "$DSN" "$DSN-wal" "$DSN-shm" "$DSN.tmp" "$DSN.tmp-wal" "$DSN.tmp-shm" "$meta"
			log "generating $name data on sqlite ($key)"
			local t0=$SECONDS
			"$EH" demo --db "$DSN.tmp" --students "$students" --exams "$exams" --attempts "$attempts" \
				--max-questions "$maxq" --seed "$SEED" >"$RAW/demo-$engine-$key.log" 2>&1 ||
				{ tail -n 30 "$RAW/demo-$engine-$key.log" >&2; die "examhall demo failed"; }
			local secs=$((SECONDS - t0))
			sqlite3 "$DSN.tmp" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
			mv "$DSN.tmp" "$DSN"
			rm -f "$DSN.tmp-wal" "$DSN.tmp-shm"
			printf 'generate_s\t%s\nsize_bytes\t%s\n' "$secs" "$(stat -c %s "$DSN")" >"$meta"
		else
			log "cached $name data on sqlite: $DSN"
		fi
	else
		local db="eh_bench_${key//-/_}"
		DSN=$(pg_url "$db")
		if ((REGEN)) || [[ ! -s "$meta" ]] || ! pg_exists "$db"; then
			need_demo
			rm -f "$meta"
			pg_recreate "$db"
			log "generating $name data on postgres ($key)"
			local t0=$SECONDS
			"$EH" demo --db "$DSN" --students "$students" --exams "$exams" --attempts "$attempts" \
				--max-questions "$maxq" --seed "$SEED" >"$RAW/demo-$engine-$key.log" 2>&1 ||
				{ tail -n 30 "$RAW/demo-$engine-$key.log" >&2; die "examhall demo failed"; }
			local secs=$((SECONDS - t0))
			psql_q "$DSN" "VACUUM ANALYZE" >/dev/null
			printf 'generate_s\t%s\nsize_bytes\t%s\n' "$secs" "$(psql_q "$DSN" 'SELECT pg_database_size(current_database())')" >"$meta"
		else
			log "cached $name data on postgres: database $db"
		fi
	fi
	param "$engine" "data:$name" "$key"
	param "$engine" "generate_s:$name" "$(awk -F'\t' '$1 == "generate_s" { print $2 }' "$meta")"
	param "$engine" "size_bytes:$name" "$(awk -F'\t' '$1 == "size_bytes" { print $2 }' "$meta")"
}

# sql ENGINE QUERY: one result of a query on DSN, "|"-separated columns.
sql() {
	if [[ $1 == sqlite ]]; then
		sqlite3 -batch -noheader -readonly "$DSN" "$2"
	else
		psql_q "$DSN" "$2" | tr -d ' '
	fi
}

# ---------------------------------------------------------------- serve
SERVE_URL="" TOKEN=""
start_serve() { # label [serve flags…]: starts examhall serve on DSN, logs in
	local label=$1
	shift
	"$EH" createadmin --db "$DSN" --username "$ADMIN_USER" --password "$ADMIN_PASSWORD" >/dev/null
	local logf=$WORK/serve-$label.log
	"$EH" serve --db "$DSN" --addr 127.0.0.1:0 "$@" >"$logf" 2>&1 &
	SERVE_PID=$!
	local i
	SERVE_URL=""
	for ((i = 0; i < 3000; i++)); do # 300 s: migrating a big database may take a while
		SERVE_URL=$(sed -n 's/^examhall listening on \(http:[^ ]*\)$/\1/p' "$logf" | head -n1)
		[[ -n "$SERVE_URL" ]] && break
		kill -0 "$SERVE_PID" 2>/dev/null || { tail -n 30 "$logf" >&2; die "examhall serve exited"; }
		sleep 0.1
	done
	[[ -n "$SERVE_URL" ]] || { tail -n 30 "$logf" >&2; die "examhall serve did not start within 300 s"; }
	[[ "$(curl -s -o /dev/null -w '%{http_code}' "$SERVE_URL/readyz/")" == 200 ]] || die "$SERVE_URL/readyz/ is not 200"
	TOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"$ADMIN_USER\",\"password\":\"$ADMIN_PASSWORD\"}" \
		"$SERVE_URL/api/v2.2/auth-token/" | jq -r '.token // empty') || true
	[[ -n "$TOKEN" ]] || die "could not obtain a JWT from $SERVE_URL/api/v2.2/auth-token/"
	log "examhall serve ($label) on $SERVE_URL, pid $SERVE_PID"
}
stop_serve() { # label: stops serve, keeps the tail of its log
	local label=$1
	stop_pid "$SERVE_PID" 40
	SERVE_PID=""
	tail -n 200 "$WORK/serve-$label.log" >"$RAW/serve-$label.log.tail" 2>/dev/null || true
	rm -f "$WORK/serve-$label.log"
}
CEIL_URL=""
start_ceiling() {
	"$BIN/read-ceiling" --port 0 >"$WORK/ceiling.log" 2>&1 &
	CEIL_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		CEIL_URL=$(sed -n 's/^read ceiling listening on \(http:[^ ]*\)$/\1/p' "$WORK/ceiling.log" | head -n1)
		[[ -n "$CEIL_URL" ]] && return 0
		sleep 0.1
	done
	cat "$WORK/ceiling.log" >&2
	die "read ceiling did not start"
}
stop_ceiling() { stop_pid "$CEIL_PID" 10; CEIL_PID=""; }

# get URL FILE: GET with the admin token; prints the HTTP status.
get() { curl -s -o "$2" -w '%{http_code}' -H "Authorization: JWT $TOKEN" "$1"; }

# ---------------------------------------------------------------- reads
reads() {
	local engine=$1
	dataset "$engine" reads "${READ_DATA[@]}"
	# Shape parameters, picked from the data.
	local exam user first last completed pages page
	read -r exam < <(sql "$engine" "SELECT exam_id FROM attempts GROUP BY exam_id ORDER BY COUNT(*) DESC, exam_id LIMIT 1")
	[[ -n "$exam" ]] || die "no attempts in the reads data"
	read -r user < <(sql "$engine" "SELECT user_id FROM (SELECT user_id, COUNT(*) AS n FROM attempts GROUP BY user_id) AS t ORDER BY ABS(n - 10), user_id LIMIT 1")
	# The date range covers every attempt of the exam, a day wider on each
	# side so that the institute's time zone cannot cut one off.
	if [[ $engine == sqlite ]]; then
		IFS='|' read -r first last completed < <(sql "$engine" "SELECT date(MIN(date)/1000000 - 86400, 'unixepoch'),
			date(MAX(date)/1000000 + 86400, 'unixepoch'), SUM(state = 1) FROM attempts WHERE exam_id = $exam")
	else
		IFS='|' read -r first last completed < <(sql "$engine" "SELECT to_char(to_timestamp(MIN(date)/1000000.0 - 86400) AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
			to_char(to_timestamp(MAX(date)/1000000.0 + 86400) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), SUM(CASE WHEN state = 1 THEN 1 ELSE 0 END) FROM attempts WHERE exam_id = $exam")
	fi
	# Page 50 of 200, or else the last full page there is.
	pages=$((completed / 200))
	page=$((pages < 50 ? pages : 50))
	((page >= 1)) || die "exam $exam has fewer than 200 completed attempts: shape d has no full page"
	local exam_n user_n
	exam_n=$(sql "$engine" "SELECT COUNT(*) FROM attempts WHERE exam_id = $exam")
	user_n=$(sql "$engine" "SELECT COUNT(*) FROM attempts WHERE user_id = $user")
	param "$engine" "exam (shapes b, d)" "$exam ($exam_n attempts, $completed completed)"
	param "$engine" "user (shape c)" "$user ($user_n attempts)"
	param "$engine" "date range (shape d)" "$first to $last"
	if ((page < 50)); then
		warn "shape d: only $pages full pages of completed attempts; using page=$page instead of 50"
		param "$engine" "page (shape d)" "$page (the last full page: page 50 does not exist with $completed completed attempts)"
	else
		param "$engine" "page (shape d)" "50"
	fi
	local -A path=(
		[a]="/api/v2.5/admin/attempts/?ordering=-id&page_size=200"
		[b]="/api/v2.5/admin/attempts/?exams=$exam&ordering=-correct_answers_count"
		[c]="/api/v2.5/admin/attempts/?users=$user"
		[d]="/api/v2.5/admin/attempts/?exams=$exam&state=1&date_0=$first&date_1=$last&ordering=date&page=$page"
	)
	start_serve "$engine-reads" --sweep-interval 24h
	start_ceiling
	local -A n=([a]=200 [b]=200 [d]=200)
	local shape status body=$WORK/body.json
	for shape in a b c d; do
		status=$(get "$SERVE_URL${path[$shape]}" "$body")
		[[ $status == 200 ]] || { head -c 500 "$body" >&2; die "shape $shape: $SERVE_URL${path[$shape]} answered $status"; }
		local got
		got=$(jq '.results | length' "$body")
		((got > 0)) || die "shape $shape: no results from ${path[$shape]}"
		cp "$body" "$RAW/shape-$engine-$shape.json"
		[[ $shape == c ]] && n[c]=$got
		param "$engine" "shape $shape" "${path[$shape]} ($(jq .count "$body") results, $got on the page)"
		[[ "$(curl -s -o /dev/null -w '%{http_code}' "$CEIL_URL/?n=${n[$shape]}")" == 200 ]] || die "read ceiling ?n=${n[$shape]} failed"
	done
	param "$engine" "ceiling n (shape c)" "${n[c]}"
	log "warm-up: ${WARMUP}s per shape"
	for shape in a b c d; do
		wrk -t2 -c32 -d"${WARMUP}s" -H "Authorization: JWT $TOKEN" "$SERVE_URL${path[$shape]}" >/dev/null
	done
	wrk -t2 -c32 -d"${WARMUP}s" "$CEIL_URL/?n=200" >/dev/null
	local run rss f rps p50 p99 bad
	for ((run = 1; run <= RUNS; run++)); do
		for shape in a b c d; do
			log "reads $engine run $run/$RUNS shape $shape: examhall, then ceiling n=${n[$shape]} (${DURATION}s each)"
			f=$RAW/wrk-$engine-$shape-examhall-$run.txt
			rss_start "$SERVE_PID"
			wrk -t2 -c32 -d"${DURATION}s" --latency -H "Authorization: JWT $TOKEN" "$SERVE_URL${path[$shape]}" >"$f"
			rss=$(rss_stop)
			read -r rps p50 p99 bad < <(wrk_parse "$f")
			((bad == 0)) || warn "shape $shape: $bad non-2xx answers (see $f)"
			printf '%s\t%s\texamhall\t%s\t%s\t%s\t%s\t%s\t%s\n' "$engine" "$shape" "$run" "$rps" "$p50" "$p99" "$rss" "$bad" >>"$READS_TSV"
			f=$RAW/wrk-$engine-$shape-ceiling-$run.txt
			wrk -t2 -c32 -d"${DURATION}s" --latency "$CEIL_URL/?n=${n[$shape]}" >"$f"
			read -r rps p50 p99 bad < <(wrk_parse "$f")
			printf '%s\t%s\tceiling\t%s\t%s\t%s\t%s\t\t%s\n' "$engine" "$shape" "$run" "$rps" "$p50" "$p99" "$bad" >>"$READS_TSV"
		done
	done
	param "$engine" "serve VmHWM after reads (kB)" "$(vm_hwm "$SERVE_PID")"
	stop_ceiling
	stop_serve "$engine-reads"
}

# ---------------------------------------------------------------- rank
rank() {
	local engine=$1 which data id run f rps p50 p99 bad
	for which in small big; do
		if [[ $which == small ]]; then data=("${RANK_SMALL[@]}"); else data=("${RANK_BIG[@]}"); fi
		dataset "$engine" "rank-$which" "${data[@]}"
		# A ranked completed attempt (one whose percentile is computed) from
		# the middle of the exam's ids; any completed one if none is ranked.
		local where
		for where in "state = 1 AND in_rank_population" "state = 1"; do
			id=$(sql "$engine" "SELECT id FROM attempts WHERE $where ORDER BY id LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM attempts WHERE $where)")
			[[ -n "$id" ]] && break
		done
		[[ -n "$id" ]] || die "rank-$which: no completed attempt"
		start_serve "$engine-rank-$which" --sweep-interval 24h
		local url="$SERVE_URL/api/v2.5/admin/attempts/$id/" body=$RAW/rank-$engine-$which.json
		[[ "$(get "$url" "$body")" == 200 ]] || die "rank-$which: $url is not 200"
		local percentile
		percentile=$(jq -r '.percentile' "$body")
		[[ "$percentile" != null ]] || warn "rank-$which: attempt $id has no percentile: the detail read does not rank it"
		param "$engine" "rank-$which attempt" "$id (exam of ${data[2]} attempts; percentile $percentile)"
		wrk -t1 -c1 -d"${WARMUP}s" -H "Authorization: JWT $TOKEN" "$url" >/dev/null
		for ((run = 1; run <= RUNS; run++)); do
			log "rank $engine $which run $run/$RUNS (${RANK_DURATION}s)"
			f=$RAW/wrk-$engine-rank-$which-$run.txt
			wrk -t1 -c1 -d"${RANK_DURATION}s" --latency -H "Authorization: JWT $TOKEN" "$url" >"$f"
			read -r rps p50 p99 bad < <(wrk_parse "$f")
			((bad == 0)) || warn "rank-$which: $bad non-2xx answers (see $f)"
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$engine" "$which" "$run" "$rps" "$p50" "$p99" >>"$RANK_TSV"
		done
		stop_serve "$engine-rank-$which"
	done
}

# ---------------------------------------------------------------- writes
# The jq program that turns examhall loadtest's --json report into
# "metric<TAB>value" lines (single-quoted: jq's own \(…) interpolation). Adjust it here when the report's format changes:
# it expects an object per endpoint with a name, count, throughput and
# latency percentiles in ms, and errors by status.
# shellcheck disable=SC2016
LOADTEST_JQ='
	def endpoints: (.endpoints // .per_endpoint // .results // [])
		| if type == "object" then to_entries | map(.value + {name: (.value.name // .key)}) else . end;
	def num(f): (f // null) | if . == null then "" else tostring end;
	(endpoints[] |
		(.name // .endpoint) as $n |
		(["count", num(.count // .requests // .n)], ["per_s", num(.throughput // .rps // .per_second // .rate)],
		 ["p50_ms", num(.p50_ms // .p50)], ["p95_ms", num(.p95_ms // .p95)], ["p99_ms", num(.p99_ms // .p99)],
		 ["errors", num(.failed // 0)]) |
		["\($n).\(.[0])", .[1]]),
	(endpoints[] | .name as $n | (.errors // {}) | to_entries[] | ["\($n).errors." + .key, (.value | tostring)]),
	(endpoints[] | (.name // .endpoint) as $n | ["\($n).retries", num(.retries // 0)]),
	(["unavailable.count", num(.unavailable.count)], ["unavailable.p50_ms", num(.unavailable.p50_ms)],
	 ["unavailable.p99_ms", num(.unavailable.p99_ms)]),
	(["steady_saves_per_s", num(.steady_saves_per_second)]),
	(["total_errors", num([endpoints[] | .failed // 0] | add)])
	| @tsv'

# SERVE_FLAGS: more flags for serve (e.g. --sqlite-synchronous full);
# PROBE_HEALTHZ=1: ask /healthz every 50 ms during the run and after it, and
# record its p50/p99 (ms) while the storm ran and its p50 in the 5 s after.
SERVE_FLAGS=() PROBE_HEALTHZ=0
healthz_probe() { # url file: until killed, one time_total in seconds per line
	while :; do
		curl -s -o /dev/null -w '%{time_total}\n' --max-time 5 "$1/healthz" >>"$2" || echo 5 >>"$2"
		sleep 0.05
	done
}
quantile_ms() { # q file: the q-quantile of the seconds in file, in ms
	sort -n "$2" | awk -v q="$1" '{ a[NR] = $1 } END { if (NR) printf "%.2f", a[int((NR - 1) * q) + 1] * 1000 }'
}
loadtest_run() { # engine scenario run students save_every hold
	local engine=$1 scenario=$2 run=$3 students=$4 every=$5 hold=$6
	local db="eh_bench_write"
	if [[ $engine == sqlite ]]; then
		DSN=$WORK/write.db
		rm -f "$DSN" "$DSN-wal" "$DSN-shm"
	else
		pg_recreate "$db"
		DSN=$(pg_url "$db")
	fi
	start_serve "$engine-$scenario-$run" "${SERVE_FLAGS[@]}"
	local json=$RAW/loadtest-$engine-$scenario-$run.json rc=0 rss probe="" during=$WORK/healthz-during after=$WORK/healthz-after
	if ((PROBE_HEALTHZ)); then
		: >"$during"
		healthz_probe "$SERVE_URL" "$during" &
		probe=$!
	fi
	log "loadtest $engine $scenario run $run/$RUNS: $students students, save every $every, hold $hold"
	rss_start "$SERVE_PID"
	"$EH" loadtest --url "$SERVE_URL" --admin-username "$ADMIN_USER" --admin-password "$ADMIN_PASSWORD" \
		--students "$students" --questions "$LT_QUESTIONS" --ramp "$RAMP" --save-every "$every" --hold "$hold" \
		--readers "$LT_READERS" --timeout "$LT_TIMEOUT" --json "$json" \
		>"$RAW/loadtest-$engine-$scenario-$run.txt" 2>&1 || rc=$?
	if [[ -n "$probe" ]]; then
		kill "$probe" 2>/dev/null; wait "$probe" 2>/dev/null || true
		: >"$after"
		healthz_probe "$SERVE_URL" "$after" &
		probe=$!
		sleep 5
		kill "$probe" 2>/dev/null; wait "$probe" 2>/dev/null || true
		printf '%s\t%s\t%s\t%s\t%s\n' "$engine" "$scenario" "$run" healthz.p50_ms "$(quantile_ms 0.5 "$during")" \
			"$engine" "$scenario" "$run" healthz.p99_ms "$(quantile_ms 0.99 "$during")" \
			"$engine" "$scenario" "$run" healthz_after.p50_ms "$(quantile_ms 0.5 "$after")" >>"$WRITES_TSV"
	fi
	rss=$(rss_stop)
	stop_serve "$engine-$scenario-$run"
	printf '%s\t%s\t%s\t%s\t%s\n' "$engine" "$scenario" "$run" rss_kb "$rss" >>"$WRITES_TSV"
	printf '%s\t%s\t%s\t%s\t%s\n' "$engine" "$scenario" "$run" exit "$rc" >>"$WRITES_TSV"
	((rc == 0)) || warn "loadtest exited $rc (see $RAW/loadtest-$engine-$scenario-$run.txt)"
	if [[ -s "$json" ]] && jq -r "$LOADTEST_JQ" "$json" >"$WORK/lt.tsv" 2>"$WORK/lt.err"; then
		awk -F'\t' -v p="$engine	$scenario	$run" '$2 != "" { print p "\t" $1 "\t" $2 }' "$WORK/lt.tsv" >>"$WRITES_TSV"
	else
		warn "could not parse the loadtest report $json ($(head -c 200 "$WORK/lt.err" 2>/dev/null)); adjust LOADTEST_JQ"
	fi
}

write_ceiling_run() { # engine run seconds
	local engine=$1 run=$2 secs=$3
	local f=$RAW/write-ceiling-$engine-$run.json
	local db="eh_bench_write_ceiling"
	if [[ $engine == sqlite ]]; then
		DSN=$WORK/write-ceiling.db
		rm -f "$DSN" "$DSN-wal" "$DSN-shm"
	else
		pg_recreate "$db"
		DSN=$(pg_url "$db")
	fi
	log "write ceiling $engine run $run/$RUNS (${secs}s, $WRITE_CEILING_WORKERS workers)"
	"$BIN/write-ceiling" --db "$DSN" --rows 100000 --workers "$WRITE_CEILING_WORKERS" --duration "${secs}s" \
		--json "$f" >"$RAW/write-ceiling-$engine-$run.txt" 2>&1 || die "write ceiling failed: $(tail -n 5 "$RAW/write-ceiling-$engine-$run.txt")"
	jq -r --arg p "$engine	ceiling	$run" '
		["tx_per_s", .tx_per_s], ["p50_ms", .p50_ms], ["p99_ms", .p99_ms], ["errors", .errors]
		| "\($p)\t\(.[0])\t\(.[1])"' "$f" >>"$WRITES_TSV"
}

writes() {
	local engine=$1 run students hold_s
	if ! has_command loadtest; then
		echo "loadtest not available" >&2
		warn "this build has no 'examhall loadtest': storms skipped, write ceiling only"
		param "$engine" "loadtest" "not available"
	fi
	hold_s=${HOLD%s}
	for ((run = 1; run <= RUNS; run++)); do
		if has_command loadtest; then
			for students in "${STORMS[@]}"; do
				loadtest_run "$engine" "storm-$students" "$run" "$students" "$LT_SAVE_EVERY" "$HOLD"
			done
			if [[ $engine == sqlite ]]; then # issue 11: durability both ways
				SERVE_FLAGS=(--sqlite-synchronous full)
				loadtest_run "$engine" "storm-${STORMS[-1]}-full" "$run" "${STORMS[-1]}" "$LT_SAVE_EVERY" "$HOLD"
				SERVE_FLAGS=()
			fi
			loadtest_run "$engine" "closed-$CLOSED_STUDENTS" "$run" "$CLOSED_STUDENTS" 0 "$CLOSED_HOLD"
			# Over capacity: students saving back to back, far more than the
			# writer takes: it must shed with fast 503s, /healthz must stay fast.
			PROBE_HEALTHZ=1
			loadtest_run "$engine" "overload-$OVER_STUDENTS" "$run" "$OVER_STUDENTS" 0 "$HOLD"
			PROBE_HEALTHZ=0
		fi
		write_ceiling_run "$engine" "$run" "$hold_s"
	done
}

# ---------------------------------------------------------------- run
for engine in "${ENGINES[@]}"; do
	if [[ $engine == postgres ]]; then
		param postgres server "$(psql_q "$(pg_url postgres)" 'SHOW server_version')"
		param postgres "synchronous_commit, fsync" "$(psql_q "$(pg_url postgres)" 'SHOW synchronous_commit'), $(psql_q "$(pg_url postgres)" 'SHOW fsync')"
	fi
	want reads && reads "$engine"
	want rank && rank "$engine"
	want writes && writes "$engine"
done

# ---------------------------------------------------------------- report
RESULTS=$OUT/results.md
{
	echo "# examhall benchmark results, $STAMP"
	echo
	echo "Command: \`EXAMHALL_BENCH_SCALE=$SCALE scripts/bench.sh --only $ONLY --engine $ENGINE --runs $RUNS --duration $DURATION\`"
	echo "at $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')."
	echo
	echo "## Machine"
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| CPU | $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores |"
	echo "| RAM | $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
	echo "| kernel | $(uname -sr) |"
	echo "| Go | $(go version | awk '{ print $3 }') |"
	echo "| SQLite driver | $(awk '$1 == "modernc.org/sqlite" { print $1 " " $2 }' go.mod) |"
	echo "| load average at start | $LOAD_AT_START |"
	echo "| wrk | $(wrk -v 2>&1 | head -n1 | awk '{ print $2 }') |"
	echo
	echo "## Parameters"
	echo
	echo "| engine | what | value |"
	echo "|---|---|---|"
	awk -F'\t' 'NR > 1 { printf "| %s | %s | %s |\n", $1, $2, $3 }' "$PARAMS"
	echo
	echo "Medians of $RUNS run(s); RSS is the largest VmRSS of \`examhall serve\`, sampled every 200 ms, over the runs of the shape."
	awk -F'\t' '
		function median(k,   n, i, j, t, a) {
			n = split(vals[k], a, " ")
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		function add(k, v) { vals[k] = vals[k] " " v; sub(/^ /, "", vals[k]) }
		NR > 1 {
			e[$1] = 1
			add($1 SUBSEP $2 SUBSEP $3 SUBSEP "rps", $5)
			add($1 SUBSEP $2 SUBSEP $3 SUBSEP "p50", $6)
			add($1 SUBSEP $2 SUBSEP $3 SUBSEP "p99", $7)
			if ($3 == "examhall" && $8 + 0 > rss[$1, $2]) rss[$1, $2] = $8 + 0
			bad[$1, $2, $3] += $9
		}
		END {
			split("sqlite postgres", order, " ")
			want["a"] = 0.5; want["b"] = 0.5; want["c"] = 0.4; want["d"] = 0.33
			p99max["a"] = 50; p99max["b"] = 50; p99max["c"] = 10; p99max["d"] = 50
			for (o = 1; o <= 2; o++) {
				en = order[o]
				if (!(en in e)) continue
				printf "\n## Reads (%s)\n\n", en
				print "| shape | examhall req/s | p50 ms | p99 ms | ceiling req/s | ratio | target | RSS MB |"
				print "|---|---|---|---|---|---|---|---|"
				for (s = 1; s <= 4; s++) {
					sh = substr("abcd", s, 1)
					if (!((en SUBSEP sh SUBSEP "examhall" SUBSEP "rps") in vals)) continue
					r = median(en SUBSEP sh SUBSEP "examhall" SUBSEP "rps")
					p50 = median(en SUBSEP sh SUBSEP "examhall" SUBSEP "p50")
					p99 = median(en SUBSEP sh SUBSEP "examhall" SUBSEP "p99")
					c = median(en SUBSEP sh SUBSEP "ceiling" SUBSEP "rps")
					ratio = c > 0 ? r / c : 0
					w = en == "postgres" ? 0.3 : want[sh]
					ok = ratio >= w && (en == "postgres" || p99 <= p99max[sh]) && rss[en, sh] <= 150 * 1024
					tgt = sprintf("≥ %.2f×", w) (en == "postgres" ? "" : sprintf(", p99 ≤ %d ms", p99max[sh])) ", RSS ≤ 150 MB " (ok ? "✅" : "❌")
					note = bad[en, sh, "examhall"] ? sprintf(" (%d non-2xx!)", bad[en, sh, "examhall"]) : ""
					printf "| %s | %.0f%s | %.2f | %.2f | %.0f | %.2f | %s | %.0f |\n", sh, r, note, p50, p99, c, ratio, tgt, rss[en, sh] / 1024
				}
			}
		}' "$READS_TSV"
	awk -F'\t' '
		function median(k,   n, i, j, t, a) {
			n = split(vals[k], a, " ")
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		function add(k, v) { vals[k] = vals[k] " " v; sub(/^ /, "", vals[k]) }
		NR > 1 { e[$1] = 1; add($1 SUBSEP $2 SUBSEP "p50", $5); add($1 SUBSEP $2 SUBSEP "p99", $6); add($1 SUBSEP $2 SUBSEP "rps", $4) }
		END {
			if (length(e) == 0) exit
			print "\n## Rank/percentile: attempt detail, one connection\n"
			print "| engine | exam of | p50 ms | p99 ms | req/s | p50 ratio (big / small) | target |"
			print "|---|---|---|---|---|---|---|"
			split("sqlite postgres", order, " ")
			for (o = 1; o <= 2; o++) {
				en = order[o]
				if (!(en in e)) continue
				s = median(en SUBSEP "small" SUBSEP "p50"); b = median(en SUBSEP "big" SUBSEP "p50")
				printf "| %s | small | %.3f | %.3f | %.0f | | |\n", en, s, median(en SUBSEP "small" SUBSEP "p99"), median(en SUBSEP "small" SUBSEP "rps")
				ratio = s > 0 ? b / s : 0
				printf "| %s | big | %.3f | %.3f | %.0f | %.2f | ≤ 1.2 %s |\n", en, b, median(en SUBSEP "big" SUBSEP "p99"), median(en SUBSEP "big" SUBSEP "rps"), ratio, (ratio <= 1.2 ? "✅" : "❌")
			}
		}' "$RANK_TSV"
	awk -F'\t' '
		function median(k,   n, i, j, t, a) {
			n = split(vals[k], a, " ")
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		function fmt(v) { return v ~ /^-?[0-9]+\.[0-9]+$/ ? sprintf("%.2f", v) : v }
		NR > 1 {
			e[$1] = 1; k = $1 SUBSEP $2 SUBSEP $4
			if (!(($1, $2) in seen)) { seen[$1, $2] = 1; sc[$1] = sc[$1] " " $2 }
			if (!(k in vals)) metrics[$1, $2] = metrics[$1, $2] " " $4
			vals[k] = (k in vals ? vals[k] " " : "") $5
		}
		END {
			if (length(e) == 0) exit
			print "\n## Writes\n"
			print "Each metric is the median over the runs; `rss_kb` is the largest VmRSS of `examhall serve` during the run;"
			print "loadtest metrics are named `<endpoint>.<metric>` as its --json report names them (see LOADTEST_JQ in scripts/bench.sh)."
			split("sqlite postgres", order, " ")
			for (o = 1; o <= 2; o++) {
				en = order[o]
				if (!(en in e)) continue
				printf "\n### %s\n\n| scenario | metric | median | runs |\n|---|---|---|---|\n", en
				n = split(sc[en], s, " ")
				for (i = 1; i <= n; i++) {
					m = split(metrics[en, s[i]], ms, " ")
					for (j = 1; j <= m; j++) {
						k = en SUBSEP s[i] SUBSEP ms[j]
						r = vals[k]; gsub(/[0-9]+\.[0-9][0-9][0-9]+/, "&@", r)
						while (match(r, /[0-9]+\.[0-9]+@/)) r = substr(r, 1, RSTART - 1) sprintf("%.2f", substr(r, RSTART, RLENGTH - 1)) substr(r, RSTART + RLENGTH)
						printf "| %s | %s | %s | %s |\n", s[i], ms[j], fmt(median(k)), r
					}
				}
			}
		}' "$WRITES_TSV"
} >"$RESULTS"
cat "$RESULTS"
log "results: $RESULTS (raw output in $RAW)"
