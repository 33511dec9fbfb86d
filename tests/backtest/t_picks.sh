#!/usr/bin/env bash
# t_picks.sh — `moonscope backtest picks` on the 2018 all-coin universe:
#  * the round trip: the picks.csv of a weekly `backtest moonshots` run
#    (<$100M, hold 28), judged again by `picks`, gives every pick's
#    returns, exit and status exactly (same valuation, same rules);
#  * the metrics of a picks report recomputed with numpy
#    (ref_picks.py, relative 1e-9, the bootstrap intervals included);
#  * bitconnect bought 2018-01-10: priced through its collapse, checked
#    against the raw file;
#  * the /v1/moonshots/past response (from `moonscope daily` and the
#    route run as a CGI program) and a vendor-style list are accepted;
#  * a file with an unknown asset, a date outside the store and a
#    malformed line is rejected whole, with file:line reasons.
# Run from the repository root; env MS_BIN, MS_DATA, PY. Exit 0 pass, 77
# skip (data absent), 1 fail.
set -u
bin=${MS_BIN:-build/moonscope}
data=${MS_DATA:-../shared/data}
py=${PY:-/usr/bin/python3}
raw=$data/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz
if [ ! -r "$raw" ]; then
	echo "skip: $raw is absent (the real data folder is not here)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t_picks.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }

db=$tmp/u2018.db
if ! "$bin" --db "$db" import "$raw" >"$tmp/import.log" 2>&1; then
	not_ok "import of the 2018 universe"
	cat "$tmp/import.log"
	exit 1
fi

# 1. The round trip.
"$bin" --db "$db" backtest moonshots --rebalance weekly \
    --max-market-cap 100000000 --hold 28 --report "$tmp/run" >/dev/null 2>&1 ||
    not_ok "backtest moonshots 2018 weekly"
if "$bin" --db "$db" backtest picks "$tmp/run/picks.csv" --hold 28 \
    --report "$tmp/judged" >"$tmp/judged.md" 2>"$tmp/judged.err"; then
	ok "backtest picks on the replay's picks.csv"
else
	not_ok "backtest picks on the replay's picks.csv (exit $?)"
	cat "$tmp/judged.err"
fi
if "$py" - "$tmp/run/picks.csv" "$tmp/judged/picks.csv" <<'EOF'
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
keys = ("return_gross", "return_net", "max_gain", "status", "exit_date",
        "last_bar_date", "exit_price", "exit_cost", "entry_cost",
        "notional_usd", "unsold_share", "died")
bad = [(x["date"], x["asset"], k, x[k], y[k]) for x, y in zip(a, b)
       for k in keys if x[k] != y[k]]
bad += [("asset", x["asset"], y["asset"]) for x, y in zip(a, b)
        if (x["date"], x["asset"]) != (y["date"], y["asset"])]
print("# %d picks, %d differences" % (len(a), len(bad)))
for x in bad[:5]:
    print("#", x)
sys.exit(1 if len(a) != len(b) or not a or bad else 0)
EOF
then
	ok "round trip: every pick's returns, exit and status equal the replay's, digit for digit"
else
	not_ok "round trip: picks differ from the replay"
fi
if "$py" tests/backtest/ref_picks.py "$tmp/judged" "$raw" >"$tmp/ref.log" 2>&1; then
	sed 's/^/  /' "$tmp/ref.log"
	ok "picks metrics recomputed independently (ref_picks.py)"
else
	cat "$tmp/ref.log"
	not_ok "picks metrics recomputed independently (ref_picks.py)"
fi

# 2. Bitconnect through its collapse (2018-01-16), and a vendor-style list.
printf 'Date Picked,Coin,Price at pick ($)\n2018-01-10,BitConnect,$327.27\n2018-01-10,Bitcoin,\n' \
    >"$tmp/vendor.csv"
if "$bin" --db "$db" backtest picks "$tmp/vendor.csv" --bootstrap 0 \
    --report "$tmp/bcc" >/dev/null 2>"$tmp/bcc.err" &&
    "$py" - "$tmp/bcc/picks.csv" "$raw" <<'EOF'
import csv, gzip, sys
p = {x["asset"]: x for x in csv.DictReader(open(sys.argv[1]))}["bitconnect"]
bars = {}
with gzip.open(sys.argv[2], "rt") as f:
    for x in csv.DictReader(f):
        if x["slug"] == "bitconnect":
            bars[x["date"]] = (float(x["close"]), float(x["volume_usd"]))
(p0, v0), (p1, v1) = bars["2018-01-10"], bars["2018-02-07"]
n = 10000.0
q = n / (p0 * (1 + 0.005 + 0.5 * n / v0))
usd = q * p1
net = usd * (1 - 0.005 - 0.5 * usd / v1) / n - 1
print("# bitconnect 2018-01-10 %.2f -> 2018-02-07 %.2f: gross %.6f net %.6f"
      % (p0, p1, p1 / p0 - 1, net))
