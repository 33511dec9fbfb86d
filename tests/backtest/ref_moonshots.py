#!/usr/bin/python3
"""ref_moonshots.py — the independent check of `moonscope backtest
moonshots`: recomputes every metric of a report's summary.json from the
report's own periods.csv and picks.csv with numpy and scipy (Debian's
python3-numpy / python3-scipy; run it with /usr/bin/python3) and compares
the two at a relative 1e-9 (absolute 1e-12 near zero).

    /usr/bin/python3 tests/backtest/ref_moonshots.py REPORT_DIR \\
        [--store DB] [--gsl-rng PROG]
    /usr/bin/python3 tests/backtest/ref_moonshots.py --golden

What is recomputed, and from what:

- per series (portfolio, benchmark asset, universe basket), from the daily
  returns of periods.csv (portfolio: the `return` column; benchmark and
  universe: the ratio of consecutive `benchmark_equity` /
  `universe_equity` values, the first against 1): total return, CAGR,
  volatility, Sharpe, Sortino, downside risk, max drawdown and its
  duration, Calmar, VaR, CVaR, tail ratio, skew, kurtosis, period hit
  rate, mean return, number of periods; for the portfolio alpha and beta
  by OLS on the benchmark's returns (scipy.stats.linregress, checked
  against numpy.linalg.lstsq), final equity in USD. The definitions are
  those of docs/backtesting.md and docs/models/quant.md (empyrical's),
  written here from the formulas with numpy/scipy, not translated from C;
- the equity and drawdown columns from the compounded returns, and (with
  --store) the benchmark's equity from its closes in the store;
- per pick, from picks.csv: counts, wins, win rate, mean, median, the
  shares reaching 2x/10x/100x and the share that died, the costs block,
  and each pick's net return from its entry/exit/cost columns
  ((1 - unsold) exit_price (1 - exit_cost) / (entry_price (1 +
  entry_cost)) - 1; not for "censored" picks, whose rest valued at the
  end of the data is not in the CSV);
- with --store: every pick again from the store's daily bars, following
  the documented cost, sale and delisting rules (a Python re-simulation
  of each position; the tranche cash, target_usd, is taken from the CSV),
  which also gives spread_usd / impact_usd;
- the bootstrap intervals: GSL's mt19937 seeded with s (s = 0 -> 4357,
  then s mod 2^32) runs Matsumoto & Nishimura's init_genrand, which is
  numpy's legacy RandomState(s); gsl_rng_uniform_int(r, m) is
  "k = raw / floor((2^32 - 1) / m), redraw while k >= m" (gsl_rng.h).
  With --gsl-rng PROG (a tiny C program linked with GSL, printing
  gsl_rng_get or gsl_rng_uniform_int outputs, see t_moonshots_ref.sh) the
  script first proves the two streams identical, then redraws the same
  resamples and compares the intervals at 1e-9 like every other metric.

Any numeric leaf under "metrics" in summary.json that this script does not
recompute is a failure ("UNCHECKED"): a new metric needs a reference here.
--golden checks this script's own formulas against published values
(empyrical's test suite and the issue's Sharpe/Sortino example).

Exit status 0 when everything agrees, 1 on any mismatch, 2 on bad usage.
"""

import csv
import datetime
import json
import math
import os
import sqlite3
import subprocess
import sys

import numpy as np
from scipy import stats

REL = 1e-9
ABS = 1e-12
EPOCH = datetime.date(1970, 1, 1)


# --- comparison -------------------------------------------------------------

class Checker:
    """Collects comparisons, prints one line each, counts failures."""

    def __init__(self, quiet=False, label="C"):
        self.label = label
        self.fails = 0
        self.count = 0
        self.checked = set()
        self.quiet = quiet

    @staticmethod
    def _num(v):
        if v is None:
            return float("nan")
        return float(v)

    def num(self, name, c_val, ref_val, rel=REL, abs_=ABS, key=None):
        """C value (None = null) against the reference (NaN = undefined)."""
        self.count += 1
        if key is not None:
            self.checked.add(key)
        c = self._num(c_val)
        r = self._num(ref_val)
        if math.isnan(c) and math.isnan(r):
            ok, diff = True, "both undefined"
        elif math.isnan(c) or math.isnan(r):
            ok, diff = False, "one undefined"
        else:
            d = abs(c - r)
            scale = max(abs(c), abs(r))
            ok = d <= abs_ or d <= rel * scale
            diff = "rel %.1e" % (d / scale) if scale > 0 else "abs 0"
        self._line(ok, name, "%.17g" % c, "%.17g" % r, diff)
        return ok

    def exact(self, name, c_val, ref_val, key=None):
        self.count += 1
        if key is not None:
            self.checked.add(key)
        ok = c_val == ref_val
        self._line(ok, name, str(c_val), str(ref_val), "exact")
        return ok

    def _line(self, ok, name, c, r, diff):
        if not ok:
            self.fails += 1
        if ok and self.quiet:
            return
        print("%-4s %-46s %s %-24s ref %-24s %s" %
              ("ok" if ok else "FAIL", name, self.label, c, r, diff))

    def note(self, msg):
        print("     " + msg)


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# --- series metrics (docs/models/quant.md, empyrical) -----------------------

