#!/usr/bin/env bash
# scripts/vendor-web.sh - update the vendored front-end libraries of the web UI.
#
# Usage:
#   scripts/vendor-web.sh            # fetch the pinned versions below and copy them in
#
# To upgrade, change a version below, run the script, run the browser tests
# (scripts/test.sh -run . ./web/...), and commit the changed files together.
#
# The browser gets everything from the examhall binary (go:embed): no CDN and no
# network at run time, and no build step for `go build`. npm is needed only here,
# to fetch the published files; nothing is built or run from the packages
# (--ignore-scripts). The files are copied byte for byte as published.
#
# Writes:
#   web/static/vendor/chartjs/chart.umd.min.js, LICENSE.md   Chart.js (served to pages)
#   web/static/vendor/VENDORED.md                            name, version, licence, tarball, sha256
#   web/browsertest/axe/axe.min.js, LICENSE, LICENSE-3RD-PARTY.txt   axe-core (tests only)
#   web/browsertest/axe/VENDORED.md
#   httpapi/apidocs/redoc.standalone.js, LICENSE, redoc.standalone.js.LICENSE.txt
#                                                            Redoc (renders /api/docs/)
#   httpapi/apidocs/VENDORED.md
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CHARTJS_VERSION=4.6.1 # latest 4.x on 2026-11-30
AXE_VERSION=4.14.1    # latest 4.x on 2026-11-30
REDOC_VERSION=2.5.4   # latest 2.x on 2026-11-30 (3.x bundles OpenTelemetry and its npm dependencies do not resolve)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js (Debian: apt-get install -y npm)"
command -v node >/dev/null 2>&1 || die "node not found: install Node.js"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/examhall-vendor.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

log "npm install chart.js@$CHARTJS_VERSION axe-core@$AXE_VERSION (into $TMP)"
npm install --prefix "$TMP" --ignore-scripts --no-audit --no-fund --save-exact \
	"chart.js@$CHARTJS_VERSION" "axe-core@$AXE_VERSION" >&2

# Redoc is fetched as its published tarball alone (npm pack): only its
# standalone bundle is used, which has every dependency built in, so its
# dependency tree is not installed.
log "npm pack redoc@$REDOC_VERSION (into $TMP)"
(cd "$TMP" && npm pack "redoc@$REDOC_VERSION" --json >redoc-pack.json)
mkdir -p "$TMP/node_modules/redoc"
tar -xzf "$TMP/redoc-$REDOC_VERSION.tgz" -C "$TMP/node_modules/redoc" --strip-components=1

# pkg_field NAME FIELD: a field of the installed package.json.
pkg_field() {
	node -e 'const p = require(process.argv[1]); process.stdout.write(String(p[process.argv[2]] ?? ""))' \
		"$TMP/node_modules/$1/package.json" "$2"
}

# lock_integrity NAME: the integrity npm checked the tarball against (from
# npm pack's report for a package fetched alone).
lock_integrity() {
	if [[ -f "$TMP/$1-pack.json" ]]; then
		node -e 'process.stdout.write(require(process.argv[1])[0].integrity)' "$TMP/$1-pack.json"
		return
	fi
	node -e 'const l = require(process.argv[1]); process.stdout.write(l.packages["node_modules/" + process.argv[2]].integrity)' \
		"$TMP/package-lock.json" "$1"
}

# vendor NAME VERSION DEST MANIFEST PREFIX NOTE FILE...: copy FILEs (paths
# inside the package) to DEST and append a section to MANIFEST. Its rows name
# each file as PREFIX<file name>: the path from the folder of the final
# VENDORED.md.
vendor() {
	local name=$1 version=$2 dest=$3 manifest=$4 prefix=$5 note=$6
	shift 6
	local got licence tarball integrity f base
	got=$(pkg_field "$name" version)
	[[ "$got" == "$version" ]] || die "$name: npm installed $got, want $version"
	licence=$(pkg_field "$name" license)
	tarball=$(npm view "$name@$version" dist.tarball)
	integrity=$(lock_integrity "$name")
	[[ -n "$licence" && -n "$tarball" && -n "$integrity" ]] || die "$name: missing licence, tarball or integrity"

	rm -rf "$dest"
	mkdir -p "$dest"
	{
		printf '## %s %s\n\n' "$name" "$version"
		printf -- '- Licence: %s\n' "$licence"
		printf -- '- npm tarball: %s\n' "$tarball"
		printf -- '- Tarball integrity (checked by npm): `%s`\n' "$integrity"
		[[ -n "$note" ]] && printf -- '- %s\n' "$note"
		printf '\n| File | Copied from | sha256 |\n|---|---|---|\n'
	} >>"$manifest"
	for f in "$@"; do
		[[ -f "$TMP/node_modules/$name/$f" ]] || die "$name: $f is not in the package"
		base=$(basename "$f")
		cp "$TMP/node_modules/$name/$f" "$dest/$base"
		printf '| `%s` | `package/%s` | `%s` |\n' \
			"$prefix$base" "$f" "$(sha256sum "$dest/$base" | cut -d' ' -f1)" >>"$manifest"
	done
	printf '\n' >>"$manifest"
}

header() {
	cat <<EOF
# Vendored: $1

Copied byte for byte from the npm packages by \`scripts/vendor-web.sh\`; do not
edit these files by hand. To update: change the pinned version in the script,
run it, run the browser tests, commit.
$2

EOF
}

# The manifests are built in $TMP: vendor() empties each destination first.
STATIC=web/static/vendor
header "front-end libraries served by the web UI" \
	"The files are embedded in the binary and served with the pages." >"$TMP/static.md"
vendor chart.js "$CHARTJS_VERSION" "$STATIC/chartjs" "$TMP/static.md" chartjs/ \
	"Bundles @kurkle/color (MIT, see the banner in the file). The file ends with a sourceMappingURL comment; the map is not vendored (browsers fetch it only with DevTools open)." \
	dist/chart.umd.min.js LICENSE.md
cp "$TMP/static.md" "$STATIC/VENDORED.md"

AXE=web/browsertest/axe
header "axe-core for the browser tests" \
	"Used only by the tests (package web/browsertest embeds it); never served to users." >"$TMP/axe.md"
vendor axe-core "$AXE_VERSION" "$AXE" "$TMP/axe.md" "" "" \
	axe.min.js LICENSE LICENSE-3RD-PARTY.txt
cp "$TMP/axe.md" "$AXE/VENDORED.md"

DOCS=httpapi/apidocs
header "Redoc for the API's documentation page" \
	"Embedded in the binary (package httpapi) and served with /api/docs/, which renders /api/schema/." >"$TMP/redoc.md"
vendor redoc "$REDOC_VERSION" "$DOCS" "$TMP/redoc.md" "" \
	"The standalone bundle has its dependencies built in; their licences are in redoc.standalone.js.LICENSE.txt. Its source map is not vendored." \
	bundles/redoc.standalone.js bundles/redoc.standalone.js.LICENSE.txt LICENSE
cp "$TMP/redoc.md" "$DOCS/VENDORED.md"

log "done: $STATIC/VENDORED.md, $AXE/VENDORED.md, $DOCS/VENDORED.md"
