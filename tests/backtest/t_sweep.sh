#!/usr/bin/env bash
# tests/backtest/t_sweep.sh — `moonscope backtest sweep` and `merge` on the
# 2018 all-coin universe, with a grid of 8 variants (top 5/10 x hold
# 14/28 days x sort by trader grade / 30-day ROI, weekly, under $100M):
#   - --jobs 1 and --jobs 2 write byte-identical reports and summaries;
#   - shards 1/2 and 2/2 (run with different --jobs, merged in reverse
#     order) give the same bytes as the unsharded run;
#   - merge refuses an incomplete set, a shard given twice and a shard of
#     another store version; sweep refuses --shard without --out and an
#     invalid grid value (usage errors, exit 2);
#   - tests/backtest/ref_sweep.py recomputes every variant's series metrics
#     and the deflated Sharpe ratio of the best from returns.csv with
#     numpy/scipy at a relative 1e-9 (and fails on a tampered report);
#   - the best variant equals a separate `backtest moonshots` run with
#     the same options (the sweep runs the same code).
# About 25 s on 2 idle cores (50 s when the machine is busy). Run from the
# repository root (tests/backtest/run.sh does); env MS_BIN, MS_DATA, PY. Exit 0 pass, 77 skip, 1 fail.
set -u
MS_BIN=${MS_BIN:-$PWD/build/moonscope}
MS_DATA=${MS_DATA:-$PWD/../shared/data}
PY=${PY:-/usr/bin/python3}
REF=tests/backtest/ref_sweep.py
SRC=$MS_DATA/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz

fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
# to OUT ERR CMD...: runs CMD with stdout in OUT and stderr in ERR.
to() { local o=$1 e=$2; shift 2; "$@" >"$o" 2>"$e"; }

if [ ! -f "$SRC" ]; then
	echo "SKIP t_sweep: $SRC is absent (no real data)"
	exit 77
fi
if ! "$PY" -c 'import numpy, scipy.stats' 2>/dev/null; then
	echo "SKIP t_sweep: $PY lacks numpy/scipy (apt-get install python3-numpy python3-scipy)"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
db=$tmp/u2018.db
if ! "$MS_BIN" --db "$db" import "$SRC" >"$tmp/import.log" 2>&1; then
	cat "$tmp/import.log"
	echo "not ok - import of $SRC"
	exit 1
fi

grid=(--grid top=5,10 --grid hold=14,28 --grid sort=trader_grade,roi_30d
	--rebalance weekly --max-market-cap 1e8 --bootstrap 0)
sweep() { "$MS_BIN" --db "$db" backtest sweep "${grid[@]}" "$@"; }
files="sweep.json variants.csv returns.csv summary.md report.html"

# Same bytes, whatever the report directory's name in the last line.
same_report() {
	local a=$1 b=$2 f
	for f in $files; do
		cmp -s "$a/$f" "$b/$f" || { echo "  $a/$f and $b/$f differ"; return 1; }
	done
	cmp -s <(sed "s#$a/{#DIR/{#" "$a.md") <(sed "s#$b/{#DIR/{#" "$b.md") ||
		{ echo "  stdout of $a and $b differ"; return 1; }
}

start=$(date +%s)
check "sweep --jobs 1 (8 variants)" \
	to "$tmp/j1.md" "$tmp/j1.err" sweep --jobs 1 --report "$tmp/j1"
check "sweep --jobs 2" \
	to "$tmp/j2.md" "$tmp/j2.err" sweep --jobs 2 --report "$tmp/j2"
check "--jobs 1 and --jobs 2: byte-identical report and summary" \
	same_report "$tmp/j1" "$tmp/j2"

check "sweep --shard 1/2 --jobs 1" \
	to /dev/null "$tmp/s1.err" sweep --shard 1/2 --jobs 1 --out "$tmp/s1.json"
check "sweep --shard 2/2 --jobs 2" \
	to /dev/null "$tmp/s2.err" sweep --shard 2/2 --jobs 2 --out "$tmp/s2.json"
check "merge s2 s1" \
	to "$tmp/m.md" "$tmp/m.err" "$MS_BIN" backtest merge "$tmp/s2.json" \
	"$tmp/s1.json" --report "$tmp/m"
check "merge of 2/2 and 1/2 = the unsharded run, byte for byte" \
	same_report "$tmp/j1" "$tmp/m"
