#!/usr/bin/python3
"""ref_grades.py — an independent recomputation of `moonscope backtest
grades` from its report, with numpy and scipy (Debian's python3-numpy,
python3-scipy).

    ref_grades.py REPORT_DIR [RAW_CSV_GZ]

From grades_returns.csv (one row per asset and date: the grades and the
forward return the C code used) it recomputes, per date and series, the
number of pairs, the Spearman IC (scipy.stats.spearmanr), the decile
members and means and the top-minus-bottom spread, and per series the mean
IC, its sample standard deviation, t-statistic, share of dates with IC > 0,
mean pairs, and the same for the spread and the mean of each decile; it
compares them with ic.csv, deciles.csv and summary.json at a relative
1e-9 (absolute 1e-12 for values near zero, such as an IC of 0).

With RAW_CSV_GZ (the 2018 all-coin file, layout
date,slug,open,high,low,close,volume_usd,market_cap_usd) it also checks the
inputs against the raw data: every coin with a close on an evaluation date
is in the report (no coin drops out), its price is that close, and its
forward return follows the documented delisting rule computed here from
the raw rows.

Prints "ok ..." / "not ok ..." lines; exit 0 when everything matches.
"""
import csv
import datetime
import gzip
import json
import math
import os
import sys
from collections import defaultdict

import numpy as np
from scipy import stats

REL = 1e-9
ABS = 1e-12
MIN_PAIRS = 10
NDEC = 10

failures = 0
checked = 0


def num(s):
    return float(s) if s != "" else math.nan


def same(a, b):
    if math.isnan(a) and math.isnan(b):
        return True
    if math.isnan(a) or math.isnan(b):
        return False
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


def check(what, got, want):
    """got: the report's value; want: recomputed here."""
    global failures, checked
    checked += 1
    if not same(got, want):
        failures += 1
        if failures <= 30:
            print(f"not ok {what}: report {got!r}, recomputed {want!r}")


def spearman(x, y):
    if len(x) < 2 or np.all(x == x[0]) or np.all(y == y[0]):
        return math.nan
    return float(stats.spearmanr(x, y).correlation)


def deciles(x, y):
    """Decile floor(10 (2r - 1) / (2n)) of each value (r = average rank)."""
    n = len(x)
    two_r = np.rint(2 * stats.rankdata(x, method="average")).astype(np.int64)
    d = (10 * (two_r - 1)) // (2 * n)
    counts = [int(np.sum(d == k)) for k in range(NDEC)]
    means = [float(np.mean(y[d == k])) if counts[k] else math.nan
             for k in range(NDEC)]
    spread = (means[NDEC - 1] - means[0]
              if counts[0] and counts[NDEC - 1] else math.nan)
    return counts, means, spread


def mean_sd_t(v):
    v = np.asarray(v, dtype=float)
    n = len(v)
    if n == 0:
        return math.nan, math.nan, math.nan
    m = float(np.mean(v))
    if n < 2:
        return m, math.nan, math.nan
    sd = float(np.std(v, ddof=1))
    return m, sd, (m / (sd / math.sqrt(n)) if sd > 0 else math.nan)