def gsl_quantile(sorted_v, f):
    """gsl_stats_quantile_from_sorted_data: linear between order stats."""
    n = len(sorted_v)
    idx = f * (n - 1)
    lhs = int(math.floor(idx))
    delta = idx - lhs
    if lhs == n - 1:
        return float(sorted_v[lhs])
    return float((1 - delta) * sorted_v[lhs] + delta * sorted_v[lhs + 1])


def max_drawdown(r):
    """Depth and duration of the wealth path 1, prod(1 + r[:j])."""
    wealth = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    runmax = np.maximum.accumulate(wealth)
    dd = wealth / runmax - 1.0
    trough = int(np.argmin(dd))
    depth = float(dd[trough])
    if not depth < 0:
        return 0.0, 0
    at_high = np.nonzero(wealth[:trough + 1] >= runmax[:trough + 1])[0]
    peak = int(at_high[-1])
    after = np.nonzero(wealth[trough + 1:] >= wealth[peak])[0]
    n = len(r)
    duration = (trough + 1 + int(after[0]) - peak) if len(after) else n - peak
    return depth, duration


def series_metrics(r, bench=None, ppy=365.0):
    """Every series metric of summary.json for daily returns r."""
    r = np.asarray(r, dtype=float)
    n = len(r)
    known = np.isfinite(r)
    x = r[known]
    m = len(x)
    nan = float("nan")
    out = {"periods": n}
    out["mean_period_return"] = float(np.mean(x)) if m else nan
    sd = float(np.std(x, ddof=1)) if m >= 2 else nan
    out["mean_period_return_t"] = (out["mean_period_return"] /
                                   (sd / math.sqrt(m))
                                   if m >= 2 and sd > 0 else nan)
    out["annual_volatility"] = sd * math.sqrt(ppy)
    out["sharpe"] = (out["mean_period_return"] / sd * math.sqrt(ppy)
                     if m >= 2 and sd > 0 else nan)
    dd = float(np.sqrt(np.mean(np.minimum(x, 0.0) ** 2))) if m else nan
    out["downside_risk"] = dd * math.sqrt(ppy)
    out["sortino"] = (out["mean_period_return"] / dd * math.sqrt(ppy)
                      if m >= 2 and dd > 0 else nan)
    path_ok = n > 0 and bool(np.all(known)) and bool(np.all(r >= -1.0))
    if path_ok:
        growth = float(np.prod(1.0 + r))
        out["total_return"] = growth - 1.0
        out["cagr"] = growth ** (ppy / n) - 1.0
        depth, duration = max_drawdown(r)
        out["max_drawdown"] = depth
        out["max_drawdown_duration"] = duration
        cal = out["cagr"] / abs(depth) if depth < 0 else nan
        out["calmar"] = cal if math.isfinite(cal) else nan
    else:
        for k in ("total_return", "cagr", "max_drawdown", "calmar"):
            out[k] = nan
        out["max_drawdown_duration"] = None
    if m:
        out["var"] = float(np.percentile(x, 5))
        k = int(math.floor((m - 1) * 0.05))
        out["cvar"] = float(np.mean(np.partition(x, k)[:k + 1]))
        q5 = abs(float(np.percentile(x, 5)))
        q95 = abs(float(np.percentile(x, 95)))
        out["tail_ratio"] = q95 / q5 if q5 > 0 else nan
        m2 = float(np.mean((x - x.mean()) ** 2))
        out["skew"] = float(stats.skew(x)) if m2 > 0 else nan
        out["kurtosis"] = float(stats.kurtosis(x)) if m2 > 0 else nan
        out["hit_rate_periods"] = float(np.count_nonzero(x > 0)) / m
    else:
        for k in ("var", "cvar", "tail_ratio", "skew", "kurtosis",
                  "hit_rate_periods"):
            out[k] = nan
    if bench is not None:
        out.update(alpha_beta(r, np.asarray(bench, dtype=float), ppy))
    return out


def alpha_beta(r, b, ppy):
    """OLS of r on b over the pairs where both are known (linregress)."""
    nan = float("nan")
    ok = np.isfinite(r) & np.isfinite(b)
    y, x = r[ok], b[ok]
    k = len(y)
    res = {"alpha": nan, "beta": nan, "alpha_t": nan, "beta_t": nan,
           "npairs": k, "beta_lstsq": nan}
    if k < 2 or not float(np.mean((x - x.mean()) ** 2)) >= 1e-30:
        return res
    lr = stats.linregress(x, y)
    res["beta"] = float(lr.slope)
    res["alpha"] = (1.0 + float(lr.intercept)) ** ppy - 1.0
    # Second, different route to the slope: least squares on [1, b].
    design = np.column_stack([np.ones(k), x])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    res["beta_lstsq"] = float(coef[1])
    if k > 2:
        resid = y - (lr.intercept + lr.slope * x)
        s2 = float(resid @ resid) / (k - 2)
        sxx = float(((x - x.mean()) ** 2).sum())
        se_b = math.sqrt(s2 / sxx)
        se_a = math.sqrt(s2 * (1.0 / k + x.mean() ** 2 / sxx))
        res["beta_t"] = lr.slope / se_b if se_b > 0 else nan
        res["alpha_t"] = lr.intercept / se_a if se_a > 0 else nan
    return res


