#!/usr/bin/env bash
# bench/run.sh — the figures behind `make bench` (figures, not tests).
#
#   bench/run.sh        (make bench builds first, then runs this)
#
# Parts, in the order they run (each can be skipped, see BENCH_SKIP):
#
# import     The 2018 all-coins universe file into a fresh temporary store,
#            BENCH_IMPORT_RUNS times (default 3); median wall time, rows/s.
#
#            Then one store is built with the kaggle majors file and the
#            2018 universe (~1,600 assets); every later part uses it.
#
# daily      `moonscope daily --as-of 2018-03-01` (BENCH_DAILY_RUNS times,
#            default 3) and `moonscope daily --from 2018-02-01 --to
#            2018-02-28` (BENCH_DAILY_RANGE_RUNS, default 1), each on a
#            fresh copy of that store: wall time, CPU time, peak RSS, and
#            per day for the range.
# garch      tests/forecast/bench_garch.c built with the line in its header
#            and run on its synthetic closes and on the last 1,001 closes
#            of bitcoin and ripple up to 2018-06-30 from the store: a
#            GARCH(1,1) fit plus forecast on 1,000 returns in pure C.
# asset      GET /v1/assets/ripple, with as_of unset and set, through
#            lighttpd (mod_fastcgi, responders it spawns itself, BENCH_PROCS
#            per route, default "2 4"), against baselines started and
#            measured in this same run on the same store:
#              - FastAPI + uvicorn, 2 workers (bench/fastapi_peer.py, a
#                faithful port of the route: same SQL, one read transaction
#                per request, same JSON), checked to return a byte-identical
#                body (but for the request id) before any timing;
#              - lighttpd serving moonscope's JSON answer as a static file;
#              - extra: FastAPI returning that JSON as a constant (no DB).
#            wrk -t2 -c64 -d10s --latency on 127.0.0.1; each setup is warmed
#            up, then the setups are measured in turn, BENCH_RUNS rounds
#            (default 3), so slow drift of the machine hits them all alike;
#            medians are reported. Besides req/s and latency, each run
#            records the CPU time the server (all its processes) spent per
#            request, which other load on the machine disturbs far less.
# analytics  Through the same lighttpd instances:
#              GET /v1/moonshots?as_of=2018-03-01
#              GET /v1/grades?as_of=2018-03-01&limit=500
#              GET /v1/forecasts/bitcoin?model=garch&as_of=2018-06-30
#              GET /v1/target?id=xrp&price=500&as_of=2018-06-30
#            latency: BENCH_LAT_N (50) sequential requests on one keep-alive
#            connection, stopping early after BENCH_LAT_SECS (10) seconds
#            (at least 5 requests), after a warm-up of 2 per responder;
#            median, p90, min, max. Throughput for moonshots and grades:
#            wrk -t2 -c$BENCH_ANALYTICS_CONNS (8) -d$BENCH_ANALYTICS_DURATION
#            (8s) --timeout 30s, once per responder count, after a 2 s
#            warm-up, with server CPU per request.
#
# A part whose data (../shared/data, or BENCH_DATA) is missing is skipped
# with the reason. Every part prints the command it times and the figure.
# Results: a summary on stdout, also kept with the raw outputs in
# build/bench/ (summary.md). Every server is bound to 127.0.0.1, runs under
# bench/subreaper.py (so the responders lighttpd spawns are reaped too) and
# is stopped by its PID on exit. The exit status is 0 whether or not the
# targets are met (these are figures, not tests); it is non-zero when a
# step fails, e.g. the FastAPI peer and moonscope answer differently or an
# analytics route does not answer 200.
#
# Knobs (environment):
#   BENCH_SKIP       parts to leave out, space or comma separated, from
#                    "import daily garch asset analytics"; e.g.
#                    BENCH_SKIP=asset make bench (about 1.5 minutes)
#   BENCH_DATA (data dir), BENCH_CLI (the moonscope command, default
#   build/moonscope), BENCH_KEEP=1 (keep the temporary directory);
#   import:    BENCH_IMPORT_RUNS (3)
#   daily:     BENCH_DAILY_RUNS (3), BENCH_DAILY_RANGE_RUNS (1)
#   asset:     BENCH_DURATION (10s), BENCH_RUNS (3), BENCH_PROCS ("2 4", also
#              used by analytics), BENCH_THREADS (2), BENCH_CONNS (64),
#              BENCH_WARMUP (3s), BENCH_ASSET (ripple), BENCH_AS_OF
#              (2018-01-04), BENCH_IDIOMATIC=1 (also time FastAPI written
#              the common way: plain def, dict return)
#   analytics: BENCH_LAT_N (50), BENCH_LAT_SECS (10),
#              BENCH_ANALYTICS_DURATION (8s), BENCH_ANALYTICS_CONNS (8)
# The defaults take about 6 minutes on a 2-CPU machine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
cd "$root"
# shellcheck source=infra/lib.sh
. infra/lib.sh

