#!/usr/bin/env bash
# t_moonshots_top200.sh — the moonshot replay over the monthly top-200
# snapshots 2020-01..2025-10 (issue 5 acceptance): --rebalance snapshots
# (rebalanced on each snapshot, held until the next), under $100M, the
# default left rule (bound). Checks the report files, recomputes every
# date's counts and every pick's status, exit price and returns from the
# raw file (ref_top200.py), and checks that the dead coins of 2022 (LUNA,
# UST, CEL, FTT) are priced through their collapse, not skipped.
# Run from the repository root (tests/backtest/run.sh does); env MS_BIN,
# MS_DATA, PY. Exit 0 pass, 77 skip (data absent), 1 fail.
set -u
bin=${MS_BIN:-build/moonscope}
data=${MS_DATA:-../shared/data}
py=${PY:-/usr/bin/python3}
raw=$data/pit_universe/cmc_top200_monthly_2020-01_2025-10.csv.gz
cg=$data/majors_daily/coingecko_usd_max_daily_62coins.csv.gz
if [ ! -r "$raw" ]; then
	echo "skip: $raw is absent (the real data folder is not here)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t_top200.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
# field NAME FILE: the value of column NAME on lines matching $3 (awk).
col() { awk -F, -v c="$1" -v pat="$3" 'NR == 1 { for (i = 1; i <= NF; i++)
	if ($i == c) k = i; next } $0 ~ pat { print $k }' "$2"; }

db=$tmp/t200.db
if ! "$bin" --db "$db" import "$raw" >"$tmp/import.log" 2>&1; then
	not_ok "import of $raw"
	cat "$tmp/import.log"
	exit 1
fi
ok "import of the monthly top-200 snapshots"

out=$tmp/report
if "$bin" --db "$db" backtest moonshots --rebalance snapshots \
    --max-market-cap 100000000 --report "$out" >"$tmp/run.md" 2>"$tmp/run.err"; then
	ok "backtest moonshots --rebalance snapshots (monthly, <\$100M, hold until the next snapshot)"
else
	not_ok "backtest moonshots --rebalance snapshots (exit $?)"
	cat "$tmp/run.err"
	exit 1