# --- golden values ----------------------------------------------------------

def golden(chk):
    """This script's formulas against published values."""
    # The example (docs/models/quant.md), P = 252.
    g = series_metrics([0.01, 0.02, -0.01, 0.03, -0.02], ppy=252)
    chk.num("golden issue sharpe (P=252)", 4.593220484, g["sharpe"])
    chk.num("golden issue sortino (P=252)", 9.524704720, g["sortino"])
    chk.num("golden issue sharpe closed form",
            0.006 / math.sqrt(0.00172 / 4) * math.sqrt(252), g["sharpe"])
    chk.num("golden issue sortino closed form", 0.6 * math.sqrt(252),
            g["sortino"])
    # empyrical's test suite (empyrical/tests/test_stats.py, Quantopian),
    # daily series at P = 252; mixed_returns without its leading NaN.
    pos = np.array([1., 2., 1., 1., 1., 1., 1., 1., 1.]) / 100
    neg = np.array([0., -6., -7., -1., -9., -2., -6., -8., -5.]) / 100
    mixed = np.array([1., 10., -4., 2., 3., 2., 1., -10.]) / 100
    gp = series_metrics(pos, ppy=252)
    gn = series_metrics(neg, ppy=252)
    gm = series_metrics(mixed, bench=neg[1:], ppy=252)
    chk.num("golden empyrical sharpe(positive)", 52.915026221291804,
            gp["sharpe"])
    chk.num("golden empyrical sharpe(negative)", -24.406808633910085,
            gn["sharpe"])
    chk.num("golden empyrical sharpe(mixed)", 1.7238613961706866,
            gm["sharpe"])
    chk.num("golden empyrical annual_volatility(mixed)",
            0.9136465399704637, gm["annual_volatility"])
    chk.num("golden empyrical downside_risk(mixed)", 0.60448325038829653,
            gm["downside_risk"])
    chk.num("golden empyrical sortino(mixed)", 2.605531251673693,
            gm["sortino"])
    chk.num("golden empyrical sortino(negative)", -13.532743075043401,
            gn["sortino"])
    chk.num("golden empyrical max_drawdown(negative)",
            -0.36590730349873601, gn["max_drawdown"])
    chk.num("golden empyrical max_drawdown(mixed)", -0.1,
            gm["max_drawdown"])
    chk.num("golden empyrical max_drawdown([.1,-.1,.1])", -0.10,
            series_metrics([0.1, -0.1, 0.1])["max_drawdown"])
    chk.num("golden empyrical max_drawdown(positive)", 0.0,
            gp["max_drawdown"])
    # empyrical compounds the leading NaN as 0 over 9 periods.
    m9 = series_metrics(np.concatenate([[0.0], mixed]), ppy=252)
    chk.num("golden empyrical annual_return(mixed)", 1.9135925373194231,
            m9["cagr"])
    chk.num("golden empyrical calmar(mixed)", 19.135925373194233,
            m9["calmar"])
    chk.num("golden empyrical cum_returns_final(negative)", -0.36590,
            gn["total_return"], rel=2e-5)   # published with 5 decimals
    chk.num("golden empyrical beta(mixed, negative)", -0.71296296296296313,
            gm["beta"])
    # empyrical 0.2's alpha was the per-period intercept * 252.
    a_per = math.pow(1.0 + gm["alpha"], 1.0 / 252) - 1.0
    chk.num("golden empyrical alpha(mixed, negative) as a*252",
            -8.306666666666668, a_per * 252)


# --- reading the report -----------------------------------------------------

def day_num(s):
    return (datetime.date.fromisoformat(s) - EPOCH).days


def fnum(s):
    return float(s) if s != "" else float("nan")


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# --- the bootstrap ----------------------------------------------------------

def gsl_seed(seed):
    s = seed % (1 << 64)
    if s == 0:
        s = 4357
    return s & 0xFFFFFFFF


def raw_stream(seed):
    """numpy's legacy MT19937 seeded as GSL does: raw uint32 chunks."""
    rs = np.random.RandomState(gsl_seed(seed))
    while True:
        yield rs.randint(0, 1 << 32, size=1 << 20, dtype=np.uint64)


def uniform_int_stream(seed, n, count):
    """count outputs of gsl_rng_uniform_int(r, n) after gsl_rng_set."""
    scale = 0xFFFFFFFF // n
    out = []
    have = 0
    for chunk in raw_stream(seed):
        k = chunk // scale
        k = k[k < n]
        out.append(k)
        have += len(k)
        if have >= count:
            break
    return np.concatenate(out)[:count].astype(np.int64)