data=${BENCH_DATA:-$root/../shared/data}
duration=${BENCH_DURATION:-10s}
runs=${BENCH_RUNS:-3}
import_runs=${BENCH_IMPORT_RUNS:-3}
daily_runs=${BENCH_DAILY_RUNS:-3}
daily_range_runs=${BENCH_DAILY_RANGE_RUNS:-1}
procs_list=${BENCH_PROCS:-2 4}
threads=${BENCH_THREADS:-2}
conns=${BENCH_CONNS:-64}
warmup=${BENCH_WARMUP:-3s}
asset=${BENCH_ASSET:-ripple}
as_of=${BENCH_AS_OF:-2018-01-04}
lat_n=${BENCH_LAT_N:-50}
lat_secs=${BENCH_LAT_SECS:-10}
an_duration=${BENCH_ANALYTICS_DURATION:-8s}
an_conns=${BENCH_ANALYTICS_CONNS:-8}
skip_list=" $(printf '%s' "${BENCH_SKIP:-}" | tr ',' ' ') "
py=/usr/bin/python3
cli=${BENCH_CLI:-$root/build/moonscope}
fn_dir=$root/build/fn
out=$root/build/bench

universe=$data/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz
majors=$data/majors_daily/kaggle_cmc_23coins_daily_2013-04-29_2021-07-06.csv.gz

say() { printf '%s\n' "$*"; }
hr() { printf '%s\n' "------------------------------------------------------------------------"; }

# skipped PART — true when BENCH_SKIP names PART.
skipped() {
	case $skip_list in *" $1 "*) return 0 ;; esac
	return 1
}
for part in $skip_list; do
	case $part in
	import | daily | garch | asset | analytics) ;;
	ingest | bt_replay | bt_sweep | bt_forecasts | bt_grades) ;;
	*) ms_die "bench: BENCH_SKIP: unknown part '$part' (import daily garch asset analytics ingest bt_replay bt_sweep bt_forecasts bt_grades)" ;;
	esac
done

# ---- prerequisites ----------------------------------------------------------

if [ -x infra/install-deps.sh ]; then
	infra/install-deps.sh --bench || exit 1
fi
missing=
for t in wrk lighttpd curl "$py"; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -z "$missing" ] || ms_die "bench: missing tools:$missing (infra/install-deps.sh --bench installs them)"
[ -x "$cli" ] || ms_die "bench: $cli is not built (run make all)"
for f in v1_asset v1_moonshots v1_grades v1_forecasts v1_target; do
	[ -x "$fn_dir/$f" ] || ms_die "bench: $fn_dir/$f is not built (run make all)"
done
have_fastapi=1
if ! "$py" -c 'import fastapi, uvicorn, uvloop, httptools' 2>/dev/null; then
	have_fastapi=0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/moonscope-bench.XXXXXX")
pids=()
pools=()
cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	if [ -n "${wrk_pid:-}" ]; then
		kill -TERM "$wrk_pid" 2>/dev/null || true
		wait "$wrk_pid" 2>/dev/null || true
	fi
	for p in "${pools[@]}"; do
		infra/fcgi-pool.sh stop --root "$p" || ms_say "bench: could not stop the pool in $p"
	done
	for p in "${pids[@]}"; do
		ms_stop_pid "$p" 15 || ms_say "bench: could not stop pid $p"
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		ms_say "bench: kept $tmp"
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
: >"$out/http.tsv"

now_ns() { date +%s%N; }
clk_tck=$(getconf CLK_TCK)

# snap — CPU accounting now (report.py cpusnap): the machine's busy time
# and this run's own; two of them give the share of the machine other
# processes (other users of the machine) took in between (report.py others).
snap() { "$py" bench/report.py cpusnap "$$"; }
others() { "$py" bench/report.py others "$1" "$2"; }

# load LABEL — the load average now, on stdout and into load.tsv (with a
# snap, so that the summary can say how busy others kept the machine
# during each part).
load() {
	local l
	l=$(cut -d' ' -f1-3 /proc/loadavg)
	printf '%s\t%s\t%s\n' "$1" "$l" "$(snap)" >>"$out/load.tsv"
	say "load average ($1): $l"
}

