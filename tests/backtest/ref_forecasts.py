#!/usr/bin/python3
"""ref_forecasts.py -- independent recomputation of every metric of a
`moonscope backtest forecasts` report from its per-forecast CSV, with
numpy and scipy (Debian python3-numpy, python3-scipy).

    ref_forecasts.py REPORT_DIR [--db STORE] [--rel 1e-9]

Reads REPORT_DIR/forecasts.csv (one row per origin x asset x model x
horizon: the predictive quantiles, the normal law's log_mean and log_sd,
the realised close) and recomputes, per model x horizon and per asset x
model x horizon, every number of REPORT_DIR/summary.json's "metrics" and
"by_asset": interval coverage and its binomial p, misses below/above,
the share of outcomes below each quantile, pinball loss per quantile and
its mean, CRPS of the normal on the log price (closed form, Gneiting &
Raftery 2007), MAPE of the median, RMSE of the log median, directional
accuracy and its binomial p (cross-checked with scipy.stats.binomtest),
skill against naive (CRPS, pinball, RMSE) on the forecasts both models
made. Counts must be equal; values equal to a relative --rel (default
1e-9; absolute 1e-12 for values within 1e-12 of zero, e.g. naive's own
skill of 0).

Per row it also checks the CSV's crps column, and that the closed-form
quantiles are price * exp(log_mean + z_tau * log_sd). crps_sample (the
CRPS of the 10,000 simulated garch paths) cannot be recomputed from the
CSV, which holds the quantiles, not the paths: its per-row values are
taken from the CSV and only their mean is checked here (the C unit test
checks the sample formula against a brute-force double sum).

With --db, the realised closes and the prices at the origins are read
from the store's `daily` table with Python's sqlite3 and checked against
the realised rule: the close on origin + h, or the last bar at most
floor(h / 10) days before it.

Exit status 0 when everything matches, 1 otherwise (each mismatch is
printed), 2 on a usage or input error.
"""
import csv
import datetime
import json
import math
import os
import sqlite3
import sys

import numpy as np
from scipy import stats

QPROB = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95]
QNAMES = ["q05", "q10", "q25", "q50", "q75", "q90", "q95"]
INTERVALS = [("50", 0.5, 2, 4), ("80", 0.8, 1, 5), ("90", 0.9, 0, 6)]
MODELS = ["naive", "drift", "ewma", "garch"]
EPOCH = datetime.date(1970, 1, 1)


def day_num(s):
    return (datetime.date.fromisoformat(s) - EPOCH).days


def fnum(s):
    return float(s) if s != "" else math.nan


def load_rows(path):
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            r["horizon"] = int(r["horizon"])
            for k in ["price", "log_mean", "log_sd", "realised", "crps",
                      "crps_sample"] + QNAMES:
                r[k] = fnum(r[k])
            rows.append(r)
    return rows


def binom_p(k, n, p0):
    """Two-sided: the doubled smaller tail (see the C code's comment)."""
    if n == 0:
        return math.nan
    le = stats.binom.cdf(k, n, p0)
    ge = 1.0 if k == 0 else stats.binom.sf(k - 1, n, p0)
    return min(1.0, 2.0 * min(le, ge))


def row_scores(r):
    """Adds the per-row scores; r['judged'] False when no realised close."""
    y_price = r["realised"]
    r["judged"] = math.isfinite(y_price) and y_price > 0
    if not r["judged"]:
        return
    y = math.log(y_price)
    q = np.array([r[k] for k in QNAMES])
    lq = np.log(q)
    tau = np.array(QPROB)
    r["pinball"] = ((y < lq).astype(float) - tau) * (lq - y)
    r["below"] = [y_price < qi for qi in q]
    r["inside"] = [q[lo] <= y_price <= q[hi] for _, _, lo, hi in INTERVALS]
    r["below_lo"] = [y_price < q[lo] for _, _, lo, hi in INTERVALS]
    r["above_hi"] = [y_price > q[hi] for _, _, lo, hi in INTERVALS]
    mu = math.log(r["price"]) + r["log_mean"]
    sigma = r["log_sd"]
    if sigma > 0:
        z = (y - mu) / sigma
        r["crps_ref"] = sigma * (z * (2 * stats.norm.cdf(z) - 1) +
                                 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))
    else:
        r["crps_ref"] = abs(y - mu)
    r["ape"] = abs(q[3] - y_price) / y_price
    r["log_err"] = math.log(q[3]) - y
    r["dir_pred"] = int(np.sign(q[3] - r["price"]))
    r["dir_real"] = int(np.sign(y_price - r["price"]))


