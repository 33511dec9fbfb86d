#!/bin/sh
# tests/realdata/run.sh — imports the real historical data of ../shared/data
# (pit_universe/ and majors_daily/, then the reference tables of
# reference/) into a temporary store with
# build/moonscope and checks row counts, asset counts and known values
# against the data's README and the files themselves.
#
# Skips (exit 0, "SKIP realdata: reason") when the data folder is absent.
# MS_SHARED_DATA overrides the data folder (default: ../shared/data
# relative to the repository root). Prints "N passed, M failed" at the end
# and exits non-zero when a check failed.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/realdata
data=${MS_SHARED_DATA:-$root/../shared/data}
bin=$root/build/moonscope

if [ ! -d "$data/pit_universe" ] || [ ! -d "$data/majors_daily" ]; then
	echo "SKIP realdata: no real data at $data (set MS_SHARED_DATA)"
	exit 0
fi
if [ ! -x "$bin" ]; then
	echo "realdata: $bin is missing; run make all first" >&2
	exit 1
fi
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "realdata: the sqlite3 command is needed (apt-get install sqlite3)" >&2
	exit 1
fi

tmp=$(mktemp -d /tmp/ms_realdata.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/real.db
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok: $1"
}

not_ok() {
	failed=$((failed + 1))
	echo "FAIL: $1"
}

# check NAME EXPECTED SQL — compares one sqlite3 value with EXPECTED.
check() {
	got=$(sqlite3 "$db" "$3" 2>&1)
	if [ "$got" = "$2" ]; then
		ok "$1 = $2"
	else
		not_ok "$1: got '$got', want '$2'"
	fi
}

# Day number of an ISO date, for SQL.
day() {
	echo "CAST(julianday('$1') - 2440587.5 AS INTEGER)"
}

# imports row of a layout: column
imp() {
	echo "SELECT $2 FROM imports WHERE layout = '$1' ORDER BY id LIMIT 1"
}

# The served (daily) value of an asset on a day.
served() {
	echo "SELECT $3 FROM daily d JOIN assets a ON a.id = d.asset_id" \
	    "WHERE a.slug = '$1' AND d.day = $(day "$2")"
}

u2018=$data/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz

# 1. The 2018 universe alone, timed (target: under 5 s).
t0=$(date +%s.%N)
if "$bin" --db "$db" import "$u2018" >"$tmp/import1.log" 2>&1; then
	ok "import of the 2018 universe"
else
	not_ok "import of the 2018 universe (exit $?)"
	cat "$tmp/import1.log"
fi
t1=$(date +%s.%N)
secs=$(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }')
echo "time: 2018 universe (251,969 rows) imported in $secs s (target < 5 s)"
if awk "BEGIN { exit !($secs < 20) }"; then
	ok "2018 import time $secs s < 20 s (regression guard)"
else
	not_ok "2018 import took $secs s"
fi

# 2. Everything else (the 2018 file again: must change nothing).
v1=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'data_version'")
if "$bin" --db "$db" import "$data/pit_universe" "$data/majors_daily" \
    >"$tmp/import2.log" 2>&1; then
	ok "import of pit_universe/ and majors_daily/"
else
	not_ok "import of pit_universe/ and majors_daily/ (exit $?)"
	cat "$tmp/import2.log"
fi
grep -E '^(total|[^ ].*: (layout|REJECTED))' "$tmp/import2.log"

check "2018 universe rows read" 251969 "$(imp cmc_allcoins_2018 rows_read)"
check "2018 universe assets" 1602 "$(imp cmc_allcoins_2018 assets)"
check "2018 universe re-import: inserted+updated" 0 \
    "SELECT rows_inserted + rows_updated FROM imports WHERE
     layout = 'cmc_allcoins_2018' ORDER BY id DESC LIMIT 1"
check "kaggle rows read" 37082 "$(imp cmc_daily_kaggle rows_read)"
check "kaggle assets" 23 "$(imp cmc_daily_kaggle assets)"
check "coingecko rows read" 75801 "$(imp coingecko_max rows_read)"
check "coingecko coins" 62 "$(imp coingecko_max assets)"
check "top200 rows read" 14000 "$(imp cmc_top200_monthly rows_read)"
check "top200 rows skipped (BabyDoge price 0)" 12 \
    "$(imp cmc_top200_monthly rows_skipped)"
check "coinbase rows read" 60726 "$(imp coinbase_spot rows_read)"
check "coinbase rows skipped (USDC-quoted)" 66 "$(imp coinbase_spot rows_skipped)"
check "coinbase rows stored" 60660 "$(imp coinbase_spot rows_inserted)"

