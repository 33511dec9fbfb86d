#!/usr/bin/env bash
# bench/bt_forecasts.sh — the walk-forward forecast evaluation of issue 5's
# acceptance: five majors, four models, three horizons, timed.
#
#   bench/bt_forecasts.sh       (from the repo root, after `make all`)
#
# 1. Builds a store from
#    ../shared/data/majors_daily/kaggle_cmc_23coins_daily_2013-04-29_2021-07-06.csv.gz
#    in a mktemp directory (skipped, with the reason, when it is absent).
# 2. Times
#        build/moonscope --db DB backtest forecasts --assets BTC,ETH,XRP,LTC,DOGE
#            --models naive,drift,ewma,garch --horizons 7,30,90 --step 30
#            --report DIR
#    (85 origins 2014-04-29..2021-04-07, 4,896 forecasts, every one
#    judged, report files written): one untimed run, then BT_FC_RUNS timed
#    runs (default 3); median wall and CPU time (user + system) and peak
#    RSS of the process (bench/report.py run), and the rates: forecasts per
#    second, model fits per second (a fit serves the three horizons) and
#    origins x assets per second.
# 3. The cost per model: the same run with one model at a time (one timed
#    run each), so the share of garch (maximum likelihood fit, 10,000
#    simulated paths per horizon, and the same paths drawn again for the
#    sample CRPS) is visible.
# Figures, not a test: exit 0 whatever the times, 1 when a step fails.
# The summary is kept in build/bench/bt_forecasts/summary.md.
# Knobs: BT_FC_RUNS (3), BENCH_DATA (default ../shared/data), BENCH_CLI
# (default build/moonscope), BENCH_KEEP=1 (keep the temporary directory),
# PY (default /usr/bin/python3). About a minute on a 2-CPU machine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
cd "$root"

data=${BENCH_DATA:-$root/../shared/data}
cli=${BENCH_CLI:-$root/build/moonscope}
py=${PY:-/usr/bin/python3}
runs=${BT_FC_RUNS:-3}
out=$root/build/bench/bt_forecasts
majors=$data/majors_daily/kaggle_cmc_23coins_daily_2013-04-29_2021-07-06.csv.gz

say() { printf '%s\n' "$*"; }
die() { printf 'bt_forecasts: %s\n' "$*" >&2; exit 1; }
hr() { printf '%s\n' "------------------------------------------------------------------------"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

case $runs in
'' | *[!0-9]* | 0) die "BT_FC_RUNS: a positive number of runs, not '$runs'" ;;
esac
if [ ! -r "$majors" ]; then
	say "bt_forecasts: skipped: $majors is absent (see ../shared/data/README.md)"
	exit 0
fi
[ -x "$cli" ] || die "$cli is not built (run make all)"
[ -x "$py" ] || die "$py not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/moonscope-btfc.XXXXXX")
cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "bt_forecasts: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
mkdir -p "$out"
db=$tmp/store.db

hr
say "walk-forward forecast evaluation: daily majors 2013-2021"
hr
say "store: $cli --db STORE import $majors"
"$cli" --db "$db" import "$majors" >"$tmp/import.log" 2>&1 ||
	{ cat "$tmp/import.log" >&2; die "import failed"; }
say "  $(grep -m1 '^total:' "$tmp/import.log" || tail -n1 "$tmp/import.log")"

cmd=("$cli" --db "$db" backtest forecasts --assets BTC,ETH,XRP,LTC,DOGE
	--horizons 7,30,90 --step 30)
say "timed: ${cmd[*]} --models naive,drift,ewma,garch --report DIR"
"${cmd[@]}" --models naive,drift,ewma,garch --report "$tmp/ref" >"$tmp/ref.log" 2>&1 ||
	{ tail -n 20 "$tmp/ref.log" >&2; die "the warm-up run failed"; }
read -r forecasts origins nassets fits < <("$py" - "$tmp/ref/summary.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["counts"]
print(c["forecasts"], c["origins"], c["assets"], c["forecasts"] // len(d["parameters"]["horizons"]))
EOF
)
say "  $origins origins x $nassets assets; $fits model fits; $forecasts forecasts judged"
say "timing: $runs runs; load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs online)"
: >"$tmp/all.tsv"
for i in $(seq 1 "$runs"); do
	rm -rf "$tmp/run"
	line=$("$py" "$here/report.py" run "$tmp/run.log" "${cmd[@]}" \
	    --models naive,drift,ewma,garch --report "$tmp/run") ||
		{ tail -n 20 "$tmp/run.log" >&2; die "run $i failed"; }
	printf '%s\n' "$line" >>"$tmp/all.tsv"
	say "  run $i: $(cut -f1 <<<"$line") s wall, $(cut -f2 <<<"$line") s CPU; $(grep -m1 'forecasts/s' "$tmp/run.log" | sed 's/^backtest forecasts: //')"
done
wall=$(cut -f1 "$tmp/all.tsv" | median)
cpu=$(cut -f2 "$tmp/all.tsv" | median)
rss=$(cut -f3 "$tmp/all.tsv" | median)

: >"$tmp/models.tsv"
for m in naive drift ewma garch; do
	rm -rf "$tmp/m"
	line=$("$py" "$here/report.py" run "$tmp/m.log" "${cmd[@]}" --models "$m" \
	    --report "$tmp/m") || { tail -n 20 "$tmp/m.log" >&2; die "--models $m failed"; }
	n=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["forecasts"])' "$tmp/m/summary.json")
	printf '%s\t%s\t%s\n' "$m" "$n" "$line" >>"$tmp/models.tsv"
done

hr
{
	say "Walk-forward forecast evaluation: BTC, ETH, XRP, LTC, DOGE x naive, drift, ewma, garch x 7, 30, 90 days, origins every 30 days 2014-04-29..2021-04-07 ($origins origins, $fits fits, $forecasts forecasts, report written); median of $runs runs; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	say ""
	say "| | wall s | CPU s | peak RSS MiB | forecasts/s | fits/s | origin x asset/s |"
	say "|---|---|---|---|---|---|---|"
	awk -v w="$wall" -v c="$cpu" -v r="$rss" -v f="$forecasts" -v k="$fits" -v o="$origins" -v a="$nassets" \
	    'BEGIN { printf "| all four models | %.3f | %.3f | %.0f | %.0f | %.0f | %.1f |\n", w, c, r / 1024, f / w, k / w, o * a / w }'
	while IFS=$'\t' read -r m n w c r; do
		awk -v m="$m" -v n="$n" -v w="$w" -v c="$c" -v r="$r" -v o="$origins" -v a="$nassets" \
		    'BEGIN { printf "| %s only (1 run) | %.3f | %.3f | %.0f | %.0f | %.0f | %.1f |\n", m, w, c, r / 1024, n / w, n / 3 / w, o * a / w }'
	done <"$tmp/models.tsv"
	say ""
	say "The rates include the store reads, the realised closes, the scores, the report files and process start."
} | tee "$out/summary.md"
