#!/usr/bin/env bash
# t_claims.sh — `moonscope backtest claims` on real data: the example file
# docs/examples/claims.csv against a store holding only CoinGecko's daily
# file (majors_daily/coingecko_usd_max_daily_62coins.csv.gz).
#
# The acceptance claim "XRP to $33 by 2023-12-31, made 2023-08-01" must be
# a miss, and its figures must equal values taken straight from the raw
# file with zcat and awk: CoinGecko's row of date D is the 00:00 UTC
# snapshot, i.e. the close of D - 1 (data/README.md), so
#   close on 2023-08-01      = the row dated 2023-08-02
#   highest close Aug..Dec   = the largest price of the rows dated
#                              2023-08-03 .. 2024-01-01 (days after made)
#   close on 2023-12-31      = the row dated 2024-01-01.
# ref_claims.py then recomputes every field of every claim from the raw
# file, the hit rate and the Brier scores, and (when build/fn/v1_target is
# built) checks each probability against /v1/target itself.
# Environment: MS_BIN, MS_DATA, PY (see run.sh). Exit 0 pass, 77 skip.
set -u
MS_BIN=${MS_BIN:-build/moonscope}
MS_DATA=${MS_DATA:-../shared/data}
PY=${PY:-/usr/bin/python3}
CG=$MS_DATA/majors_daily/coingecko_usd_max_daily_62coins.csv.gz
EXAMPLE=docs/examples/claims.csv
if [ ! -r "$CG" ]; then
	echo "SKIP t_claims: $CG is absent (the real data folder is not here)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok $*"; }
notok() { echo "not ok $*"; fail=1; }

"$MS_BIN" --db "$tmp/cg.db" import "$CG" >"$tmp/import.log" 2>&1 ||
	{ cat "$tmp/import.log"; echo "not ok import"; exit 1; }
ok "import CoinGecko daily file"

if "$MS_BIN" --db "$tmp/cg.db" backtest claims "$EXAMPLE" \
    --report "$tmp/rep" >"$tmp/out.md" 2>"$tmp/err"; then
	ok "backtest claims $EXAMPLE --report"
else
	cat "$tmp/err"; notok "backtest claims exited $?"
fi
for f in summary.json claims.csv summary.md report.html; do
	[ -s "$tmp/rep/$f" ] && ok "report has $f" || notok "report lacks $f"
done

"$PY" - "$tmp/rep/report.html" <<'EOF' && ok "report.html is well-formed, offline, with its charts" || notok "report.html"
import re, sys, xml.dom.minidom
h = open(sys.argv[1]).read()
xml.dom.minidom.parseString(h)
assert "<script" not in h and "http://" not in h.replace("http://www.w3.org/", "")
assert len(re.findall("<svg ", h)) >= 2
EOF

# The XRP claim, from the raw file.
raw() { zcat "$CG" | awk -F, -v c=xrp '$2 == c' ; }
made_close=$(raw | awk -F, '$1 == "2023-08-02" { print $3 }')
dl_close=$(raw | awk -F, '$1 == "2024-01-01" { print $3 }')
best=$(raw | awk -F, '$1 >= "2023-08-03" && $1 <= "2024-01-01" {
	if (n++ == 0 || $3 + 0 > m + 0) { m = $3; d = $1 } }
	END { print m, d }')
