#!/usr/bin/python3
"""ref_top200.py RAW.csv.gz REPORT_DIR -- recompute, from the raw monthly
top-200 snapshot file alone (not the store), what a `backtest moonshots
--rebalance snapshots` report over it must say, and compare.

Checked, each against the report (relative 1e-9 for numbers):
  * the rebalance dates: every snapshot date from the first day + 30 that
    has a next snapshot; per date the tradable count (rows with a price
    above 0: the importer skips the 12 BabyDoge rows with price 0) and the
    matched count (market cap known and under $100M);
  * the README's figures: every 2020 date has 69..145 sub-$100M rows, no
    date from 2023-11 on has any; the dates with candidates;
  * the number of picks, sum of min(10, matched);
  * every pick: found in the raw file by (date, market cap); its status
    (held when its coin -- same name slug -- is in the next snapshot,
    left otherwise; none died); its exit price and gross return: the next
    snapshot's price, or for a left pick the bound
    min(p, p * smallest cap of the next snapshot / its cap);
  * net returns of the picks sold whole on the exit day (the sale fits
    in 10 % of that day's volume): proceeds = q * p1 * (1 - 0.005 - 0.5 *
    q * p1 / V1) with q = notional / (p0 * (1 + entry cost)); left picks:
    q * bound * (1 - 0.005);
  * the bitcoin benchmark's total return: last close / first close - 1.
Prints one line per check ("ok ..." / "not ok ..."); exit 1 on any failure.
"""
import csv
import datetime as dt
import gzip
import json
import re
import sys

REL = 1e-9
fails = 0


def check(name, ok, detail=""):
    global fails
    if ok:
        print("ok - %s" % name)
    else:
        fails += 1
        print("not ok - %s %s" % (name, detail))


def near(a, b, rel=REL):
    return abs(a - b) <= rel * max(1.0, abs(b))


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


raw, rep = sys.argv[1], sys.argv[2]
snap = {}            # date -> list of rows
with gzip.open(raw, "rt", newline="") as f:
    for r in csv.DictReader(f):
        d = dt.date(int(r["snapshot_date"][:4]), int(r["snapshot_date"][4:6]),
                    int(r["snapshot_date"][6:]))
        price = float(r["Price"]) if r["Price"] else None
        if price is None or price <= 0:
            continue    # skipped by the importer (nonpositive_price)
        cap = float(r["Market Cap"]) if r["Market Cap"] else 0.0
        vol = float(r["Volume (24h)"]) if r["Volume (24h)"] else 0.0
        snap.setdefault(d, []).append({
            "key": slug(r["Name"]), "price": price,
            "cap": cap if cap > 0 else None, "vol": vol if vol > 0 else None})
dates = sorted(snap)
first = dates[0]
reb = [d for i, d in enumerate(dates[:-1])
       if d >= first + dt.timedelta(days=30)]
nxt = {d: dates[i + 1] for i, d in enumerate(dates[:-1])}
mincap = {d: min(x["cap"] for x in snap[d] if x["cap"]) for d in dates}

summary = json.load(open(rep + "/summary.json"))
rows = list(csv.DictReader(open(rep + "/rebalances.csv")))
picks = list(csv.DictReader(open(rep + "/picks.csv")))

check("rebalance dates: %d, %s .. %s" % (len(reb), reb[0], reb[-1]),
      [r["date"] for r in rows] == [str(d) for d in reb] and
      summary["run"]["rebalance_dates"] == len(reb))
matched = {}
bad = []
for r in rows:
    d = dt.date.fromisoformat(r["date"])
    trad = len(snap[d])
    m = sum(1 for x in snap[d] if x["cap"] is not None and x["cap"] < 1e8)
    matched[d] = m
    if int(r["tradable"]) != trad or int(r["matched"]) != m or \
            int(r["picked"]) != min(10, m) or r["exit_date"] != str(nxt[d]) or \
            not near(float(r["exit_min_market_cap"]), mincap[nxt[d]]):
        bad.append(r["date"])
check("per date: tradable, matched (<$100M), picked, exit, exit's smallest cap",
      not bad, " ".join(bad[:5]))
y2020 = [matched[d] for d in reb if d.year == 2020]
check("2020: %d dates with %d..%d sub-$100M coins (README: 69..145)" %
      (len(y2020), min(y2020), max(y2020)),
      min(y2020) >= 69 and max(y2020) <= 145)
late = [d for d in reb if d >= dt.date(2023, 11, 1) and matched[d] > 0]
check("no sub-$100M coin from 2023-11 on (README)", not late, str(late))
with_c = sum(1 for d in reb if matched[d] > 0)
print("# rebalance dates with sub-$100M coins: %d of %d" % (with_c, len(reb)))
check("picks: %d = sum of min(10, matched)" % len(picks),
      len(picks) == sum(min(10, m) for m in matched.values()) and
      summary["metrics"]["picks"]["count"] == len(picks))

nleft = nheld = 0
bad = []
netchecked = 0
for p in picks:
    d = dt.date.fromisoformat(p["date"])
    cap0 = float(p["market_cap"])
    cand = [x for x in snap[d] if x["cap"] is not None and near(x["cap"], cap0)]
    if len(cand) != 1:
        bad.append("%s %s: %d raw rows" % (p["date"], p["asset"], len(cand)))
        continue
    x = cand[0]
    p0 = x["price"]
    d1 = nxt[d]
    later = [y for y in snap[d1] if y["key"] == x["key"]]
    n = float(p["notional_usd"])
    q = n / (p0 * (1 + float(p["entry_cost"])))
    if later:
        nheld += 1
        p1 = later[0]["price"]
        ok = p["status"] == "held" and near(float(p["return_gross"]), p1 / p0 - 1)
        v1 = later[0]["vol"]
        if ok and v1 and q * p1 <= 0.1 * v1:
            usd = q * p1
            net = usd * (1 - 0.005 - 0.5 * usd / v1) / n - 1
            ok = near(float(p["return_net"]), net)
            netchecked += 1
    else:
        nleft += 1
        bound = min(p0, p0 * mincap[d1] / x["cap"])
        net = q * bound * (1 - 0.005) / n - 1
        ok = p["status"] == "left" and near(float(p["exit_price"]), bound) and \
            near(float(p["return_gross"]), bound / p0 - 1) and \
            near(float(p["return_net"]), net) and p["exit_date"] == str(d1)
        netchecked += 1
    if not ok:
        bad.append("%s %s (%s)" % (p["date"], p["asset"], p["status"]))
check("every pick: status, exit price, gross return from the raw file "
      "(%d held, %d left)" % (nheld, nleft), not bad, "; ".join(bad[:5]))
check("net returns recomputed for %d picks sold whole on the exit day" %
      netchecked, not bad and netchecked > 150)
mp = summary["metrics"]["picks"]
check("summary: left %d, died 0" % nleft, mp["left"] == nleft and
      mp["died"] == 0 and mp["left_valuation"] == "upper bound")
btc = [x for x in snap[reb[0]] if x["key"] == "bitcoin"][0]["price"]
btc1 = [x for x in snap[dates[-1]] if x["key"] == "bitcoin"][0]["price"]
tr = summary["metrics"]["benchmarks"]["asset"]["total_return"]
check("bitcoin buy-and-hold %s .. %s: %+.4f" % (reb[0], dates[-1], btc1 / btc - 1),
      near(tr, btc1 / btc - 1))
lz = summary["metrics"]["left_zero"]
check("lower bound (left at zero) below the upper bound",
      lz is not None and lz["total_return"] <=
      summary["metrics"]["portfolio"]["total_return"])
sys.exit(1 if fails else 0)