# ---- the machine ------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
{
	say "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
	say "machine:   $(nproc) CPUs, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM"
	say "kernel:    $(uname -sr)"
	say "software:  $(lighttpd -v 2>&1 | head -n 1 | cut -d' ' -f1), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), SQLite $("$py" -c 'import sqlite3; print(sqlite3.sqlite_version)')"
	if [ "$have_fastapi" = 1 ]; then
		say "peer:      Python $("$py" -c 'import sys; print(sys.version.split()[0])'), $("$py" -c 'import fastapi, uvicorn; print("FastAPI", fastapi.__version__ + ", uvicorn", uvicorn.__version__)')"
	fi
	say "moonscope: $(cat VERSION 2>/dev/null || echo '?') ($(git rev-parse --short HEAD 2>/dev/null || echo 'no git')$(git diff --quiet 2>/dev/null || echo ', uncommitted changes'))"
	say "asset:     wrk -t$threads -c$conns -d$duration --latency, 127.0.0.1, warm-up $warmup per setup, $runs rounds"
	say "busy:      $("$py" bench/report.py cpubusy 2)% of all CPUs busy in the 2 s before the start; load average $(cut -d' ' -f1-3 /proc/loadavg)"
	say "skipped:   ${BENCH_SKIP:-nothing}"
} | tee "$out/machine.txt"
hr

# ---- import -------------------------------------------------------------------

bench_import() {
	local i t0 t1 db log rows stored secs
	if [ ! -r "$universe" ]; then
		printf '%s is missing\n' "$universe" >"$out/import.skip"
		say "import: skipped: $(cat "$out/import.skip")"
		return 0
	fi
	load import
	rows=$(gzip -dc "$universe" | tail -n +2 | grep -c .)
	say "import: $(basename "$universe") ($rows data rows), $import_runs runs, fresh store each"
	say "  \$ moonscope --db NEW.db import ${universe#"$root"/}"
	: >"$out/import.tsv"
	for i in $(seq 1 "$import_runs"); do
		db=$tmp/import-$i.db
		log=$out/raw/import-$i.log
		sync
		t0=$(now_ns)
		if ! "$cli" --db "$db" import "$universe" >"$log" 2>&1; then
			cat "$log" >&2
			ms_die "bench: import failed (run $i)"
		fi
		t1=$(now_ns)
		stored=$("$py" -c 'import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(c.execute("SELECT count(*) FROM bars").fetchone()[0])' "$db")
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		printf '%s\t%s\t%s\t%s\n' "$i" "$secs" "$rows" "$stored" >>"$out/import.tsv"
		say "  run $i: ${secs} s, $(awk -v r="$rows" -v s="$secs" 'BEGIN { printf "%.0f", r / s }') rows/s, $stored bars stored"
		rm -f "$db" "$db-wal" "$db-shm"
	done
}

# ---- the served store ---------------------------------------------------------