ok = (p["status"] == "held" and p["resolved_by"] == "name" and
      abs(float(p["return_gross"]) - (p1 / p0 - 1)) < 1e-12 and
      abs(float(p["return_net"]) - net) < 1e-12 and
      float(p["entry_price_diff"]) == 0)
sys.exit(not ok)
EOF
then
	ok "bitconnect bought 2018-01-10 (vendor list, by name) and held 28 days through its collapse, checked against the raw file"
else
	not_ok "bitconnect's collapse"
	cat "$tmp/bcc.err"
fi

# 3. A file with problems: rejected whole, one file:line per problem.
printf 'date,asset\n2018-01-10,bitconnect\n2018-01-10,BCC\n2017-06-01,bitcoin\n2018-02-30,bitcoin\n' \
    >"$tmp/bad.csv"
"$bin" --db "$db" backtest picks "$tmp/bad.csv" >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
if [ "$rc" = 1 ] && grep -q "bad.csv: REJECTED" "$tmp/bad.err" &&
    grep -q "bad.csv:5: date: invalid date" "$tmp/bad.err" && [ ! -s "$tmp/bad.out" ]; then
	ok "malformed line: rejected whole (exit 1): $(grep ':5:' "$tmp/bad.err" | sed 's/^ *//')"
else
	not_ok "malformed line (exit $rc)"
	cat "$tmp/bad.err"
fi
sed -i '$d' "$tmp/bad.csv"
"$bin" --db "$db" backtest picks "$tmp/bad.csv" --report "$tmp/badrep" \
    >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
if [ "$rc" = 1 ] && grep -q 'bad.csv:3: unknown asset "BCC"' "$tmp/bad.err" &&
    grep -q 'bad.csv:4: date 2017-06-01 is outside the store' "$tmp/bad.err" &&
    [ ! -e "$tmp/badrep" ]; then
	ok "unknown asset and a date outside the store: rejected whole, nothing written"
	sed 's/^/  # /' "$tmp/bad.err"
else
	not_ok "unknown asset / date outside the store (exit $rc)"
	cat "$tmp/bad.err"
fi
"$bin" --db "$db" backtest picks "$tmp/vendor.csv" --top 0 >/dev/null 2>&1
rc1=$?
"$bin" --db "$db" backtest picks >/dev/null 2>&1
rc2=$?
if [ "$rc1" = 2 ] && [ "$rc2" = 2 ]; then
	ok "usage errors exit 2"
else
	not_ok "usage errors exit $rc1 $rc2"
fi

# 4. The /v1/moonshots/past response, as the route serves it.
"$bin" --db "$db" daily --from 2018-02-01 --to 2018-02-03 >/dev/null 2>&1
MOONSCOPE_DB=$db REQUEST_METHOD=GET SCRIPT_NAME=/v1/moonshots/past \
    QUERY_STRING='as_of=2018-07-02&limit=500' \
    REQUEST_URI='/v1/moonshots/past?as_of=2018-07-02&limit=500' \
    build/fn/v1_moonshots_past </dev/null >"$tmp/past.http" 2>/dev/null
"$py" -c '
import sys
t = open(sys.argv[1], "rb").read()
i = t.find(b"\r\n\r\n")
j = t.find(b"\n\n")
k = i + 4 if i >= 0 and (j < 0 or i < j) else j + 2
open(sys.argv[2], "wb").write(t[k:])' "$tmp/past.http" "$tmp/past.json"
if "$bin" --db "$db" backtest picks "$tmp/past.json" --json >"$tmp/past.sum" \
    2>"$tmp/past.err" &&
    grep -q '"format":[[:space:]]*"moonshots_past"' "$tmp/past.sum" &&
    grep -q '"count":[[:space:]]*60' "$tmp/past.sum"; then
	ok "the /v1/moonshots/past response (60 picks of 2018-02-01..03) judged"
else
	not_ok "the /v1/moonshots/past response"
	head -c 600 "$tmp/past.json"
	cat "$tmp/past.err"
fi
"$bin" --db "$db" backtest picks "$tmp/past.json" --report "$tmp/past" >/dev/null 2>&1
if "$py" tests/backtest/ref_picks.py "$tmp/past" "$raw" >"$tmp/ref2.log" 2>&1; then
	ok "its metrics, entry closes and returns recomputed (ref_picks.py)"
else
	cat "$tmp/ref2.log"
	not_ok "its metrics recomputed (ref_picks.py)"
fi
echo "---- backtest picks summary (the weekly 2018 replay's picks) ----"
sed -n '1,14p' "$tmp/judged.md"
echo "----"
[ "$fails" -eq 0 ]
