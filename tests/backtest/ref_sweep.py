#!/usr/bin/python3
"""ref_sweep.py — the independent check of `moonscope backtest sweep`:
recomputes, from a sweep report's returns.csv, every variant's series
metrics and the deflated Sharpe ratio of the best variant with numpy and
scipy (Debian's python3-numpy / python3-scipy; run it with
/usr/bin/python3), and compares them with variants.csv and sweep.json at a
relative 1e-9 (absolute 1e-12 near zero).

    /usr/bin/python3 tests/backtest/ref_sweep.py REPORT_DIR [--quiet]
    /usr/bin/python3 tests/backtest/ref_sweep.py --golden

Recomputed per variant (status ok), from its daily returns r_1..r_T:
total return prod(1 + r) - 1; CAGR (1 + total)^(365 / T) - 1; Sharpe
mean / sd(ddof 1) * sqrt(365) and per day (no sqrt(365)); Sortino
mean / sqrt(mean(min(r, 0)^2)) * sqrt(365); max drawdown of the wealth
path W_0 = 1, W_t = prod(1 + r_i) (the start counts as a high); annual
volatility sd(ddof 1) * sqrt(365); Calmar CAGR / |max drawdown|; skew and
excess kurtosis with scipy's biased defaults; mean daily return; the
number of periods. Undefined values (zero dispersion, no drawdown, no
downside) must be empty in the CSV / null in the JSON.

The deflated Sharpe ratio (Bailey & López de Prado 2014), from those
recomputed per-day Sharpe ratios, with scipy.stats.norm:
  N = every variant; V = var(ddof 1) of the finite per-day Sharpes;
  best = the highest per-day Sharpe, the lowest index on ties;
  SR0 = sqrt(V) ((1 - g) Phi^-1(1 - 1/N) + g Phi^-1(1 - 1/(N e)))
        (g = Euler-Mascheroni; SR0 = 0 when N = 1);
  z = (SR* - SR0) sqrt(T - 1) / sqrt(1 - g3 SR* + (g4 - 1) / 4 SR*^2)
      with g3, g4 the best's skewness and non-excess kurtosis, T its
      number of returns; DSR = Phi(z); PSR = the same with SR0 = 0.
sweep.json's variants must equal variants.csv value for value, its best
the recomputed best. Picks and win rates come from the trades, not from
the returns, and are not recomputed here (tests/backtest/ref_moonshots.py
checks them for `backtest moonshots`, and t_sweep.sh checks that the best
variant equals a `backtest moonshots` run).

--golden checks the DSR formulas on the paper's example (N = 100,
V = 1/2 / 250, SR = 2.5 / sqrt(250), T = 1250, skew -3, kurtosis 10:
SR0 = 0.1132, DSR = 0.9004). Exit status 0 when everything matches.
"""
import csv
import json
import math
import sys

import numpy as np
from scipy import stats

EULER_GAMMA = 0.5772156649015328606
REL = 1e-9
ABS = 1e-12
PPY = 365.0


def close(a, b):
    """Both unknown, or equal to a relative REL (absolute ABS near 0)."""
    if a is None or b is None:
        return a is None and b is None
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= max(REL * max(abs(a), abs(b)), ABS)


def num(s):
    return None if s in ("", None) else float(s)


def finite_or_none(x):
    x = float(x)
    return x if math.isfinite(x) else None


def series_metrics(r):
    r = np.asarray(r, dtype=float)
    n = len(r)
    m = {"periods": n}
    wealth = np.concatenate(([1.0], np.cumprod(1.0 + r)))
    total = wealth[-1] - 1.0
    m["total_return"] = total
    m["cagr"] = (1.0 + total) ** (PPY / n) - 1.0 if n else None
    sd = r.std(ddof=1) if n >= 2 else float("nan")
    mean = r.mean() if n else None
    m["mean_return"] = mean
    m["sharpe_period"] = finite_or_none(mean / sd) if n >= 2 and sd > 0 \
        else None
    m["sharpe"] = None if m["sharpe_period"] is None \
        else m["sharpe_period"] * math.sqrt(PPY)
    m["annual_volatility"] = finite_or_none(sd * math.sqrt(PPY)) \
        if n >= 2 else None
    down = math.sqrt(np.mean(np.minimum(r, 0.0) ** 2)) if n else 0.0
    m["sortino"] = mean / down * math.sqrt(PPY) if n >= 2 and down > 0 \
        else None
    dd = float((wealth / np.maximum.accumulate(wealth) - 1.0).min())
    m["max_drawdown"] = dd
    m["calmar"] = m["cagr"] / abs(dd) if dd < 0 and m["cagr"] is not None \
        else None
    if m["calmar"] is not None and not math.isfinite(m["calmar"]):
        m["calmar"] = None
    var = r.var() if n else 0.0
    m["skew"] = float(stats.skew(r)) if var > 0 else None
    m["kurtosis"] = float(stats.kurtosis(r)) if var > 0 else None
    return m


def expected_max(v, n):
    if n == 1:
        return 0.0
    return math.sqrt(v) * ((1 - EULER_GAMMA) * stats.norm.ppf(1 - 1.0 / n)
                           + EULER_GAMMA * stats.norm.ppf(1 - 1.0 / (n * math.e)))