# The store every later part reads: majors + 2018 universe. Nothing holds
# it open while daily copies it (the servers start afterwards).
db=$tmp/serve.db
have_store=0
build_store() {
	local files=() t0 t1
	if [ ! -r "$universe" ]; then
		say "store: not built: $universe is missing"
		return 0
	fi
	if [ -r "$majors" ]; then
		files+=("$majors")
	else
		say "store: note: $majors is missing; the 2018 universe only"
	fi
	files+=("$universe")
	t0=$(now_ns)
	if ! "$cli" --db "$db" import "${files[@]}" >"$out/raw/serve-import.log" 2>&1; then
		cat "$out/raw/serve-import.log" >&2
		ms_die "bench: building the served store failed"
	fi
	t1=$(now_ns)
	have_store=1
	say "store: $(printf '%s ' "${files[@]##*/}")imported in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"
}

# copy_store DEST — a fresh copy of the served store (with its WAL).
copy_store() {
	rm -f "$1" "$1-wal" "$1-shm"
	cp "$db" "$1"
	if [ -e "$db-wal" ]; then
		cp "$db-wal" "$1-wal"
	fi
}

# ---- daily --------------------------------------------------------------------

# daily_run KIND DAYS RUN ARGS... — one timed `moonscope daily` on a fresh
# copy of the store.
daily_run() {
	local kind=$1 days=$2 i=$3 copy=$tmp/daily.db log line last s0 o
	shift 3
	copy_store "$copy"
	sync
	log=$out/raw/daily-$kind-$i.log
	s0=$(snap)
	if ! line=$("$py" bench/report.py run "$log" "$cli" --db "$copy" daily "$@"); then
		cat "$log" >&2
		ms_die "bench: moonscope daily $* failed"
	fi
	o=$(others "$s0" "$(snap)")
	last=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$days" "$i" "$line" \
	    "moonscope daily $*" "$last" "$o" >>"$out/daily.tsv"
	# shellcheck disable=SC2086
	set -- $line
	say "  run $i: $1 s wall, $2 s CPU, peak RSS $(($3 / 1024)) MiB$([ "$days" -le 1 ] || awk -v w="$1" -v d="$days" 'BEGIN { printf ", %.3f s per day", w / d }'); others used $o% of the machine meanwhile"
	rm -f "$copy" "$copy-wal" "$copy-shm"
}

bench_daily() {
	local i
	if [ "$have_store" != 1 ]; then
		printf 'no store (the 2018 universe file is missing)\n' >"$out/daily.skip"
		say "daily: skipped: $(cat "$out/daily.skip")"
		return 0
	fi
	load daily
	: >"$out/daily.tsv"
	say "daily: one date, $daily_runs runs, a fresh copy of the store each"
	say "  \$ moonscope --db COPY.db daily --as-of 2018-03-01"
	for i in $(seq 1 "$daily_runs"); do
		daily_run one 1 "$i" --as-of 2018-03-01
	done
	say "  output: $(awk -F'\t' '$1 == "one" { print $NF; exit }' "$out/daily.tsv")"
	say "daily: 28 days, $daily_range_runs run(s), a fresh copy of the store each"
	say "  \$ moonscope --db COPY.db daily --from 2018-02-01 --to 2018-02-28"
	for i in $(seq 1 "$daily_range_runs"); do
		daily_run range 28 "$i" --from 2018-02-01 --to 2018-02-28
	done
	say "  last line: $(awk -F'\t' '$1 == "range" { print $NF; exit }' "$out/daily.tsv")"
}

# ---- garch (pure C) -------------------------------------------------------------

# closes SLUG FILE — the asset's closes up to 2018-06-30, oldest first.
closes() {
	"$py" - "$db" "$1" "$2" <<'PY'
import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
r = c.execute("SELECT id FROM assets WHERE slug = ?", (sys.argv[2],)).fetchone()
with open(sys.argv[3], "w") as f:
    if r is not None:
        for (x,) in c.execute("SELECT close FROM daily WHERE asset_id = ? AND "
                              "day <= 17712 AND close IS NOT NULL ORDER BY day",
                              (r[0],)):
            f.write(repr(x) + "\n")
PY
}

bench_garch() {
	local bin=$out/bench_garch slug f
	load garch
	say "garch: tests/forecast/bench_garch.c (its header's build line)"
	say "  \$ cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ishared tests/forecast/bench_garch.c build/libmoonscope.a \$(pkg-config --libs gsl) -lm -o build/bench/bench_garch"
	if [ ! -r tests/forecast/bench_garch.c ] || [ ! -r build/libmoonscope.a ]; then
		printf 'tests/forecast/bench_garch.c or build/libmoonscope.a is missing\n' >"$out/garch.skip"
		say "garch: skipped: $(cat "$out/garch.skip")"
		return 0
	fi
	# shellcheck disable=SC2046
	if ! cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ishared \
	    tests/forecast/bench_garch.c build/libmoonscope.a \
	    $(pkg-config --libs gsl) -lm -o "$bin" >"$out/raw/bench_garch-build.log" 2>&1; then
		{ printf 'it does not build: '; head -n 3 "$out/raw/bench_garch-build.log"; } >"$out/garch.skip"
		say "garch: skipped: $(cat "$out/garch.skip")"
		return 0
	fi
	: >"$out/garch.tsv"
	say "  \$ build/bench/bench_garch            (synthetic closes of tests/forecast/msref.h)"
	"$bin" >"$out/garch-synthetic.txt" 2>&1 || { cat "$out/garch-synthetic.txt" >&2; ms_die "bench: bench_garch failed"; }
	sed 's/^/    /' "$out/garch-synthetic.txt"
	printf 'synthetic closes (msref.h)\t%s\n' "$out/garch-synthetic.txt" >>"$out/garch.tsv"
	[ "$have_store" = 1 ] || return 0
	for slug in bitcoin ripple; do
		f=$out/closes-$slug.txt
		closes "$slug" "$f"
		say "  \$ build/bench/bench_garch CLOSES    ($(wc -l <"$f") $slug closes up to 2018-06-30 from the store; the last 1,001 used)"
		if "$bin" "$f" >"$out/garch-$slug.txt" 2>&1; then
			sed 's/^/    /' "$out/garch-$slug.txt"
			printf '%s closes to 2018-06-30\t%s\n' "$slug" "$out/garch-$slug.txt" >>"$out/garch.tsv"
		else
			say "    failed: $(head -n 1 "$out/garch-$slug.txt")"
		fi
	done
}

# ---- HTTP helpers -------------------------------------------------------------

# start_bg LOG CMD... — starts CMD in the background; its PID goes into
# bg_pid and onto the list the EXIT trap stops.
bg_pid=
start_bg() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	bg_pid=$!
	pids+=("$bg_pid")
}