"$MS_BIN" backtest merge "$tmp/s1.json" "$tmp/s2.json" --json >"$tmp/m.json"
check "merge --json = sweep.json" cmp -s "$tmp/m.json" "$tmp/j1/sweep.json"

# What merge and sweep must refuse.
"$MS_BIN" backtest merge "$tmp/s1.json" >/dev/null 2>"$tmp/e1"
rc=$?
check "merge of 1/2 alone fails (variants missing)" \
	test $rc -eq 1 -a -n "$(grep missing "$tmp/e1")"
"$MS_BIN" backtest merge "$tmp/s1.json" "$tmp/s1.json" "$tmp/s2.json" \
	>/dev/null 2>"$tmp/e2"
rc=$?
check "merge with a shard given twice fails" \
	test $rc -eq 1 -a -n "$(grep 'two shards' "$tmp/e2")"
sed 's/"data_version":[0-9]*/"data_version":999/' "$tmp/s2.json" >"$tmp/s2x.json"
"$MS_BIN" backtest merge "$tmp/s1.json" "$tmp/s2x.json" >/dev/null 2>"$tmp/e3"
rc=$?
check "merge with a shard of another store version fails" \
	test $rc -eq 1 -a -n "$(grep 'data version' "$tmp/e3")"
sweep --shard 1/2 >/dev/null 2>&1
rc=$?
check "sweep --shard without --out is a usage error" test $rc -eq 2
"$MS_BIN" --db "$db" backtest sweep --grid top=5,x >/dev/null 2>"$tmp/e4"
rc=$?
check "an invalid grid value is a usage error naming it" \
	test $rc -eq 2 -a -n "$(grep 'top=x' "$tmp/e4")"

# The independent recomputation, and that it can fail.
if "$PY" "$REF" "$tmp/j1" >"$tmp/ref.txt" 2>&1; then
	ok "ref_sweep.py: $(tail -1 "$tmp/ref.txt" | sed 's/^ref_sweep: //')"
else
	cat "$tmp/ref.txt"
	not_ok "ref_sweep.py on the report"
fi
cp -r "$tmp/j1" "$tmp/bad"
"$PY" - "$tmp/bad/variants.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
i = rows[0].index("cagr")
rows[1][i] = repr(float(rows[1][i]) * (1 + 1e-7))
csv.writer(open(sys.argv[1], "w", newline=""), lineterminator="\n").writerows(rows)
EOF
"$PY" "$REF" "$tmp/bad" --quiet >/dev/null 2>&1
rc=$?
check "ref_sweep.py fails on a CAGR changed by 1e-7" test $rc -eq 1

# The best variant is exactly a `backtest moonshots` run.
mapfile -t best < <("$PY" - "$tmp/j1/sweep.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for k, v in d["best"]["values"].items():
    print("--" + k.replace("_", "-"))
    print(v)
EOF
)
"$MS_BIN" --db "$db" backtest moonshots --rebalance weekly --max-market-cap 1e8 \
	--bootstrap 0 "${best[@]}" --json >"$tmp/best.json" 2>/dev/null
"$PY" - "$tmp/j1/sweep.json" "$tmp/best.json" >"$tmp/same.txt" 2>&1 <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["best"]
m = json.load(open(sys.argv[2]))
p, k = m["metrics"]["portfolio"], m["metrics"]["picks"]
pairs = [("sharpe", p["sharpe"]), ("cagr", p["cagr"]),
         ("total_return", p["total_return"]),
         ("max_drawdown", p["max_drawdown"]), ("sortino", p["sortino"]),
         ("final_equity_usd", p["final_equity_usd"]),
         ("picks", k["count"]), ("win_rate", k["win_rate"])]
bad = [n for n, v in pairs if s["metrics"][n] != v]
bad += [n for n in ("from", "to") if s[n] != m["parameters"][n]]
print("best variant %d (%s) vs backtest moonshots: %s" % (
    s["index"], ", ".join("%s=%s" % kv for kv in s["values"].items()),
    "identical" if not bad else "DIFFERENT: " + ", ".join(bad)))
sys.exit(1 if bad else 0)
EOF
rc=$?
check "$(cat "$tmp/same.txt")" test $rc -eq 0

dsr=$(grep -o 'DSR = [0-9.n/a]*' "$tmp/j1.md" | head -1)
echo "# 2018 grid of 8 variants: $dsr; $(( $(date +%s) - start )) s for the runs"
[ "$fails" -eq 0 ]
