#!/usr/bin/env bash
# bench/bt_grades.sh — the grade information-coefficient evaluation
# (`moonscope backtest grades`) over the 2018 all-coin universe, timed.
#
#   bench/bt_grades.sh          (from the repo root, after `make all`)
#
# 1. Builds a store from
#    ../shared/data/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz
#    in a mktemp directory (skipped, with the reason, when it is absent).
# 2. Times, BT_GR_RUNS times each (default 3; medians of wall time, CPU
#    time and peak RSS via bench/report.py run):
#        build/moonscope --db DB backtest grades --every 7 --report DIR
#        build/moonscope --db DB backtest grades --every 1 --report DIR
#    (18 weekly / 124 daily dates, 2018-01-31 .. 2018-06-04, 28-day
#    horizon), with the rates: dates per second and asset-dates (a graded,
#    priced coin on a date, with its forward return) per second.
# 3. Times the independent check tests/backtest/ref_grades.py on the weekly
#    report (scipy), for scale.
# Figures, not a test: exit 0 whatever the times, 1 when a step fails.
# The summary is kept in build/bench/bt_grades/summary.md.
# Knobs: BT_GR_RUNS (3), BENCH_DATA (default ../shared/data), BENCH_CLI
# (default build/moonscope), PY (default /usr/bin/python3).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
cd "$root"

data=${BENCH_DATA:-$root/../shared/data}
cli=${BENCH_CLI:-$root/build/moonscope}
py=${PY:-/usr/bin/python3}
runs=${BT_GR_RUNS:-3}
out=$root/build/bench/bt_grades
raw=$data/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz

say() { printf '%s\n' "$*" | tee -a "$out/summary.md"; }
die() { printf 'bt_grades: %s\n' "$*" >&2; exit 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

case $runs in
'' | *[!0-9]* | 0) die "BT_GR_RUNS: a positive number of runs, not '$runs'" ;;
esac
if [ ! -r "$raw" ]; then
	printf 'bt_grades: skipped: %s is absent (see ../shared/data/README.md)\n' "$raw"
	exit 0
fi
[ -x "$cli" ] || die "$cli is not built (run make all)"
mkdir -p "$out"
: >"$out/summary.md"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/moonscope-btgr.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$cli" --db "$tmp/u.db" import "$raw" >"$tmp/import.log" 2>&1 ||
	die "import failed (see $tmp/import.log)"

say "# backtest grades, 2018 all-coin universe ($(nproc) CPUs, $runs runs each)"
say ""
say "| run | dates | asset-dates | wall s | CPU s | peak RSS MiB | dates/s | asset-dates/s |"
say "|---|---|---|---|---|---|---|---|"
for every in 7 1; do
	cmd=("$cli" --db "$tmp/u.db" backtest grades --every "$every" --report "$tmp/rep$every")
	printf 'timing: %s\n' "${cmd[*]}" >&2
	: >"$tmp/t$every.tsv"
	for i in $(seq "$runs"); do
		"$py" bench/report.py run "$tmp/log$every" "${cmd[@]}" >>"$tmp/t$every.tsv" ||
			die "backtest grades --every $every failed (see $tmp/log$every)"
	done
	wall=$(cut -f1 "$tmp/t$every.tsv" | median)
	cpu=$(cut -f2 "$tmp/t$every.tsv" | median)
	rss=$(cut -f3 "$tmp/t$every.tsv" | median)
	read -r dates obs < <("$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))["run"]
print(d["dates"], d["observations"])' "$tmp/rep$every/summary.json")
	say "$(awk -v e="$every" -v d="$dates" -v o="$obs" -v w="$wall" -v c="$cpu" -v r="$rss" \
	    'BEGIN { printf "| --every %s | %d | %d | %.2f | %.2f | %.0f | %.1f | %.0f |", e, d, o, w, c, r / 1024, d / w, o / w }')"
done
say ""
cmd=("$py" tests/backtest/ref_grades.py "$tmp/rep7")
printf 'timing: %s\n' "${cmd[*]}" >&2
t=$("$py" bench/report.py run "$tmp/ref.log" "${cmd[@]}") || die "ref_grades.py failed (see $tmp/ref.log)"
say "Independent check (ref_grades.py, scipy) of the weekly report: $(printf '%s' "$t" | cut -f1) s wall."
