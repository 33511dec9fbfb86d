#!/usr/bin/env bash
# tests/backtest/t_forecasts.sh — `moonscope backtest forecasts` end to end
# on the real daily majors 2013–2021 (the issue's acceptance run):
#
#  1. imports majors_daily/kaggle_cmc_23coins_daily_2013-04-29_2021-07-06
#     into a scratch store;
#  2. walk-forward over BTC, ETH, XRP, LTC, DOGE with naive, drift, ewma
#     and garch at 7, 30 and 90 days, origins every 30 days from
#     2014-04-29 (the first day + 365) to 2021-04-07 (the last day - 90),
#     with --report; prints the run time and the coverage / skill tables;
#  3. checks the report files and recomputes every metric from
#     forecasts.csv with numpy/scipy (ref_forecasts.py, relative 1e-9),
#     including the prices and realised closes read back from the store;
#  4. the look-ahead guard (--check-lookahead) over a year of origins;
#  5. --recorded: records two days with `moonscope daily`, judges them,
#     recomputes the metrics, and checks the recorded forecasts are the
#     walk-forward's on the same days, quantile for quantile;
#  6. usage errors exit 2.
# Run from the repository root (tests/backtest/run.sh does); env MS_BIN,
# MS_DATA, PY. Exit 0 pass, 77 skip (data or numpy/scipy absent), 1 fail.
set -u
MS_BIN=${MS_BIN:-$PWD/build/moonscope}
MS_DATA=${MS_DATA:-$PWD/../shared/data}
PY=${PY:-/usr/bin/python3}
REF=tests/backtest/ref_forecasts.py
SRC=$MS_DATA/majors_daily/kaggle_cmc_23coins_daily_2013-04-29_2021-07-06.csv.gz

if [ ! -r "$SRC" ]; then
	echo "skip: $SRC is absent (the real data folder is not here)"
	exit 77
fi
if ! "$PY" -c 'import numpy, scipy' 2>/dev/null; then
	echo "skip: $PY lacks numpy/scipy (Debian python3-numpy python3-scipy)"
	exit 77
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/ms_t_forecasts.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
DB=$T/majors.db
fail=0
ok() { echo "ok $*"; }
nok() { echo "not ok $*"; fail=1; }
ms() { "$MS_BIN" --db "$DB" "$@"; }

# 1. the store
if ms import "$SRC" > "$T/import.log" 2>&1; then
	ok "import the daily majors 2013-2021"
else
	nok "import failed:"; cat "$T/import.log"
	exit 1
fi

# 2. the acceptance run
start=$(date +%s%N)
ms backtest forecasts --assets BTC,ETH,XRP,LTC,DOGE \
    --models naive,drift,ewma,garch --horizons 7,30,90 --step 30 \
    --report "$T/wf" > "$T/wf.md" 2> "$T/wf.err"
rc=$?
secs=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
if [ $rc -eq 0 ]; then
	ok "walk-forward BTC ETH XRP LTC DOGE x 4 models x 7/30/90 days: ${secs} s"
else
	nok "walk-forward exit $rc"; cat "$T/wf.err"
fi
grep 'forecasts/s' "$T/wf.err"
for f in summary.json forecasts.csv summary.md report.html; do
	if [ -s "$T/wf/$f" ]; then ok "report has $f"; else nok "report lacks $f"; fi
done

# 3. the files' contents and the independent recomputation
"$PY" - "$T/wf" <<'EOF' && ok "summary.json: schema, 5 assets, 4 models x 3 horizons judged" || nok "summary.json contents"
import json, sys
d = json.load(open(sys.argv[1] + "/summary.json"))
assert d["schema"] == "moonscope.backtest.forecasts" and d["schema_version"] == 1
assert d["mode"] == "walk_forward"
p = d["parameters"]
assert p["from"] == "2014-04-29" and p["to"] == "2021-04-07" and p["step"] == 30, p
assert sorted(p["assets"]) == ["bitcoin", "dogecoin", "ethereum", "litecoin", "ripple"], p["assets"]
assert p["models"] == ["naive", "drift", "ewma", "garch"] and p["horizons"] == [7, 30, 90]
c = d["counts"]
assert c["origins"] == 85 and c["forecasts"] > 4000 and c["judged"] == c["forecasts"], c
assert c["sample_mismatch"] == 0
for m in p["models"]:
    for h in p["horizons"]:
        s = d["metrics"][m]["h%d" % h]
        assert s["judged"] > 300, (m, h, s["judged"])
        for k in ("coverage_50", "coverage_80", "coverage_90", "crps", "skill_crps",
                  "skill_pinball", "skill_rmse", "mape", "rmse_log"):
            assert isinstance(s[k], float) or s[k] == 0, (m, h, k, s[k])
    for a in p["assets"]:
        assert d["by_asset"][a][m]["h30"]["judged"] > 40, (a, m)
