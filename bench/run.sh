#!/usr/bin/env bash
# bench/run.sh — the figures behind `make bench` (figures, not tests).
#
#   bench/run.sh        (make bench builds first, then runs this)
#
# 1. Import: the 2018 all-coins universe file into a fresh temporary store,
#    BENCH_IMPORT_RUNS times (default 3); median wall time and rows/s.
# 2. HTTP: GET /v1/assets/ripple, with as_of unset and set, through
#    lighttpd (mod_fastcgi, responders it spawns itself, BENCH_PROCS per
#    route, default "2 4"), against baselines started and measured in this
#    same run on the same store:
#      - FastAPI + uvicorn, 2 workers (bench/fastapi_peer.py, a faithful
#        port of the route: same SQL, same JSON), checked to return the same
#        body as moonscope (except meta.request_id) before any timing;
#      - lighttpd serving moonscope's JSON answer as a static file;
#      - extra: FastAPI returning that JSON as a constant (no DB work).
#    wrk -t2 -c64 -d10s --latency on 127.0.0.1; each setup is warmed up,
#    then the setups are measured in turn, BENCH_RUNS rounds (default 3), so
#    slow drift of the machine hits them all alike; medians are reported.
#    Besides req/s and latency, each run records the CPU time the server
#    (all its processes) spent per request, which other load on the
#    machine disturbs far less than throughput.
# A part whose data (../shared/data, or BENCH_DATA) is missing is skipped
# with the reason. Results: a summary on stdout, also kept with the raw wrk
# outputs in build/bench/. Every server is bound to 127.0.0.1, runs under
# bench/subreaper.py (so the responders lighttpd spawns are reaped too) and
# is stopped by its PID on exit. The exit status is 0 whether or not the
# targets are met (these are figures, not tests); it is non-zero when a
# step fails, e.g. the FastAPI peer and moonscope answer differently.
#
# Knobs (environment): BENCH_DATA (data dir), BENCH_DURATION (10s),
# BENCH_RUNS (3), BENCH_IMPORT_RUNS (3), BENCH_PROCS ("2 4"),
# BENCH_THREADS (2), BENCH_CONNS (64), BENCH_WARMUP (3s),
# BENCH_ASSET (ripple), BENCH_AS_OF (2018-01-04), BENCH_CLI (the moonscope
# command, default build/moonscope), BENCH_IDIOMATIC=1 (also time FastAPI
# written the common way: plain def, dict return), BENCH_KEEP=1 (keep the
# temporary directory).
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
procs_list=${BENCH_PROCS:-2 4}
threads=${BENCH_THREADS:-2}
conns=${BENCH_CONNS:-64}
warmup=${BENCH_WARMUP:-3s}
asset=${BENCH_ASSET:-ripple}
as_of=${BENCH_AS_OF:-2018-01-04}
py=/usr/bin/python3
cli=${BENCH_CLI:-$root/build/moonscope}
fn_dir=$root/build/fn
out=$root/build/bench

universe=$data/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz
majors=$data/majors_daily/kaggle_cmc_23coins_daily_2013-04-29_2021-07-06.csv.gz

say() { printf '%s\n' "$*"; }
hr() { printf '%s\n' "------------------------------------------------------------------------"; }

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
[ -x "$fn_dir/v1_asset" ] || ms_die "bench: $fn_dir/v1_asset is not built (run make all)"
have_fastapi=1
if ! "$py" -c 'import fastapi, uvicorn, uvloop, httptools' 2>/dev/null; then
	have_fastapi=0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/moonscope-bench.XXXXXX")
pids=()
cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	if [ -n "${wrk_pid:-}" ]; then
		kill -TERM "$wrk_pid" 2>/dev/null || true
		wait "$wrk_pid" 2>/dev/null || true
	fi
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
	say "load:      wrk -t$threads -c$conns -d$duration --latency, 127.0.0.1, warm-up $warmup per setup, $runs rounds"
} | tee "$out/machine.txt"
hr

# ---- 1. import ----------------------------------------------------------------

