#!/usr/bin/env bash
# tests/ingest/run.sh — `make ingest-test` (part of `make check`): runs
# `moonscope ingest` against the fault-injecting loopback upstream
# tests/ingest/upstream.py and checks, for every fault, the documented
# retry/give-up behaviour (exit status, message, how many times the faulty
# request was tried) and that a run that gives up leaves the store
# byte-identical (`sqlite3 DB .dump` before and after), and that a run
# that recovers writes the same data as a clean run. Also: the stored
# values and timing convention, NULL handling, identity, incremental and
# idempotent runs, API-key headers, User-Agent, paging, the request
# budget (a fast 2-s window, and the real 60-s window in the background),
# category tagging (/coins/categories/list and /coins/markets?category=:
# which categories are asked, the tags that land, what /api/v3 then serves,
# faults on those requests), --history-max and --probe.
#
# Everything is on 127.0.0.1; proxies are unset. KEEP=1 keeps the temp
# directory; ONLY=substring runs only the matching cases (and skips the
# 60-s budget test unless it matches "budget60").
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/../.." && pwd -P)
build=${BUILD:-build}
cli=$root/$build/moonscope
fixtures=$here/fixtures
only=${ONLY:-}

[ -x "$cli" ] || { echo "ingest-test: $cli is missing; run make all" >&2; exit 1; }
command -v python3 >/dev/null || { echo "ingest-test: python3 is required" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "ingest-test: sqlite3 is required (make deps)" >&2; exit 1; }

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
unset MOONSCOPE_UPSTREAM MOONSCOPE_API_KEY MOONSCOPE_API_KEY_KIND MOONSCOPE_DB
# The CLI then refuses any upstream but a loopback one: nothing here can
# reach beyond 127.0.0.1, whatever a case passes.
export MOONSCOPE_OFFLINE=1