def aggregate(rows, naive_of):
    """The score cell of a list of rows (one model and horizon)."""
    out = {"forecasts": len(rows)}
    out["fallbacks"] = sum(1 for r in rows
                           if r["model"] == "garch" and r["used"] != "garch")
    j = [r for r in rows if r["judged"]]
    n = len(j)
    out["judged"] = n
    for k, (name, p0, lo, hi) in enumerate(INTERVALS):
        inside = sum(1 for r in j if r["inside"][k])
        out["inside_" + name] = inside
        out["below_" + name] = sum(1 for r in j if r["below_lo"][k])
        out["above_" + name] = sum(1 for r in j if r["above_hi"][k])
        out["coverage_" + name] = inside / n if n else math.nan
        out["coverage_%s_p" % name] = binom_p(inside, n, p0)
    if n:
        pin = np.array([r["pinball"] for r in j])
        means = pin.mean(axis=0)
        out["pinball"] = dict(zip(QNAMES, means))
        out["pinball_mean"] = means.mean()
        below = np.array([r["below"] for r in j], dtype=float)
        out["share_below"] = dict(zip(QNAMES, below.mean(axis=0)))
        out["crps"] = np.mean([r["crps_ref"] for r in j])
        out["mape"] = np.mean([r["ape"] for r in j])
        out["rmse_log"] = math.sqrt(np.mean([r["log_err"] ** 2 for r in j]))
    else:
        out["pinball"] = dict((k, math.nan) for k in QNAMES)
        out["share_below"] = dict((k, math.nan) for k in QNAMES)
        for k in ["pinball_mean", "crps", "mape", "rmse_log"]:
            out[k] = math.nan
    cs = [r for r in j if math.isfinite(r["crps_sample"])]
    out["crps_sample_n"] = len(cs)
    out["crps_sample"] = np.mean([r["crps_sample"] for r in cs]) if cs else math.nan
    out["crps_sample_normal"] = (np.mean([r["crps_ref"] for r in cs])
                                 if cs else math.nan)
    calls = [r for r in j if r["dir_pred"] != 0 and r["dir_real"] != 0]
    hits = sum(1 for r in calls if r["dir_pred"] == r["dir_real"])
    out["direction_calls"] = len(calls)
    out["direction_hits"] = hits
    out["directional_accuracy"] = hits / len(calls) if calls else math.nan
    out["direction_p"] = binom_p(hits, len(calls), 0.5)
    if calls:
        out["_binomtest"] = stats.binomtest(hits, len(calls), 0.5).pvalue
    pairs = []
    for r in j:
        z = naive_of.get((r["origin"], r["asset"], r["horizon"]))
        if z is not None and z["judged"]:
            pairs.append((r, z))
    out["skill_n"] = len(pairs)
    if pairs:
        c = sum(r["crps_ref"] for r, _ in pairs)
        c0 = sum(z["crps_ref"] for _, z in pairs)
        p = sum(np.mean(r["pinball"]) for r, _ in pairs)
        p0 = sum(np.mean(z["pinball"]) for _, z in pairs)
        s = np.mean([r["log_err"] ** 2 for r, _ in pairs])
        s0 = np.mean([z["log_err"] ** 2 for _, z in pairs])
        out["skill_crps"] = 1 - c / c0 if c0 > 0 else math.nan
        out["skill_pinball"] = 1 - p / p0 if p0 > 0 else math.nan
        out["skill_rmse"] = (1 - math.sqrt(s) / math.sqrt(s0)
                             if s0 > 0 else math.nan)
    else:
        out["skill_crps"] = out["skill_pinball"] = math.nan
        out["skill_rmse"] = math.nan
    return out


class Checker:
    def __init__(self, rel):
        self.rel = rel
        self.n = 0
        self.bad = 0

    def same(self, name, got, want):
        self.n += 1
        g = math.nan if got is None else float(got)
        w = float(want)
        if math.isnan(g) and math.isnan(w):
            return
        ok = False
        if not (math.isnan(g) or math.isnan(w)):
            if abs(w) < 1e-12:
                ok = abs(g - w) <= 1e-12
            else:
                ok = abs(g - w) <= self.rel * abs(w)
        if not ok:
            self.bad += 1
            if self.bad <= 40:
                print("not ok %s: report %r, reference %r" % (name, got, want))

    def exact(self, name, got, want):
        self.n += 1
        if got != want:
            self.bad += 1
            if self.bad <= 40:
                print("not ok %s: report %r, reference %r" % (name, got, want))