# wait_up URL PID LOG — waits for URL to answer 200 while PID lives.
wait_up() {
	local url=$1 pid=$2 log=$3 i code
	for i in $(seq 1 150); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null) || true
		[ "$code" = 200 ] && return 0
		if ! ms_pid_alive "$pid"; then
			ms_show_log "$log"
			ms_die "bench: server for $url exited"
		fi
		sleep 0.1
	done
	ms_show_log "$log"
	curl -s --max-time 2 "$url" >&2 2>/dev/null || true
	echo >&2
	ms_die "bench: $url did not answer 200 within 15 s (last status $code; body above)"
}

# fetch URL FILE — the body into FILE; dies unless the status is 200.
fetch() {
	local code
	code=$(curl -s -o "$2" -w '%{http_code}' --max-time 5 "$1") || code=000
	[ "$code" = 200 ] || { cat "$2" >&2 2>/dev/null; ms_die "bench: $1 answered $code"; }
}

# run_wrk OUTFILE ARGS... — wrk in the background and waited for, so that a
# SIGTERM or SIGINT reaches the EXIT trap at once rather than after the run.
wrk_pid=
run_wrk() {
	local f=$1
	shift
	wrk "$@" >"$f" 2>&1 &
	wrk_pid=$!
	wait "$wrk_pid" || true
	wrk_pid=
}

# wrk_cpu OUTFILE PID ARGS... — run_wrk, then prints the wrk summary line
# (report.py wrk: rps p50 p99 non2xx errors requests) followed by the
# server's CPU us per request (PID and its descendants) and the share of
# the machine (%) processes outside this run took meanwhile.
wrk_cpu() {
	local f=$1 pid=$2 c0 c1 s0 s1 line
	shift 2
	c0=$("$py" bench/report.py cputicks "$pid")
	s0=$(snap)
	run_wrk "$f" "$@"
	s1=$(snap)
	c1=$("$py" bench/report.py cputicks "$pid")
	line=$("$py" bench/report.py wrk "$f")
	# shellcheck disable=SC2086
	set -- $line
	printf '%s\t%s\t%s\n' "$line" "$(awk -v a="$c0" -v b="$c1" -v t="$clk_tck" -v n="$6" \
	    'BEGIN { if (n > 0) printf "%.1f", (b - a) / t * 1e6 / n; else print "nan" }')" \
	    "$(others "$s0" "$s1")"
}

# moonscope through lighttpd, one instance per responder count; they serve
# every route of infra/routes.txt, with BENCH_PROCS responders each.
declare -A ms_port=() ms_pid=()
first_ms=
start_moonscope() {
	local p port spid
	for p in $procs_list; do
		port=$(ms_free_port) || ms_die "bench: no free port"
		mkdir -p "$tmp/ms$p"
		case $p in
		p*)
			# lighttpd-pool: responders started by infra/fcgi-pool.sh
			# (spawn-fcgi) on one shared socket per route, inside the
			# same subreaper, so their CPU time counts as the server's.
			infra/gen-config.sh lighttpd-pool --port "$port" --root "$tmp/ms$p" \
			    --fn-dir "$fn_dir" --db "$db" >"$tmp/ms$p/lighttpd.conf"
			pools+=("$tmp/ms$p")
			start_bg "$tmp/ms$p/stderr.log" "$py" "$here/subreaper.py" bash -c \
			    'infra/fcgi-pool.sh start --root "$1" --fn-dir "$2" --db "$3" --procs "$4" >/dev/null && exec lighttpd -D -f "$1/lighttpd.conf"' \
			    pool "$tmp/ms$p" "$fn_dir" "$db" "${p#p}"
			;;
		*)
			infra/gen-config.sh lighttpd --port "$port" --root "$tmp/ms$p" \
			    --fn-dir "$fn_dir" --db "$db" --procs "$p" >"$tmp/ms$p/lighttpd.conf"
			start_bg "$tmp/ms$p/stderr.log" "$py" "$here/subreaper.py" lighttpd -D -f "$tmp/ms$p/lighttpd.conf"
			;;
		esac
		spid=$bg_pid
		ms_port[$p]=$port
		ms_pid[$p]=$spid
		wait_up "http://127.0.0.1:$port/v1/assets/$asset" "$spid" "$tmp/ms$p/lighttpd-error.log"
		[ -n "$first_ms" ] || first_ms=$p
		say "http: moonscope lighttpd, $p responders per route, on 127.0.0.1:$port (pid $spid)"
	done
}