def prove_stream(chk, prog):
    """The GSL program's outputs equal this script's for a few seeds and n."""
    cases = [(1, 0), (0, 0), (1 << 32, 0), (12345, 0), (1, 180), (7, 3),
             (1, 1), (99, 1000), (3, 2147483649)]
    count = 2000
    for seed, n in cases:
        out = subprocess.run([prog, str(seed), str(n), str(count)],
                             capture_output=True, text=True, check=True)
        got = np.array([int(v) for v in out.stdout.split()], dtype=np.uint64)
        if n == 0:
            ref = next(raw_stream(seed))[:count]
            what = "gsl_rng_get"
        else:
            ref = uniform_int_stream(seed, n, count).astype(np.uint64)
            what = "gsl_rng_uniform_int(%d)" % n
        same = len(got) == count and bool(np.array_equal(got, ref))
        first = ",".join(str(int(v)) for v in ref[:3])
        chk.exact("rng seed %d %s x%d [%s...]" % (seed, what, count, first),
                  "identical" if same else "differs", "identical")


def bootstrap_ci(ret, seed, nboot):
    """The C bootstrap redrawn: returns (mean, median, win) intervals."""
    s = np.sort(ret)
    m = len(s)
    idx = uniform_int_stream(seed, m, m * nboot).reshape(nboot, m)
    draws = s[idx]
    bmean = draws.mean(axis=1)
    bmed = np.median(draws, axis=1)
    bwin = np.count_nonzero(draws > 0, axis=1) / m

    def ci(v):
        v = np.sort(v)
        return gsl_quantile(v, 0.025), gsl_quantile(v, 0.975), \
            float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))
    return ci(bmean), ci(bmed), ci(bwin)


# --- re-simulating each pick from the store ---------------------------------

def finite_pos(x):
    return math.isfinite(x) and x > 0


class Store:
    def __init__(self, path):
        self.db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)

    def asset_id(self, slug):
        row = self.db.execute("SELECT id FROM assets WHERE slug = ?",
                              (slug,)).fetchone()
        return row[0] if row else None

    def bars(self, aid, d0, d1):
        """close, high, volume arrays over days d0..d1 (NaN = no value)."""
        n = d1 - d0 + 1
        c = np.full(n, np.nan)
        hi = np.full(n, np.nan)
        v = np.full(n, np.nan)
        for day, close, high, vol in self.db.execute(
                "SELECT day, close, high, volume FROM daily WHERE asset_id = ?"
                " AND day BETWEEN ? AND ?", (aid, d0, d1)):
            t = day - d0
            c[t] = np.nan if close is None else close
            hi[t] = np.nan if high is None else high
            v[t] = np.nan if vol is None else vol
        return c, hi, v


def next_rebalance(d, kind, anchor):
    if kind == "daily":
        return d + 1
    if kind == "weekly":
        return d + 7
    dt = EPOCH + datetime.timedelta(days=d)
    y, m = (dt.year + 1, 1) if dt.month == 12 else (dt.year, dt.month + 1)
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    last = (datetime.date(ny, nm, 1) - datetime.date(y, m, 1)).days
    return (datetime.date(y, m, min(anchor, last)) - EPOCH).days