def psr(sr, sr0, t, g3, g4):
    den = 1 - g3 * sr + (g4 - 1) / 4.0 * sr * sr
    if t < 2 or not den > 0:
        return None, None
    z = (sr - sr0) * math.sqrt(t - 1) / math.sqrt(den)
    return z, float(stats.norm.cdf(z))


def golden():
    sr0 = expected_max(0.5 / 250, 100)
    _, dsr = psr(2.5 / math.sqrt(250), sr0, 1250, -3, 10)
    ok = round(sr0, 4) == 0.1132 and round(dsr, 4) == 0.9004
    print("ref_sweep: golden: SR0 %.6f (paper 0.1132), DSR %.6f (paper "
          "0.9004): %s" % (sr0, dsr, "ok" if ok else "MISMATCH"))
    return 0 if ok else 1


def main(argv):
    if len(argv) >= 2 and argv[1] == "--golden":
        return golden()
    if len(argv) < 2:
        print(__doc__)
        return 2
    d = argv[1]
    quiet = "--quiet" in argv[2:]
    doc = json.load(open(d + "/sweep.json"))
    rows = list(csv.DictReader(open(d + "/variants.csv", newline="")))
    rets = {}
    for row in csv.DictReader(open(d + "/returns.csv", newline="")):
        rets.setdefault(int(row["variant"]), []).append(float(row["return"]))
    bad = []
    compared = 0
    n = len(rows)
    if n != doc["spec"]["variants"] or n != len(doc["variants"]):
        bad.append("variant count: csv %d, spec %d, json %d" % (
            n, doc["spec"]["variants"], len(doc["variants"])))
    keys = ["total_return", "cagr", "sharpe", "sharpe_period", "sortino",
            "max_drawdown", "annual_volatility", "calmar", "skew", "kurtosis",
            "mean_return"]
    sr = []
    moments = []
    for i, row in enumerate(rows):
        if int(row["index"]) != i:
            bad.append("row %d has index %s" % (i, row["index"]))
        jv = doc["variants"][i]
        # sweep.json and variants.csv say the same thing.
        for k in keys + ["picks", "win_rate"]:
            a, b = num(row[k]), jv["metrics"][k]
            compared += 1
            if not (a == b or (a is None and b is None)):
                bad.append("variant %d %s: csv %r, json %r" % (i, k, a, b))
        if row["status"] != "ok":
            if i in rets:
                bad.append("variant %d: no_data with returns" % i)
            sr.append(float("nan"))
            moments.append(None)
            continue
        r = rets.get(i, [])
        if int(row["periods"]) != len(r):
            bad.append("variant %d: %s periods, %d returns" % (
                i, row["periods"], len(r)))
        m = series_metrics(r)
        for k in keys:
            compared += 1
            if not close(num(row[k]), m[k]):
                bad.append("variant %d %s: moonscope %r, reference %r" % (
                    i, k, num(row[k]), m[k]))
        sr.append(m["sharpe_period"] if m["sharpe_period"] is not None
                  else float("nan"))
        moments.append((len(r), m["skew"], m["kurtosis"]))

    # The deflated Sharpe ratio of the best.
    sr = np.array(sr)
    fin = sr[np.isfinite(sr)]
    got = doc["deflated_sharpe"]
    ref = {"trials": n, "trials_with_sharpe": len(fin)}
    if len(fin):
        best = int(np.nanargmax(sr))   # the first of equal maxima
        t, g3, ku = moments[best]
        g4 = ku + 3.0
        v = float(fin.var(ddof=1)) if len(fin) >= 2 else (0.0 if n == 1
                                                         else None)
        sr0 = expected_max(v, n) if v is not None else None
        z, dsr = psr(sr[best], sr0, t, g3, g4) if sr0 is not None \
            else (None, None)
        _, p0 = psr(sr[best], 0.0, t, g3, g4)
        ref.update({"best": best, "sharpe_variance": v,
                    "expected_max_sharpe": sr0, "sharpe": float(sr[best]),
                    "periods": t, "skew": g3, "kurtosis": g4, "z": z,
                    "dsr": dsr, "psr": p0})
        if doc["best"] is None or doc["best"]["index"] != best:
            bad.append("best: moonscope %r, reference %d" % (
                doc["best"] and doc["best"]["index"], best))
        if rows[best]["best"] != "1":
            bad.append("variants.csv does not flag variant %d as best" % best)
    else:
        ref.update({"best": None, "dsr": None})
    for k, want in ref.items():
        compared += 1
        have = got.get(k)
        if isinstance(want, int) or want is None:
            if have != want:
                bad.append("deflated_sharpe.%s: moonscope %r, reference %r" % (
                    k, have, want))
        elif not close(have, want):
            bad.append("deflated_sharpe.%s: moonscope %r, reference %r" % (
                k, have, want))
    m = doc["metrics"]["deflated_sharpe"]
    for k in ("dsr", "psr", "expected_max_sharpe"):
        compared += 1
        if m[k] != got[k]:
            bad.append("metrics.deflated_sharpe.%s differs from "
                       "deflated_sharpe.%s" % (k, k))
    for line in bad:
        print("ref_sweep: MISMATCH " + line)
    if not quiet or bad:
        print("ref_sweep: %d variants, %d values compared, %d mismatches; "
              "best %s, DSR %s (reference %s)" % (
                  n, compared, len(bad), ref.get("best"), got.get("dsr"),
                  ref.get("dsr")))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