# ---- asset: GET /v1/assets/{id} against FastAPI -----------------------------------

# A setup to measure: key, case, url, server PID.
setups=()

# measure KEY CASE URL PID ROUND — one wrk run; also the CPU time the
# server (PID and its descendants) used per request meanwhile.
measure() {
	local key=$1 case=$2 url=$3 pid=$4 round=$5 f line
	f=$out/raw/$key-$case-$round.txt
	line=$(wrk_cpu "$f" "$pid" -t"$threads" -c"$conns" -d"$duration" --latency "$url")
	printf '%s\t%s\t%s\t%s\n' "$key" "$case" "$round" "$line" >>"$out/http.tsv"
	# shellcheck disable=SC2086
	set -- $line
	printf '  round %s  %-14s %-7s %9.0f req/s  p50 %6.2f ms  p99 %7.2f ms  server CPU %6s us/req  others %3s%%%s\n' \
	    "$round" "$key" "$case" "$1" "$2" "$3" "$7" "$8" \
	    "$([ "$4$5" = 00 ] || printf '  (non-2xx %s, socket errors %s)' "$4" "$5")"
}

bench_asset() {
	local p port case s r key url spid pid_fastapi pid_static base
	load asset
	local path_latest="/v1/assets/$asset" path_asof="/v1/assets/$asset?as_of=$as_of"
	printf '%s\n' "$path_latest" >"$out/case-latest.path"
	printf '%s\n' "$path_asof" >"$out/case-as_of.path"
	say "asset: GET $path_latest and GET $path_asof"
	say "  \$ wrk -t$threads -c$conns -d$duration --latency http://127.0.0.1:PORT$path_latest   (each setup, $runs rounds)"

	for p in $procs_list; do
		setups+=("ms$p latest http://127.0.0.1:${ms_port[$p]}$path_latest ${ms_pid[$p]}")
		setups+=("ms$p as_of http://127.0.0.1:${ms_port[$p]}$path_asof ${ms_pid[$p]}")
	done
	base=http://127.0.0.1:${ms_port[$first_ms]}

	# The reference bodies, from moonscope.
	fetch "$base$path_latest" "$out/body-latest.json"
	fetch "$base$path_asof" "$out/body-as_of.json"

	# FastAPI peer.
	if [ "$have_fastapi" = 1 ]; then
		port=$(ms_free_port) || ms_die "bench: no free port"
		MOONSCOPE_DB=$db BENCH_CONST_FILE=$out/body-latest.json \
		    start_bg "$tmp/fastapi.log" "$py" "$here/subreaper.py" "$py" -m uvicorn \
		    --app-dir "$here" fastapi_peer:app --host 127.0.0.1 --port "$port" \
		    --workers 2 --loop uvloop --http httptools --no-access-log \
		    --log-level warning
		pid_fastapi=$bg_pid
		wait_up "http://127.0.0.1:$port/bench/const" "$pid_fastapi" "$tmp/fastapi.log"
		say "http: FastAPI + uvicorn, 2 workers, on 127.0.0.1:$port (pid $pid_fastapi)"
		for case in latest as_of; do
			s=$path_latest
			[ "$case" = latest ] || s=$path_asof
			fetch "http://127.0.0.1:$port$s" "$out/fastapi-$case.json"
			if ! "$py" bench/report.py compare "$out/body-$case.json" "$out/fastapi-$case.json"; then
				ms_die "bench: FastAPI and moonscope answer $s differently (above: moonscope, then FastAPI); not timing"
			fi
		done
		setups+=("fastapi latest http://127.0.0.1:$port$path_latest $pid_fastapi")
		setups+=("fastapi as_of http://127.0.0.1:$port$path_asof $pid_fastapi")
		setups+=("fastapi_const latest http://127.0.0.1:$port/bench/const $pid_fastapi")
		if [ "${BENCH_IDIOMATIC:-0}" = 1 ]; then
			fetch "http://127.0.0.1:$port/idiomatic$path_latest" "$out/idiomatic-latest.json"
			"$py" bench/report.py compare "$out/body-latest.json" "$out/idiomatic-latest.json" ||
			    ms_die "bench: the idiomatic FastAPI handler answers differently; not timing"
			setups+=("fastapi_idiom latest http://127.0.0.1:$port/idiomatic$path_latest $pid_fastapi")
		fi
		say "http: FastAPI and moonscope bodies are byte-identical (except the request id)"
	else
		say "http: FastAPI baseline skipped: $py cannot import fastapi, uvicorn, uvloop and httptools"
		say "      (apt-get install python3-fastapi python3-uvicorn python3-uvloop python3-httptools)"
	fi

	# lighttpd serving moonscope's answer as a static file.
	port=$(ms_free_port) || ms_die "bench: no free port"
	mkdir -p "$tmp/static/htdocs"
	cp "$out/body-latest.json" "$tmp/static/htdocs/asset.json"
	cat >"$tmp/static/lighttpd.conf" <<CONF
# Static baseline of bench/run.sh: the same server, no FastCGI.
server.bind          = "127.0.0.1"
server.port          = $port
server.document-root = "$tmp/static/htdocs"
server.errorlog      = "$tmp/static/lighttpd-error.log"
server.tag           = "moonscope"
mimetype.assign      = ( ".json" => "application/json" )
CONF
	start_bg "$tmp/static/stderr.log" "$py" "$here/subreaper.py" lighttpd -D -f "$tmp/static/lighttpd.conf"
	pid_static=$bg_pid
	wait_up "http://127.0.0.1:$port/asset.json" "$pid_static" "$tmp/static/lighttpd-error.log"
	say "http: lighttpd static file on 127.0.0.1:$port (pid $pid_static)"
	setups+=("static latest http://127.0.0.1:$port/asset.json $pid_static")

	say "warm-up ($warmup each)"
	for s in "${setups[@]}"; do
		read -r key case url spid <<<"$s"
		run_wrk "$out/raw/warmup-$key-$case.txt" -t"$threads" -c"$conns" -d"$warmup" "$url"
	done
	for r in $(seq 1 "$runs"); do
		say "round $r of $runs"
		for s in "${setups[@]}"; do
			read -r key case url spid <<<"$s"
			measure "$key" "$case" "$url" "$spid" "$r"
		done
	done

	# Still serving correctly after the load?
	for p in $procs_list; do
		fetch "http://127.0.0.1:${ms_port[$p]}$path_latest" "$tmp/after.json"
		"$py" bench/report.py compare "$out/body-latest.json" "$tmp/after.json" ||
		    ms_die "bench: moonscope ($p responders) answers differently after the load"
	done
	# The FastAPI and static servers are not needed any more.
	for s in ${pid_fastapi:-} "$pid_static"; do
		ms_stop_pid "$s" 15 || ms_say "bench: could not stop pid $s"
	done
}

