#!/usr/bin/env bash
# tests/backtest/t_lookahead.sh — an independent look-ahead test of
# `moonscope backtest moonshots` (issue 5: "re-run decisions on data
# truncated after each decision date and prove them identical").
#
# Unlike --check-lookahead (ms_bt_check_lookahead: C code truncating and
# comparing in memory), this test truncates the store itself: for a sample
# of the 2018 weekly rebalance dates D it copies the store with Python's
# sqlite3 backup API, deletes every `daily` and `bars` row dated after D,
# runs the backtest for D alone on that copy, and compares the decision
# columns of picks.csv (rank, asset, market cap, volume, trader grade,
# entry price; numbers are written so they read back exactly, so equal
# text means equal bits) and of rebalances.csv (universe, tradable,
# matched, picked) with the full-store run, for two screens (trader grade,
# and 30-day return ascending). A control shows the comparison can fail:
# the same copy with the closes of D - 1 raised by half must give a
# different decision.
#
# Run from the repository root; env MS_BIN, MS_DATA, PY. Exit 0 pass, 77
# skip (no data), 1 fail.
set -u
MS_BIN=${MS_BIN:-$PWD/build/moonscope}
MS_DATA=${MS_DATA:-$PWD/../shared/data}
PY=${PY:-/usr/bin/python3}
SRC=$MS_DATA/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz

fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }

if [ ! -f "$SRC" ]; then
	echo "SKIP t_lookahead: $SRC is absent (no real data)"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
db=$tmp/u2018.db
if ! "$MS_BIN" --db "$db" import "$SRC" >"$tmp/import.txt" 2>&1; then
	cat "$tmp/import.txt"
	not_ok "import of the 2018 all-coin universe"
	exit 1
fi

# copy SRC DST DAY MODE: MODE truncate (rows after DAY deleted) or
# control (also the closes of DAY - 1 times 1.5).
copy_store() {
	"$PY" - "$@" <<'EOF'
import datetime, sqlite3, sys
src, dst, day, mode = sys.argv[1:5]
d = (datetime.date.fromisoformat(day) - datetime.date(1970, 1, 1)).days
s = sqlite3.connect("file:%s?mode=ro" % src, uri=True)
t = sqlite3.connect(dst)
s.backup(t)
s.close()
for table in ("daily", "bars"):
    t.execute("DELETE FROM %s WHERE day > ?" % table, (d,))
    if mode == "control":
        t.execute("UPDATE %s SET close = close * 1.5 WHERE day = ?" % table,
                  (d - 1,))
left = t.execute("SELECT count(*) FROM daily WHERE day > ?", (d,)).fetchone()
t.commit()
t.close()
sys.exit(1 if left[0] else 0)
EOF
}

# The decision on DAY as written by a report: picks.csv columns 1-8 and
# rebalances.csv columns 1-5 of that date.
decision() {
	grep "^$2," "$1/picks.csv" | cut -d, -f1-8
	grep "^$2," "$1/rebalances.csv" | cut -d, -f1-5
}

screens=("--sort trader_grade" "--sort roi_30d --order asc")
for i in 0 1; do
	# shellcheck disable=SC2086
	if ! "$MS_BIN" --db "$db" backtest moonshots --rebalance weekly \
	    ${screens[$i]} --report "$tmp/full$i" >/dev/null 2>"$tmp/full$i.err"; then
		cat "$tmp/full$i.err"
		not_ok "full run ${screens[$i]}"
		exit 1
	fi
done
mapfile -t dates < <(tail -n +2 "$tmp/full0/rebalances.csv" | cut -d, -f1)
if [ "${#dates[@]}" -lt 6 ]; then
	not_ok "expected at least 6 rebalance dates, got ${#dates[@]}"
	exit 1
fi
# Every third date, and the last.
sample=()
for ((k = 0; k < ${#dates[@]}; k += 3)); do sample+=("${dates[$k]}"); done
[ "${sample[-1]}" = "${dates[-1]}" ] || sample+=("${dates[-1]}")

same=0 checked=0
for d in "${sample[@]}"; do
	if ! copy_store "$db" "$tmp/t.db" "$d" truncate; then
		not_ok "truncating a copy of the store after $d"
		continue
	fi
	for i in 0 1; do
		rm -rf "$tmp/trunc"
		# shellcheck disable=SC2086
		if ! "$MS_BIN" --db "$tmp/t.db" backtest moonshots --rebalance weekly \
		    ${screens[$i]} --from "$d" --to "$d" --report "$tmp/trunc" \
		    >/dev/null 2>"$tmp/trunc.err"; then
			cat "$tmp/trunc.err"
			not_ok "run on the store truncated after $d (${screens[$i]})"
			continue
		fi
		checked=$((checked + 1))
		decision "$tmp/full$i" "$d" >"$tmp/a.txt"
		decision "$tmp/trunc" "$d" >"$tmp/b.txt"
		if [ -s "$tmp/a.txt" ] && cmp -s "$tmp/a.txt" "$tmp/b.txt"; then
			same=$((same + 1))
		else
			diff "$tmp/a.txt" "$tmp/b.txt" | head -5
			not_ok "decision on $d (${screens[$i]}) differs on the truncated store"
		fi
	done
	rm -f "$tmp/t.db"
done
if [ "$checked" -gt 0 ] && [ "$same" -eq "$checked" ]; then
	ok "$same of $checked decisions (${#sample[@]} dates x 2 screens) identical on stores truncated after their date"
fi

# Control: a change before the decision date must change the decision.
d=${sample[1]}
if copy_store "$db" "$tmp/c.db" "$d" control &&
    "$MS_BIN" --db "$tmp/c.db" backtest moonshots --rebalance weekly \
    --from "$d" --to "$d" --report "$tmp/ctl" >/dev/null 2>&1; then
	decision "$tmp/full0" "$d" >"$tmp/a.txt"
	decision "$tmp/ctl" "$d" >"$tmp/b.txt"
	if cmp -s "$tmp/a.txt" "$tmp/b.txt"; then
		not_ok "control: closes of the day before $d raised by half, same decision (the comparison cannot fail?)"
	else
		ok "control: raising the closes of the day before $d changes the decision"
	fi
else
	not_ok "control run for $d"
fi

[ $fails -eq 0 ]
