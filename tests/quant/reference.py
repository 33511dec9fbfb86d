#!/usr/bin/python3
"""reference.py — independent reference values for tests/check_indicators.c
and tests/check_quant.c.

Run with Debian's Python and its python3-numpy / python3-scipy packages
(infra/install-deps.sh installs both):

    /usr/bin/python3 tests/quant/reference.py > /tmp/ref.c

It prints C declarations: the fixed test series (closes, highs, lows and a
benchmark, 60 days, built by a closed formula and rounded to cents) and
every indicator and metric on them, computed here with vectorised numpy
(np.convolve, sliding windows, np.percentile, np.cov), scipy.signal.lfilter
for the EMA and Wilder recursions, and scipy.stats for skew and kurtosis,
not by translating the C code. The metric definitions follow empyrical
(0.5.5 / empyrical-reloaded) as written in docs/models/quant.md; the
indicator conventions are those of docs/models/indicators.md. Paste the
blocks into the two test files when a definition or the series changes.
"""

import math
import sys

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import signal, stats

N = 60


def series():
    """The fixed series: closes, highs, lows, benchmark closes (cents)."""
    i = np.arange(N, dtype=float)
    logp = np.cumsum(0.03 * np.sin(1.7 * i) + 0.02 * np.cos(0.37 * i * i)
                     + 0.004)
    close = np.round(100.0 * np.exp(logp), 2)
    high = np.round(close * (1.012 + 0.006 * np.abs(np.sin(i))), 2)
    low = np.round(close * (0.988 - 0.005 * np.abs(np.cos(1.3 * i))), 2)
    blogp = np.cumsum(0.02 * np.sin(0.9 * i + 0.5) + 0.01 * np.cos(2.3 * i)
                      + 0.001)
    bench = np.round(20000.0 * np.exp(blogp), 2)
    return close, high, low, bench


# --- indicators -----------------------------------------------------------

def pad(values, n):
    """Left-pads values with NaN to length n (the warm-up)."""
    values = np.asarray(values, dtype=float)
    return np.concatenate([np.full(n - len(values), np.nan), values])


def simple_returns(p):
    return pad(p[1:] / p[:-1] - 1.0, len(p))


def log_returns(p):
    return pad(np.diff(np.log(p)), len(p))


def realized_vol(p, window, ppy):
    r = np.diff(np.log(p))                      # r[j] ends at price j+1
    sd = sliding_window_view(r, window).std(axis=1, ddof=1)
    daily = pad(sd, len(p))
    return daily, daily * math.sqrt(ppy)


def sma(x, n):
    return pad(np.convolve(x, np.ones(n) / n, mode="valid"), len(x))


def ema(x, n):
    """SMA seed at index n-1, then y = a x + (1-a) y[-1] via lfilter."""
    a = 2.0 / (n + 1)
    seed = np.mean(x[:n])
    tail, _ = signal.lfilter([a], [1.0, -(1.0 - a)], x[n:],
                             zi=[(1.0 - a) * seed])
    return pad(np.concatenate([[seed], tail]), len(x))


def wilder(v, n):
    """Mean of the first n values, then y = (y[-1] (n-1) + v) / n."""
    seed = np.mean(v[:n])
    k = (n - 1.0) / n
    tail, _ = signal.lfilter([1.0 / n], [1.0, -k], v[n:], zi=[k * seed])
    return np.concatenate([[seed], tail])


def rsi(x, n):
    d = np.diff(x)
    g = wilder(np.where(d > 0, d, 0.0), n)
    l = wilder(np.where(d < 0, -d, 0.0), n)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(l == 0, np.where(g > 0, 100.0, 50.0),
                       100.0 - 100.0 / (1.0 + g / l))
    return pad(out, len(x))


def macd(x, fast, slow, sig):
    line = ema(x, fast) - ema(x, slow)
    start = slow - 1
    s = pad(ema(line[start:], sig)[sig - 1:], len(x))
    return line, s, line - s


def bollinger(x, n, k):
    w = sliding_window_view(x, n)
    m = w.mean(axis=1)
    sd = w.std(axis=1, ddof=0)               # population, as TA-Lib
    return pad(m + k * sd, len(x)), pad(m, len(x)), pad(m - k * sd, len(x))


