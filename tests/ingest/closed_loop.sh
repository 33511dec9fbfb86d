#!/usr/bin/env bash
# tests/ingest/closed_loop.sh — the closed loop (part of `make
# ingest-test`): Moonscope A, loaded from real CSV history
# (../shared/data/fixtures: CMC daily BTC/XRP/DOGE 2017-2018 and 40 coins of
# the 2018 H1 universe), serves /api/v3 through real lighttpd on a
# loopback port; `moonscope ingest --base-url` of Moonscope B pulls from it
# over HTTP. Then B's assets must be A's /coins/markets universe and B's
# bars (source coingecko_api) must equal A's served `daily` rows — close,
# market cap, volume, NULLs included — for every day of the ingested window,
# and a second ingest must change nothing.
#
# SKIPS (exit 0, reason printed) when the /api/v3 executables are not
# built yet, when lighttpd is missing, or when ../shared/data is absent.
# KEEP=1 keeps the temp directory.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/../.." && pwd -P)
# shellcheck source=infra/lib.sh
. "$root/infra/lib.sh"
cd "$root" || exit 1
build=${BUILD:-build}
cli=$root/$build/moonscope
fn_dir=$root/$build/fn
data=$root/../shared/data/fixtures

skip() {
	echo "closed-loop: SKIP: $*"
	exit 0
}

for f in cg_coins_markets cg_coins_list cg_global cg_market_chart_range; do
	[ -x "$fn_dir/$f" ] || skip "$fn_dir/$f does not exist yet (the /api/v3 routes are not built)"
done
[ -x "$cli" ] || ms_die "closed-loop: $cli is missing; run make all"
command -v lighttpd >/dev/null || skip "lighttpd is not installed (make deps)"
command -v sqlite3 >/dev/null || ms_die "closed-loop: sqlite3 is required (make deps)"
csvs=("$data/cmc_btc_xrp_doge_daily_2017-2018.csv" "$data/cmc_2018h1_daily_40coins_sample.csv")
for f in "${csvs[@]}"; do
	[ -r "$f" ] || skip "$f is not there (real data lives in ../shared/data)"
done

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
unset MOONSCOPE_UPSTREAM MOONSCOPE_API_KEY MOONSCOPE_API_KEY_KIND MOONSCOPE_DB
# Nothing here may reach beyond loopback: the CLI refuses other upstreams.
export MOONSCOPE_OFFLINE=1

