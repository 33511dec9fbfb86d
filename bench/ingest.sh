#!/usr/bin/env bash
# bench/ingest.sh — the figures of issue 3 (live data and /api/v3), meant
# to run as part of `make bench` after bench/run.sh (figures, not tests).
#
#   bench/ingest.sh     (after make all; BENCH_* knobs below)
#
# Parts (each can be skipped with BENCH_INGEST_SKIP="markets history price"):
#
# markets  Parsing and storing one 250-coin /coins/markets page, without the
#          network: bench/ingest_markets.c, built here against
#          build/libmoonscope.a, times ms_ingest_parse_markets alone, then
#          parse + identity resolution + ms_ingest_write into a fresh store
#          (250 new assets, one transaction) and into a store that has them
#          (a second run of the day), BENCH_MARKETS_RUNS times (200) each;
#          median, p10, p90. The page is generated from the real captured
#          top-80 page (../shared/data/api_samples/coingecko/captured/
#          GET_coins_markets_rows_top80_2024-10-21.json, every field kept)
#          scaled to 250 rows: rows 81..250 repeat rows 1..80 with new ids,
#          symbols and names and halved market caps and volumes.
# history  Ten years of daily history for BENCH_HISTORY_ASSETS (50) assets
#          from a local upstream: Moonscope A, the three real majors files
#          of ../shared/data/majors_daily imported, serves /api/v3 through
#          lighttpd on 127.0.0.1; `moonscope ingest` of a fresh store B asks
#          it for 50 assets: the top coin of its /coins/markets (an ingest
#          takes at least one) and the 49 with the most daily closes in the
#          ten years ending BENCH_HISTORY_END (2025-10-25, the last day of
#          the Coinbase file): one /coins/markets and one
#          /coins/{id}/market_chart/range request each (--top 1, --ids,
#          --backfill-days 3650, --budget 10000, no list, global or
#          category requests). BENCH_HISTORY_RUNS (3) runs, a fresh B
#          each: wall time, requests, rows inserted, rows/s; median. B's
#          rows are checked against A's served series. Real coins do not
#          all have ten years: the figure says how many rows that is.
# price    GET /api/v3/simple/price?ids=<50 ids>&vs_currencies=usd through
#          lighttpd (functions/cg_simple_price, BENCH_PROCS responders,
#          "2 4") against FastAPI + uvicorn, 2 workers
#          (bench/fastapi_cg_peer.py: the route ported with the same SQL,
#          one read transaction per request), both on the same store:
#          A cut at 2021-07-06 (the last day of the Kaggle file), so that
#          "now" is a day on which most of its coins have a market cap and a
#          rank (simple/price runs the rank query for each of those); the
#          50 ids are the top 50 of that store's /coins/markets. Bodies must
#          be byte-identical before any timing. wrk -t2 -c64 -d10s
#          --latency on 127.0.0.1, warm-up 3 s per setup, BENCH_RUNS (3)
#          rounds taken in turn; medians of req/s, p50, p99, and server CPU
#          per request; the ratio moonscope / FastAPI.
#
# Results: a summary on stdout, kept with the raw outputs in
# build/bench-ingest/ (summary.md; bench/run.sh empties build/bench/ when
# it starts, so this lives beside it). Servers bind 127.0.0.1 only, run
# under bench/subreaper.py and are stopped by PID on exit. Exit status 0
# unless a step fails (a server does not start, bodies differ, B's rows
# differ from A's).
#
# Knobs: BENCH_DATA (../shared/data), BENCH_BUILD (build: the moonscope
#   command, build/fn and build/libmoonscope.a), BENCH_CLI (its moonscope),
#   BENCH_KEEP=1, BENCH_INGEST_SKIP, BENCH_MARKETS_RUNS (200),
#   BENCH_HISTORY_ASSETS (50), BENCH_HISTORY_END (2025-10-25),
#   BENCH_HISTORY_RUNS (3), BENCH_PRICE_DAY (2021-07-06), BENCH_PROCS
#   ("2 4"; "pN" entries are skipped here), BENCH_DURATION (10s), BENCH_RUNS (3), BENCH_THREADS (2),
#   BENCH_CONNS (64), BENCH_WARMUP (3s). About 3 minutes with the defaults.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
cd "$root"
# shellcheck source=infra/lib.sh
. infra/lib.sh