def true_range(h, l, c):
    tr = np.maximum.reduce([h[1:] - l[1:], np.abs(h[1:] - c[:-1]),
                            np.abs(l[1:] - c[:-1])])
    return pad(tr, len(c))


def atr(h, l, c, n):
    tr = true_range(h, l, c)[1:]
    return pad(wilder(tr, n), len(c))


def roi(p, k):
    return pad(p[k:] / p[:-k] - 1.0, len(p))


def drawdown(p):
    ath = np.maximum.accumulate(p)
    return p / ath - 1.0, ath


# --- quant metrics (empyrical definitions) --------------------------------

def sharpe(r, rf, ppy):
    a = r - rf
    return np.mean(a) / np.std(a, ddof=1) * np.sqrt(ppy)


def downside_risk(r, t, ppy):
    d = np.clip(r - t, -np.inf, 0.0)
    return np.sqrt(np.mean(np.square(d))) * np.sqrt(ppy)


def sortino(r, t, ppy):
    return np.mean(r - t) * ppy / downside_risk(r, t, ppy)


def annual_volatility(r, ppy):
    return np.std(r, ddof=1) * np.sqrt(ppy)


def cagr(r, ppy):
    years = len(r) / ppy
    return np.prod(1.0 + r) ** (1.0 / years) - 1.0


def max_drawdown(r):
    """empyrical max_drawdown plus pyfolio-style peak/trough/recovery."""
    w = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    hw = np.fmax.accumulate(w)
    under = (w - hw) / hw
    depth = under.min()
    if depth == 0:
        return 0.0, 0, 0, 0, 1, 0
    trough = int(np.argmin(under))                  # first minimum
    peak = int(np.nonzero(under[:trough] == 0)[0][-1])
    after = np.nonzero(w[trough:] >= w[peak])[0]
    if len(after):
        recovery = trough + int(after[0])
        return depth, peak, trough, recovery, 1, recovery - peak
    return depth, peak, trough, 0, 0, len(r) - peak


def calmar(r, ppy):
    return cagr(r, ppy) / abs(max_drawdown(r)[0])


def var(r, cutoff):
    return np.percentile(r, 100 * cutoff)


def cvar(r, cutoff):
    k = int((len(r) - 1) * cutoff)
    return np.mean(np.partition(r, k)[:k + 1])


def tail_ratio(r):
    return abs(np.percentile(r, 95)) / abs(np.percentile(r, 5))


def alpha_beta(r, b, rf, ppy):
    cov = np.cov(np.vstack([r - rf, b - rf]), ddof=0)
    beta = cov[0, 1] / cov[1, 1]
    lr = stats.linregress(b, r)                  # a second, independent beta
    assert abs(lr.slope - beta) <= 1e-12 * abs(beta)
    a = np.mean((r - rf) - beta * (b - rf))
    return (1.0 + a) ** ppy - 1.0, beta


def quant_block(r, b, rf, t, cutoff, ppy):
    depth, peak, trough, rec, recd, dur = max_drawdown(r)
    alpha, beta = alpha_beta(r, b, rf, ppy)
    return {
        "mean": np.mean(r),
        "total_return": np.prod(1.0 + r) - 1.0,
        "cagr": cagr(r, ppy),
        "annual_volatility": annual_volatility(r, ppy),
        "sharpe": sharpe(r, rf, ppy),
        "sortino": sortino(r, t, ppy),
        "downside_risk": downside_risk(r, t, ppy),
        "mdd_depth": depth, "mdd_peak": peak, "mdd_trough": trough,
        "mdd_recovery": rec, "mdd_recovered": recd, "mdd_duration": dur,
        "calmar": calmar(r, ppy),
        "var": var(r, cutoff),
        "cvar": cvar(r, cutoff),
        "tail_ratio": tail_ratio(r),
        "skew": stats.skew(r),                   # bias=True (default)
        "kurtosis": stats.kurtosis(r),           # fisher=True, bias=True
        "beta": beta,
        "alpha": alpha,
    }


# --- output ---------------------------------------------------------------

