#!/usr/bin/env bash
# t_grades.sh — `moonscope backtest grades` over the 2018 all-coin universe
# (pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz, dead coins
# included): weekly dates, 28-day forward returns, the full report; then
# ref_grades.py recomputes every IC, decile, mean, standard deviation and
# t-statistic from the report's per-asset inputs (grades_returns.csv) with
# scipy at a relative 1e-9, and checks those inputs against the raw file
# (every coin with a close on a date is in, with its close and the forward
# return of the delisting rule). Also: summary.json through --json, and
# usage errors exit 2.
# Environment: MS_BIN, MS_DATA, PY (see run.sh). Exit 0 pass, 77 skip.
set -u
MS_BIN=${MS_BIN:-build/moonscope}
MS_DATA=${MS_DATA:-../shared/data}
PY=${PY:-/usr/bin/python3}
RAW=$MS_DATA/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz
if [ ! -r "$RAW" ]; then
	echo "SKIP t_grades: $RAW is absent (the real data folder is not here)"
	exit 77
fi
if ! "$PY" -c 'import numpy, scipy' 2>/dev/null; then
	echo "SKIP t_grades: $PY lacks numpy/scipy (apt-get install" \
	    "python3-numpy python3-scipy)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok $*"; }
notok() { echo "not ok $*"; fail=1; }

"$MS_BIN" --db "$tmp/u.db" import "$RAW" >"$tmp/import.log" 2>&1 ||
	{ cat "$tmp/import.log"; echo "not ok import"; exit 1; }
ok "import the 2018 universe"

start=$(date +%s.%N)
if "$MS_BIN" --db "$tmp/u.db" backtest grades --every 7 --horizon 28 \
    --report "$tmp/rep" >"$tmp/out.md" 2>"$tmp/err"; then
	ok "backtest grades --every 7 --horizon 28 --report ($(awk -v a="$start" \
	    -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s)"
else
	cat "$tmp/err"; notok "backtest grades exited $?"
fi
for f in summary.json ic.csv deciles.csv grades_returns.csv summary.md report.html; do
	[ -s "$tmp/rep/$f" ] && ok "report has $f" || notok "report lacks $f"
done
"$PY" - "$tmp/rep/report.html" <<'EOF' && ok "report.html is well-formed, offline, with its charts" || notok "report.html"
import re, sys, xml.dom.minidom
h = open(sys.argv[1]).read()
xml.dom.minidom.parseString(h)
assert "<script" not in h and "http://" not in h.replace("http://www.w3.org/", "")
assert len(re.findall("<svg ", h)) >= 3
EOF
sed -n '/^| series/,/^$/p' "$tmp/out.md"
grep -q "died" "$tmp/out.md" && ok "the summary counts the coins that died" ||
	notok "summary lacks the died count"

"$PY" tests/backtest/ref_grades.py "$tmp/rep" "$RAW" || fail=1

"$PY" - "$tmp/rep/summary.json" <<'EOF' && ok "summary.json: schema, 18 dates, dead coins counted" || notok "summary.json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "moonscope.backtest.grades" and d["schema_version"] == 1
assert d["run"]["dates"] == 18, d["run"]
assert d["run"]["died"] > 0, d["run"]
assert set(d["metrics"]) == {"trader", "investor", "momentum_7d",
    "momentum_30d", "trend", "volume_trend", "risk_adjusted", "size",
    "liquidity", "drawdown", "age", "volatility"}
EOF

if "$MS_BIN" --db "$tmp/u.db" backtest grades --from 2018-03-07 \
    --to 2018-03-07 --json >"$tmp/one.json" 2>"$tmp/err" &&
    "$PY" - "$tmp/one.json" "$tmp/rep/ic.csv" <<'EOF'
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = {r["series"]: r for r in csv.DictReader(open(sys.argv[2]))
        if r["date"] == "2018-03-07"}
assert d["run"]["dates"] == 1
for s, m in d["metrics"].items():
    ic = rows[s]["ic"]
    assert (m["mean_ic"] is None and ic == "") or m["mean_ic"] == float(ic), s
EOF
then
	ok "--json of one date equals that date's row of the weekly run"
else
	cat "$tmp/err"; notok "one-date run"
fi

for args in "--every 0" "--horizon 731" "--from 2018-02-30" "--delist-haircut 2" \
    "--bogus 1"; do
	# shellcheck disable=SC2086
	"$MS_BIN" --db "$tmp/u.db" backtest grades $args >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q -- "${args%% *}" "$tmp/err" &&
		ok "usage error '$args' exits 2 naming the option" ||
		notok "'$args': exit $rc: $(head -1 "$tmp/err")"
done
exit $fail