data=${BENCH_DATA:-$root/../shared/data}
bld=${BENCH_BUILD:-$root/build}
cli=${BENCH_CLI:-$bld/moonscope}
fn_dir=$bld/fn
out=$root/build/bench-ingest
py=/usr/bin/python3
markets_runs=${BENCH_MARKETS_RUNS:-200}
hist_assets=${BENCH_HISTORY_ASSETS:-50}
hist_end=${BENCH_HISTORY_END:-2025-10-25}
hist_runs=${BENCH_HISTORY_RUNS:-3}
price_day=${BENCH_PRICE_DAY:-2021-07-06}
# run.sh's "pN" entries (a spawn-fcgi pool) are its own setup; this part
# measures the responders lighttpd spawns itself, so it keeps the numbers.
procs_list=
for p in ${BENCH_PROCS:-2 4}; do
	case $p in
	'' | *[!0-9]*) ;;
	*) procs_list="$procs_list${procs_list:+ }$p" ;;
	esac
done
[ -n "$procs_list" ] || procs_list=2
duration=${BENCH_DURATION:-10s}
runs=${BENCH_RUNS:-3}
threads=${BENCH_THREADS:-2}
conns=${BENCH_CONNS:-64}
warmup=${BENCH_WARMUP:-3s}
skip_list=" $(printf '%s' "${BENCH_INGEST_SKIP:-}" | tr ',' ' ') "

sample=$data/api_samples/coingecko/captured/GET_coins_markets_rows_top80_2024-10-21.json
majors=$data/majors_daily

say() { printf '%s\n' "$*"; }
hr() { printf '%s\n' "------------------------------------------------------------------------"; }
skipped() {
	case $skip_list in *" $1 "*) return 0 ;; esac
	return 1
}
for part in $skip_list; do
	case $part in
	markets | history | price) ;;
	*) ms_die "bench-ingest: BENCH_INGEST_SKIP: unknown part '$part' (markets history price)" ;;
	esac
done

for t in wrk lighttpd curl sqlite3 cc "$py"; do
	command -v "$t" >/dev/null 2>&1 || ms_die "bench-ingest: $t is missing (infra/install-deps.sh --bench)"
done
[ -x "$cli" ] || ms_die "bench-ingest: $cli is not built (run make all)"
[ -r "$bld/libmoonscope.a" ] || ms_die "bench-ingest: $bld/libmoonscope.a is not built (run make all)"
for f in cg_simple_price cg_coins_markets cg_market_chart_range cg_ping; do
	[ -x "$fn_dir/$f" ] || ms_die "bench-ingest: $fn_dir/$f is not built (run make all)"
done
have_fastapi=1
"$py" -c 'import fastapi, uvicorn, uvloop, httptools' 2>/dev/null || have_fastapi=0

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
unset MOONSCOPE_UPSTREAM MOONSCOPE_API_KEY MOONSCOPE_API_KEY_KIND
export MOONSCOPE_OFFLINE=1      # moonscope ingest: loopback upstreams only

tmp=$(mktemp -d "${TMPDIR:-/tmp}/moonscope-bench-ingest.XXXXXX")
chmod 0755 "$tmp"
pids=()
wrk_pid=
cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	if [ -n "$wrk_pid" ]; then
		kill -TERM "$wrk_pid" 2>/dev/null || true
		wait "$wrk_pid" 2>/dev/null || true
	fi
	for p in "${pids[@]}"; do
		ms_stop_pid "$p" 15 || ms_say "bench-ingest: could not stop pid $p"
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		ms_say "bench-ingest: kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rm -rf "$out"
mkdir -p "$out/raw"
now_ns() { date +%s%N; }
clk_tck=$(getconf CLK_TCK)