def c_num(v):
    v = float(v)
    if math.isnan(v):
        return "NAN"
    return repr(v) if "e" in repr(v) or "." in repr(v) else repr(v) + ".0"


def c_array(name, values):
    vals = [c_num(v) for v in values]
    lines = []
    for k in range(0, len(vals), 4):
        lines.append("\t" + ", ".join(vals[k:k + 4]) + ",")
    print("static const double %s[%d] = {" % (name, len(vals)))
    print("\n".join(lines))
    print("};")


def c_struct(name, d):
    print("static const struct ref_quant %s = {" % name)
    for k, v in d.items():
        if isinstance(v, (int, np.integer)) and k.startswith("mdd_") \
                and k != "mdd_depth":
            print("\t.%s = %d," % (k, int(v)))
        else:
            print("\t.%s = %s," % (k, c_num(v)))
    print("};")


def main():
    close, high, low, bench = series()
    print("/* Generated by tests/quant/reference.py (numpy %s, scipy %s). */"
          % (np.__version__, __import__("scipy").__version__))
    print("\n/* ---- series (both test files) ---- */")
    c_array("ref_close", close)
    c_array("ref_high", high)
    c_array("ref_low", low)
    c_array("ref_bench", bench)

    print("\n/* ---- indicators (tests/check_indicators.c) ---- */")
    c_array("ref_simple_ret", simple_returns(close))
    c_array("ref_log_ret", log_returns(close))
    d, a = realized_vol(close, 10, 365)
    c_array("ref_rv10_daily", d)
    c_array("ref_rv10_annual", a)
    c_array("ref_sma5", sma(close, 5))
    c_array("ref_sma20", sma(close, 20))
    c_array("ref_ema10", ema(close, 10))
    c_array("ref_rsi14", rsi(close, 14))
    m, s, h = macd(close, 12, 26, 9)
    c_array("ref_macd", m)
    c_array("ref_macd_signal", s)
    c_array("ref_macd_hist", h)
    u, mid, lo = bollinger(close, 20, 2.0)
    c_array("ref_bb_upper", u)
    c_array("ref_bb_middle", mid)
    c_array("ref_bb_lower", lo)
    c_array("ref_tr", true_range(high, low, close))
    c_array("ref_atr14", atr(high, low, close, 14))
    c_array("ref_roi7", roi(close, 7))
    c_array("ref_roi30", roi(close, 30))
    dd, ath = drawdown(close)
    c_array("ref_drawdown", dd)
    c_array("ref_ath", ath)

    # The published worked examples, at full precision.
    wilder_closes = np.array([
        44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955,
        45.4245, 45.8433, 46.0826, 45.8931, 46.0328, 45.6140, 46.2820,
        46.2820, 46.0028, 46.0328, 46.4116, 46.2222, 45.6439, 46.2122,
        46.2521, 45.7137, 46.4515, 45.7835, 45.3548, 44.0288, 44.1783,
        44.2181, 44.5672, 43.4205, 42.6628, 43.1314])
    c_array("ref_wilder_rsi14", rsi(wilder_closes, 14))
    ema_closes = np.array([
        22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24,
        22.29, 22.15, 22.39, 22.38, 22.61, 23.36, 24.05, 23.75, 23.83,
        23.95, 23.63, 23.82, 23.87, 23.65, 23.19, 23.10, 23.33, 22.68,
        23.10, 22.40, 22.17])
    c_array("ref_sc_sma10", sma(ema_closes, 10))
    c_array("ref_sc_ema10", ema(ema_closes, 10))

    print("\n/* ---- quant metrics (tests/check_quant.c) ---- */")
    r = close[1:] / close[:-1] - 1.0
    b = bench[1:] / bench[:-1] - 1.0
    c_array("ref_returns", r)
    c_array("ref_bench_returns", b)
    c_struct("ref_q365", quant_block(r, b, 0.0, 0.0, 0.05, 365))
    c_struct("ref_q252", quant_block(r, b, 0.0002, 0.001, 0.10, 252))
    g = np.array([0.01, 0.02, -0.01, 0.03, -0.02])
    print("/* issue golden: sharpe %.10f sortino %.10f */"
          % (sharpe(g, 0.0, 252), sortino(g, 0.0, 252)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
