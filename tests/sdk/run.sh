#!/usr/bin/env bash
# tests/sdk/run.sh — `make sdk-test`: Moonscope's /api/v3 through
# CoinGecko's official TypeScript SDK (@coingecko/coingecko-typescript,
# the version pinned in tests/sdk/package.json and package-lock.json).
#
# Steps: install the SDK into tests/sdk/node_modules with `npm ci` unless
# the pinned version is already there (so it runs offline once installed;
# npm's cache serves a reinstall offline too); import the integration
# fixture (tests/integration/fixture.csv) and tests/sdk/categories_*.csv
# into a fresh store in a temp directory; serve it with lighttpd on a free
# loopback port; run tests/sdk/sdk-test.mjs with COINGECKO_BASE_URL (the
# SDK's own base-URL setting) pointed at http://127.0.0.1:PORT/api/v3; stop
# lighttpd by PID.
#
# Skips (exit 0, "SKIP sdk-test: reason") when node or npm is not
# installed. Fails when the SDK cannot be installed (no registry and no
# cache). KEEP=1 keeps the temp directory.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/../.." && pwd -P)
# shellcheck source=infra/lib.sh
. "$root/infra/lib.sh"
cd "$root"

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP sdk-test: $tool is not installed (apt-get install nodejs npm)"
		exit 0
	fi
done
build=${BUILD:-build}
cli=$root/$build/moonscope
fn_dir=$root/$build/fn
[ -x "$cli" ] || ms_die "sdk-test: $cli is missing; run make all"
command -v lighttpd >/dev/null || ms_die "sdk-test: lighttpd is not installed (make deps)"
command -v sqlite3 >/dev/null || ms_die "sdk-test: the sqlite3 command is needed (apt-get install sqlite3)"

# --- the SDK, pinned ------------------------------------------------------------
pinned=$(sed -n 's/.*"@coingecko\/coingecko-typescript": *"\([^"]*\)".*/\1/p' "$here/package.json")
installed=$(node -e 'try { console.log(require(process.argv[1]).version) } catch (e) {}' \
    "$here/node_modules/@coingecko/coingecko-typescript/package.json" 2>/dev/null || true)
if [ "$installed" != "$pinned" ]; then
	echo "sdk-test: installing @coingecko/coingecko-typescript@$pinned (npm ci)"
	if ! (cd "$here" && npm ci --no-audit --no-fund --prefer-offline); then
		ms_die "sdk-test: npm could not install @coingecko/coingecko-typescript@$pinned (no registry and nothing in npm's cache)"
	fi
fi
echo "sdk-test: @coingecko/coingecko-typescript $pinned, node $(node --version)"

# --- store and server ------------------------------------------------------------------
work=$(mktemp -d /tmp/moonscope-sdk.XXXXXX)
chmod 0755 "$work"
db=$work/store.db
ldir=$work/lighttpd
mkdir -p "$ldir/htdocs"
lpid=''

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ "$rc" != 0 ]; then
		for f in "$work/import.log" "$ldir/lighttpd-error.log" "$ldir/functions-error.log"; do
			[ -s "$f" ] && ms_show_log "$f" 40
		done
	fi
	if [ -n "$lpid" ]; then
		ms_stop_pid "$lpid" 10 || ms_say "sdk-test: lighttpd (pid $lpid) would not stop"
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		ms_say "sdk-test: kept $work"
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! MOONSCOPE_DB=$db "$cli" import "$root/tests/integration/fixture.csv" \
    "$here"/categories_*.csv >"$work/import.log" 2>&1; then
	ms_die "sdk-test: import of the fixture failed"
fi
port=$(ms_free_port) || ms_die "sdk-test: no free port"
infra/gen-config.sh lighttpd --port "$port" --root "$ldir" --fn-dir "$fn_dir" \
    --db "$db" --procs 1 >"$ldir/lighttpd.conf"
lighttpd -D -f "$ldir/lighttpd.conf" >"$ldir/stdout.log" 2>&1 </dev/null &
lpid=$!
base=http://127.0.0.1:$port
ms_wait_http "$base/api/v3/ping" 10 ||
	ms_die "sdk-test: lighttpd did not answer $base/api/v3/ping within 10 s"
echo "sdk-test: lighttpd pid $lpid on $base"

# --- the SDK against it --------------------------------------------------------------------
COINGECKO_BASE_URL=$base/api/v3 COINGECKO_PRO_API_KEY=moonscope-sdk-test \
    MOONSCOPE_DB=$db NODE_PATH="$here/node_modules" \
    node "$here/sdk-test.mjs"