def simulate_pick(st, pk, prm, data_last, hold, acc):
    """One position by the rules of docs/backtesting.md; dict of columns."""
    sbps = prm["spread_bps"] / 1e4
    imp_k = prm["impact"]
    mvs = prm["max_volume_share"]
    hc = prm["delist_haircut"]
    ddays = prm["delist_days"]
    nan = float("nan")
    day = day_num(pk["date"])
    end = min(day + hold + ddays, data_last)
    aid = st.asset_id(pk["asset"])
    c, hi, v = st.bars(aid, day, end)
    nd = len(c)
    h = min(hold, nd - 1)
    res = {"entry_price": c[0], "status": None}
    target = fnum(pk["target_usd"])
    p0 = c[0]
    if not target > 0 or not finite_pos(p0) or not finite_pos(v[0]):
        res.update(status="unfilled", notional_usd=0.0, reduced_usd=target)
        return res
    notional = target
    reduced = 0.0
    if notional > mvs * v[0]:
        reduced = notional - mvs * v[0]
        notional = mvs * v[0]
    imp_in = imp_k * notional / v[0]
    cin = sbps + imp_in
    q = notional / (p0 * (1 + cin))
    acc_add(acc, notional - q * p0, sbps, imp_in)
    res.update(notional_usd=notional, reduced_usd=reduced, entry_cost=cin)
    pos = [t for t in range(h + 1) if finite_pos(c[t])]
    last = pos[-1]
    status = "censored" if day + hold > data_last else "held"
    if last < h:
        lim = min(last + ddays, nd - 1)
        again = any(finite_pos(c[t]) for t in range(h + 1, lim + 1))
        if not again and last + ddays <= nd - 1:
            status = "died"
        elif not again:
            status = "censored"
    res["last_bar_date"] = day + last
    tops = [hi[t] if math.isfinite(hi[t]) else c[t]
            for t in range(1, last + 1)]
    tops = [x for x in tops if math.isfinite(x)]
    res["max_gain"] = max(tops) / p0 - 1 if tops else nan
    res["return_gross"] = c[last] / p0 - 1
    if status == "died":
        res.update(status=status, exit_date=day + last + 1,
                   exit_price=c[last], exit_cost=hc, unsold_share=0.0,
                   return_gross=c[last] * (1 - hc) / p0 - 1,
                   return_net=q * c[last] * (1 - hc) / notional - 1)
        return res
    # Capped sales from the exit day on.
    end2 = min(h + ddays, nd - 1)
    u = q
    gross = cost = 0.0
    got = []
    lastsale = h
    for t in range(h, end2 + 1):
        if u > 0 and finite_pos(c[t]) and finite_pos(v[t]):
            sell = min(mvs * v[t] / c[t], u)
            usd = sell * c[t]
            imp = imp_k * usd / v[t]
            f = min(sbps + imp, 1.0)
            got.append(usd * (1 - f))
            gross += usd
            cost += usd * f
            acc_add(acc, usd * f, sbps, imp)
            u -= sell
            if u <= 1e-12 * (u + sell):
                u = 0.0
            lastsale = t
    cens = u > 0 and h + ddays > nd - 1
    rest = 0.0
    if cens:
        closes = [c[t] for t in range(end2 + 1) if finite_pos(c[t])]
        capcost = min(sbps + imp_k * mvs, 1.0)
        rest = u * closes[-1] * (1 - capcost)
        status = "censored"
    res.update(status=status, exit_date=day + (end2 if u > 0 else lastsale),
               exit_price=gross / (q - u) if gross > 0 else nan,
               exit_cost=cost / gross if gross > 0 else nan,
               unsold_share=0.0 if cens else u / q,
               return_net=(math.fsum(got) + rest) / notional - 1)
    return res


def acc_add(acc, usd, spread_frac, impact_frac):
    tot = spread_frac + impact_frac
    if not tot > 0 or not usd > 0:
        return
    acc[0] += usd * spread_frac / tot
    acc[1] += usd * impact_frac / tot


# --- the check of one report ------------------------------------------------

SERIES_KEYS = ("total_return", "cagr", "annual_volatility", "sharpe",
               "sortino", "downside_risk", "max_drawdown", "calmar", "var",
               "cvar", "tail_ratio", "skew", "kurtosis", "hit_rate_periods",
               "mean_period_return", "mean_period_return_t")


def check_series(chk, name, js, ref, with_beta=False):
    for k in SERIES_KEYS:
        chk.num("%s.%s" % (name, k), js.get(k), ref.get(k),
                key="%s.%s" % (name, k))
    chk.exact("%s.max_drawdown_duration" % name,
              js.get("max_drawdown_duration"),
              ref.get("max_drawdown_duration"),
              key="%s.max_drawdown_duration" % name)
    chk.exact("%s.periods" % name, js.get("periods"), ref.get("periods"),
              key="%s.periods" % name)
    if with_beta:
        chk.num("%s.beta" % name, js.get("beta"), ref.get("beta"),
                key="%s.beta" % name)
        chk.num("%s.beta (numpy lstsq)" % name, js.get("beta"),
                ref.get("beta_lstsq"))
        chk.num("%s.alpha" % name, js.get("alpha"), ref.get("alpha"),
                key="%s.alpha" % name)
        for k in ("alpha_t", "beta_t"):
            if k in js:
                chk.num("%s.%s" % (name, k), js.get(k), ref.get(k),
                        key="%s.%s" % (name, k))
            else:
                chk.note("%s.%s = %.6g (OLS t-statistic; not in summary.json,"
                         " not compared)" % (name, k, ref.get(k)))


def unknown_series(chk, name, js):
    """A series the run could not compute: every metric must be null."""
    for k in SERIES_KEYS + ("max_drawdown_duration", "periods"):
        chk.exact("%s.%s (unknown series)" % (name, k), js.get(k), None,
                  key="%s.%s" % (name, k))


def leaves(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, prefix + k + ".")
    elif is_num(obj) or obj is None:
        yield prefix[:-1], obj