# XRP (slug ripple) from the served daily series.
check "XRP symbol of slug ripple" "XRP|XRP" \
    "SELECT symbol, name FROM assets WHERE slug = 'ripple'"
check "XRP close 2018-01-04 (kaggle wins)" "3.1966|cmc_daily_kaggle" \
    "SELECT printf('%.4f', d.close), s.name FROM daily d
     JOIN assets a ON a.id = d.asset_id JOIN sources s ON s.id = d.source_id
     WHERE a.slug = 'ripple' AND d.day = $(day 2018-01-04)"
check "XRP max high up to 2018-01-04" 3.8419 \
    "SELECT printf('%.4f', max(d.high)) FROM daily d JOIN assets a
     ON a.id = d.asset_id WHERE a.slug = 'ripple' AND d.day <= $(day 2018-01-04)"
check "XRP close 2021-07-06" 0.6654 \
    "SELECT printf('%.4f', close) FROM ($(served ripple 2021-07-06 close))"
check "XRP market cap 2021-07-06 (e9)" 30.72 \
    "SELECT printf('%.2f', x / 1e9) FROM ($(served ripple 2021-07-06 'market_cap AS x'))"
# CoinGecko's 2018-03-02 00:00 snapshot is BTC's 2018-03-01 close.
check "coingecko bitcoin 2018-03-01 (shifted) close" 10859.55 \
    "SELECT printf('%.2f', b.close) FROM bars b JOIN assets a ON a.id = b.asset_id
     JOIN sources s ON s.id = b.source_id WHERE a.slug = 'bitcoin'
     AND s.name = 'coingecko_max' AND b.day = $(day 2018-03-01)"
# Terra: LUNA before the May 2022 split is Terra Classic.
check "terra-luna (Terra Classic) has top200 LUNA 2022-05-01" 82.2395 \
    "SELECT printf('%.4f', b.close) FROM bars b JOIN assets a ON a.id = b.asset_id
     JOIN sources s ON s.id = b.source_id WHERE s.name = 'cmc_top200_monthly'
     AND a.slug = 'terra-luna' AND b.day = $(day 2022-05-01)"
check "terra-luna-v2 exists as LUNA" "LUNA" \
    "SELECT symbol FROM assets WHERE slug = 'terra-luna-v2'"
check "bitconnect is in the universe (dead coins kept)" 1 \
    "SELECT count(*) FROM assets WHERE slug = 'bitconnect'"

# Re-importing everything changes nothing, data_version included.
v2=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'data_version'")
"$bin" --db "$db" import "$data/pit_universe" "$data/majors_daily" \
    >"$tmp/import3.log" 2>&1
v3=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'data_version'")
if grep -q 'inserted 0, updated 0, unchanged 439500' "$tmp/import3.log" &&
    [ "$(grep -c 'store changed' "$tmp/import3.log")" = 0 ]; then
	ok "re-import of everything: no change (data_version $v2)"
else
	not_ok "re-import changed something"
	grep total "$tmp/import3.log"
fi
if [ -n "$v1" ] && [ "$v2" = "$v3" ]; then
	ok "data_version unchanged by the re-import ($v3)"
else
	not_ok "data_version changed by the re-import ($v2 -> $v3)"
fi

# info --json names all five sources.
if "$bin" --db "$db" info --json >"$tmp/info.json" 2>&1 &&
    [ "$(grep -c '"name":' "$tmp/info.json")" = 5 ]; then
	ok "info --json lists 5 sources"
else
	not_ok "info --json"
	cat "$tmp/info.json"
fi
# demo-data refuses to mix into real data.
if "$bin" --db "$db" demo-data >"$tmp/demo.log" 2>&1; then
	not_ok "demo-data ran on a store with real data"
else
	ok "demo-data refuses a store with real data"
fi

# The same history over real HTTP, through lighttpd, Apache and plain CGI.
if DATA="$data/pit_universe $data/majors_daily $data/reference" \
    CASES="$here/http-cases.txt" "$root/tests/integration/run.sh"; then
	ok "real history over HTTP (tests/realdata/http-cases.txt)"
else
	not_ok "real history over HTTP (tests/realdata/http-cases.txt)"
fi

# Reference tables (../shared/data/reference): company market-cap snapshots
# and categories, imported after the market data so categories can match.
ref=$data/reference
if [ ! -d "$ref" ]; then
	echo "SKIP reference tables: no $ref"
