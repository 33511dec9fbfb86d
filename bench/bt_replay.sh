#!/usr/bin/env bash
# bench/bt_replay.sh — the 2018 weekly moonshot replay, and the same replay
# written with pandas as a peer, measured in one run (issue 5's benchmark).
#
#   bench/bt_replay.sh          (from the repo root, after `make all`)
#
# 1. Builds a store from
#    ../shared/data/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz
#    in a mktemp directory (skipped, with the reason, when the file is
#    absent).
# 2. Times the acceptance run of the backtester,
#        build/moonscope --db DB backtest moonshots --rebalance weekly --report DIR
#    (weekly rebalance, market cap under $100M, top 10, hold 28 days, costs
#    and delisting rule at their defaults, 10,000 bootstrap resamples):
#    BT_RUNS runs (default 5) after one untimed run; median wall and CPU
#    time (user + system), peak RSS (bench/report.py run).
# 3. The peer, bench/bt_pandas_peer.py (pandas + numpy from Debian, run with
#    /usr/bin/python3): the same rules, vectorised, reading the SAME store
#    with sqlite3 into DataFrames (not the raw CSV, so both sides see the
#    same rows). Before any timing, its output is compared with moonscope's
#    report by bench/bt_replay_check.py: the decisions (picks per date, in
#    rank order) exactly, every per-pick and per-day number and the summary
#    metrics to a relative 1e-9; if they differ the script exits 1 and times
#    nothing. Then BT_RUNS timed runs, interleaved with moonscope's so slow
#    drift of the machine hits both alike: the process's wall and CPU time
#    (interpreter start and `import pandas` included, as moonscope's process
#    start is), and the peer's own in-process split: load (the SQL read
#    into DataFrames), compute (pivot to a dense panel, every decision, the
#    simulation, the metrics) and their total.
# 4. The ratios, each stated both ways: moonscope wall / peer process wall,
#    and moonscope wall / peer in-process total (load + compute, without
#    interpreter start and imports: the figure most favourable to pandas).
#
# Both sides write their report files in the timed runs (moonscope:
# summary.json, picks.csv, periods.csv, rebalances.csv, summary.md; the
# peer: the same CSVs and a summary.json). Wall times on a busy machine
# are noisy: the load average is printed, and CPU time (which other load
# disturbs far less) is reported and compared too. Figures, not a test:
# the exit status is 0 whatever the ratio (and 0 when the data is absent),
# 1 when a step fails or the two disagree.
# The check's output and a summary are kept in build/bench/bt_replay/.
#
# Knobs: BT_RUNS (5); BT_EXTRA_CHECKS=1: before timing, also check the
# peer against moonscope on six other configurations that reach rules the
# acceptance run does not (picks that die, unfilled picks, write-offs, no
# costs, a daily rebalance; about 30 s more); BENCH_DATA (data directory,
# default ../shared/data); BENCH_CLI (default build/moonscope);
# BENCH_KEEP=1 (keep the temporary directory); PY (default /usr/bin/python3).
# About 20 s with the defaults on a 2-CPU machine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
cd "$root"

data=${BENCH_DATA:-$root/../shared/data}
cli=${BENCH_CLI:-$root/build/moonscope}
py=${PY:-/usr/bin/python3}
runs=${BT_RUNS:-5}
out=$root/build/bench/bt_replay
universe=$data/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz

say() { printf '%s\n' "$*"; }
die() { printf 'bt_replay: %s\n' "$*" >&2; exit 1; }
hr() { printf '%s\n' "------------------------------------------------------------------------"; }

case $runs in
'' | *[!0-9]* | 0) die "BT_RUNS: a positive number of runs, not '$runs'" ;;
esac
if [ ! -r "$universe" ]; then
	say "bt_replay: skipped: $universe is absent (the 2018 all-coin universe, see ../shared/data/README.md)"
	exit 0
fi
[ -x "$cli" ] || die "$cli is not built (run make all)"
[ -x "$py" ] || die "$py not found"
have_pandas=1
if ! "$py" -c 'import pandas, numpy' 2>/dev/null; then
	have_pandas=0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/moonscope-btreplay.XXXXXX")
cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "bt_replay: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
mkdir -p "$out"
db=$tmp/store.db

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# column $1 of TSV file $2, median
col_median() { cut -f"$1" "$2" | median; }
# min and max of column $1 of TSV file $2
col_range() { cut -f"$1" "$2" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s", lo, hi }'; }

hr
say "2018 weekly moonshot replay: moonscope vs a pandas peer"
hr
say "store: $cli --db STORE import $universe"
"$cli" --db "$db" import "$universe" >"$tmp/import.log" 2>&1 ||
	{ cat "$tmp/import.log" >&2; die "import failed"; }
say "  $(grep -m1 '^total:' "$tmp/import.log" || tail -n1 "$tmp/import.log")"

ms_cmd=("$cli" --db "$db" backtest moonshots --rebalance weekly)
peer_cmd=("$py" "$here/bt_pandas_peer.py" "$db")
say "moonscope: ${ms_cmd[*]} --report DIR"
say "peer:      ${peer_cmd[*]} --out DIR"

# The reference runs (untimed warm-ups of both).
"${ms_cmd[@]}" --report "$tmp/ms.ref" >"$tmp/ms.ref.log" 2>&1 ||
	{ tail -n 20 "$tmp/ms.ref.log" >&2; die "moonscope backtest failed"; }
if [ "$have_pandas" = 1 ]; then
	"${peer_cmd[@]}" --out "$tmp/peer.ref" >"$tmp/peer.ref.log" 2>&1 ||
		{ tail -n 20 "$tmp/peer.ref.log" >&2; die "the pandas peer failed"; }
	hr
	say "check: the peer's decisions, per-pick returns, daily equity and metrics against moonscope's report"
	if ! "$py" "$here/bt_replay_check.py" "$tmp/ms.ref" "$tmp/peer.ref" >"$out/check.txt" 2>&1; then
		cat "$out/check.txt"
		die "the pandas peer and moonscope disagree (see above); nothing timed"
	fi
	# The headline comparisons, then anything not plainly ok.
	grep -E '^  ok   (decisions|picks.trader_grade|picks.return_net|periods.equity|summary):' "$out/check.txt" || true
	grep -v '^  ok' "$out/check.txt" || true
	say "  ($(grep -c '^  ok' "$out/check.txt") comparisons ok; every one in $out/check.txt)"
	if [ "${BT_EXTRA_CHECKS:-0}" = 1 ]; then
		# Untimed: the same check on configurations that reach rules the
		# acceptance run does not (picks that die, unfilled picks, partial
		# write-offs, a zero-cost run, a daily rebalance).
		extra=(
			"--top 50 --max-market-cap 1e7"
			"--top 100 --hold 14 --delist-days 10 --delist-haircut 0.5"
			"--top 500 --max-market-cap 1e6 --hold 7 --delist-days 3"
			"--capital 1e7"
			"--spread-bps 0 --impact 0"
			"--rebalance daily"
		)
		n=0
		for args in "${extra[@]}"; do
			n=$((n + 1))
			# shellcheck disable=SC2086 # args is a list of options
			"${ms_cmd[@]}" $args --report "$tmp/ms.x$n" >"$tmp/ms.x$n.log" 2>&1 ||
				{ tail -n 20 "$tmp/ms.x$n.log" >&2; die "moonscope failed with $args"; }
			# shellcheck disable=SC2086
			"${peer_cmd[@]}" $args --out "$tmp/peer.x$n" >"$tmp/peer.x$n.log" 2>&1 ||
				{ tail -n 20 "$tmp/peer.x$n.log" >&2; die "the peer failed with $args"; }
			if ! "$py" "$here/bt_replay_check.py" "$tmp/ms.x$n" "$tmp/peer.x$n" >"$out/check.x$n.txt" 2>&1; then
				grep -v '^  ok' "$out/check.x$n.txt"
				die "the pandas peer and moonscope disagree with $args"
			fi
			say "  also agrees with $args: $(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "status") c = i; next } { n++; s[$c]++ } END { printf "%d picks", n; for (k in s) printf ", %d %s", s[k], k }' "$tmp/ms.x$n/picks.csv")"
		done
	fi
else
	hr
	say "peer: skipped: $py cannot import pandas and numpy (apt-get install python3-pandas; infra/install-deps.sh --bench lists it)"
fi

hr
say "timing: $runs runs each, interleaved; load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
: >"$tmp/ms.tsv"
: >"$tmp/peer.tsv"
: >"$tmp/peer_in.tsv"
for i in $(seq 1 "$runs"); do
	rm -rf "$tmp/ms.run"
	line=$("$py" "$here/report.py" run "$tmp/ms.run.log" "${ms_cmd[@]}" --report "$tmp/ms.run") ||
		{ tail -n 20 "$tmp/ms.run.log" >&2; die "moonscope run $i failed"; }
	printf '%s\n' "$line" >>"$tmp/ms.tsv"
	msg="  run $i: moonscope $(cut -f1 <<<"$line") s"
	if [ "$have_pandas" = 1 ]; then
		rm -rf "$tmp/peer.run"
		line=$("$py" "$here/report.py" run "$tmp/peer.run.log" "${peer_cmd[@]}" --out "$tmp/peer.run") ||
			{ tail -n 20 "$tmp/peer.run.log" >&2; die "peer run $i failed"; }
		printf '%s\n' "$line" >>"$tmp/peer.tsv"
		awk '$1 == "peer" { printf "%s\t%s\t%s\n", $2, $3, $4 }' "$tmp/peer.run.log" >>"$tmp/peer_in.tsv"
		msg="$msg, pandas peer $(cut -f1 <<<"$line") s (in-process $(tail -n1 "$tmp/peer_in.tsv" | cut -f3 | xargs printf '%.3f') s)"
	fi
	say "$msg"
done

ms_wall=$(col_median 1 "$tmp/ms.tsv")
ms_cpu=$(col_median 2 "$tmp/ms.tsv")
ms_rss=$(col_median 3 "$tmp/ms.tsv")
hr
{
	say "2018 weekly replay ($(grep -c . "$tmp/ms.ref/rebalances.csv" | awk '{ print $1 - 1 }') rebalance dates, $(grep -c . "$tmp/ms.ref/picks.csv" | awk '{ print $1 - 1 }') picks; medians of $runs runs, wall range in brackets; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
	say ""
	say "| | wall s | CPU s | peak RSS MiB |"
	say "|---|---|---|---|"
	printf '| moonscope (C) | %.3f (%s) | %.3f | %.0f |\n' "$ms_wall" "$(col_range 1 "$tmp/ms.tsv")" "$ms_cpu" "$(awk -v k="$ms_rss" 'BEGIN { print k / 1024 }')"
	if [ "$have_pandas" = 1 ]; then
		pe_wall=$(col_median 1 "$tmp/peer.tsv")
		pe_cpu=$(col_median 2 "$tmp/peer.tsv")
		pe_rss=$(col_median 3 "$tmp/peer.tsv")
		pe_load=$(col_median 1 "$tmp/peer_in.tsv")
		pe_comp=$(col_median 2 "$tmp/peer_in.tsv")
		pe_tot=$(col_median 3 "$tmp/peer_in.tsv")
		printf '| pandas peer, whole process | %.3f (%s) | %.3f | %.0f |\n' "$pe_wall" "$(col_range 1 "$tmp/peer.tsv")" "$pe_cpu" "$(awk -v k="$pe_rss" 'BEGIN { print k / 1024 }')"
		printf '| pandas peer, in-process load (SQL into DataFrames) | %.3f | | |\n' "$pe_load"
		printf '| pandas peer, in-process compute | %.3f | | |\n' "$pe_comp"
		printf '| pandas peer, in-process load + compute | %.3f | | |\n' "$pe_tot"
		printf '| pandas peer, interpreter start + imports + writing | %.3f | | |\n' "$(awk -v a="$pe_wall" -v b="$pe_tot" 'BEGIN { print a - b }')"
		say ""
		awk -v m="$ms_wall" -v p="$pe_wall" -v t="$pe_tot" -v mc="$ms_cpu" -v pc="$pe_cpu" '
		function said(r, what) {
			if (r >= 1)
				return sprintf("moonscope takes %.2fx the time of the pandas peer%s: pandas is %.2fx faster", r, what, r)
			return sprintf("moonscope takes %.2fx the time of the pandas peer%s: moonscope is %.2fx faster", r, what, 1 / r)
		}
		BEGIN {
			printf "ratio moonscope / pandas, wall, whole processes: %.3f / %.3f = %.2f; pandas / moonscope = %.2f\n", m, p, m / p, p / m
			print "  " said(m / p, "")
			printf "ratio moonscope / pandas, CPU, whole processes: %.3f / %.3f = %.2f; pandas / moonscope = %.2f\n", mc, pc, mc / pc, pc / mc
			print "  " said(mc / pc, " in CPU time")
			printf "ratio moonscope wall / pandas in-process load + compute: %.3f / %.3f = %.2f; inverse %.2f\n", m, t, m / t, t / m
			print "  " said(m / t, " without its interpreter start and imports")
		}'
	fi
} | tee "$out/summary.md"
hr