# ---- helpers (small copies of bench/run.sh's) ----------------------------------

bg_pid=
start_bg() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	bg_pid=$!
	pids+=("$bg_pid")
}

stop_bg() {
	local p=$1 keep=() q
	ms_stop_pid "$p" 15 || ms_say "bench-ingest: could not stop pid $p"
	for q in "${pids[@]}"; do
		[ "$q" = "$p" ] || keep+=("$q")
	done
	pids=("${keep[@]}")
}

# wait_up URL PID LOG — waits for URL to answer 200 while PID lives.
wait_up() {
	local url=$1 pid=$2 log=$3 i code=000
	for i in $(seq 1 150); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null) || true
		[ "$code" = 200 ] && return 0
		if ! ms_pid_alive "$pid"; then
			ms_show_log "$log"
			ms_die "bench-ingest: server for $url exited"
		fi
		sleep 0.1
	done
	ms_show_log "$log"
	ms_die "bench-ingest: $url did not answer 200 within 15 s (last status $code)"
}

fetch() {
	local code
	code=$(curl -s -o "$2" -w '%{http_code}' --max-time 10 "$1") || code=000
	[ "$code" = 200 ] || { head -c 300 "$2" >&2 2>/dev/null; ms_die "bench-ingest: $1 answered $code"; }
}

# lighttpd_on DB PROCS DIR — moonscope behind lighttpd on a free port;
# sets ms_url (http://127.0.0.1:PORT) and ms_spid.
lighttpd_on() {
	local store=$1 procs=$2 dir=$3 port
	port=$(ms_free_port) || ms_die "bench-ingest: no free port"
	mkdir -p "$dir"
	chmod 0755 "$dir"
	infra/gen-config.sh lighttpd --port "$port" --root "$dir" --fn-dir "$fn_dir" \
	    --db "$store" --procs "$procs" >"$dir/lighttpd.conf"
	start_bg "$dir/stderr.log" "$py" "$here/subreaper.py" lighttpd -D -f "$dir/lighttpd.conf"
	ms_spid=$bg_pid
	ms_url=http://127.0.0.1:$port
	wait_up "$ms_url/api/v3/ping" "$ms_spid" "$dir/lighttpd-error.log"
}

run_wrk() {
	local f=$1
	shift
	wrk "$@" >"$f" 2>&1 &
	wrk_pid=$!
	wait "$wrk_pid" || true
	wrk_pid=
}

# wrk_cpu OUTFILE PID ARGS... — report.py's wrk line plus the server's CPU
# microseconds per request (PID and its descendants).
wrk_cpu() {
	local f=$1 pid=$2 c0 c1 line
	shift 2
	c0=$("$py" bench/report.py cputicks "$pid")
	run_wrk "$f" "$@"
	c1=$("$py" bench/report.py cputicks "$pid")
	line=$("$py" bench/report.py wrk "$f")
	# shellcheck disable=SC2086
	set -- $line
	printf '%s\t%s\n' "$line" "$(awk -v a="$c0" -v b="$c1" -v t="$clk_tck" -v n="$6" \
	    'BEGIN { if (n > 0) printf "%.1f", (b - a) / t * 1e6 / n; else print "nan" }')"
}

day_of() { "$py" -c 'import datetime, sys; print((datetime.date.fromisoformat(sys.argv[1]) - datetime.date(1970, 1, 1)).days)' "$1"; }
date_of() { "$py" -c 'import datetime, sys; print(datetime.date(1970, 1, 1) + datetime.timedelta(days=int(sys.argv[1])))' "$1"; }

{
	say "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
	say "machine:   $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	say "software:  $(lighttpd -v 2>&1 | head -n 1 | cut -d' ' -f1), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), SQLite $("$py" -c 'import sqlite3; print(sqlite3.sqlite_version)')$([ "$have_fastapi" = 0 ] || "$py" -c 'import fastapi, uvicorn; print(", FastAPI", fastapi.__version__ + ", uvicorn", uvicorn.__version__)')"
	say "moonscope: $(cat VERSION 2>/dev/null || echo '?') ($(git rev-parse --short HEAD 2>/dev/null || echo 'no git')$(git diff --quiet 2>/dev/null || echo ', uncommitted changes'))"
} | tee "$out/machine.txt"
hr