work=$(mktemp -d /tmp/ms_closed_loop.XXXXXX)
chmod 0755 "$work"
lpid=
failed=0
cleanup() {
	if [ -n "$lpid" ]; then
		ms_stop_pid "$lpid" 10 || ms_say "closed-loop: lighttpd (pid $lpid) would not stop"
	fi
	if [ "$failed" != 0 ]; then
		for f in "$work"/*-a/lighttpd-error.log "$work/b.out"; do
			[ -s "$f" ] && ms_show_log "$f" 40
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		echo "closed-loop: kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# loop NAME CSV... — A imports the CSVs and serves them; B ingests; compare.
loop() {
	local name=$1
	shift
	local adb=$work/$name-a.db bdb=$work/$name-b.db adir=$work/$name-a
	mkdir -p "$adir/htdocs"
	chmod 0755 "$adir"
	"$cli" --db "$adb" import "$@" >"$work/$name-import.log" 2>&1 ||
		{ failed=1; cat "$work/$name-import.log"; ms_die "closed-loop: import into A failed"; }
	port=$(ms_free_port) || ms_die "closed-loop: no free port"
	infra/gen-config.sh lighttpd --port "$port" --root "$adir" --fn-dir "$fn_dir" \
		--db "$adb" --procs 1 >"$adir/lighttpd.conf" ||
		ms_die "closed-loop: gen-config failed"
	lighttpd -D -f "$adir/lighttpd.conf" >"$adir/stdout.log" 2>&1 </dev/null &
	lpid=$!
	base=http://127.0.0.1:$port/api/v3
	if ! ms_wait_http "$base/ping" 10; then
		failed=1
		ms_die "closed-loop: A did not answer $base/ping within 10 s"
	fi
	# B's "today" is the day after A's last day: the window ends with A's data.
	last=$(sqlite3 "$adb" "SELECT max(day) FROM daily")
	today=$(sqlite3 "$adb" "SELECT date(($last + 1) * 86400, 'unixepoch')")
	backfill=400
	echo "closed-loop: $name: A serves $base; B ingests --today $today --backfill-days $backfill"
	"$cli" --db "$bdb" ingest --base-url "$base" --today "$today" --top 100 \
		--backfill-days "$backfill" --budget 1000 --max-retries 1 \
		--backoff-base 0.1 >"$work/b.out" 2>&1
	rc=$?
	grep -v '^ingest: \(history \|markets\|/coins\|writing\|upstream\)' "$work/b.out" | sed 's/^/  B| /'
	if [ "$rc" != 0 ]; then
		failed=1
		ms_die "closed-loop: B's ingest from A failed (exit $rc)"
	fi
	python3 - "$adb" "$bdb" "$last" "$backfill" <<-'EOF' || failed=1
	import sqlite3, sys
	adb, bdb, last, backfill = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
	lo, hi = last + 1 - backfill, last
	b = sqlite3.connect(bdb)
	b.execute("ATTACH DATABASE ? AS a", (adb,))
	bad = 0
	assets = [r[0] for r in b.execute("SELECT slug FROM main.assets ORDER BY slug")]
	if not assets:
	    print("closed-loop: B has no assets"); sys.exit(1)
	missing = [s for s in assets if not b.execute(
	    "SELECT 1 FROM a.assets WHERE slug = ?", (s,)).fetchone()]
	if missing:
	    print("closed-loop: B assets unknown to A:", missing[:5]); bad += 1
	nbars = 0
	for slug in assets:
	    want = b.execute(
	        "SELECT d.day, d.close, d.market_cap, d.volume FROM a.daily d "
	        "JOIN a.assets x ON x.id = d.asset_id WHERE x.slug = ? AND "
	        "d.day BETWEEN ? AND ? AND d.close IS NOT NULL ORDER BY d.day",
	        (slug, lo, hi)).fetchall()
	    got = b.execute(
	        "SELECT r.day, r.close, r.market_cap, r.volume FROM main.bars r "
	        "JOIN main.assets x ON x.id = r.asset_id JOIN main.sources s ON "
	        "s.id = r.source_id WHERE x.slug = ? AND s.name = 'coingecko_api' "
	        "ORDER BY r.day", (slug,)).fetchall()
	    # A zero market cap or volume is NULL in both stores.
	    if want != got:
	        bad += 1
	        if bad <= 5:
	            ws, gs = set(want), set(got)
	            print("closed-loop: %s: A has %d rows, B %d; first differences: A %s B %s"
	                  % (slug, len(want), len(got), sorted(ws - gs)[:2], sorted(gs - ws)[:2]))
	    nbars += len(got)
	    sa = b.execute("SELECT upper(symbol), name FROM a.assets WHERE slug = ?", (slug,)).fetchone()
	    sb = b.execute("SELECT symbol, name FROM main.assets WHERE slug = ?", (slug,)).fetchone()
	    if sa and sa[0] is not None and sb[0] != sa[0]:
	        print("closed-loop: %s: symbol %s in B, %s in A" % (slug, sb[0], sa[0])); bad += 1
	print("closed-loop: %d assets, %d bars compared with A's served series: %s"
	      % (len(assets), nbars, "equal" if not bad else "%d DIFFER" % bad))
	sys.exit(1 if bad else 0)
	EOF
	[ "$failed" = 0 ] || ms_die "closed-loop: B's data differ from A's"

	# Sectors: every tag A serves for an asset B has must reach B (B asks
	# A's /coins/categories/list and the per-category markets).
	python3 - "$adb" "$bdb" <<-'EOF' || { failed=1; ms_die "closed-loop: B's sectors differ from A's"; }
	import sqlite3, sys
	b = sqlite3.connect(sys.argv[2])
	b.execute("ATTACH DATABASE ? AS a", (sys.argv[1],))
	rows = b.execute("SELECT x.slug, coalesce(y.categories, ''), coalesce(x.categories, '') "
	                 "FROM main.assets x JOIN a.assets y ON y.slug = x.slug").fetchall()
	tags = lambda s: set(t for t in s.split(",") if t)
	bad = [(s, a, m) for s, a, m in rows if not tags(a) <= tags(m)]
	n = sum(len(tags(a)) for _, a, _ in rows)
	for s, a, m in bad[:5]:
	    print("closed-loop: %s: A has sectors %r, B %r" % (s, a, m))
	print("closed-loop: %d sector tags of A's assets: %s" % (n, "all in B" if not bad else "%d assets differ" % len(bad)))
	sys.exit(1 if bad else 0)
	EOF

	# A second run: nothing missing, nothing written.
	"$cli" --db "$bdb" ingest --base-url "$base" --today "$today" --top 100 \
		--backfill-days "$backfill" --budget 1000 >"$work/b2.out" 2>&1 ||
		{ failed=1; cat "$work/b2.out"; ms_die "closed-loop: the second ingest failed"; }
	grep -q "rows inserted 0, updated 0" "$work/b2.out" ||
		{ failed=1; cat "$work/b2.out"; ms_die "closed-loop: the second ingest wrote rows"; }
	ms_stop_pid "$lpid" 10 || ms_say "closed-loop: lighttpd (pid $lpid) would not stop"
	lpid=
}

# Three majors with symbols and names (curated identity), 2017-2018, with
# sector tags from the reference tables when they are there.
refs=()
for f in coingecko_categories_top80_2024-10-21.csv cmc_coin_tags_20251102_192126.csv \
    category_mappings_validated.csv; do
	[ -r "$data/../reference/$f" ] && refs+=("$data/../reference/$f")
done
loop majors "$data/cmc_btc_xrp_doge_daily_2017-2018.csv" "${refs[@]}"
# 40 coins of the 2018 H1 universe: slug-only ids, unknown market caps.
loop universe40 "$data/cmc_2018h1_daily_40coins_sample.csv"
echo "closed-loop: ok"
