#!/usr/bin/python3
"""ref_picks.py REPORT_DIR [RAW_2018.csv.gz] -- recompute a `backtest picks`
report (summary.json, picks.csv) independently, with numpy, and compare
at a relative 1e-9.

From picks.csv alone: count, judged, wins, win rate, mean and median net
return, reached 2x/10x/100x, died, left, censored, unfilled, invested and
returned USD, the entry-price checks; and the 95 % bootstrap intervals:
GSL's mt19937 seeded with s gives the same 32-bit stream as numpy's
MT19937 with legacy seeding s, and gsl_rng_uniform_int(n) is
raw // (0xffffffff // n) with draws >= n rejected, so the resamples are
drawn here exactly as in ms_bt_pick_stats, and the 2.5/97.5 percentiles
(linear interpolation) must agree too.

With the 2018 all-coin file (date,slug,open,high,low,close,volume_usd,
market_cap_usd): every pick's entry price is the raw close of its date;
a held pick's gross return is the raw close of its last bar at or before
its exit over the entry close, minus 1; a died pick's is -1 (haircut 1);
a pick sold whole on its exit day has net return
    q * p1 * (1 - 0.005 - 0.5 * q * p1 / V1) / N - 1,
    q = N / (p0 * (1 + 0.005 + 0.5 * N / V0)),
with the defaults (spread 50 bps, impact 0.5, cap 10 % of the volume).
"""
import csv
import datetime as dt
import gzip
import json
import sys

import numpy as np

REL = 1e-9
fails = 0


def check(name, ok, detail=""):
    global fails
    print(("ok - %s" if ok else "not ok - %s " + str(detail)) % name)
    if not ok:
        fails += 1


def near(a, b):
    if a is None or b is None:
        return a is None and b is None
    if np.isnan(a) and np.isnan(b):
        return True
    return abs(a - b) <= REL * max(1.0, abs(b))


def num(s):
    return float(s) if s != "" else float("nan")


def bootstrap(sorted_ret, seed, nboot):
    """Percentile intervals of mean, median and win rate, as the C code."""
    m = len(sorted_ret)
    bg = np.random.MT19937(0)
    bg._legacy_seeding(seed)
    scale = 0xFFFFFFFF // m
    need = nboot * m
    idx = np.empty(0, dtype=np.uint64)
    while idx.size < need:
        raw = bg.random_raw(need - idx.size + 1024)
        k = raw // scale
        idx = np.concatenate([idx, k[k < m]])
    draws = np.asarray(sorted_ret)[idx[:need].astype(np.int64)].reshape(nboot, m)
    means = draws.mean(axis=1)
    meds = np.median(draws, axis=1)
    wins = (draws > 0).sum(axis=1) / m
    return [tuple(np.percentile(v, [2.5, 97.5])) for v in (means, meds, wins)]


rep = sys.argv[1]
s = json.load(open(rep + "/summary.json"))
rows = list(csv.DictReader(open(rep + "/picks.csv")))
mp = s["metrics"]["picks"]
ret = np.array([num(r["return_net"]) for r in rows])
mg = np.array([num(r["max_gain"]) for r in rows])
known = ~np.isnan(ret)
r = ret[known]
g = mg[known]
check("schema moonscope.backtest.picks v1",
      s["schema"] == "moonscope.backtest.picks" and s["schema_version"] == 1)
check("count %d, judged %d" % (len(rows), r.size),
      mp["count"] == len(rows) and mp["judged"] == r.size)
check("wins, win rate", mp["wins"] == int((r > 0).sum()) and
      near(mp["win_rate"], (r > 0).mean()))
check("mean net return %.6f" % r.mean(), near(mp["mean_return"], r.mean()))
if r.size >= 2 and r.std(ddof=1) > 0:
    tref = r.mean() / (r.std(ddof=1) / np.sqrt(r.size))
    check("t of the mean net return %.6f" % tref,
          near(mp["mean_return_t"], tref))
check("median net return %.6f" % np.median(r),
      near(mp["median_return"], float(np.median(r))))