def main():
    global failures
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    rep = sys.argv[1]
    raw = sys.argv[2] if len(sys.argv) > 2 else None
    summary = json.load(open(os.path.join(rep, "summary.json")))
    assert summary["schema"] == "moonscope.backtest.grades"
    assert summary["schema_version"] == 1
    params = summary["parameters"]

    with open(os.path.join(rep, "grades_returns.csv"), newline="") as f:
        rd = csv.reader(f)
        head = next(rd)
        series = head[8:]
        rows = list(rd)
    by_date = defaultdict(list)
    for r in rows:
        by_date[r[0]].append(r)
    dates = sorted(by_date)

    ic_rows = {}
    with open(os.path.join(rep, "ic.csv"), newline="") as f:
        for r in csv.DictReader(f):
            ic_rows[(r["date"], r["series"])] = r
    dec_rows = {}
    with open(os.path.join(rep, "deciles.csv"), newline="") as f:
        for r in csv.DictReader(f):
            dec_rows[(r["date"], r["series"], int(r["decile"]))] = r

    if len(dates) != summary["run"]["dates"]:
        failures += 1
        print(f"not ok dates: {len(dates)} in grades_returns.csv, "
              f"{summary['run']['dates']} in summary.json")
    per = {s: {"ic": [], "pairs": [], "spread": [],
               "dec": [[] for _ in range(NDEC)]} for s in series}
    for d in dates:
        rs = by_date[d]
        ret = np.array([num(r[6]) for r in rs])
        for j, s in enumerate(series):
            v = np.array([num(r[8 + j]) for r in rs])
            ok = np.isfinite(v) & np.isfinite(ret)
            x, y = v[ok], ret[ok]
            n = len(x)
            icr = ic_rows.get((d, s))
            if icr is None:
                failures += 1
                print(f"not ok {d} {s}: no row in ic.csv")
                continue
            check(f"{d} {s} pairs", float(icr["pairs"]), float(n))
            if n < MIN_PAIRS:
                check(f"{d} {s} ic", num(icr["ic"]), math.nan)
                continue
            ic = spearman(x, y)
            check(f"{d} {s} ic", num(icr["ic"]), ic)
            counts, means, spread = deciles(x, y)
            check(f"{d} {s} top_n", float(icr["top_n"]), float(counts[9]))
            check(f"{d} {s} bottom_n", float(icr["bottom_n"]),
                  float(counts[0]))
            check(f"{d} {s} top_mean", num(icr["top_mean"]), means[9])
            check(f"{d} {s} bottom_mean", num(icr["bottom_mean"]), means[0])
            check(f"{d} {s} spread", num(icr["spread"]), spread)
            for k in range(NDEC):
                dr = dec_rows.get((d, s, k + 1))
                if dr is None:
                    failures += 1
                    print(f"not ok {d} {s} decile {k + 1}: missing")
                    continue
                check(f"{d} {s} decile {k + 1} n", float(dr["n"]),
                      float(counts[k]))
                check(f"{d} {s} decile {k + 1} mean", num(dr["mean_return"]),
                      means[k])
                if not math.isnan(means[k]):
                    per[s]["dec"][k].append(means[k])
            if not math.isnan(ic):
                per[s]["ic"].append(ic)
                per[s]["pairs"].append(n)
            if not math.isnan(spread):
                per[s]["spread"].append(spread)

    for s in series:
        m = summary["metrics"][s]
        g = lambda k: math.nan if m[k] is None else float(m[k])
        ics = per[s]["ic"]
        mean, sd, t = mean_sd_t(ics)
        check(f"{s} dates", g("dates"), float(len(ics)))
        check(f"{s} mean_ic", g("mean_ic"), mean)
        check(f"{s} sd_ic", g("sd_ic"), sd)
        check(f"{s} t_ic", g("t_ic"), t)
        check(f"{s} share_positive", g("share_positive"),
              (sum(1 for v in ics if v > 0) / len(ics)) if ics else math.nan)
        check(f"{s} mean_pairs", g("mean_pairs"),
              float(np.mean(per[s]["pairs"])) if ics else math.nan)
        sp = per[s]["spread"]
        mean, sd, t = mean_sd_t(sp)
        check(f"{s} spread_dates", g("spread_dates"), float(len(sp)))
        check(f"{s} mean_spread", g("mean_spread"), mean)
        check(f"{s} sd_spread", g("sd_spread"), sd)
        check(f"{s} t_spread", g("t_spread"), t)
        dm = summary["decile_mean_returns"][s]
        for k in range(NDEC):
            v = per[s]["dec"][k]
            check(f"{s} decile_mean {k + 1}",
                  math.nan if dm[k] is None else float(dm[k]),
                  float(np.mean(v)) if v else math.nan)

    if raw is not None:
        check_raw(raw, rows, dates, params)

    if failures:
        print(f"not ok ref_grades: {failures} of {checked} values differ")
        return 1
    print(f"ok ref_grades: {checked} values equal the independent "
          f"recomputation (relative {REL:g})")
    return 0


def check_raw(path, rows, dates, params):
    """Prices, coverage and forward returns against the raw 2018 file."""
    global failures, checked
    H = int(params["horizon"])
    dd = int(params["delist_days"])
    hc = float(params["delist_haircut"])
    day = lambda s: datetime.date.fromisoformat(s).toordinal()
    closes = defaultdict(dict)
    last_day = 0
    with gzip.open(path, "rt", newline="") as f:
        for r in csv.DictReader(f):
            c = num(r["close"])
            if not (c > 0):
                continue
            t = day(r["date"])
            closes[r["slug"]][t] = c
            last_day = max(last_day, t)
    rep = {(r[0], r[1]): r for r in rows}
    missing = 0
    bad = 0
    for d in dates:
        t0 = day(d)
        end = min(t0 + H + dd, last_day)
        for slug, ser in closes.items():
            if t0 not in ser:
                continue
            r = rep.get((d, slug))
            checked += 1
            if r is None:
                missing += 1
                if missing <= 10:
                    print(f"not ok {d} {slug}: has a close in the raw data "
                          f"but is not in grades_returns.csv")
                continue
            p0 = ser[t0]
            days = [t for t in range(t0, t0 + H + 1) if t in ser]
            L = days[-1]
            if L == t0 + H:
                status, exitp = "held", ser[L]
            elif any(t in ser for t in range(t0 + H + 1,
                                             min(L + dd, end) + 1)):
                status, exitp = "gap", ser[L]
            elif L + dd <= end:
                status, exitp = "died", ser[L] * (1 - hc)
            else:
                status, exitp = "censored", ser[L]
            want = exitp / p0 - 1
            if (r[7] != status or not same(num(r[3]), p0)
                    or not same(num(r[6]), want)):
                bad += 1
                if bad <= 10:
                    print(f"not ok {d} {slug}: report {r[7]} price {r[3]} "
                          f"return {r[6]}; raw {status} price {p0!r} "
                          f"return {want!r}")
    n_rep = len(rows)
    n_raw = sum(1 for d in dates for ser in closes.values() if day(d) in ser)
    if n_rep != n_raw:
        print(f"not ok coverage: {n_rep} asset-dates in the report, {n_raw} "
              f"closes in the raw file on the evaluation dates")
        bad += 1
    failures += missing + bad
    if missing == 0 and bad == 0:
        print(f"ok raw data: all {n_raw} asset-dates with a close are in the "
              f"report, with the raw close and the forward return of the "
              f"delisting rule")


if __name__ == "__main__":
    sys.exit(main())
