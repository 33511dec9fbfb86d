#!/usr/bin/env bash
# tests/integration/make-fixture.sh — regenerates tests/integration/fixture.csv,
# the store the integration tests serve. The values follow simple formulas so
# every expected answer in cases/*.txt can be worked out by hand. Day k = 0..59
# is 2018-01-01 + k (2018-01-01 is a Monday; the last day is 2018-03-01).
#
#   ripple  XRP "XRP"            close 1 + 0.01k, open close - 0.005,
#                                high close + 0.01 (but 3.84 on 2018-01-04),
#                                low open - 0.01, volume 1e9 + 1e7k,
#                                market cap close * 4e10
#   bitcoin BTC "Bitcoin"        close 10000 + 100k, open close - 50,
#                                high close + 100, low open - 100,
#                                volume 5e9 + 1e8k, market cap close * 1.7e7
#   holo    HOT "Holo"           close 0.01 + 0.0001k, open close - 0.0001,
#                                high close + 0.0002, low open - 0.0002,
#                                volume 1e6 + 1e4k, market cap close * 1e10
#   hydro-protocol HOT "Hydro Protocol"   (dies: rows for k = 0..29 only)
#                                close 0.5 - 0.01k, open close + 0.01,
#                                high open + 0.02, low close - 0.02,
#                                volume 2e5 (unknown, empty, on 2018-01-06),
#                                market cap close * 3e8
#
# HOT is shared: hydro-protocol has the larger market cap through
# 2018-01-13 (k <= 12), holo from 2018-01-14 on.
set -euo pipefail
out=${1:-$(dirname "$0")/fixture.csv}
awk 'BEGIN {
	split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
	print "date,id,symbol,name,open,high,low,close,volume,market_cap"
	m = 1; d = 1
	for (k = 0; k < 60; k++) {
		date = sprintf("2018-%02d-%02d", m, d)
		c = 1 + 0.01 * k; o = c - 0.005; h = (k == 3) ? 3.84 : c + 0.01
		row(date, "ripple", "XRP", "XRP", o, h, o - 0.01, c, 1e9 + 1e7 * k, c * 4e10)
		c = 10000 + 100 * k; o = c - 50
		row(date, "bitcoin", "BTC", "Bitcoin", o, c + 100, o - 100, c, 5e9 + 1e8 * k, c * 1.7e7)
		c = 0.01 + 0.0001 * k; o = c - 0.0001
		row(date, "holo", "HOT", "Holo", o, c + 0.0002, o - 0.0002, c, 1e6 + 1e4 * k, c * 1e10)
		if (k < 30) {
			c = 0.5 - 0.01 * k; o = c + 0.01
			row(date, "hydro-protocol", "HOT", "Hydro Protocol", o, o + 0.02, c - 0.02, c, (k == 5) ? "" : 2e5, c * 3e8)
		}
		if (++d > mdays[m]) { d = 1; m++ }
	}
}
function num(x,  s) {
	if (x == "") return ""
	if (x < 1000) return sprintf("%.10g", x)
	s = sprintf("%.2f", x); sub(/0+$/, "", s); sub(/\.$/, "", s); return s
}
function row(date, id, sym, name, o, h, l, c, v, mc) {
	printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", date, id, sym, name, num(o), num(h), num(l), num(c), num(v), num(mc)
}' >"$out"