tmp=$(mktemp -d /tmp/ms_ingest_test.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "ingest-test: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

version=$(cat "$root/VERSION" 2>/dev/null || echo 0.0.0)
failures=0
passes=0
TODAY=2025-03-05
BASE_TODAY=2025-02-20
# Fast politeness settings for the tests: 2 retries, short backoff, a
# short default Retry-After and timeout.
FAST=(--max-retries 2 --backoff-base 0.05 --backoff-max 0.2
	--retry-after-default 0.3 --timeout 1 --connect-timeout 1
	--budget 1000 --seed 7)

fail() {
	echo "FAIL: $case_name: $*"
	failures=$((failures + 1))
	case_ok=0
}

want() {
	[ -z "$only" ] || [[ $1 == *"$only"* ]]
}

# start_server LOGNAME [upstream.py options] — sets $port, $srv_pid, $srvlog.
start_server() {
	local name=$1
	shift
	srvlog=$tmp/$name.srv.log
	: >"$srvlog"
	rm -f "$tmp/$name.port"
	python3 "$here/upstream.py" --fixtures "$fixtures" \
		--port-file "$tmp/$name.port" --log "$srvlog" "$@" &
	srv_pid=$!
	pids+=("$srv_pid")
	for _ in $(seq 1 100); do
		[ -s "$tmp/$name.port" ] && break
		sleep 0.05
	done
	port=$(cat "$tmp/$name.port" 2>/dev/null)
	[ -n "$port" ] || { echo "ingest-test: the test upstream did not start" >&2; exit 1; }
}

stop_server() {
	kill "$srv_pid" 2>/dev/null
	wait "$srv_pid" 2>/dev/null
}

# ingest DB NAME [options] — runs the CLI; sets $rc, $out (stdout+stderr file).
ingest() {
	local db=$1 name=$2
	shift 2
	out=$tmp/$name.out
	"$cli" --db "$db" ingest --base-url "http://127.0.0.1:$port/api/v3" \
		"$@" >"$out" 2>&1
	rc=$?
}

dump() {
	sqlite3 "$1" .dump
}

# The market data of a store, without the imports log (its finished_at
# differs from run to run).
data_dump() {
	sqlite3 "$1" "SELECT * FROM sources ORDER BY id;
	  SELECT * FROM assets ORDER BY slug;
	  SELECT a.slug, b.day, b.close, b.volume, b.market_cap FROM bars b
	    JOIN assets a ON a.id = b.asset_id ORDER BY 1, 2;
	  SELECT a.slug, d.day, d.close, d.ath, d.ath_day FROM daily d
	    JOIN assets a ON a.id = d.asset_id ORDER BY 1, 2;"
}

# check_tags DB — the category tags of the fixtures' coins (upstream.py's
# CATEGORIES and MEMBERS): by name, canonical or not, and by id; coins of
# a category outside the universe are not created.
check_tags() {
	local got
	got=$(sqlite3 "$1" "SELECT group_concat(slug || '=' || coalesce(categories, '-'), ' ')
	  FROM (SELECT slug, categories FROM assets ORDER BY slug)")
	[ "$got" = "binance-coin=exchange,layer-1,smart-contracts bitcoin=layer-1,store-of-value ethereum=layer-1,smart-contracts moontest-coin=meme nullcoin=payments" ] || {
		echo "    tags: $got"
		return 1
	}
}

# cg FUNCTION PATH QUERY DB — runs an /api/v3 executable as a CGI program
# on DB; the body on stdout.
cg() {
	local fn=$1 path=$2 q=$3 db=$4
	MOONSCOPE_DB=$db GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
		SCRIPT_NAME=$path REQUEST_URI="$path?$q" QUERY_STRING=$q \
		"$root/$build/fn/$fn" </dev/null 2>/dev/null | sed '1,/^\r\{0,1\}$/d'
}

# check_cg_categories DB — /api/v3/coins/categories/list, /coins/categories
# and /coins/markets?category= serve what the ingest tagged.
check_cg_categories() {
	local db=$1
	[ -x "$root/$build/fn/cg_categories_list" ] || return 0
	cg cg_categories_list /api/v3/coins/categories/list "" "$db" >"$tmp/cg-list.json"
	cg cg_categories /api/v3/coins/categories "" "$db" >"$tmp/cg-cats.json"
	cg cg_coins_markets /api/v3/coins/markets "vs_currency=usd&category=layer-1" "$db" \
		>"$tmp/cg-l1.json"
	python3 - "$tmp" <<'EOF'
import json, sys
t = sys.argv[1]
lst = json.load(open(t + "/cg-list.json"))
ids = [c["category_id"] for c in lst]
want = ["exchange", "layer-1", "meme", "payments", "smart-contracts", "store-of-value"]
assert ids == want, ids
assert {c["category_id"]: c["name"] for c in lst}["layer-1"] == "Layer 1 (L1)", lst
cats = {c["id"]: c for c in json.load(open(t + "/cg-cats.json"))}
assert sorted(cats) == want, sorted(cats)
assert sorted(cats["layer-1"]["top_3_coins_id"]) == ["binance-coin", "bitcoin", "ethereum"], cats["layer-1"]
l1 = sorted(c["id"] for c in json.load(open(t + "/cg-l1.json")))
assert l1 == ["binance-coin", "bitcoin", "ethereum"], l1
EOF
}

# Faulted requests the upstream logged (5th column is the fault).
faulted() {
	awk '$5 != "-"' "$srvlog" | wc -l
}

finish_case() {
	if [ "$case_ok" = 1 ]; then
		passes=$((passes + 1))
		echo "ok: $case_name"
	else
		sed 's/^/    | /' "$out" 2>/dev/null | head -20
	fi
}

# ---- the baseline and the reference ------------------------------------

start_server base
baseline=$tmp/baseline.db
case_name=baseline
case_ok=1
# The baseline has no category tags (--categories 0): a run that gives up
# on a category request would otherwise have nothing left to change.
ingest "$baseline" baseline --today "$BASE_TODAY" --top 5 --backfill-days 100 \
	--categories 0 "${FAST[@]}"
[ "$rc" = 0 ] || { fail "baseline ingest failed (rc $rc)"; finish_case; exit 1; }
reference=$tmp/reference.db
cp "$baseline" "$reference"
ingest "$reference" reference --today "$TODAY" --top 5 --backfill-days 100 "${FAST[@]}" \
	--request-log "$tmp/reference.req"
[ "$rc" = 0 ] || { fail "reference ingest failed (rc $rc)"; finish_case; exit 1; }
stop_server
finish_case

# ---- values, timing, NULLs, identity, incremental, idempotent ----------

if want values; then
	case_name=values
	case_ok=1
	start_server values
	db=$tmp/values.db
	ingest "$db" values --today "$TODAY" --top 5 --backfill-days 100 "${FAST[@]}"
	[ "$rc" = 0 ] || fail "rc $rc"
	grep -q "rows inserted 486, updated 0" "$out" || fail "want 486 inserted rows"
	# The bar of day D is the 00:00 UTC snapshot of D+1 (fixture formula).
	python3 - "$db" "$fixtures" <<'EOF' || fail "stored values differ from the fixtures"
import json, math, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
fx = sys.argv[2]
bad = 0
for cid, slug in [("bitcoin", "bitcoin"), ("ethereum", "ethereum"),
                  ("binancecoin", "binance-coin"),
                  ("moontest-coin", "moontest-coin"), ("nullcoin", "nullcoin")]:
    doc = json.load(open("%s/chart_%s.json" % (fx, cid)))
    want = {}
    for key, col in (("prices", "close"), ("market_caps", "market_cap"),
                     ("total_volumes", "volume")):
        for t, v in doc[key]:
            if t % 86400000 == 0:
                want.setdefault(t // 86400000 - 1, {})[col] = v
    rows = db.execute("SELECT b.day, b.close, b.market_cap, b.volume, b.open, "
                      "b.high, b.low FROM bars b JOIN assets a ON "
                      "a.id = b.asset_id WHERE a.slug = ?", (slug,)).fetchall()
    if not rows:
        print("no bars for", slug); bad += 1
    for day, close, cap, vol, o, h, l in rows:
        w = want[day]
        wv = w.get("volume")
        if wv == 0:
            wv = None
        if close != w["close"] or cap != w.get("market_cap") or vol != wv \
                or (o, h, l) != (None, None, None):
            print("mismatch", slug, day, close, cap, vol, w); bad += 1
    days = [r[0] for r in rows]
    if max(days) != 20151 or min(days) != 20052:
        print("window", slug, min(days), max(days)); bad += 1
sys.exit(1 if bad else 0)
EOF
	[ "$(sqlite3 "$db" "SELECT count(*) FROM bars WHERE close = 0 OR market_cap = 0 OR volume = 0")" = 0 ] ||
		fail "a zero was stored"
	[ "$(sqlite3 "$db" "SELECT count(*) FROM bars b JOIN assets a ON a.id=b.asset_id WHERE a.slug='nullcoin' AND b.market_cap IS NULL")" -gt 0 ] ||
		fail "nullcoin: want NULL market caps"
	[ "$(sqlite3 "$db" "SELECT symbol || '|' || name FROM assets WHERE slug = 'binance-coin'")" = "BNB|Binance Coin" ] ||
		fail "binancecoin must be the curated binance-coin"
	[ "$(sqlite3 "$db" "SELECT count(*) FROM assets WHERE slug = 'binancecoin'")" = 0 ] ||
		fail "no asset binancecoin expected"
	[ "$(sqlite3 "$db" "SELECT priority || '|' || synthetic FROM sources WHERE name = 'coingecko_api'")" = "35|0" ] ||
		fail "source coingecko_api priority 35"
	[ "$(sqlite3 "$db" "SELECT count(*) FROM daily")" = 486 ] || fail "daily rebuilt"
	[ "$(sqlite3 "$db" "SELECT layout FROM imports")" = coingecko_api ] || fail "imports row"
	grep -q ' moonscope/'"$version"' ' "$srvlog" || fail "User-Agent moonscope/$version"
	check_tags "$db" || fail "category tags"
	# Asked: every category with a Moonscope category, in the documented
	# order (canonical names by sector, other names, ids); not the
	# unmapped, null-id, bad-id or repeated entries.
	asked=$(sed -n 's/.*category=\([^&]*\)&.*/\1/p' "$srvlog" | tr '\n' ' ')
	[ "$asked" = "layer-1 meme-token smart-contract-platform exchange-based-tokens decentralized-exchange dog-themed-coins payments store-of-value " ] ||
		fail "categories asked: $asked"
	grep -q 'categories: 9 listed, 8 with a Moonscope category, markets of 8 asked (8 pages); 5 coins tagged' "$out" ||
		fail "categories summary"
	grep -q 'categories added 9 to 5 assets' "$out" || fail "categories added"
	check_cg_categories "$db" || fail "/api/v3 does not serve the tags"
	# Second run: nothing missing, no chart request (nullcoin's null days
	# stay missing, so it alone is asked again), nothing changes.
	v0=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'data_version'")
	: >"$srvlog"
	ingest "$db" values2 --today "$TODAY" --top 5 --backfill-days 100 "${FAST[@]}"
	[ "$rc" = 0 ] || fail "second run rc $rc"
	grep -q "rows inserted 0, updated 0" "$out" || fail "second run inserted rows"
	grep -q "no change" "$out" || fail "second run: want no change"
	[ "$(grep -c market_chart "$srvlog")" = 1 ] || fail "second run: want 1 chart request (nullcoin)"
	[ "$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'data_version'")" = "$v0" ] ||
		fail "data_version changed on an idempotent run"
	# --refresh-days updates nothing when values are the same.
	ingest "$db" values3 --today "$TODAY" --top 5 --backfill-days 100 --refresh-days 3 "${FAST[@]}"
	grep -q "rows inserted 0, updated 0, unchanged 15" "$out" || fail "refresh: want 15 unchanged"
	stop_server
	finish_case
fi

if want incremental; then
	case_name=incremental
	case_ok=1
	# The reference run extended the baseline: only the 13 new days of each
	# coin were asked for, in one >= 92-day range per coin.
	grep -q "rows inserted 64," "$tmp/reference.out" || fail "want 64 inserted (13 new days x 4 coins + 12 of nullcoin, one of whose new snapshot prices is null)"
	python3 - "$tmp/reference.req" <<'EOF' || fail "chart ranges"
import sys, urllib.parse
n = 0
for line in open(sys.argv[1]):
    path = line.split()[3]
    if "market_chart" not in path:
        continue
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    f, t = int(q["from"][0]), int(q["to"][0])
    assert t == 20152 * 86400 + 3600, t
    assert t - f >= 92 * 86400, (f, t)
    n += 1
assert n == 5, n
EOF
	finish_case
fi

# ---- fault cases -------------------------------------------------------

# gap_at_least REQLOG SECONDS — the first two requests are >= SECONDS apart.
gap_at_least() {
	awk -v s="$2" 'NR == 1 { t = $2 } NR == 2 { exit !($2 - t >= s) }' "$1"
}

# fault_case NAME FAULT ON COUNT WANT_RC REGEX WANT_FAULTED [extra ingest options]
# Starts from the baseline store and ingests up to $TODAY with the fault
# injected. Give-up (WANT_RC 1): the dump must equal the baseline's.
# Recovery (WANT_RC 0): the data must equal the reference run's.
fault_case() {
	local name=$1 fault=$2 on=$3 count=$4 want_rc=$5 regex=$6 nf=$7
	shift 7
	want "$name" || return 0
	case_name=$name
	case_ok=1
	start_server "$name" --fault "$fault" --on "$on" --count "$count"
	db=$tmp/$name.db
	cp "$baseline" "$db"
	dump "$db" >"$tmp/$name.before"
	ingest "$db" "$name" --today "$TODAY" --top 5 --backfill-days 100 "${FAST[@]}" \
		--request-log "$tmp/$name.req" "$@"
	stop_server
	[ "$rc" = "$want_rc" ] || fail "exit status $rc, want $want_rc"
	grep -Eq -- "$regex" "$out" || fail "output lacks /$regex/"
	[ "$nf" = - ] || [ "$(faulted)" = "$nf" ] ||
		fail "the faulty answer was sent $(faulted) times, want $nf"
	[ -z "${gap:-}" ] || gap_at_least "$tmp/$name.req" "$gap" ||
		fail "the retry came sooner than $gap s"
	if [ "$want_rc" = 0 ]; then
		[ "$(data_dump "$db")" = "$(data_dump "$reference")" ] ||
			fail "the data differ from a clean run's"
	else
		grep -q "nothing was written" "$out" || fail "no 'nothing was written'"
		dump "$db" >"$tmp/$name.after"
		cmp -s "$tmp/$name.before" "$tmp/$name.after" ||
			fail "the store changed (diff $tmp/$name.before $tmp/$name.after)"
	fi
	finish_case
}

# Rate limiting.
# (gap=S: the retry came at least S seconds after the first attempt.)
gap=1.0 fault_case 429-retry-after 429-ra any 2 0 '429s 2' 2
gap=0.3 fault_case 429-no-header 429 any 1 0 '429s 1' 1
gap=0.9 fault_case 429-http-date 429-date markets 1 0 '429s 1' 1
fault_case 429-forever 429 any -1 1 'giving up after 3 attempts: HTTP 429' 3
fault_case 429-over-deadline 429-ra any -1 1 'would pass the run time limit' - --max-time 1.5 \
	--retry-after-default 0.3
# Server errors.
fault_case 500-once 500 chart 1 0 '5xx 1' 1
fault_case 502-twice 502 any 2 0 'retries 2' 2
fault_case 503-forever 503 any -1 1 'giving up after 3 attempts: HTTP 503' 3
fault_case 500-late 500 chart:moontest-coin -1 1 'moontest-coin.*giving up after 3 attempts: HTTP 500' 3
fault_case 401 401 markets -1 1 'HTTP 401.*check the API key' 1
# Timeouts and broken connections.
fault_case stall-forever stall markets -1 1 'giving up after 3 attempts: timed out' 3
fault_case stall-once stall chart 1 0 'network errors 1' 1
fault_case close-forever close chart -1 1 'giving up after 3 attempts: the connection closed before the whole body arrived' 3
fault_case close-once close list 1 0 'network errors 1' 1
# Bodies: never retried, the run fails with the reason.
fault_case malformed-markets malformed markets 1 1 'coins/markets.*invalid JSON: syntax error' 1
fault_case malformed-chart malformed chart 1 1 'market_chart/range.*invalid JSON' 1
fault_case truncated-markets truncated markets 1 1 'invalid JSON: truncated' 1
fault_case truncated-chart truncated chart:ethereum 1 1 'ethereum.*invalid JSON: truncated' 1
fault_case oversized oversized list 1 1 'larger than the limit of 1048576 bytes' 1 --max-body 1048576
fault_case oversized-chunked oversized-chunked list 1 1 'larger than the limit of 1048576 bytes' 1 --max-body 1048576
fault_case wrongtype-markets wrongtype markets 1 1 'current_price: expected a number or null, got a string' 1
fault_case wrongtype-list wrongtype list 1 1 'name: expected a string or null, got a number' 1
fault_case wrongtype-global wrongtype global 1 1 'total_market_cap.usd: expected a number or null, got a string' 1
fault_case wrongtype-chart wrongtype chart 1 1 'prices\[0\]\[1\]: expected a number or null, got a string' 1
fault_case garbage garbage global 1 1 'unexpected bytes after the value' 1
fault_case nul nul markets 1 1 'a NUL byte at offset' 1
fault_case huge huge chart 1 1 'not a finite number' 1
fault_case deep deep markets 1 1 'invalid JSON' 1
fault_case empty empty markets 1 1 'the body is empty' 1
fault_case html html global 1 1 'invalid JSON' 1
fault_case redirect redirect markets -1 1 'HTTP 301 redirect to http://127.0.0.1:9/api/v3/moved; redirects are not followed' 1
# All-null bodies are valid: numbers become NULL (never 0) or no bar.
fault_case allnull-markets allnull markets -1 0 'universe 5 coins' 1
fault_case allnull-list allnull list -1 0 'universe 5 coins' 1
fault_case allnull-global allnull global -1 0 'market cap unknown, 24h volume unknown, BTC dominance unknown' 1
# Category requests: /coins/categories/list and /coins/markets?category=.
fault_case cat-list-429 429-ra categories 1 0 '429s 1' 1
fault_case cat-list-503 503 categories -1 1 'categories/list: giving up after 3 attempts: HTTP 503' 3
fault_case cat-list-close-once close categories 1 0 'network errors 1' 1
fault_case cat-list-malformed malformed categories 1 1 'categories/list: invalid JSON: syntax error' 1
fault_case cat-list-truncated truncated categories 1 1 'categories/list: invalid JSON: truncated' 1
fault_case cat-list-wrongtype wrongtype categories 1 1 'categories/list: \[1\]\.category_id: expected a string or null, got a number' 1
fault_case cat-list-html html categories 1 1 'categories/list: invalid JSON' 1
fault_case cat-list-oversized oversized categories 1 1 'larger than the limit of 1048576 bytes' 1 --max-body 1048576
fault_case cat-list-redirect redirect categories -1 1 'categories/list: HTTP 301 redirect .*redirects are not followed' 1
fault_case cat-markets-500-once 500 category 1 0 '5xx 1' 1
fault_case cat-markets-close-once close category:meme-token 1 0 'network errors 1' 1
fault_case cat-markets-503 503 category:store-of-value -1 1 'category=store-of-value.*giving up after 3 attempts: HTTP 503' 3
fault_case cat-markets-stall stall category -1 1 'category=layer-1.*giving up after 3 attempts: timed out' 3
fault_case cat-markets-truncated truncated category:payments 1 1 'category=payments.*invalid JSON: truncated' 1
fault_case cat-markets-wrongtype wrongtype category 1 1 'category=layer-1.*\[0\]\.market_cap: expected a number or null, got an array' 1
fault_case cat-markets-huge huge category 1 1 'category=layer-1.*not a finite number' 1
fault_case cat-markets-nul nul category 1 1 'a NUL byte at offset' 1
fault_case cat-markets-garbage garbage category:smart-contract-platform 1 1 'unexpected bytes after the value' 1
fault_case cat-markets-redirect redirect category -1 1 'category=layer-1.*redirects are not followed' 1
# Numbers null, ids kept: the same tags.
fault_case cat-markets-allnull allnull category -1 0 'categories added 9 to 5 assets' 8

if want cat-list-allnull; then
	# Every category_id null: nothing to ask, nothing tagged, the rest of
	# the run as usual.
	case_name=cat-list-allnull
	case_ok=1
	start_server cat-list-allnull --fault allnull --on categories --count -1
	db=$tmp/cat-list-allnull.db
	cp "$baseline" "$db"
	ingest "$db" cat-list-allnull --today "$TODAY" --top 5 --backfill-days 100 "${FAST[@]}"
	stop_server
	[ "$rc" = 0 ] || fail "rc $rc"
	grep -q 'markets of 0 asked' "$out" || fail "want no category asked"
	[ "$(grep -c 'category=' "$srvlog")" = 0 ] || fail "a category was asked"
	[ "$(sqlite3 "$db" "SELECT count(*) FROM assets WHERE categories IS NOT NULL")" = 0 ] ||
		fail "tags from null ids"
	[ "$(sqlite3 "$db" "SELECT count(*) FROM bars")" = "$(sqlite3 "$reference" "SELECT count(*) FROM bars")" ] ||
		fail "the bars differ from a clean run's"
	finish_case
fi

if want allnull-chart; then
	case_name=allnull-chart
	case_ok=1
	start_server allnull-chart --fault allnull --on chart --count -1
	db=$tmp/allnull-chart.db
	cp "$baseline" "$db"
	ingest "$db" allnull-chart --today "$TODAY" --top 5 --backfill-days 100 --categories 0 \
		"${FAST[@]}"
	stop_server
	[ "$rc" = 0 ] || fail "rc $rc"
	grep -q "rows inserted 0, updated 0" "$out" || fail "no bar may come from null prices"
	grep -q "null price" "$out" || fail "null prices not counted"
	[ "$(data_dump "$db")" = "$(data_dump "$baseline")" ] || fail "the data changed"
	finish_case
fi

# Unknown --ids, refused connections, interruption.
if want ids-unknown; then
	case_name=ids-unknown
	case_ok=1
	start_server ids
	db=$tmp/ids.db
	cp "$baseline" "$db"
	dump "$db" >"$tmp/ids.before"
	ingest "$db" ids --today "$TODAY" --top 5 --backfill-days 100 --ids listed-only-coin,no-such-coin "${FAST[@]}"
	stop_server
	[ "$rc" = 1 ] || fail "rc $rc"
	grep -q 'has no coin "no-such-coin"' "$out" || fail "message"
	dump "$db" | cmp -s - "$tmp/ids.before" || fail "the store changed"
	finish_case
fi

if want refused; then
	case_name=refused
	case_ok=1
	start_server refused
	stop_server      # the port is now closed
	db=$tmp/refused.db
	cp "$baseline" "$db"
	dump "$db" >"$tmp/refused.before"
	ingest "$db" refused --today "$TODAY" --top 5 "${FAST[@]}" --request-log "$tmp/refused.req"
	[ "$rc" = 1 ] || fail "rc $rc"
	grep -q 'giving up after 3 attempts: could not connect' "$out" || fail "message"
	[ "$(wc -l <"$tmp/refused.req")" = 3 ] || fail "want 3 attempts"
	dump "$db" | cmp -s - "$tmp/refused.before" || fail "the store changed"
	finish_case
fi

if want interrupted; then
	case_name=interrupted
	case_ok=1
	start_server interrupted --fault stall --on chart:moontest-coin --stall 20
	db=$tmp/interrupted.db
	cp "$baseline" "$db"
	dump "$db" >"$tmp/interrupted.before"
	out=$tmp/interrupted.out
	"$cli" --db "$db" ingest --base-url "http://127.0.0.1:$port/api/v3" --today "$TODAY" \
		--top 5 --backfill-days 100 --timeout 30 --budget 1000 >"$out" 2>&1 &
	ipid=$!
	for _ in $(seq 1 100); do
		grep -q moontest-coin "$srvlog" && break
		sleep 0.05
	done
	kill -TERM "$ipid"
	wait "$ipid"
	rc=$?
	stop_server
	[ "$rc" = 1 ] || fail "rc $rc"
	grep -q 'interrupted' "$out" || fail "message"
	dump "$db" | cmp -s - "$tmp/interrupted.before" || fail "the store changed"
	finish_case
fi

# ---- keys, paging -------------------------------------------------------

if want keys; then
	case_name=keys
	case_ok=1
	start_server keys --require-key pro:sekrit-pro-1
	db=$tmp/keys.db
	MOONSCOPE_API_KEY=sekrit-pro-1 MOONSCOPE_API_KEY_KIND=pro \
		ingest "$db" keys-pro --today "$TODAY" --top 2 --backfill-days 100 "${FAST[@]}" \
		--request-log "$tmp/keys.req"
	[ "$rc" = 0 ] || fail "pro key: rc $rc"
	grep -q sekrit "$out" "$tmp/keys.req" && fail "the key appears in the output or request log"
	MOONSCOPE_API_KEY=sekrit-pro-1 MOONSCOPE_API_KEY_KIND=demo \
		ingest "$db" keys-demo --today "$TODAY" --top 2 "${FAST[@]}"
	[ "$rc" = 1 ] || fail "demo header where pro is required: rc $rc"
	ingest "$db" keys-opt --api-key sekrit-pro-1 --key-kind pro --today "$TODAY" --top 2 "${FAST[@]}"
	[ "$rc" = 0 ] || fail "--api-key/--key-kind: rc $rc"
	[ "$(awk '{print $3}' "$srvlog" | sort -u | tr '\n' ' ')" = "demo:sekrit-pro-1 pro:sekrit-pro-1 " ] ||
		fail "key headers seen: $(awk '{print $3}' "$srvlog" | sort -u | tr '\n' ' ')"
	stop_server
	MOONSCOPE_UPSTREAM=ftp://example.invalid "$cli" --db "$db" ingest >"$tmp/keys-url.out" 2>&1
	[ $? = 2 ] || fail "ftp:// base URL must be a usage error"
	finish_case
fi

if want paging; then
	case_name=paging
	case_ok=1
	start_server paging --coins 300
	db=$tmp/paging.db
	ingest "$db" paging --today "$TODAY" --top 260 --history-top 2 --backfill-days 100 \
		--no-list --no-global "${FAST[@]}"
	stop_server
	[ "$rc" = 0 ] || fail "rc $rc"
	grep -q 'per_page=250&page=1' "$srvlog" && grep -q 'per_page=250&page=2' "$srvlog" ||
		fail "want pages 1 and 2 of 250"
	[ "$(sqlite3 "$db" "SELECT count(*) FROM assets")" = 260 ] || fail "want 260 assets"
	[ "$(grep -c market_chart "$srvlog")" = 2 ] || fail "want 2 chart requests"
	finish_case
fi

# ---- categories: choice, merge; --history-max; --probe -------------------

if want categories-pick; then
	case_name=categories-pick
	case_ok=1
	start_server categories-pick
	db=$tmp/categories-pick.db
	ingest "$db" categories-pick --today "$TODAY" --top 5 --backfill-days 100 \
		--no-history --categories 2 "${FAST[@]}"
	[ "$rc" = 0 ] || fail "rc $rc"
	asked=$(sed -n 's/.*category=\([^&]*\)&.*/\1/p' "$srvlog" | tr '\n' ' ')
	[ "$asked" = "layer-1 meme-token " ] || fail "--categories 2 asked: $asked"
	[ "$(sqlite3 "$db" "SELECT categories FROM assets WHERE slug = 'ethereum'")" = layer-1 ] ||
		fail "ethereum: want layer-1 only"
	: >"$srvlog"
	ingest "$db" categories-none --today "$TODAY" --top 5 --no-history --categories 0 "${FAST[@]}"
	[ "$rc" = 0 ] || fail "--categories 0: rc $rc"
	grep -q 'categor' "$srvlog" && fail "--categories 0 still asked for categories"
	stop_server
	finish_case
fi

if want categories-merge; then
	# Tags are added to what an asset has (an operator's or a category
	# file's), never replace it; a second run adds nothing.
	case_name=categories-merge
	case_ok=1
	start_server categories-merge
	db=$tmp/categories-merge.db
	cp "$baseline" "$db"
	sqlite3 "$db" "UPDATE assets SET categories = 'custom,layer-1' WHERE slug = 'bitcoin'"
	ingest "$db" categories-merge --today "$TODAY" --top 5 --backfill-days 100 --no-history "${FAST[@]}"
	[ "$rc" = 0 ] || fail "rc $rc"
	[ "$(sqlite3 "$db" "SELECT categories FROM assets WHERE slug = 'bitcoin'")" = custom,layer-1,store-of-value ] ||
		fail "bitcoin: $(sqlite3 "$db" "SELECT categories FROM assets WHERE slug = 'bitcoin'")"
	grep -q 'categories added 8 to 5 assets' "$out" || fail "want 8 added"
	v0=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'data_version'")
	ingest "$db" categories-merge2 --today "$TODAY" --top 5 --backfill-days 100 --no-history "${FAST[@]}"
	grep -q 'categories added 0 to 0 assets' "$out" || fail "second run added tags"
	grep -q 'no change' "$out" || fail "second run: want no change"
	[ "$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'data_version'")" = "$v0" ] ||
		fail "data_version changed on a run that added no tag"
	stop_server
	finish_case
fi

if want history-max; then
	# At most K charts a run, the coins missing the most days first (here
	# all miss 100: market order); the rest come on the next runs.
	case_name=history-max
	case_ok=1
	start_server history-max
	db=$tmp/history-max.db
	ingest "$db" history-max --today "$TODAY" --top 5 --backfill-days 100 --history-max 2 \
		--categories 0 "${FAST[@]}"
	[ "$rc" = 0 ] || fail "rc $rc"
	charts=$(sed -n 's,.*/coins/\([^/]*\)/market_chart.*,\1,p' "$srvlog" | tr '\n' ' ')
	[ "$charts" = "bitcoin ethereum " ] || fail "first run charts: $charts"
	grep -q '3 assets with missing days left for a later run' "$out" || fail "deferred count"
	: >"$srvlog"
	ingest "$db" history-max2 --today "$TODAY" --top 5 --backfill-days 100 --history-max 2 \
		--categories 0 "${FAST[@]}"
	charts=$(sed -n 's,.*/coins/\([^/]*\)/market_chart.*,\1,p' "$srvlog" | tr '\n' ' ')
	[ "$charts" = "binancecoin moontest-coin " ] || fail "second run charts: $charts"
	stop_server
	finish_case
fi

if want probe; then
	case_name=probe
	case_ok=1
	start_server probe
	out=$tmp/probe.out
	"$cli" ingest --probe --base-url "http://127.0.0.1:$port/api/v3" >"$out" 2>&1 ||
		fail "probe of a live upstream: rc $?"
	grep -q 'is reachable' "$out" || fail "probe message"
	[ "$(grep -c ' /api/v3/ping ' "$srvlog")" = 1 ] || fail "want one GET /ping"
	stop_server
	"$cli" ingest --probe --base-url "http://127.0.0.1:$port/api/v3" >"$out" 2>&1
	rc=$?
	[ "$rc" = 1 ] || fail "probe of a closed port: rc $rc"
	grep -q 'not reachable: .*could not connect' "$out" || fail "closed port: message"
	# A stalled upstream: no retry, given up after the 3-s default timeout.
	start_server probe-stall --fault stall --stall 8
	t0=$(date +%s%N)
	"$cli" ingest --probe --base-url "http://127.0.0.1:$port/api/v3" >"$out" 2>&1
	rc=$?
	t1=$(date +%s%N)
	stop_server
	[ "$rc" = 1 ] || fail "probe of a stalled upstream: rc $rc"
	grep -q 'not reachable: .*timed out' "$out" || fail "stalled: message"
	[ $(((t1 - t0) / 1000000)) -lt 5000 ] || fail "the probe took $(((t1 - t0) / 1000000)) ms"
	[ "$(wc -l <"$srvlog")" = 1 ] || fail "the probe retried"
	# MOONSCOPE_OFFLINE=1 (set for this whole script): the default
	# upstream, or any other non-loopback one, is refused before any
	# traffic, probe or not.
	"$cli" --db "$tmp/offline.db" ingest >"$out" 2>&1
	rc=$?
	[ "$rc" = 2 ] || fail "MOONSCOPE_OFFLINE=1 with the default upstream: rc $rc"
	grep -q 'MOONSCOPE_OFFLINE=1: only a loopback upstream' "$out" || fail "offline: message"
	"$cli" ingest --probe --base-url https://api.coingecko.com/api/v3 >"$out" 2>&1
	rc=$?
	[ "$rc" = 2 ] || fail "MOONSCOPE_OFFLINE=1 --probe of CoinGecko: rc $rc"
	[ ! -e "$tmp/offline.db" ] || fail "offline: a store was created"
	finish_case
fi

# ---- the request budget -------------------------------------------------

# check_budget REQLOG R WINDOW — no WINDOW-second window holds more than R
# requests (column 2: monotonic seconds).
check_budget() {
	python3 - "$@" <<'EOF'
import sys
log, r, w = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
ts = sorted(float(l.split()[1]) for l in open(log) if l.strip())
worst = 0
j = 0
for i in range(len(ts)):
    while ts[i] - ts[j] >= w:
        j += 1
    worst = max(worst, i - j + 1)
print("budget: %d requests, at most %d in any %.0f-s window (limit %d)"
      % (len(ts), worst, w, r))
sys.exit(0 if worst <= r and len(ts) > r else 1)
EOF
}

budget60_pid=
if [ -z "$only" ] || [[ budget60 == *"$only"* ]]; then
	# The real per-minute window: 4 requests a minute, 6 requests.
	start_server budget60
	(
		"$cli" --db "$tmp/budget60.db" ingest --base-url "http://127.0.0.1:$port/api/v3" \
			--today "$TODAY" --top 3 --backfill-days 100 --budget 4 --categories 0 \
			--request-log "$tmp/budget60.req" >"$tmp/budget60.out" 2>&1
	) &
	budget60_pid=$!
	budget60_srv=$srv_pid
fi

if want budget-fast; then
	case_name=budget-fast
	case_ok=1
	start_server budget-fast
	db=$tmp/budget-fast.db
	ingest "$db" budget-fast --today "$TODAY" --top 5 --backfill-days 100 \
		--max-retries 2 --backoff-base 0.05 --budget 3 --budget-window 2 --categories 2 \
		--request-log "$tmp/budget-fast.req"
	stop_server
	[ "$rc" = 0 ] || fail "rc $rc"
	check_budget "$tmp/budget-fast.req" 3 2 || fail "budget exceeded"
	finish_case
fi

if [ -n "$budget60_pid" ]; then
	case_name=budget60
	case_ok=1
	out=$tmp/budget60.out
	wait "$budget60_pid"
	rc=$?
	srv_pid=$budget60_srv
	stop_server
	[ "$rc" = 0 ] || fail "rc $rc"
	check_budget "$tmp/budget60.req" 4 60 || fail "budget exceeded"
	awk 'NR == 1 { t = $2 } END { exit !($2 - t >= 60) }' "$tmp/budget60.req" ||
		fail "6 requests at 4 a minute must span 60 s"
	finish_case
fi

echo "ingest-test: $passes passed, $failures failed"
[ "$failures" = 0 ]