fi
missing=
for f in summary.json summary.md picks.csv periods.csv rebalances.csv report.html; do
	[ -s "$out/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then
	ok "report: summary.json summary.md picks.csv periods.csv rebalances.csv report.html"
else
	not_ok "report files missing:$missing"
fi
if grep -q '"schema":[[:space:]]*"moonscope.backtest.moonshots"' "$out/summary.json" &&
    grep -q '"rebalance":[[:space:]]*"snapshots"' "$out/summary.json" &&
    grep -q '"hold":[[:space:]]*"next"' "$out/summary.json" &&
    grep -q '"left_rule":[[:space:]]*"bound"' "$out/summary.json"; then
	ok "summary.json: schema, rebalance snapshots, hold next, left rule bound"
else
	not_ok "summary.json parameters"
fi
if grep -q 'left the universe' "$out/summary.md" && grep -q 'upper bound' "$out/summary.md"; then
	ok "summary.md says how many picks left and that their value is an upper bound"
else
	not_ok "summary.md lacks the left picks"
fi

# Every count and every pick, recomputed from the raw file.
if "$py" tests/backtest/ref_top200.py "$raw" "$out" >"$tmp/ref.log" 2>&1; then
	sed 's/^/  /' "$tmp/ref.log"
	ok "independent recomputation from the raw file (ref_top200.py)"
else
	cat "$tmp/ref.log"
	not_ok "independent recomputation from the raw file (ref_top200.py)"
fi

# The round trip in snapshot mode: the run's picks judged by `backtest
# picks --hold next` (until the next snapshot, the same left rule).
if "$bin" --db "$db" backtest picks "$out/picks.csv" --hold next \
    --bootstrap 0 --report "$tmp/judged" >/dev/null 2>"$tmp/judged.err" &&
    "$py" - "$out/picks.csv" "$tmp/judged/picks.csv" <<'EOF'
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
keys = ("asset", "return_gross", "return_net", "max_gain", "status",
        "exit_date", "exit_price", "unsold_share")
bad = [(x["date"], x["asset"], k) for x, y in zip(a, b) for k in keys
       if x[k] != y[k]]
print("# %d picks, %d differences %s" % (len(a), len(bad), bad[:3]))
sys.exit(1 if len(a) != len(b) or not a or bad else 0)
EOF
then
	ok "round trip: backtest picks --hold next gives the run's returns, statuses and exits (left included)"
else
	not_ok "round trip in snapshot mode"
	cat "$tmp/judged.err"
fi

# Dead coins priced through their collapse. Every top-200 coin of
# 2022-05-01 bought (no cap filter), held to 2022-06-01.
c22=$tmp/may22
"$bin" --db "$db" backtest moonshots --rebalance snapshots --from 2022-05-01 \
    --to 2022-05-01 --min-market-cap 1e8 --max-market-cap 1e15 \
    --sort market_cap --top 200 --bootstrap 0 --report "$c22" >/dev/null 2>&1
# LUNA (terra-luna, 82.24 on 2022-05-01) is absent from 2022-06-01 (it
# returns as LUNC in 2022-10): left, valued at its bound.
luna=$(col return_gross "$c22/picks.csv" ',terra-luna,')
luna_st=$(col status "$c22/picks.csv" ',terra-luna,')
ust=$(col return_gross "$c22/picks.csv" ',terrausd,')
ust_st=$(col status "$c22/picks.csv" ',terrausd,')
cel=$(col return_gross "$c22/picks.csv" ',celsius,')
if [ "$luna_st" = left ] && awk -v r="$luna" 'BEGIN { exit !(r < -0.99) }'; then
	ok "LUNA bought 2022-05-01: left the top 200 in June, valued at its bound: gross $luna"
else
	not_ok "LUNA not priced through its collapse ($luna_st $luna)"
fi
# UST stays in the data as USTC: priced at USTC's 0.01606.
if [ "$ust_st" = held ] && "$py" -c "import sys; sys.exit(not abs($ust - (0.01605858 / 1.00164923 - 1)) < 1e-12)"; then
	ok "UST bought 2022-05-01, sold 2022-06-01 as USTC: gross $ust (= 0.01605858 / 1.00164923 - 1)"
else
	not_ok "UST/USTC not priced through its collapse ($ust_st $ust)"
fi
if "$py" -c "import sys; sys.exit(not abs($cel - (0.71498379 / 2.08507857 - 1)) < 1e-12)"; then
	ok "CEL bought 2022-05-01: gross $cel (= 0.71498379 / 2.08507857 - 1)"
else
	not_ok "CEL: gross ${cel:-missing}"
fi
# FTT, 2022-11-01 (25.87, cap 3.44e9), is never in a snapshot again.
c22=$tmp/nov22
"$bin" --db "$db" backtest moonshots --rebalance snapshots --from 2022-11-01 \
    --to 2022-11-01 --min-market-cap 1e8 --max-market-cap 1e15 \
    --sort market_cap --top 200 --bootstrap 0 --report "$c22" >/dev/null 2>&1
ftt=$(col return_gross "$c22/picks.csv" ',ftx-token,')
ftt_st=$(col status "$c22/picks.csv" ',ftx-token,')
if [ "$ftt_st" = left ] && awk -v r="$ftt" 'BEGIN { exit !(r < -0.95) }'; then
	ok "FTT bought 2022-11-01: left, valued at its bound: gross $ftt"
else
	not_ok "FTT not priced through its collapse ($ftt_st $ftt)"
fi
# With CoinGecko's daily lunc series in the store, LUNA is marked daily
# between the snapshots and sold on 2022-06-01 at 0.0001.
if [ -r "$cg" ]; then
	cp "$db" "$tmp/mix.db"
	"$bin" --db "$tmp/mix.db" import "$cg" >/dev/null 2>&1
	"$bin" --db "$tmp/mix.db" backtest moonshots --rebalance snapshots \
	    --from 2022-05-01 --to 2022-05-01 --min-market-cap 1e8 \
	    --max-market-cap 1e15 --sort market_cap --top 200 --bootstrap 0 \
	    --report "$tmp/mix" >/dev/null 2>&1
	luna=$(col return_gross "$tmp/mix/picks.csv" ',terra-luna,')
	luna_st=$(col status "$tmp/mix/picks.csv" ',terra-luna,')
	if [ "$luna_st" = held ] && awk -v r="$luna" 'BEGIN { exit !(r < -0.9999) }'; then
		ok "LUNA with daily bars (CoinGecko lunc): held through the collapse, gross $luna"
	else
		not_ok "LUNA with daily bars: $luna_st $luna"
	fi
else
	echo "# $cg absent: the daily-marking check is skipped"
fi

echo "---- figures (monthly top-200, <\$100M, rebalanced on snapshots) ----"
"$py" - "$out/summary.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
m, p = s["metrics"], s["metrics"]["picks"]
lz = m["left_zero"] or {}
print("dates %d; picks %d, judged %d, died %d, left %d (valued at an upper bound)"
      % (s["run"]["rebalance_dates"], p["count"], p["judged"], p["died"], p["left"]))
print("portfolio total %+.1f%% (left at zero: %+.1f%%), bitcoin %+.1f%%, "
      "universe basket %+.1f%%" % (100 * m["portfolio"]["total_return"],
      100 * lz.get("total_return", float("nan")),
      100 * m["benchmarks"]["asset"]["total_return"],
      100 * m["benchmarks"]["universe"]["total_return"]))
print("picks: mean %+.1f%%, median %+.1f%%, win rate %.1f%%"
      % (100 * p["mean_return"], 100 * p["median_return"], 100 * p["win_rate"]))
EOF
echo "----"
[ "$fails" -eq 0 ]