for k, t in (("2x", 1), ("10x", 9), ("100x", 99)):
    n = int((g >= t).sum())
    check("reached %s: %d" % (k, n), mp["reached_" + k] == n and
          near(mp["share_" + k], n / r.size))
st = [x["status"] for x in rows]
check("died %d, left %d, censored %d, unfilled %d" % (st.count("died"),
      st.count("left"), st.count("censored"), st.count("unfilled")),
      mp["died"] == st.count("died") and mp["left"] == st.count("left") and
      mp["censored"] == st.count("censored") and
      mp["unfilled"] == st.count("unfilled") and
      near(mp["share_died"], st.count("died") / r.size))
bought = [x for x in rows if x["status"] != "unfilled"]
inv = sum(float(x["notional_usd"]) for x in bought)
back = sum(float(x["notional_usd"]) * (1 + float(x["return_net"])) for x in bought)
check("invested %.2f, returned %.2f USD" % (inv, back),
      near(mp["notional_usd"], inv) and near(mp["proceeds_usd"], back))
diffs = [abs(num(x["entry_price_diff"])) for x in rows
         if x["entry_price_diff"] != ""]
ep = s["metrics"]["entry_prices"]
check("entry prices: %d given" % len(diffs),
      ep["given"] == sum(1 for x in rows if x["file_entry_price"] != "") and
      (not diffs or (near(ep["median_abs_diff"], float(np.median(diffs))) and
                     near(ep["max_abs_diff"], max(diffs)))))
nboot = s["parameters"]["bootstrap"]
if nboot > 0 and r.size > 0:
    ci = bootstrap(np.sort(r), s["parameters"]["seed"], nboot)
    ok = all(near(mp[k]["lo"], lo) and near(mp[k]["hi"], hi) for k, (lo, hi) in
             zip(("mean_return_ci95", "median_return_ci95", "win_rate_ci95"), ci))
    check("bootstrap 95%% intervals (%d resamples, seed %d, mt19937 stream "
          "reproduced)" % (nboot, s["parameters"]["seed"]), ok,
          "%s vs %s" % (ci, [mp[k] for k in ("mean_return_ci95",
                        "median_return_ci95", "win_rate_ci95")]))

if len(sys.argv) > 2:
    bars = {}
    with gzip.open(sys.argv[2], "rt", newline="") as f:
        for x in csv.DictReader(f):
            bars[(x["slug"], x["date"])] = (num(x["close"]), num(x["volume_usd"]))
    bad = []
    nnet = 0
    for x in rows:
        if x["status"] == "unfilled":
            continue
        key = (x["asset"], x["date"])
        p0, v0 = bars[key]
        if not near(float(x["entry_price"]), p0):
            bad.append("%s entry" % (key,))
            continue
        if x["status"] == "died":
            if not near(float(x["return_gross"]), -1):
                bad.append("%s died" % (key,))
            continue
        if x["status"] != "held":
            continue
        d = dt.date.fromisoformat(x["until"])
        d0 = dt.date.fromisoformat(x["date"])
        while (x["asset"], str(d)) not in bars or np.isnan(bars[(x["asset"], str(d))][0]):
            d -= dt.timedelta(days=1)
        p1 = bars[(x["asset"], str(d))][0]
        if not near(float(x["return_gross"]), p1 / p0 - 1):
            bad.append("%s gross" % (key,))
            continue
        n = float(x["notional_usd"])
        if x["exit_date"] == x["until"] and str(d) == x["until"] and d > d0:
            v1 = bars[(x["asset"], x["until"])][1]
            q = n / (p0 * (1 + 0.005 + 0.5 * n / v0))
            usd = q * p1
            if usd <= 0.1 * v1:
                nnet += 1
                if not near(float(x["return_net"]),
                            usd * (1 - 0.005 - 0.5 * usd / v1) / n - 1):
                    bad.append("%s net" % (key,))
    check("raw file: entry closes, gross returns of held and died picks, "
          "net returns of %d picks sold whole on the exit day" % nnet,
          not bad, "; ".join(bad[:5]))
sys.exit(1 if fails else 0)