bench_import() {
	local i t0 t1 db log rows stored
	if [ ! -r "$universe" ]; then
		printf '%s is missing\n' "$universe" >"$out/import.skip"
		say "import: skipped: $(cat "$out/import.skip")"
		return 0
	fi
	rows=$(gzip -dc "$universe" | tail -n +2 | grep -c .)
	say "import: $(basename "$universe") ($rows data rows), $import_runs runs, fresh store each"
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

# ---- 2. HTTP ----------------------------------------------------------------

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

# A setup to measure: key, case, url, server PID.
setups=()

# measure KEY CASE URL PID ROUND — one wrk run; also the CPU time the
# server (PID and its descendants) used per request meanwhile.
measure() {
	local key=$1 case=$2 url=$3 pid=$4 round=$5 f line c0 c1 cpu
	f=$out/raw/$key-$case-$round.txt
	c0=$("$py" bench/report.py cputicks "$pid")
	run_wrk "$f" -t"$threads" -c"$conns" -d"$duration" --latency "$url"
	c1=$("$py" bench/report.py cputicks "$pid")
	line=$("$py" bench/report.py wrk "$f")
	# shellcheck disable=SC2086
	set -- $line
	cpu=$(awk -v a="$c0" -v b="$c1" -v t="$clk_tck" -v n="$6" \
	    'BEGIN { if (n > 0) printf "%.1f", (b - a) / t * 1e6 / n; else print "nan" }')
	printf '%s\t%s\t%s\t%s\t%s\n' "$key" "$case" "$round" "$line" "$cpu" >>"$out/http.tsv"
	printf '  round %s  %-14s %-7s %9.0f req/s  p50 %6.2f ms  p99 %7.2f ms  server CPU %6s us/req%s\n' \
	    "$round" "$key" "$case" "$1" "$2" "$3" "$cpu" \
	    "$([ "$4$5" = 00 ] || printf '  (non-2xx %s, socket errors %s)' "$4" "$5")"
}

bench_http() {
	local db=$tmp/serve.db p port spid key case url t0 t1 files=() s r pid_fastapi pid_static
	local -A ms_port=()
	if [ ! -r "$universe" ]; then
		printf '%s is missing (the benchmarked asset, %s, comes from it)\n' "$universe" "$asset" >"$out/http.skip"
		say "http: skipped: $(cat "$out/http.skip")"
		return 0
	fi
	if [ -r "$majors" ]; then
		files+=("$majors")
	else
		say "http: note: $majors is missing; serving the 2018 universe only"
	fi
	files+=("$universe")
	t0=$(now_ns)
	if ! "$cli" --db "$db" import "${files[@]}" >"$out/raw/serve-import.log" 2>&1; then
		cat "$out/raw/serve-import.log" >&2
		ms_die "bench: building the served store failed"
	fi
	t1=$(now_ns)
	say "http: store with $(printf '%s ' "${files[@]##*/}")built in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"

	local path_latest="/v1/assets/$asset" path_asof="/v1/assets/$asset?as_of=$as_of"
	printf '%s\n' "$path_latest" >"$out/case-latest.path"
	printf '%s\n' "$path_asof" >"$out/case-as_of.path"

	# moonscope through lighttpd, one instance per responder count.
	local first_ms=
	for p in $procs_list; do
		port=$(ms_free_port) || ms_die "bench: no free port"
		mkdir -p "$tmp/ms$p"
		infra/gen-config.sh lighttpd --port "$port" --root "$tmp/ms$p" \
		    --fn-dir "$fn_dir" --db "$db" --procs "$p" >"$tmp/ms$p/lighttpd.conf"
		start_bg "$tmp/ms$p/stderr.log" "$py" "$here/subreaper.py" lighttpd -D -f "$tmp/ms$p/lighttpd.conf"
		spid=$bg_pid
		ms_port[$p]=$port
		wait_up "http://127.0.0.1:$port$path_latest" "$spid" "$tmp/ms$p/lighttpd-error.log"
		setups+=("ms$p latest http://127.0.0.1:$port$path_latest $spid")
		setups+=("ms$p as_of http://127.0.0.1:$port$path_asof $spid")
		[ -n "$first_ms" ] || first_ms=$port
		say "http: moonscope lighttpd, $p responders per route, on 127.0.0.1:$port (pid $spid)"
	done

	# The reference bodies, from moonscope.
	fetch "http://127.0.0.1:$first_ms$path_latest" "$out/body-latest.json"
	fetch "http://127.0.0.1:$first_ms$path_asof" "$out/body-as_of.json"

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
		say "http: FastAPI and moonscope bodies are identical (except meta.request_id)"
	else
		say "http: FastAPI baseline skipped: $py cannot import fastapi, uvicorn, uvloop and httptools"
		say "      (apt-get install python3-fastapi python3-uvicorn python3-uvloop python3-httptools)"
	fi

	# lighttpd serving moonscope's answer as a static file.
	port=$(ms_free_port) || ms_die "bench: no free port"
	mkdir -p "$tmp/static/htdocs"
	cp "$out/body-latest.json" "$tmp/static/htdocs/asset.json"
	cat >"$tmp/static/lighttpd.conf" <<EOF
# Static baseline of bench/run.sh: the same server, no FastCGI.
server.bind          = "127.0.0.1"
server.port          = $port
server.document-root = "$tmp/static/htdocs"
server.errorlog      = "$tmp/static/lighttpd-error.log"
server.tag           = "moonscope"
mimetype.assign      = ( ".json" => "application/json" )
EOF
	start_bg "$tmp/static/stderr.log" "$py" "$here/subreaper.py" lighttpd -D -f "$tmp/static/lighttpd.conf"
	pid_static=$bg_pid
	wait_up "http://127.0.0.1:$port/asset.json" "$pid_static" "$tmp/static/lighttpd-error.log"
	say "http: lighttpd static file on 127.0.0.1:$port (pid $pid_static)"
	setups+=("static latest http://127.0.0.1:$port/asset.json $pid_static")
	hr

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
		port=${ms_port[$p]}
		fetch "http://127.0.0.1:$port$path_latest" "$tmp/after.json"
		"$py" bench/report.py compare "$out/body-latest.json" "$tmp/after.json" ||
		    ms_die "bench: moonscope ($p responders) answers differently after the load"
		if [ -s "$tmp/ms$p/lighttpd-error.log" ]; then
			cp "$tmp/ms$p/lighttpd-error.log" "$out/raw/ms$p-lighttpd-error.log"
		fi
	done
}

t_start=$(now_ns)
bench_import
hr
bench_http
hr
"$py" bench/report.py summary "$out" | tee "$out/summary.md"
hr
say "total $(awk -v a="$t_start" -v b="$(now_ns)" 'BEGIN { printf "%.0f", (b - a) / 1e9 }') s; raw outputs in ${out#"$root"/}/"