else
	# Two files there (cmc_categories_*, cmc_coin_metadata_full_*) are of no
	# layout and are skipped.
	if "$bin" --db "$db" import --skip-unknown "$ref" >"$tmp/ref1.log" 2>&1 &&
	    grep -q '^total: 6 files imported (6 reference tables), 0 rejected, 2 of unknown layout skipped' \
	    "$tmp/ref1.log"; then
		ok "import of reference/ (6 reference tables, 2 unknown skipped)"
	else
		not_ok "import of reference/"
		cat "$tmp/ref1.log"
	fi
	grep -E '^(total|[^ ].*: (layout|REJECTED))|^  (snapshot|rows read|categories added)' \
	    "$tmp/ref1.log"
	d2308=$(day 2023-08-01)
	d2109=$(day 2021-09-01)
	check "companies 2023-08 snapshot day (month from the file name)" 1 \
	    "SELECT count(DISTINCT snapshot_day) FROM companies
	     WHERE snapshot_day = $d2308"
	check "companies 2023-08 rows stored (7,765 less 25 zero caps)" 7740 \
	    "SELECT count(*) FROM companies WHERE snapshot_day = $d2308"
	check "companies 2021-09 rows stored (5,296 less 1 zero cap)" 5295 \
	    "SELECT count(*) FROM companies WHERE snapshot_day = $d2109"
	check "Apple 2023-08 market cap (exact)" 2828020482048 \
	    "SELECT printf('%d', market_cap) FROM companies
	     WHERE snapshot_day = $d2308 AND name = 'Apple'"
	check "Apple 2021-09 market cap (exact)" 2463495618560 \
	    "SELECT printf('%d', market_cap) FROM companies
	     WHERE snapshot_day = $d2109 AND name = 'Apple'"
	check "2023-08 four largest" "Apple|Microsoft|Saudi Aramco|Alphabet (Google)" \
	    "SELECT group_concat(name, '|') FROM (SELECT name FROM companies
	     WHERE snapshot_day = $d2308 ORDER BY market_cap DESC LIMIT 4)"
	check "2023-08 four largest sum (e12)" 9.06 \
	    "SELECT printf('%.2f', sum(market_cap) / 1e12) FROM (SELECT market_cap
	     FROM companies WHERE snapshot_day = $d2308
	     ORDER BY market_cap DESC LIMIT 4)"
	check "bitcoin is layer-1" 1 \
	    "SELECT instr(',' || categories || ',', ',layer-1,') > 0
	     FROM assets WHERE slug = 'bitcoin'"
	check "ethereum categories" "layer-1,smart-contracts" \
	    "SELECT categories FROM assets WHERE slug = 'ethereum'"
	check "pepe is meme" 1 \
	    "SELECT instr(',' || categories || ',', ',meme,') > 0
	     FROM assets WHERE slug = 'pepe'"
	check "tether is stablecoin" 1 \
	    "SELECT instr(',' || categories || ',', ',stablecoin,') > 0
	     FROM assets WHERE slug = 'tether'"
	# Again: the same snapshots and categories, no new data version.
	v4=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'data_version'")
	"$bin" --db "$db" import --skip-unknown "$ref" >"$tmp/ref2.log" 2>&1
	v5=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'data_version'")
	if [ "$v4" = "$v5" ] && [ "$(grep -c 'categories added 0 to 0 assets, no change' \
	    "$tmp/ref2.log")" = 4 ]; then
		ok "re-import of reference/: categories unchanged, data_version $v5"
	else
		not_ok "re-import of reference/ changed something ($v4 -> $v5)"
		cat "$tmp/ref2.log"
	fi
	check "companies after the re-import (snapshots replaced, not added)" \
	    13035 "SELECT count(*) FROM companies"
fi

# The moonshot backtest (issue 5) over the 2018 all-coin universe alone,
# in its own store: weekly rebalance, under $100M, hold 28 days, costs on.
bt=$tmp/backtest
btdb=$tmp/bt2018.db
if ! "$bin" --db "$btdb" import "$u2018" >"$tmp/bt-import.log" 2>&1; then
	not_ok "backtest: import of the 2018 universe"
	cat "$tmp/bt-import.log"
elif ! "$bin" --db "$btdb" backtest moonshots --rebalance weekly \
    --max-market-cap 100000000 --hold 28 --report "$bt/base" \
    >"$tmp/bt.log" 2>&1; then
	not_ok "backtest moonshots 2018 weekly <\$100M hold 28 (exit $?)"
	cat "$tmp/bt.log"