best_price=${best% *}
best_row=${best#* }
best_day=$(date -u -d "$best_row - 1 day" +%F)
echo "# raw CoinGecko XRP: close 2023-08-01 = $made_close (row 2023-08-02);" \
    "highest close 2023-08-02..2023-12-31 = $best_price on $best_day" \
    "(row $best_row); close 2023-12-31 = $dl_close (row 2024-01-01)"
"$PY" - "$tmp/rep/claims.csv" "$made_close" "$best_price" "$best_day" \
    "$dl_close" <<'EOF' || fail=1
import csv, math, re, sys
path, made, best, best_day, close = sys.argv[1:]
rows = [r for r in csv.DictReader(open(path)) if r["symbol"] == "XRP"
        and r["target"] == "33" and r["made"] == "2023-08-01"]
if len(rows) != 1:
    print("not ok the XRP $33 claim is not in claims.csv"); sys.exit(1)
r = rows[0]
bad = 0
def eq(what, got, want):
    """Strings compare as text; numbers (floats, or numeric text from the
    raw file) as doubles: exactly, or at 1e-12 when want was computed."""
    global bad
    if isinstance(want, float):
        same = math.isclose(float(got), want, rel_tol=1e-12)
    elif re.fullmatch(r"[0-9]+(\.[0-9]+)?", want):
        same = float(got) == float(want)
    else:
        same = got == want
    print(("ok " if same else "not ok ") + f"XRP {what}: {got} (want {want})")
    bad += not same
eq("status", r["status"], "miss")
eq("first_hit_date (never)", r["first_hit_date"], "")
eq("close on the day made", r["price_made"], made)
eq("highest close before the deadline", r["best_price"], best)
eq("date of the highest close", r["best_date"], best_day)
eq("close on the deadline", r["deadline_close"], close)
eq("deadline close date", r["deadline_close_date"], "2023-12-31")
eq("target / close", r["target_over_close"], 33 / float(close))
eq("short of the target, %", r["short_pct"], 100 * (33 - float(close)) / 33)
print(f"# XRP $33 by 2023-12-31 (made 2023-08-01): MISS. Close on the "
      f"deadline ${float(close):.4f}: the target was {33 / float(close):.1f}x "
      f"that, {100 * (33 - float(close)) / 33:.2f}% short; best close "
      f"${float(best):.4f} on {best_day} ({100 * float(best) / 33:.2f}% of "
      f"the target). P(touch) naive {r['p_touch_naive']}, drift "
      f"{r['p_touch_drift']}, ewma {r['p_touch_ewma']}, garch "
      f"{r['p_touch_garch']}.")
sys.exit(1 if bad else 0)
EOF
grep -q "missed: close \$0.613556 on 2023-12-31, 98.1% short" "$tmp/out.md" &&
	ok "summary.md says how far XRP fell short" ||
	notok "summary.md lacks the XRP shortfall sentence"

# Every claim, recomputed from the raw file; probabilities = /v1/target.
route=()
if [ -x build/fn/v1_target ]; then
	route=(--route build/fn/v1_target --db "$tmp/cg.db")
else
	echo "# build/fn/v1_target is not built: probabilities not compared" \
	    "with the route"
fi
"$PY" tests/backtest/ref_claims.py "$tmp/rep" "$CG" "${route[@]}" || fail=1

# The same claims as JSON judge the same.
"$PY" - "$EXAMPLE" "$tmp/claims.json" <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    r["target"] = float(r["target"])
json.dump(rows, open(sys.argv[2], "w"), indent=1)
EOF
if "$MS_BIN" --db "$tmp/cg.db" backtest claims "$tmp/claims.json" --json \
    >"$tmp/j.json" 2>"$tmp/err" &&
    "$PY" - "$tmp/rep/summary.json" "$tmp/j.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
strip = lambda d: [{k: v for k, v in c.items() if k != "line"}
                   for c in d["claims"]]
sys.exit(0 if a["metrics"] == b["metrics"] and strip(a) == strip(b) else 1)
EOF
then
	ok "the JSON form of the file gives the same summary.json"
else
	cat "$tmp/err"; notok "JSON input differs from CSV input"
fi

# A bad file is rejected whole with FILE:LINE: reason, exit 2.
printf 'who,made,asset,target,deadline\nx,2023-08-01,XRP,33,2023-12-31\ny,2023-08-01,XRP,$33,2023-12-31\n' \
    >"$tmp/bad.csv"
"$MS_BIN" --db "$tmp/cg.db" backtest claims "$tmp/bad.csv" >/dev/null \
    2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "bad.csv:3: target is not a plain number" \
    "$tmp/err"; then
	ok "a bad file is rejected with FILE:LINE: reason (exit 2)"
else
	cat "$tmp/err"; notok "bad file: exit $rc"
fi
exit $fail