summary=$out/summary.md
{ cat "$out/machine.txt"; echo; } >"$summary"

# ---- markets ----------------------------------------------------------------------

bench_markets() {
	local page=$tmp/markets-250.json bin=$out/ingest_markets
	if [ ! -r "$sample" ]; then
		say "markets: skipped: $sample is missing"
		printf '## /coins/markets page\n\nskipped: %s is missing\n\n' "$sample" >>"$summary"
		return 0
	fi
	"$py" - "$sample" 250 "$page" <<'PY'
import copy, json, sys
src, n, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = json.load(open(src))
page = []
for i in range(n):
    r = copy.deepcopy(rows[i % len(rows)])
    k = i // len(rows)
    if k > 0:
        r["id"] = "%s-%d" % (r["id"], k)
        r["symbol"] = "%s%d" % (r["symbol"], k)
        r["name"] = "%s %d" % (r["name"], k)
        for key in ("market_cap", "fully_diluted_valuation", "total_volume",
                    "market_cap_change_24h"):
            if isinstance(r.get(key), (int, float)):
                r[key] = r[key] * 0.5 ** k
    r["market_cap_rank"] = i + 1
    page.append(r)
with open(dst, "w") as f:
    json.dump(page, f)
PY
	say "markets: one /coins/markets page of 250 coins ($(wc -c <"$page") bytes, from the captured top-80 page), $markets_runs runs each"
	say "  \$ cc -O2 ... bench/ingest_markets.c ${bld#"$root"/}/libmoonscope.a ... -o build/bench-ingest/ingest_markets"
	# shellcheck disable=SC2046
	cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ishared -Iingest \
	    $(pkg-config --cflags libcjson) bench/ingest_markets.c "$bld/libmoonscope.a" \
	    $(pkg-config --libs fcgi libcjson sqlite3 zlib gsl libcurl) -lm -o "$bin" \
	    >"$out/raw/ingest_markets-build.log" 2>&1 ||
	    { cat "$out/raw/ingest_markets-build.log" >&2; ms_die "bench-ingest: bench/ingest_markets.c does not build"; }
	say "  \$ build/bench-ingest/ingest_markets PAGE $markets_runs DIR"
	"$bin" "$page" "$markets_runs" "$tmp" >"$out/markets.tsv" ||
	    ms_die "bench-ingest: ingest_markets failed"
	{
		printf '## /coins/markets page: 250 coins, %s bytes\n\n' "$(wc -c <"$page")"
		printf '| step | runs | median | p10 | p90 |\n|---|---|---|---|---|\n'
		awk -F'\t' '{ printf "| %s | %s | %.2f ms | %.2f ms | %.2f ms |\n", $1, $2, $3 / 1000, $4 / 1000, $5 / 1000 }' "$out/markets.tsv"
		echo
	} | tee -a "$summary"
}

# ---- the upstream store A ------------------------------------------------------------

adb=$tmp/a.db
have_a=0
build_a() {
	[ "$have_a" = 1 ] && return 0
	if [ ! -d "$majors" ]; then
		say "store A: not built: $majors is missing"
		return 1
	fi
	"$cli" --db "$adb" import "$majors" >"$out/raw/a-import.log" 2>&1 ||
	    { tail -n 20 "$out/raw/a-import.log" >&2; ms_die "bench-ingest: importing $majors into A failed"; }
	have_a=1
	say "store A: $(basename "$majors")/* imported: $(sqlite3 "$adb" 'SELECT count(*) || " daily rows, " || count(DISTINCT asset_id) || " assets, " || date(min(day) * 86400, "unixepoch") || ".." || date(max(day) * 86400, "unixepoch") FROM daily')"
}

# ---- history ---------------------------------------------------------------------------