# ---- analytics ------------------------------------------------------------------

# name, path; the first two are also timed under load.
analytics=(
	"moonshots /v1/moonshots?as_of=2018-03-01"
	"grades /v1/grades?as_of=2018-03-01&limit=500"
	"forecast /v1/forecasts/bitcoin?model=garch&as_of=2018-06-30"
	"target /v1/target?id=xrp&price=500&as_of=2018-06-30"
)

bench_analytics() {
	local s name path base line facts p url s0 o
	load analytics
	: >"$out/latency.tsv"
	: >"$out/tput.tsv"
	base=http://127.0.0.1:${ms_port[$first_ms]}
	say "analytics: latency, $first_ms responders per route, up to $lat_n sequential requests (or ${lat_secs} s) on one keep-alive connection after $((2 * first_ms)) warm-up requests"
	for s in "${analytics[@]}"; do
		read -r name path <<<"$s"
		url=$base$path
		"$py" bench/report.py latency "$url" $((2 * first_ms)) 0 /dev/null >/dev/null ||
		    ms_die "bench: $path does not answer 200 (warm-up)"
		say "  \$ bench/report.py latency '$url' $lat_n $lat_secs BODY"
		s0=$(snap)
		line=$("$py" bench/report.py latency "$url" "$lat_n" "$lat_secs" "$out/body-$name.json") ||
		    ms_die "bench: $path does not answer 200"
		o=$(others "$s0" "$(snap)")
		facts=$("$py" bench/report.py facts "$name" "$out/body-$name.json" 2>&1) || facts="(not the expected JSON: $facts)"
		printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$path" "$line" "$o" "$facts" >>"$out/latency.tsv"
		# shellcheck disable=SC2086
		set -- $line
		say "    median $2 ms (p90 $3, min $4, max $5) over $1 requests, $6 bytes; others used $o% of the machine meanwhile"
		say "    answer: $facts"
	done
	for s in "${analytics[@]:0:2}"; do
		read -r name path <<<"$s"
		for p in $procs_list; do
			url=http://127.0.0.1:${ms_port[$p]}$path
			say "analytics: throughput, $p responders"
			say "  \$ wrk -t2 -c$an_conns -d$an_duration --timeout 30s --latency '$url'"
			run_wrk "$out/raw/warmup-$name-ms$p.txt" -t2 -c"$an_conns" -d2s --timeout 30s "$url"
			line=$(wrk_cpu "$out/raw/$name-ms$p.txt" "${ms_pid[$p]}" -t2 -c"$an_conns" \
			    -d"$an_duration" --timeout 30s --latency "$url")
			printf '%s\t%s\t%s\t%s\n' "$name" "$path" "$p" "$line" >>"$out/tput.tsv"
			# shellcheck disable=SC2086
			set -- $line
			say "    $1 req/s, p50 $2 ms, p99 $3 ms, server CPU $(awk -v c="$7" 'BEGIN { printf "%.1f", c / 1000 }') ms/req, others $8%$([ "$4$5" = 00 ] || printf '  (non-2xx %s, socket errors %s)' "$4" "$5")"
		done
	done
}