def check_report(chk, rdir, store_path=None):
    with open(os.path.join(rdir, "summary.json")) as f:
        summ = json.load(f)
    periods = read_csv(os.path.join(rdir, "periods.csv"))
    picks = read_csv(os.path.join(rdir, "picks.csv"))
    rebal = read_csv(os.path.join(rdir, "rebalances.csv"))
    prm = summ["parameters"]
    run = summ["run"]
    met = summ["metrics"]
    cap = float(prm["capital"])
    ppy = float(run["periods_per_year"])
    st = Store(store_path) if store_path else None

    # -- the run block
    chk.exact("run.periods", run["periods"], len(periods))
    chk.exact("run.first_day", run["first_day"], periods[0]["date"])
    chk.exact("run.last_day", run["last_day"], periods[-1]["date"])
    chk.exact("run.rebalance_dates", run["rebalance_dates"], len(rebal))
    days = [day_num(p["date"]) for p in periods]
    chk.exact("periods.csv: one row per consecutive day",
              days == list(range(days[0], days[0] + len(days))), True)
    anchor = datetime.date.fromisoformat(prm["from"]).day
    rdays = [day_num(x["date"]) for x in rebal]

    def hold_of(d):
        if prm["hold"] == "next":
            return next_rebalance(d, prm["rebalance"], anchor) - d
        return int(prm["hold"])
    snapshots = prm["rebalance"] not in ("daily", "weekly", "monthly")
    if snapshots:
        chk.note("rebalance %s: tranches and the store re-simulation are not "
                 "checked (only daily/weekly/monthly rules are implemented "
                 "here)" % prm["rebalance"])
        st = None
    else:
        ntr, lo = 1, 0
        for i, d in enumerate(rdays):
            while lo < i and rdays[lo] + hold_of(rdays[lo]) <= d:
                lo += 1
            ntr = max(ntr, i - lo + 1)
        chk.exact("run.tranches (most cohorts open at once)", run["tranches"],
                  ntr)

    # -- the returns of the three series
    rp = np.array([fnum(p["return"]) for p in periods])
    eq = np.array([fnum(p["equity"]) for p in periods])
    ddc = np.array([fnum(p["drawdown"]) for p in periods])
    beq = np.array([fnum(p["benchmark_equity"]) for p in periods])
    ueq = np.array([fnum(p["universe_equity"]) for p in periods])
    rb = beq / np.concatenate([[1.0], beq[:-1]]) - 1.0
    prevu = np.concatenate([[1.0], ueq[:-1]])
    ru = np.where(prevu > 0, ueq / np.where(prevu > 0, prevu, 1.0) - 1.0, 0.0)
    for col, ref in (("benchmark_return", rb), ("universe_return", ru)):
        if col not in periods[0]:
            chk.note("periods.csv has no %s column" % col)
            continue
        got = np.array([fnum(p[col]) for p in periods])
        bad = [i for i in range(len(ref)) if not (
            (np.isnan(ref[i]) and np.isnan(got[i])) or
            abs(ref[i] - got[i]) <= max(ABS, REL * max(abs(ref[i]),
                                                        abs(got[i]))))]
        chk.exact("periods.csv %s = ratio of consecutive equities" % col,
                  "rows off: %s" % bad[:5], "rows off: []")

    # -- equity and drawdown columns from the compounded returns
    w = np.cumprod(1.0 + rp)
    peak = np.maximum.accumulate(np.maximum(w, 1.0))
    bad_eq = [i for i in range(len(w)) if not (
        abs(w[i] - eq[i]) <= max(ABS, REL * max(abs(w[i]), abs(eq[i]))))]
    refdd = w / peak - 1.0
    bad_dd = [i for i in range(len(w)) if not (
        abs(refdd[i] - ddc[i]) <= max(ABS, REL * max(abs(refdd[i]),
                                                      abs(ddc[i]))))]
    chk.exact("periods.csv equity = prod(1 + return) (%d rows)" % len(w),
              "rows off: %s" % bad_eq[:5], "rows off: []")
    chk.exact("periods.csv drawdown = equity / running max - 1",
              "rows off: %s" % bad_dd[:5], "rows off: []")
    if len(w):
        i = int(np.argmax(np.abs(w - eq) / np.abs(eq)))
        chk.note("largest equity difference: row %d, rel %.1e" %
                 (i, abs(w[i] - eq[i]) / abs(eq[i])))

    # -- the benchmark's equity against its closes in the store
    basset = run.get("benchmark_asset")
    if st is not None and basset is not None:
        aid = st.asset_id(basset["id"])
        c, _, _ = st.bars(aid, days[0], days[-1])
        ref = np.full(len(c), np.nan)
        if finite_pos(c[0]):
            last = c[0]
            for t in range(len(c)):
                if finite_pos(c[t]):
                    last = c[t]
                ref[t] = last / c[0]
        same = bool(np.all((np.isnan(ref) & np.isnan(beq)) |
                           (np.abs(ref - beq) <= REL * np.abs(ref))))
        chk.exact("periods.csv benchmark_equity = close / first close "
                  "(store, %s)" % basset["id"], same, True)

    # -- series metrics
    port = met["portfolio"]
    has_bench = basset is not None and bool(np.isfinite(beq[0]))
    ref_p = series_metrics(rp, bench=rb if basset is not None else None,
                           ppy=ppy)
    if basset is None:
        ref_p.update(alpha=float("nan"), beta=float("nan"),
                     alpha_t=float("nan"), beta_t=float("nan"),
                     beta_lstsq=float("nan"))
    check_series(chk, "portfolio", port, ref_p, with_beta=True)
    chk.note("portfolio alpha/beta over %d pairs" % ref_p.get("npairs", 0))
    chk.num("portfolio.final_equity_usd", port.get("final_equity_usd"),
            float(np.prod(1.0 + rp)) * cap, key="portfolio.final_equity_usd")
    chk.num("portfolio.final_equity_usd (equity column)",
            port.get("final_equity_usd"), eq[-1] * cap)
    m = len(rp)
    sd = float(np.std(rp, ddof=1))
    chk.note("portfolio mean daily return t-statistic = %.6g (mean / (sd / "
             "sqrt n); not in summary.json)" % (float(np.mean(rp)) / sd *
                                                math.sqrt(m)))
    bjs = met["benchmarks"]["asset"]
    if has_bench:
        check_series(chk, "benchmarks.asset", bjs, series_metrics(rb,
                                                                  ppy=ppy))
    else:
        unknown_series(chk, "benchmarks.asset", bjs)
    check_series(chk, "benchmarks.universe", met["benchmarks"]["universe"],
                 series_metrics(ru, ppy=ppy))

    # -- picks
    pj = met["picks"]
    ret = np.array([fnum(p["return_net"]) for p in picks])
    mg = np.array([fnum(p["max_gain"]) for p in picks])
    status = [p["status"] for p in picks]
    judged = np.isfinite(ret)
    r = ret[judged]
    n = len(r)
    nan = float("nan")

    def ex(key, val):
        chk.exact("picks." + key, pj.get(key), val, key="picks." + key)

    def nm(key, val):
        chk.num("picks." + key, pj.get(key), val, key="picks." + key)
    ex("count", len(picks))
    ex("filled", sum(s != "unfilled" for s in status))
    ex("unfilled", sum(s == "unfilled" for s in status))
    ex("judged", n)
    wins = int(np.count_nonzero(r > 0))
    ex("wins", wins)
    nm("win_rate", wins / n if n else nan)
    nm("mean_return", float(np.mean(r)) if n else nan)
    nm("median_return", float(np.median(r)) if n else nan)
    if "mean_return_t" in pj:
        sdr = float(np.std(r, ddof=1)) if n >= 2 else nan
        nm("mean_return_t", float(np.mean(r)) / (sdr / math.sqrt(n))
           if n >= 2 and sdr > 0 else nan)
    for gain, key in ((1, "2x"), (9, "10x"), (99, "100x")):
        cnt = int(np.count_nonzero(mg[judged] >= gain))
        ex("reached_" + key, cnt)
        nm("share_" + key, cnt / n if n else nan)
    died = sum(1 for i, s in enumerate(status) if judged[i] and s == "died")
    ex("died", died)
    nm("share_died", died / n if n else nan)
    chk.exact("picks.csv died column = (status == died)",
              all(p["died"] == ("1" if p["status"] == "died" else "0")
                  for p in picks), True)
    ex("censored", sum(s == "censored" for s in status))
    ex("written_off", sum(1 for p in picks if fnum(p["unsold_share"]) > 0))
    ex("bootstrap_resamples", prm["bootstrap"])
    ex("bootstrap_seed", prm["seed"])
    tmean = float(np.mean(r)) / (float(np.std(r, ddof=1)) / math.sqrt(n)) \
        if n > 1 else nan
    chk.note("mean pick return t-statistic = %.6g (not in summary.json)" %
             tmean)

    # -- each pick's net return from its own columns
    bad, done_n = [], 0
    for i, p in enumerate(picks):
        if p["status"] not in ("held", "died"):
            continue
        ref = ((1 - fnum(p["unsold_share"])) * fnum(p["exit_price"]) *
               (1 - fnum(p["exit_cost"])) /
               (fnum(p["entry_price"]) * (1 + fnum(p["entry_cost"]))) - 1)
        done_n += 1
        if not abs(ref - ret[i]) <= max(ABS, REL * max(abs(ref), abs(ret[i]))):
            bad.append((i + 2, ret[i], ref))
    chk.exact("picks.csv return_net from entry/exit/cost columns (%d held "
              "or died picks)" % done_n, "rows off: %s" % bad[:3],
              "rows off: []")
    ncens = sum(s == "censored" for s in status)
    if ncens:
        chk.note("%d censored picks: their net return includes the rest "
                 "valued at the end of the data, which picks.csv does not "
                 "carry (checked only with --store)" % ncens)

    # -- the bootstrap intervals
    nboot = int(prm["bootstrap"])
    cikeys = ("mean_return_ci95", "median_return_ci95", "win_rate_ci95")
    if nboot > 0 and n > 0:
        cis = bootstrap_ci(r, int(prm["seed"]), nboot)
        for key, ci in zip(cikeys, cis):
            chk.num("picks.%s.lo" % key, pj[key]["lo"], ci[0],
                    key="picks.%s.lo" % key)
            chk.num("picks.%s.hi" % key, pj[key]["hi"], ci[1],
                    key="picks.%s.hi" % key)
            chk.num("picks.%s.lo (numpy.percentile)" % key, pj[key]["lo"],
                    ci[2])
            chk.num("picks.%s.hi (numpy.percentile)" % key, pj[key]["hi"],
                    ci[3])
    else:
        for key in cikeys:
            for e in ("lo", "hi"):
                chk.exact("picks.%s.%s (no bootstrap)" % (key, e),
                          pj[key][e], None, key="picks.%s.%s" % (key, e))

    # -- costs
    cj = met["costs"]
    red = [fnum(p["reduced_usd"]) for p in picks
           if p["status"] != "unfilled" and fnum(p["reduced_usd"]) > 0]
    chk.exact("costs.reduced_positions", cj["reduced_positions"], len(red),
              key="costs.reduced_positions")
    chk.num("costs.reduced_usd", cj["reduced_usd"], math.fsum(red),
            key="costs.reduced_usd")
    chk.num("costs.total_usd = spread + impact", cj["total_usd"],
            cj["spread_usd"] + cj["impact_usd"], key="costs.total_usd")
    chk.num("costs.total_share_of_capital", cj["total_share_of_capital"],
            (cj["spread_usd"] + cj["impact_usd"]) / cap,
            key="costs.total_share_of_capital")

    # -- every pick again from the store
    if st is not None:
        data_last = day_num(summ["store"]["last_day"])
        acc = [0.0, 0.0]
        cols = ("entry_price", "entry_cost", "notional_usd", "reduced_usd",
                "exit_price", "exit_cost", "unsold_share", "return_gross",
                "return_net", "max_gain")
        bad = {k: [] for k in cols + ("status", "exit_date", "last_bar_date")}
        for i, p in enumerate(picks):
            s = simulate_pick(st, p, prm, data_last,
                              hold_of(day_num(p["date"])), acc)
            for k in cols:
                if k not in s:
                    continue
                a, b = fnum(p[k]), float(s[k])
                if not ((math.isnan(a) and math.isnan(b)) or
                        abs(a - b) <= max(ABS, REL * max(abs(a), abs(b)))):
                    bad[k].append((i + 2, a, b))
            if s["status"] != p["status"]:
                bad["status"].append((i + 2, p["status"], s["status"]))
            for k in ("exit_date", "last_bar_date"):
                if k in s and day_num(p[k]) != s[k]:
                    bad[k].append((i + 2, p[k], s[k]))
        for k, lst in bad.items():
            chk.exact("picks.csv %s = re-simulation from the store (%d picks)"
                      % (k, len(picks)), "rows off: %s" % lst[:3],
                      "rows off: []")
        chk.num("costs.spread_usd (re-simulation)", cj["spread_usd"], acc[0],
                key="costs.spread_usd")
        chk.num("costs.impact_usd (re-simulation)", cj["impact_usd"], acc[1],
                key="costs.impact_usd")
    else:
        chk.note("costs.spread_usd / impact_usd need --store (not checked)")

    # -- holdings that left a snapshot universe (keys added with snapshots)
    if "left" in pj:
        nleft = sum(st_ == "left" for st_ in status)
        ex("left", nleft)
        nm("share_left", nleft / n if n else nan)
        left_usd = math.fsum(fnum(p["notional_usd"]) *
                             (1 + fnum(p["return_net"]))
                             for p in picks if p["status"] == "left")
        nm("left_value_usd", left_usd)
        chk.exact("picks.left_valuation null without left picks",
                  pj.get("left_valuation") is None, nleft == 0,
                  key="picks.left_valuation")
    if "left_zero" in met and met["left_zero"] is None:
        chk.exact("left_zero (lower bound) null outside snapshot runs",
                  True, True, key="left_zero")
        if snapshots:
            chk.note("left_zero is null in a snapshot run")

    # -- nothing left unchecked
    not_metrics = set()
    for key, _ in leaves(met):
        if key not in chk.checked and key not in not_metrics:
            chk.exact("UNCHECKED metric %s (add a reference to "
                      "ref_moonshots.py)" % key, "unchecked", "checked")


def main(argv):
    args = argv[1:]
    store = gsl = None
    quiet = False
    if args == ["--golden"]:
        chk = Checker(label="published")
        golden(chk)
        print("ref_moonshots: golden: %d compared, %d failed" %
              (chk.count, chk.fails))
        return 1 if chk.fails else 0
    pos = []
    while args:
        a = args.pop(0)
        if a == "--store" and args:
            store = args.pop(0)
        elif a == "--gsl-rng" and args:
            gsl = args.pop(0)
        elif a == "--quiet":
            quiet = True
        elif a.startswith("--"):
            print("ref_moonshots: unknown option %s" % a, file=sys.stderr)
            return 2
        else:
            pos.append(a)
    if len(pos) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    chk = Checker(quiet=quiet)
    if gsl:
        prove_stream(chk, gsl)
    check_report(chk, pos[0], store)
    print("ref_moonshots: %s: %d compared, %d failed" %
          (pos[0], chk.count, chk.fails))
    return 1 if chk.fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