rows = sum(1 for _ in open(sys.argv[1] + "/forecasts.csv")) - 1
assert rows == c["forecasts"], (rows, c["forecasts"])
EOF
if grep -q '^## Coverage of the central intervals' "$T/wf/summary.md" &&
    grep -q '^## Accuracy and skill against naive' "$T/wf/summary.md" &&
    head -c "$(wc -c < "$T/wf/summary.md")" "$T/wf.md" |
    cmp -s - "$T/wf/summary.md"; then
	ok "summary.md has the coverage and skill tables (and is what was printed)"
else
	nok "summary.md"
fi
if [ "$(grep -o '<svg' "$T/wf/report.html" | wc -l)" -ge 7 ] &&
    grep -q 'Interval coverage, h = 90 days' "$T/wf/report.html" &&
    ! grep -qi '<script' "$T/wf/report.html" &&
    [ -z "$(grep -o 'https\?://[^" ]*' "$T/wf/report.html" |
    grep -v '^http://www.w3.org/2000/svg$')" ]; then
	ok "report.html: calibration charts, no script, no network"
else
	nok "report.html"
fi
if "$PY" "$REF" "$T/wf" --db "$DB"; then
	ok "every metric recomputed by ref_forecasts.py (numpy/scipy)"
else
	nok "ref_forecasts.py disagrees"
fi
echo "--- coverage and skill (walk-forward, daily majors 2014-04-29..2021-04-07)"
sed -n '/^## Coverage/,/^## Calibration/p' "$T/wf/summary.md" | sed '$d'

# 4. the look-ahead guard
if ms backtest forecasts --assets BTC,ETH,DOGE --from 2018-01-01 \
    --to 2018-12-31 --step 73 --check-lookahead --json > "$T/la.json" \
    2> "$T/la.err" &&
    "$PY" -c 'import json,sys; l = json.load(open(sys.argv[1]))["lookahead_check"]; sys.exit(not (l["origins_checked"] == 5 and l["identical"] == 5))' "$T/la.json"; then
	ok "look-ahead: 5 origins x 3 assets x 12 forecasts identical on stores truncated after the origin"
else
	nok "look-ahead check"; cat "$T/la.err"
fi

# 5. recorded forecasts
if ms daily --from 2019-03-01 --to 2019-03-02 > "$T/daily.log" 2>&1 &&
    ms backtest forecasts --recorded --report "$T/rec" > /dev/null \
    2> "$T/rec.err"; then
	ok "--recorded judges what moonscope daily recorded"
else
	nok "--recorded"; cat "$T/daily.log" "$T/rec.err"
fi
if "$PY" "$REF" "$T/rec" --db "$DB"; then
	ok "recorded: every metric recomputed"
else
	nok "recorded: ref_forecasts.py disagrees"
fi
assets=$("$PY" -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))["parameters"]["assets"]))' "$T/rec/summary.json")
if ms backtest forecasts --assets "$assets" --from 2019-03-01 \
    --to 2019-03-02 --step 1 --report "$T/wf2" > /dev/null 2> "$T/wf2.err" &&
    "$PY" - "$T/rec/forecasts.csv" "$T/wf2/forecasts.csv" <<'EOF'
import csv, sys
key = lambda r: (r["origin"], r["asset"], r["model"], r["horizon"])
cols = ["used", "price", "q05", "q10", "q25", "q50", "q75", "q90", "q95",
        "realised_day", "realised"]
rec = dict((key(r), r) for r in csv.DictReader(open(sys.argv[1])))
wf = dict((key(r), r) for r in csv.DictReader(open(sys.argv[2])))
assert len(rec) >= 100 and set(rec) == set(wf), (len(rec), len(wf))
for k in rec:
    for c in cols:
        assert rec[k][c] == wf[k][c], (k, c, rec[k][c], wf[k][c])
print("ok %d recorded forecasts equal the walk-forward's, quantile for quantile" % len(rec))
EOF
then :; else nok "recorded forecasts differ from the walk-forward"; fi

# 6. usage errors
for args in "--step 0" "--models naive,foo" "--horizons 7,,30" \
    "--horizons 3661" "--window 30" "--from 2020-02-30" "--bogus 1" \
    "--assets" "--recorded --check-lookahead" "--from 2020-01-02 --to 2020-01-01"; do
	# shellcheck disable=SC2086
	ms backtest forecasts $args > /dev/null 2> "$T/usage.err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l < "$T/usage.err")" -ge 1 ]; then
		ok "usage error exits 2: $args ($(head -1 "$T/usage.err"))"
	else
		nok "'$args' exit $rc"
	fi
done
if ms backtest forecasts --assets NOSUCHCOIN > /dev/null 2> "$T/nf.err"; then
	nok "an unknown asset is an error"
elif grep -q NOSUCHCOIN "$T/nf.err"; then
	ok "an unknown asset exits 1 naming it"
else
	nok "unknown asset message"
fi

exit $fail