# ---- main -------------------------------------------------------------------------

t_start=$(now_ns)
if skipped import; then
	printf 'BENCH_SKIP\n' >"$out/import.skip"
else
	bench_import
	hr
fi
if ! skipped daily || ! skipped garch || ! skipped asset || ! skipped analytics; then
	build_store
	hr
fi
if skipped daily; then
	printf 'BENCH_SKIP\n' >"$out/daily.skip"
else
	bench_daily
	hr
fi
if skipped garch; then
	printf 'BENCH_SKIP\n' >"$out/garch.skip"
else
	bench_garch
	hr
fi
if [ "$have_store" = 1 ] && { ! skipped asset || ! skipped analytics; }; then
	start_moonscope
	hr
fi
if skipped asset; then
	printf 'BENCH_SKIP\n' >"$out/http.skip"
elif [ "$have_store" != 1 ]; then
	printf 'no store (the 2018 universe file is missing)\n' >"$out/http.skip"
	say "asset: skipped: $(cat "$out/http.skip")"
else
	bench_asset
	hr
fi
if skipped analytics; then
	printf 'BENCH_SKIP\n' >"$out/analytics.skip"
elif [ "$have_store" != 1 ]; then
	printf 'no store (the 2018 universe file is missing)\n' >"$out/analytics.skip"
	say "analytics: skipped: $(cat "$out/analytics.skip")"
else
	bench_analytics
	hr
fi
# The parts with a script of their own (bench/<part>.sh), each printing the
# commands it times and its figures; their output is kept in
# build/bench/<part>.txt and appended to the summary.
script_parts="ingest bt_replay bt_sweep bt_forecasts bt_grades"
for part in $script_parts; do
	if skipped "$part"; then
		printf 'BENCH_SKIP\n' >"$out/$part.skip"
	elif [ ! -r "bench/$part.sh" ]; then
		printf 'bench/%s.sh is missing\n' "$part" >"$out/$part.skip"
	else
		load "$part"
		say "$part: bench/$part.sh"
		bash "bench/$part.sh" 2>&1 | tee "$out/$part.txt"
		[ "${PIPESTATUS[0]}" = 0 ] || ms_die "bench: bench/$part.sh failed (output in ${out#"$root"/}/$part.txt)"
		hr
	fi
done
load end
for p in "${!ms_port[@]}"; do
	if [ -s "$tmp/ms$p/lighttpd-error.log" ]; then
		cp "$tmp/ms$p/lighttpd-error.log" "$out/raw/ms$p-lighttpd-error.log"
	fi
done
hr
script_summary() {
	for part in $script_parts; do
		[ -s "$out/$part.txt" ] || continue
		printf '\n## bench/%s.sh\n\n```\n' "$part"
		cat "$out/$part.txt"
		printf '```\n'
	done
}
{ cat "$out/machine.txt"; echo; "$py" bench/report.py summary "$out"; script_summary; } >"$out/summary.md"
"$py" bench/report.py summary "$out"
hr
say "total $(awk -v a="$t_start" -v b="$(now_ns)" 'BEGIN { printf "%.0f", (b - a) / 1e9 }') s; raw outputs in ${out#"$root"/}/"