else
	ok "backtest moonshots 2018 weekly <\$100M hold 28"
	missing=""
	for f in summary.json summary.md picks.csv periods.csv rebalances.csv; do
		[ -s "$bt/base/$f" ] || missing="$missing $f"
	done
	if [ -z "$missing" ]; then
		ok "backtest report: summary.json summary.md picks.csv periods.csv rebalances.csv"
	else
		not_ok "backtest report: missing$missing"
	fi
	if grep -q '"schema":[[:space:]]*"moonscope.backtest.moonshots"' \
	    "$bt/base/summary.json" && grep -q '"rebalance_dates":[[:space:]]*18,' \
	    "$bt/base/summary.json"; then
		ok "backtest summary.json: schema, 18 weekly dates 2018-01-31..2018-05-30"
	else
		not_ok "backtest summary.json schema or date count"
	fi
	# Survivorship: the universe of the first date is every asset with a
	# bar in the year before it, dead coins included.
	main_db=$db
	db=$btdb    # check() queries $db
	first=$(awk -F, 'NR == 2 { print $1 }' "$bt/base/rebalances.csv")
	univ=$(awk -F, 'NR == 2 { print $2 }' "$bt/base/rebalances.csv")
	check "backtest universe on $first = every asset with a bar in the year before" \
	    "$univ" "SELECT count(DISTINCT asset_id) FROM daily
	     WHERE day BETWEEN $(day "$first") - 364 AND $(day "$first")"
	check "coins that stopped trading before July 2018 are in the store" 1 \
	    "SELECT count(*) > 0 FROM (SELECT asset_id FROM daily GROUP BY
	     asset_id HAVING max(day) < $(day 2018-06-01))"
	db=$main_db
	# bitconnect: priced when the weekly run picked it ...
	if grep -q ',bitconnect,' "$bt/base/picks.csv"; then
		if awk -F, '$3 == "bitconnect" && $20 == "" { bad = 1 }
		    END { exit bad }' "$bt/base/picks.csv"; then
			ok "bitconnect picked and priced in the weekly run"
		else
			not_ok "bitconnect picked but not priced"
		fi
	fi
	# ... and its collapse priced when a run holds it through January.
	if "$bin" --db "$btdb" backtest moonshots --from 2018-01-10 \
	    --to 2018-01-10 --min-market-cap 1000000000 \
	    --max-market-cap 5000000000 --sort market_cap --top 20 \
	    --report "$bt/bcc" >"$tmp/bt-bcc.log" 2>&1 &&
	    awk -F, '$3 == "bitconnect" { found = 1; r = $20 + 0 }
	    END { exit !(found && r < -0.95) }' "$bt/bcc/picks.csv"; then
		ok "bitconnect bought 2018-01-10 and held 28 days: $(awk -F, \
		    '$3 == "bitconnect" { printf "net return %.4f", $20 }' \
		    "$bt/bcc/picks.csv")"
	else
		not_ok "bitconnect's collapse is not priced"
		cat "$tmp/bt-bcc.log"
	fi
	# Look-ahead: three decisions re-run on the store truncated after them.
	if "$bin" --db "$btdb" backtest moonshots --from 2018-03-07 \
	    --to 2018-03-21 --check-lookahead --json >"$tmp/bt-la.json" 2>&1 &&
	    grep -q '"identical":[[:space:]]*3' "$tmp/bt-la.json"; then
		ok "backtest --check-lookahead: 3 of 3 decisions identical when truncated"
	else
		not_ok "backtest --check-lookahead"
		tail -20 "$tmp/bt-la.json"
	fi
	# The gate: unchanged passes, a costlier (degraded) run fails.
	"$bin" --db "$btdb" backtest moonshots --max-market-cap 100000000 \
	    --hold 28 --spread-bps 300 --report "$bt/worse" >/dev/null 2>&1
	"$bin" backtest compare "$bt/base/summary.json" "$bt/base/summary.json" \
	    --junit "$bt/same.xml" >"$tmp/bt-cmp1.md" 2>&1
	rc1=$?
	"$bin" backtest compare "$bt/base/summary.json" "$bt/worse/summary.json" \
	    --junit "$bt/worse.xml" >"$tmp/bt-cmp2.md" 2>&1
	rc2=$?
	if [ "$rc1" = 0 ] && [ "$rc2" = 1 ] &&
	    ! grep -q '<failure' "$bt/same.xml" && grep -q '<failure' "$bt/worse.xml"; then
		ok "backtest compare: unchanged passes (0), 300 bps spread fails (1)"
	else
		not_ok "backtest compare: exits $rc1 and $rc2"
		cat "$tmp/bt-cmp1.md" "$tmp/bt-cmp2.md"
	fi
	echo "---- backtest summary (2018 all-coin universe) ----"
	cat "$bt/base/summary.md"
	echo "----"
fi

echo "realdata: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