def compare_cell(ck, prefix, cell, ref):
    for key, want in ref.items():
        if key.startswith("_"):
            continue
        got = cell.get(key, "MISSING")
        if isinstance(want, dict):
            for k2, w2 in want.items():
                ck.same(prefix + "." + key + "." + k2,
                        (got or {}).get(k2), w2)
        elif isinstance(want, int):
            ck.exact(prefix + "." + key, got, want)
        else:
            ck.same(prefix + "." + key, got, want)
    if "_binomtest" in ref:
        ck.same(prefix + ".direction_p(binomtest)", cell["direction_p"],
                ref["_binomtest"])


def check_store(ck, db, rows):
    """Prices at origins and realised closes against the daily table."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    ids = dict(con.execute("SELECT slug, id FROM assets"))
    cache = {}
    for r in rows:
        aid = ids[r["asset"]]
        if aid not in cache:
            cache[aid] = dict(con.execute(
                "SELECT day, close FROM daily WHERE asset_id = ?", (aid,)))
        closes = cache[aid]
        o = day_num(r["origin"])
        ck.same("price %s %s" % (r["asset"], r["origin"]), r["price"],
                closes.get(o, math.nan))
        t = o + r["horizon"]
        want_day, want = None, math.nan
        for d in range(t, t - r["horizon"] // 10 - 1, -1):
            if d in closes:
                want_day, want = d, closes[d]
                break
        if want_day is not None and not (want is not None and want > 0):
            want_day, want = None, math.nan
        got_day = day_num(r["realised_day"]) if r["realised_day"] else None
        ck.exact("realised_day %s %s h%d" % (r["asset"], r["origin"],
                                              r["horizon"]), got_day, want_day)
        ck.same("realised %s %s h%d" % (r["asset"], r["origin"],
                                         r["horizon"]),
                r["realised"], math.nan if want is None else want)
    con.close()


def main(argv):
    args = argv[1:]
    rel, db = 1e-9, None
    if "--rel" in args:
        i = args.index("--rel")
        rel = float(args[i + 1])
        del args[i:i + 2]
    if "--db" in args:
        i = args.index("--db")
        db = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    d = args[0]
    with open(os.path.join(d, "summary.json")) as f:
        summary = json.load(f)
    if summary.get("schema") != "moonscope.backtest.forecasts" or \
            summary.get("schema_version") != 1:
        print("not ok: schema is not moonscope.backtest.forecasts v1")
        return 1
    rows = load_rows(os.path.join(d, "forecasts.csv"))
    ck = Checker(rel)
    z95 = stats.norm.ppf(0.95)
    for r in rows:
        row_scores(r)
        tag = "%s %s %s h%d" % (r["asset"], r["origin"], r["model"],
                                r["horizon"])
        if r["method"] == "closed_form":
            for k, tau in enumerate(QPROB):
                ck.same("quantile %s %s" % (QNAMES[k], tag), r[QNAMES[k]],
                        r["price"] * math.exp(r["log_mean"] +
                                              stats.norm.ppf(tau) * r["log_sd"]))
        if r["method"] == "recorded":
            ck.same("log_mean " + tag, r["log_mean"],
                    math.log(r["q50"] / r["price"]))
            ck.same("log_sd " + tag, r["log_sd"],
                    math.log(r["q95"] / r["q05"]) / (2 * z95))
        if r["judged"]:
            ck.same("crps " + tag, r["crps"], r["crps_ref"])
        else:
            ck.exact("unjudged crps " + tag, math.isnan(r["crps"]), True)
    naive_of = dict(((r["origin"], r["asset"], r["horizon"]), r)
                    for r in rows if r["model"] == "naive")
    params = summary["parameters"]
    models, horizons = params["models"], params["horizons"]
    counts = summary["counts"]
    ck.exact("counts.forecasts", counts["forecasts"], len(rows))
    ck.exact("counts.judged", counts["judged"],
             sum(1 for r in rows if r["judged"]))
    cells = 0
    for m in models:
        for h in horizons:
            sel = [r for r in rows if r["model"] == m and r["horizon"] == h]
            ref = aggregate(sel, naive_of)
            compare_cell(ck, "metrics.%s.h%d" % (m, h),
                         summary["metrics"][m]["h%d" % h], ref)
            cells += 1
            for a in params["assets"]:
                sa = [r for r in sel if r["asset"] == a]
                compare_cell(ck, "by_asset.%s.%s.h%d" % (a, m, h),
                             summary["by_asset"][a][m]["h%d" % h],
                             aggregate(sa, naive_of))
                cells += 1
    if db is not None:
        check_store(ck, db, rows)
    if ck.bad:
        print("not ok ref_forecasts: %d of %d checks differ" % (ck.bad, ck.n))
        return 1
    print("ok ref_forecasts: %d checks over %d forecasts and %d score cells "
          "match (relative %g)" % (ck.n, len(rows), cells, rel))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
