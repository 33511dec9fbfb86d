#!/usr/bin/env bash
# bench/bt_sweep.sh — a 100-variant parameter sweep (`moonscope backtest
# sweep`) over the 2018 all-coin universe with --jobs 1 and --jobs 2: wall
# times, CPU times, variants per second and the speed-up.
#
#   bench/bt_sweep.sh          (from the repo root, after `make all`)
#
# 1. Builds a store from
#    ../shared/data/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz
#    in a mktemp directory (skipped, with the reason, when it is absent).
# 2. Times, BT_SW_RUNS times each (default 1: a run takes minutes; medians
#    of wall time, CPU time and peak RSS via bench/report.py run):
#        build/moonscope --db DB backtest sweep --grid top=5,10,20,40,80
#            --grid hold=7,14,21,28
#            --grid max_market_cap=1e7,3e7,1e8,3e8,1e9
#            --bootstrap 0 --jobs J --report DIR
#    for J = 1 and 2 (100 variants, weekly, 17-18 rebalance dates each).
# 3. Checks that both runs wrote the same sweep.json (the output does not
#    depend on --jobs) and prints the deflated Sharpe ratio of the best.
# Figures, not a test: exit 0 whatever the times, 1 when a step fails.
# The summary is kept in build/bench/bt_sweep/summary.md.
# Knobs: BT_SW_RUNS (1), BENCH_DATA (default ../shared/data), BENCH_CLI
# (default build/moonscope), PY (default /usr/bin/python3).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
cd "$root"

data=${BENCH_DATA:-$root/../shared/data}
cli=${BENCH_CLI:-$root/build/moonscope}
py=${PY:-/usr/bin/python3}
runs=${BT_SW_RUNS:-1}
out=$root/build/bench/bt_sweep
raw=$data/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz

say() { printf '%s\n' "$*" | tee -a "$out/summary.md"; }
die() { printf 'bt_sweep: %s\n' "$*" >&2; exit 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

case $runs in
'' | *[!0-9]* | 0) die "BT_SW_RUNS: a positive number of runs, not '$runs'" ;;
esac
if [ ! -r "$raw" ]; then
	printf 'bt_sweep: skipped: %s is absent (see ../shared/data/README.md)\n' "$raw"
	exit 0
fi
[ -x "$cli" ] || die "$cli is not built (run make all)"
mkdir -p "$out"
: >"$out/summary.md"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/moonscope-btsw.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$cli" --db "$tmp/u.db" import "$raw" >"$tmp/import.log" 2>&1 ||
	die "import failed (see $tmp/import.log)"

grid=(--grid top=5,10,20,40,80 --grid hold=7,14,21,28
	--grid max_market_cap=1e7,3e7,1e8,3e8,1e9 --bootstrap 0)
nvar=100
say "# backtest sweep, 2018 all-coin universe: $nvar variants ($(nproc) CPUs, $runs run(s) each; load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
say ""
say "| --jobs | wall s | CPU s | peak RSS MiB | variants/s | wall s per variant |"
say "|---|---|---|---|---|---|"
declare -A wall
for jobs in 1 2; do
	cmd=("$cli" --db "$tmp/u.db" backtest sweep "${grid[@]}" --jobs "$jobs"
		--report "$tmp/rep$jobs")
	printf 'timing: %s\n' "${cmd[*]}" >&2
	: >"$tmp/t$jobs.tsv"
	for i in $(seq "$runs"); do
		"$py" bench/report.py run "$tmp/log$jobs" "${cmd[@]}" >>"$tmp/t$jobs.tsv" ||
			die "backtest sweep --jobs $jobs failed (see $tmp/log$jobs)"
	done
	w=$(cut -f1 "$tmp/t$jobs.tsv" | median)
	c=$(cut -f2 "$tmp/t$jobs.tsv" | median)
	r=$(cut -f3 "$tmp/t$jobs.tsv" | median)
	wall[$jobs]=$w
	say "$(awk -v j="$jobs" -v w="$w" -v c="$c" -v r="$r" -v n="$nvar" \
	    'BEGIN { printf "| %s | %.1f | %.1f | %.0f | %.2f | %.2f |", j, w, c, r / 1024, n / w, w / n }')"
done
say ""
say "$(awk -v a="${wall[1]}" -v b="${wall[2]}" \
    'BEGIN { printf "Speed-up of --jobs 2 over --jobs 1: %.2fx (parallel efficiency %.0f %% on 2 cores).", a / b, 50 * a / b }')"
if cmp -s "$tmp/rep1/sweep.json" "$tmp/rep2/sweep.json"; then
	say "sweep.json of --jobs 1 and --jobs 2: identical."
else
	die "sweep.json of --jobs 1 and --jobs 2 differ"
fi
say "$("$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))
b, z = d["best"], d["deflated_sharpe"]
print("Best of %d: variant %d (%s), Sharpe %.2f; deflated Sharpe ratio %.4f "
      "(SR0 %.4f per day against the best %.4f)." % (
      z["trials"], b["index"],
      ", ".join("%s=%s" % kv for kv in b["values"].items()),
      b["metrics"]["sharpe"], z["dsr"], z["expected_max_sharpe"], z["sharpe"]))' \
    "$tmp/rep1/sweep.json")"
