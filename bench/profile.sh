#!/usr/bin/env bash
# bench/profile.sh — where a GET /v1/assets/{id} request spends its time.
#
#   bench/profile.sh [STORE]     (after make all)
#
# Serves STORE (default: a temporary store built from the kaggle majors
# file and the 2018 universe in ../shared/data, as make bench does) with
# lighttpd and 4 v1_asset responders on 127.0.0.1, puts it under wrk load,
# and prints:
#   1. the CPU time per request of lighttpd and of the responders;
#   2. a perf profile of the responders (software cpu-clock event, so it
#      works in VMs without hardware counters), by library and by symbol;
#   3. the system calls one request makes (strace -c over 200 requests);
#   4. the time of each SQL statement of the route (bench/sqltime.py).
# Each part is skipped with the reason when its tool is missing. Knobs:
# PROFILE_ASSET (ripple), PROFILE_QUERY (as_of=... or empty), BENCH_DATA.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
cd "$root"
# shellcheck source=infra/lib.sh
. infra/lib.sh

data=${BENCH_DATA:-$root/../shared/data}
asset=${PROFILE_ASSET:-ripple}
query=${PROFILE_QUERY:-}
py=/usr/bin/python3
if [ ! -x build/fn/v1_asset ] || [ ! -x build/moonscope ]; then
	ms_die "profile: run make all first"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/moonscope-profile.XXXXXX")
pids=()
cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do
		ms_stop_pid "$p" 15 || ms_say "profile: could not stop pid $p"
	done
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ $# -ge 1 ]; then
	db=$(ms_abspath "$1")
	[ -r "$db" ] || ms_die "profile: cannot read $db"
else
	db=$tmp/serve.db
	files=()
	for f in "$data/majors_daily/kaggle_cmc_23coins_daily_2013-04-29_2021-07-06.csv.gz" \
	    "$data/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz"; do
		[ -r "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || ms_die "profile: no data under $data; pass a STORE"
	build/moonscope --db "$db" import "${files[@]}" >"$tmp/import.log" 2>&1 ||
	    { cat "$tmp/import.log" >&2; ms_die "profile: import failed"; }
fi

port=$(ms_free_port) || ms_die "profile: no free port"
mkdir -p "$tmp/l"
infra/gen-config.sh lighttpd --port "$port" --root "$tmp/l" --fn-dir "$root/build/fn" \
    --db "$db" --procs 4 >"$tmp/l/lighttpd.conf"
"$py" "$here/subreaper.py" lighttpd -D -f "$tmp/l/lighttpd.conf" >"$tmp/l/out.log" 2>&1 &
wrapper=$!
pids+=("$wrapper")
url="http://127.0.0.1:$port/v1/assets/$asset${query:+?$query}"
ms_wait_http "$url" 15 || { ms_show_log "$tmp/l/lighttpd-error.log"; ms_die "profile: $url does not answer 200"; }

lighttpd_pid=$(pgrep -P "$wrapper" lighttpd | head -n 1)
responders=()
for p in $(pgrep -P "$lighttpd_pid"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = v1_asset ] && responders+=("$p")
done
[ ${#responders[@]} -gt 0 ] || ms_die "profile: no v1_asset responders found"
say() { printf '%s\n' "$*"; }
say "profiling $url (lighttpd pid $lighttpd_pid, responders ${responders[*]})"
wrk -t2 -c64 -d3s "$url" >/dev/null 2>&1 || true

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
say ""
say "1. CPU per request (wrk -t2 -c64 -d5s)"
l0=$(ticks "$lighttpd_pid")
r0=0
for p in "${responders[@]}"; do r0=$((r0 + $(ticks "$p"))); done
wrk -t2 -c64 -d5s "$url" >"$tmp/wrk.txt" 2>&1 || true
l1=$(ticks "$lighttpd_pid")
r1=0
for p in "${responders[@]}"; do r1=$((r1 + $(ticks "$p"))); done
n=$(awk '/ requests in / { print $1 }' "$tmp/wrk.txt")
tck=$(getconf CLK_TCK)
grep 'Requests/sec' "$tmp/wrk.txt" || true
awk -v a="$l0" -v b="$l1" -v c="$r0" -v d="$r1" -v t="$tck" -v n="${n:-0}" 'BEGIN {
	if (n == 0) { print "   no requests completed"; exit }
	printf "   lighttpd   %6.1f us/request\n", (b - a) / t * 1e6 / n
	printf "   responders %6.1f us/request\n", (d - c) / t * 1e6 / n
}'

say ""
say "2. perf profile of the responders"
if command -v perf >/dev/null 2>&1 && perf record -e cpu-clock -o "$tmp/probe.data" -- true >/dev/null 2>&1; then
	wrk -t2 -c64 -d7s "$url" >/dev/null 2>&1 &
	wrk_pid=$!
	sleep 1
	plist=$(IFS=,; echo "${responders[*]}")
	perf record -q -e cpu-clock -F 2000 -p "$plist" -o "$tmp/perf.data" -- sleep 5 >/dev/null 2>&1 || true
	wait "$wrk_pid" || true
	say "   by library:"
	perf report -i "$tmp/perf.data" --stdio --no-children --sort dso 2>/dev/null |
	    grep -E '^ +[0-9]' | head -n 8 | sed 's/^/   /' || true
	say "   top symbols:"
	perf report -i "$tmp/perf.data" --stdio --no-children --sort dso,symbol 2>/dev/null |
	    sed 's/[[:space:]]*-[[:space:]]*-[[:space:]]*$//' |
	    grep -E '^ +[0-9]' | head -n 25 | sed 's/^/   /' || true
else
	say "   skipped: perf is missing or cannot sample here"
fi

say ""
say "3. system calls per request (strace -c, 200 sequential requests)"
if command -v strace >/dev/null 2>&1; then
	args=()
	for p in "${responders[@]}"; do args+=(-p "$p"); done
	strace -c -o "$tmp/strace.txt" "${args[@]}" 2>/dev/null &
	strace_pid=$!
	sleep 1
	for i in $(seq 1 200); do curl -s -o /dev/null "$url"; done
	kill -INT "$strace_pid" 2>/dev/null || true
	wait "$strace_pid" 2>/dev/null || true
	# Columns: % time, seconds, usecs/call, calls, [errors,] syscall.
	awk '$1 ~ /^[0-9.]+$/ && $4 ~ /^[0-9]+$/ {
		printf "   %-16s %6.1f per request\n", $NF, $4 / 200
	}' "$tmp/strace.txt"
else
	say "   skipped: strace is not installed"
fi

say ""
say "4. SQL statements of the route"
as_of=
case $query in as_of=*) as_of=${query#as_of=} ;; esac
if "$py" -c 'import fastapi' 2>/dev/null; then
	"$py" "$here/sqltime.py" "$db" "$asset" ${as_of:+"$as_of"} | sed 's/^/   /'
else
	say "   skipped: $py cannot import fastapi (bench/sqltime.py reuses the peer's SQL)"
fi