bench_history() {
	local end_day lo ids top n_ids want_rows i bdb log t0 t1 secs reqs ins
	build_a || { printf '## history\n\nskipped: %s is missing\n\n' "$majors" >>"$summary"; return 0; }
	end_day=$(day_of "$hist_end")
	lo=$((end_day - 3649))
	lighttpd_on "$adb" 2 "$tmp/a-srv"
	# An ingest always takes at least the top coin of the markets (--top
	# 1): it is one of the assets, with its history; the others are those
	# with the most closes in the window.
	fetch "$ms_url/api/v3/coins/markets?vs_currency=usd&per_page=1" "$tmp/top1.json"
	top=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$tmp/top1.json")
	ids=$(sqlite3 "$adb" "SELECT '$top' || ',' || group_concat(slug, ',') FROM (SELECT a.slug FROM daily d
	    JOIN assets a ON a.id = d.asset_id WHERE d.day BETWEEN $lo AND $end_day
	    AND d.close IS NOT NULL AND a.slug != '$top' GROUP BY a.id ORDER BY count(*) DESC, a.slug
	    LIMIT $((hist_assets - 1)))")
	n_ids=$(printf '%s' "$ids" | tr ',' '\n' | grep -c .)
	want_rows=$(sqlite3 "$adb" "SELECT count(*) FROM daily d JOIN assets a ON a.id = d.asset_id
	    WHERE d.day BETWEEN $lo AND $end_day AND d.close IS NOT NULL AND a.slug IN
	    (SELECT value FROM json_each('[\"' || replace('$ids', ',', '\",\"') || '\"]'))")
	say "history: A serves $ms_url/api/v3 (lighttpd, 2 responders per route, pid $ms_spid)"
	say "  $top (A's top coin) and the $((n_ids - 1)) assets with the most closes in $(date_of "$lo")..$hist_end: $want_rows daily rows ($(awk -v r="$want_rows" -v n="$n_ids" 'BEGIN { printf "%.0f", r / n }') per asset; ten full years would be $((n_ids * 3650)))"
	say "  \$ moonscope --db NEW.db ingest --base-url $ms_url/api/v3 --today $(date_of $((end_day + 1))) --backfill-days 3650 --top 1 --ids <the other $((n_ids - 1))> --no-list --no-global --categories 0 --budget 10000"
	: >"$out/history.tsv"
	for i in $(seq 1 "$hist_runs"); do
		bdb=$tmp/b-$i.db
		log=$out/raw/history-$i.log
		t0=$(now_ns)
		"$cli" --db "$bdb" ingest --base-url "$ms_url/api/v3" --today "$(date_of $((end_day + 1)))" \
		    --backfill-days 3650 --top 1 --ids "${ids#*,}" --no-list --no-global \
		    --categories 0 --budget 10000 --max-retries 1 --request-log "$out/raw/history-$i.req" \
		    >"$log" 2>&1 || { tail -n 20 "$log" >&2; ms_die "bench-ingest: the history ingest failed (run $i)"; }
		t1=$(now_ns)
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		reqs=$(wc -l <"$out/raw/history-$i.req")
		ins=$(sed -n 's/.*rows inserted \([0-9]*\),.*/\1/p' "$log")
		[ "$ins" = "$want_rows" ] || ms_die "bench-ingest: run $i inserted $ins rows, A serves $want_rows"
		printf '%s\t%s\t%s\t%s\t%s\n' "$i" "$secs" "$reqs" "$ins" "$(wc -c <"$adb")" >>"$out/history.tsv"
		say "  run $i: $secs s, $reqs requests, $ins rows, $(awk -v r="$ins" -v s="$secs" 'BEGIN { printf "%.0f", r / s }') rows/s"
	done
	# B's bars equal A's served rows (close, market cap, volume), once.
	"$py" - "$adb" "$tmp/b-1.db" "$lo" "$end_day" <<'PY' || ms_die "bench-ingest: B's bars differ from A's series"
import sqlite3, sys
a, b, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = sqlite3.connect(b)
c.execute("ATTACH DATABASE ? AS a", (a,))
bad = c.execute("""
  SELECT count(*) FROM main.bars r JOIN main.assets x ON x.id = r.asset_id
  LEFT JOIN a.assets y ON y.slug = x.slug
  LEFT JOIN a.daily d ON d.asset_id = y.id AND d.day = r.day
  WHERE d.close IS NOT r.close OR d.market_cap IS NOT r.market_cap
     OR d.volume IS NOT r.volume""").fetchone()[0]
print("  B's bars equal A's served series" if bad == 0 else "  %d bars differ" % bad)
sys.exit(1 if bad else 0)
PY
	stop_bg "$ms_spid"
	{
		printf '## history: %s assets, ten years to %s, from Moonscope A on loopback\n\n' "$n_ids" "$hist_end"
		printf '%s daily rows (%s per asset on average; ten full years would be %s)\n\n' "$want_rows" \
		    "$(awk -v r="$want_rows" -v n="$n_ids" 'BEGIN { printf "%.0f", r / n }')" "$((n_ids * 3650))"
		printf '| run | wall | requests | rows | rows/s |\n|---|---|---|---|---|\n'
		awk -F'\t' '{ printf "| %s | %.2f s | %s | %s | %.0f |\n", $1, $2, $3, $4, $4 / $2 }' "$out/history.tsv"
		sort -t"$(printf '\t')" -k2,2n "$out/history.tsv" | awk -F'\t' -v n="$hist_runs" \
		    'NR == int((n + 1) / 2) { printf "\nmedian: %.2f s, %.0f rows/s, %s requests\n\n", $2, $4 / $2, $3 }'
	} | tee -a "$summary"
}

# ---- price ---------------------------------------------------------------------------------

bench_price() {
	local pdb=$tmp/price.db cut p ids path key pid_fastapi port r s
	local -A urls=() spids=()
	local setups=()
	build_a || { printf '## simple/price\n\nskipped: %s is missing\n\n' "$majors" >>"$summary"; return 0; }
	cut=$(day_of "$price_day")
	cp "$adb" "$pdb"
	[ ! -e "$adb-wal" ] || cp "$adb-wal" "$pdb-wal"
	sqlite3 "$pdb" "DELETE FROM bars WHERE day > $cut; DELETE FROM daily WHERE day > $cut;" ||
	    ms_die "bench-ingest: cutting the price store failed"
	for p in $procs_list; do
		lighttpd_on "$pdb" "$p" "$tmp/price-ms$p"
		urls[ms$p]=$ms_url
		spids[ms$p]=$ms_spid
		setups+=("ms$p")
		say "price: moonscope lighttpd, $p responders per route, $ms_url (pid $ms_spid)"
	done
	fetch "${urls[ms${procs_list%% *}]}/api/v3/coins/markets?vs_currency=usd&per_page=50" "$tmp/top50.json"
	ids=$("$py" -c 'import json, sys; print(",".join(c["id"] for c in json.load(open(sys.argv[1]))))' "$tmp/top50.json")
	path="/api/v3/simple/price?ids=$ids&vs_currencies=usd"
	printf '%s\n' "$path" >"$out/price.path"
	say "price: the store A cut at $price_day; the top $(printf '%s' "$ids" | tr ',' '\n' | grep -c .) of its /coins/markets:"
	say "  GET $path"
	fetch "${urls[ms${procs_list%% *}]}$path" "$out/price-moonscope.json"
	if [ "$have_fastapi" = 1 ]; then
		port=$(ms_free_port) || ms_die "bench-ingest: no free port"
		MOONSCOPE_DB=$pdb start_bg "$tmp/fastapi.log" "$py" "$here/subreaper.py" "$py" -m uvicorn \
		    --app-dir "$here" fastapi_cg_peer:app --host 127.0.0.1 --port "$port" \
		    --workers 2 --loop uvloop --http httptools --no-access-log --log-level warning
		pid_fastapi=$bg_pid
		wait_up "http://127.0.0.1:$port$path" "$pid_fastapi" "$tmp/fastapi.log"
		urls[fastapi]=http://127.0.0.1:$port
		spids[fastapi]=$pid_fastapi
		setups+=(fastapi)
		say "price: FastAPI + uvicorn, 2 workers (bench/fastapi_cg_peer.py), http://127.0.0.1:$port (pid $pid_fastapi)"
		fetch "http://127.0.0.1:$port$path" "$out/price-fastapi.json"
		if ! cmp -s "$out/price-moonscope.json" "$out/price-fastapi.json"; then
			"$py" bench/report.py compare "$out/price-moonscope.json" "$out/price-fastapi.json" || true
			ms_die "bench-ingest: FastAPI and moonscope answer $path differently; not timing"
		fi
		say "price: the bodies are byte-identical ($(wc -c <"$out/price-moonscope.json") bytes)"
	else
		say "price: FastAPI baseline skipped: $py cannot import fastapi, uvicorn, uvloop and httptools"
	fi
	say "  \$ wrk -t$threads -c$conns -d$duration --latency URL   (each setup, warm-up $warmup, $runs rounds)"
	for key in "${setups[@]}"; do
		run_wrk "$out/raw/warmup-$key.txt" -t"$threads" -c"$conns" -d"$warmup" "${urls[$key]}$path"
	done
	: >"$out/price.tsv"
	for r in $(seq 1 "$runs"); do
		for key in "${setups[@]}"; do
			s=$(wrk_cpu "$out/raw/price-$key-$r.txt" "${spids[$key]}" -t"$threads" -c"$conns" \
			    -d"$duration" --latency "${urls[$key]}$path")
			printf '%s\t%s\t%s\n' "$key" "$r" "$s" >>"$out/price.tsv"
			# shellcheck disable=SC2086
			set -- $s
			printf '  round %s  %-8s %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  server CPU %7s us/req%s\n' \
			    "$r" "$key" "$1" "$2" "$3" "$7" "$([ "$4$5" = 00 ] || printf '  (non-2xx %s, socket errors %s)' "$4" "$5")"
		done
	done
	fetch "${urls[ms${procs_list%% *}]}$path" "$tmp/after.json"
	cmp -s "$out/price-moonscope.json" "$tmp/after.json" ||
	    ms_die "bench-ingest: moonscope answers differently after the load"
	"$py" - "$out/price.tsv" <<'PY' | tee -a "$summary"
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    rows[f[0]].append([float(x) if x not in ("nan", "") else float("nan")
                       for x in f[2:]])
print("## /api/v3/simple/price, 50 ids: moonscope (lighttpd) vs FastAPI, same store, same run\n")
print("| setup | req/s | p50 | p99 | server CPU/req |")
print("|---|---|---|---|---|")
med = {}
for k, v in rows.items():
    m = [statistics.median(x[i] for x in v) for i in range(len(v[0]))]
    med[k] = m
    name = "FastAPI + uvicorn, 2 workers" if k == "fastapi" else \
        "moonscope, lighttpd, %s responders" % k[2:]
    print("| %s | %.0f | %.2f ms | %.2f ms | %.0f us |" % (name, m[0], m[1], m[2], m[6]))
if "fastapi" in med:
    print()
    for k in med:
        if k != "fastapi":
            print("ratio req/s, %s responders / FastAPI: %.2f; server CPU per request: %.2f"
                  % (k[2:], med[k][0] / med["fastapi"][0], med[k][6] / med["fastapi"][6]))
print()
PY
}

# ---- main ------------------------------------------------------------------------------------

t_start=$(now_ns)
if skipped markets; then say "markets: skipped (BENCH_INGEST_SKIP)"; else bench_markets; fi
hr
if skipped history; then say "history: skipped (BENCH_INGEST_SKIP)"; else bench_history; fi
hr
if skipped price; then say "price: skipped (BENCH_INGEST_SKIP)"; else bench_price; fi
hr
say "total $(awk -v a="$t_start" -v b="$(now_ns)" 'BEGIN { printf "%.0f", (b - a) / 1e9 }') s; summary and raw outputs in ${out#"$root"/}/"
