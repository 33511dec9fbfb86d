"""pandas peer of `moonscope backtest moonshots`, the baseline of bench/bt_replay.sh.

The 2018 weekly replay written the way a careful pandas user would write
it: vectorised with pandas and numpy (Debian's python3-pandas 1.5 and
python3-numpy 1.24, run with /usr/bin/python3), implementing the SAME
rules as the C code it is measured against:

  decision   shared/ms_panel.c, shared/ms_grade.c, shared/ms_screen.c
             (docs/models/grades.md, docs/models/screener.md): the panel of
             the 365 days ending D (an asset is in it when it has a `daily`
             row in the window), the five trader-grade components
             (momentum 7d / 30d with floor(k/10) days of slack, trend =
             close / SMA50 - 1, volume trend = mean volume 7d / 30d, risk-
             adjusted = mean / sd of daily log returns over 30 days; windows
             need 2/3 of their days), each turned into a cross-sectional
             percentile rank (average rank r among the n assets that have
             it, (r - 0.5) / n), combined with the weights 0.20 0.20 0.25
             0.15 0.20 over the components an asset has (no grade when
             half or more of the weight is missing); the screen: a close
             on D, a known market cap under $100M; sorted by trader grade
             descending, unknown grades last, ties by internal asset id;
             the first 10.
  replay     backtest/ms_bt.h, backtest/ms_bt_moonshots.c: weekly dates
             from the store's first day + 30 while the 28-day hold ends in
             the store; equal-weight cohorts in equal tranches (as many as
             cohorts are ever open at once), each cohort investing one free
             tranche's cash plus the cash that capped sales of earlier
             cohorts realised after their exit day; costs per trade
             spread 50 bps + 0.5 x the trade's share of the day's volume;
             buys capped at 0.1 of the day's volume (the rest stays cash),
             no volume = not bought; the sale from the exit day on, at most
             0.1 of each day's volume per day for up to 30 days, what is
             left written off, or valued at a capped sale when the store
             ends first ("censored"); delisting: no bar in the 30 days
             after the last one = died, valued at the last close x (1 - 1)
             from the next day; positions marked at the close; benchmarks:
             bitcoin buy-and-hold and the equal-weight basket of every asset
             with a bar on D, same tranches, hold and delisting, gross.
  metrics    shared/ms_quant.c (total return, CAGR, annual volatility,
             Sharpe, Sortino, downside risk, max drawdown, period hit rate)
             and backtest/ms_bt_stats.c (win rate, mean, median, 2x/10x/100x
             shares) over the same series; a 10,000-resample bootstrap of
             the pick returns so the peer does the same amount of work.

Input: the SAME store moonscope reads (sqlite3, read-only, into
DataFrames with pandas.read_sql_query), so both see identical rows.
"load" is that read; "compute" is everything after it (the pivot to a
dense asset x day panel, every decision, the simulation, the metrics).

Where it is written differently on purpose (and what that changes):
  - The decision is computed for all dates at once on one dense panel
    spanning the store (365 empty days in front), instead of loading a
    365-day panel per date; the windows read are the same.
  - Window sums are sequential (numpy cumsum) in the C code's order, so the
    means, hence the raw components, are the C doubles bit for bit; ranks
    and grades then agree exactly. The one exception is the logarithm:
    numpy 1.24 uses its own SIMD log (AVX-512) which differs from glibc's
    by one ulp for about 30 % of inputs, so the risk-adjusted component may
    differ in its last bit; that can reorder two assets only if their
    values are within a few ulps of each other (bench/bt_replay_check.py
    verifies the picks are identical, and trader_grade bit-identical).
  - Sums across positions (cohort values, marked positions, the sleeve of
    capped sales) are added pick by pick in the C code's order, so the
    daily books come out as the same doubles. The cost totals and the
    means and standard deviations of the metrics use numpy's (pairwise)
    sums: they agree to ~1e-15 relative, not bit for bit.
  - Result on the 2018 store when this was written: picks.csv,
    periods.csv and rebalances.csv byte-identical to moonscope's report;
    45 of the 56 compared summary figures bit-identical, the other 11
    within 3e-15 relative (the pairwise sums above); also on six other
    configurations (bt_replay.sh with BT_EXTRA_CHECKS=1), including
    picks that die, unfilled picks and a daily rebalance.
  - Not computed (not needed by any compared output): the investor grade
    and its five components, which moonscope computes on every date
    because it calls the API's ms_grade_universe (this favours the peer),
    VaR/CVaR/tail ratio/skew/kurtosis/alpha/beta, and the HTML/Markdown
    report. The bootstrap uses numpy's PCG64, not GSL's mt19937, so its
    intervals are not compared.
  - Only what the acceptance run needs is implemented: daily or weekly
    dates from the default --from to the default --to, a fixed hold (not
    `next`), the trader-grade sort descending, the market-cap ceiling as
    the only filter, equal weights, the benchmark resolved by slug
    ("bitcoin"; moonscope also resolves symbols). The numeric options
    below can be changed; the benchmark uses the defaults (hold 28, top
    10, < $100M, capital 100000, spread 50 bps, impact 0.5, cap 0.1 of
    the volume, haircut 1, 30 delist days).

Usage:
  bt_pandas_peer.py DB [--out DIR] [--seed N] [--rebalance daily|weekly]
      [--top K] [--hold N] [--capital USD] [--spread-bps B] [--impact K]
      [--max-volume-share F] [--max-market-cap USD] [--delist-haircut F]
      [--delist-days N]
(the options mirror `backtest moonshots`' and default to its defaults; they
exist to cross-check more of the rules than the acceptance run reaches,
e.g. picks that die; the benchmark uses the defaults)
prints one line "peer load_s compute_s total_s" (in-process times, after
the imports), and with --out writes picks.csv, periods.csv,
rebalances.csv and summary.json (same columns as moonscope's report) into
DIR (after the timing).
"""

import datetime
import json
import math
import os
import sqlite3
import sys
import time

import numpy as np
import pandas as pd

# ---- the acceptance configuration (ms_bt_params_default, weekly) --------

HOLD = 28
TOP = 10
STEP = 7                  # weekly
WARMUP = 30               # MS_BT_WARMUP_DAYS
MAX_MARKET_CAP = 1e8
CAPITAL = 1e5
SPREAD_BPS = 50.0
IMPACT = 0.5
MAX_VOLUME_SHARE = 0.1
DELIST_HAIRCUT = 1.0
DELIST_DAYS = 30
BENCHMARK = "bitcoin"
BOOTSTRAP = 10000
PPY = 365.0
LOOKBACK = 365            # MS_GRADE_LOOKBACK
# trader-grade components, in ms_grade.c's order, and their weights
WEIGHTS = (0.20, 0.20, 0.25, 0.15, 0.20)

STATUS = ("held", "died", "censored", "unfilled")
HELD, DIED, CENSORED, UNFILLED = range(4)
_EPOCH = datetime.date(1970, 1, 1).toordinal()


def day_str(d):
    return "" if d < 0 else datetime.date.fromordinal(_EPOCH + int(d)).isoformat()


# ---- load -----------------------------------------------------------------


def load(db):
    """The store's assets and daily rows as DataFrames (read-only)."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        assets = pd.read_sql_query(
            "SELECT id, slug, symbol FROM assets ORDER BY id", con)
        daily = pd.read_sql_query(
            "SELECT asset_id, day, close, high, volume, market_cap "
            "FROM daily", con)
    finally:
        con.close()
    return assets, daily


# ---- the panel --------------------------------------------------------------


class Panel:
    """Dense asset x day arrays over [g0, last]; NaN where no value."""

    def __init__(self, assets, daily):
        self.first = int(daily["day"].min())
        self.last = int(daily["day"].max())
        self.g0 = self.first - LOOKBACK       # room for the longest window
        ids = np.sort(daily["asset_id"].unique())
        a = assets.set_index("id").loc[ids]
        self.ids = ids
        self.slug = a["slug"].to_numpy()
        self.symbol = a["symbol"].fillna("").to_numpy()
        na, nd = len(ids), self.last - self.g0 + 1
        ai = np.searchsorted(ids, daily["asset_id"].to_numpy())
        di = daily["day"].to_numpy() - self.g0
        self.present = np.zeros((na, nd), dtype=bool)
        self.present[ai, di] = True
        for col in ("close", "high", "volume", "market_cap"):
            m = np.full((na, nd), np.nan)
            m[ai, di] = daily[col].to_numpy(dtype=float)
            setattr(self, col, m)
        c = self.close
        self.fp_close = np.isfinite(c) & (c > 0)        # finite_pos(close)
        v = self.volume
        self.fp_volume = np.isfinite(v) & (v > 0)

    def col(self, day):
        return day - self.g0


# ---- the decision: trader grades and the screen, every date at once --------


def first_known(c, cols, k):
    """ms_panel_last(c, at - k, k / 10) for every column in cols."""
    out = c[:, cols - k]
    for s in range(1, k // 10 + 1):
        out = np.where(np.isnan(out), c[:, cols - k - s], out)
    return out


def window_sum(x, cols, n):
    """Sequential sums (the C loop's order) and counts of the known values
    of x over the n days ending at each column: arrays [assets, dates]."""
    idx = cols[:, None] + np.arange(1 - n, 1)
    w = x[:, idx]                                       # [assets, dates, n]
    known = ~np.isnan(w)
    s = np.nancumsum(w, axis=2)[:, :, -1]
    return s, known.sum(axis=2)


def window_mean(x, cols, n):
    s, k = window_sum(x, cols, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(3 * k >= 2 * n, s / k, np.nan)


def pct_rank(raw):
    """(average rank - 0.5) / count per column, NaN kept."""
    df = pd.DataFrame(raw)
    r = df.rank(axis=0, method="average", na_option="keep").to_numpy()
    n = df.count(axis=0).to_numpy().astype(float)
    return (r - 0.5) / n


def trader_grades(P, cols):
    c, vol = P.close, P.volume
    now = c[:, cols]
    ok = now > 0                                        # NaN compares false
    raw = []
    with np.errstate(invalid="ignore", divide="ignore"):
        c7 = first_known(c, cols, 7)
        c30 = first_known(c, cols, 30)
        raw.append(np.where(ok & (c7 > 0), now / c7 - 1, np.nan))
        raw.append(np.where(ok & (c30 > 0), now / c30 - 1, np.nan))
        sma = window_mean(c, cols, 50)
        raw.append(np.where(ok & (sma > 0), now / sma - 1, np.nan))
        v7, v30 = window_mean(vol, cols, 7), window_mean(vol, cols, 30)
        raw.append(np.where(ok & (v30 > 0) & ~np.isnan(v7), v7 / v30,
                            np.nan))
        # daily log returns between consecutive positive closes
        lr = np.full(c.shape, np.nan)
        good = (c[:, 1:] > 0) & (c[:, :-1] > 0)
        lr[:, 1:] = np.where(good, np.log(np.where(good, c[:, 1:] / c[:, :-1],
                                                   1.0)), np.nan)
        s, k = window_sum(lr, cols, 30)
        ss, _ = window_sum(lr * lr, cols, 30)
        kf = k.astype(float)
        enough = (k >= 2) & (3 * k >= 60)
        mean = s / kf
        var = (ss - kf * mean * mean) / (kf - 1)
        sd = np.where(var > 0, np.sqrt(np.where(var > 0, var, 0)), 0.0)
        raw.append(np.where(ok & enough & (sd > 0), mean / sd, np.nan))
    total = 0.0
    for w in WEIGHTS:
        total += w
    have = np.zeros(now.shape)
    acc = np.zeros(now.shape)
    for w, x in zip(WEIGHTS, raw):
        p = pct_rank(x)
        k = ~np.isnan(p)
        have = have + np.where(k, w, 0.0)
        acc = acc + np.where(k, w * np.where(k, p, 0.0), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(have * 2 <= total, np.nan, 100.0 * acc / have)


def decide(P, dates):
    """Per date: counts, and the top picks (panel rows, rank order) with
    their price, market cap, volume and trader grade."""
    cols = np.asarray([P.col(d) for d in dates])
    grade = trader_grades(P, cols)
    price = P.close[:, cols]
    mcap = P.market_cap[:, cols]
    vol = P.volume[:, cols]
    cs = np.cumsum(P.present, axis=1)
    lo = cols - LOOKBACK
    in_panel = (cs[:, cols] - np.where(lo >= 0, cs[:, np.maximum(lo, 0)],
                                       0)) > 0
    passed = ~np.isnan(price) & ~np.isnan(mcap) & ~(mcap >= MAX_MARKET_CAP)
    a_idx, d_idx = np.nonzero(passed)
    g = grade[a_idx, d_idx]
    long = pd.DataFrame({"d": d_idx, "a": a_idx, "unk": np.isnan(g),
                         "neg": np.where(np.isnan(g), 0.0, -g)})
    long = long.sort_values(["d", "unk", "neg", "a"], kind="mergesort")
    top = long.groupby("d", sort=True).head(TOP)
    out = []
    for j, d in enumerate(dates):
        rows = top["a"].to_numpy()[top["d"].to_numpy() == j]
        out.append({
            "day": d,
            "universe": int(in_panel[:, j].sum()),
            "tradable": int((~np.isnan(price[:, j])).sum()),
            "matched": int(passed[:, j].sum()),
            "rows": rows,
            "price": price[rows, j], "market_cap": mcap[rows, j],
            "volume": vol[rows, j], "grade": grade[rows, j],
        })
    return out


# ---- the replay -----------------------------------------------------------


class Book:
    """Per-day books of one strategy (ms_bt_moonshots.c struct book)."""

    def __init__(self, t0, ndays, ntr):
        self.t0, self.ndays, self.ntr = t0, ndays, ntr
        self.val = np.full((ntr, ndays), CAPITAL / ntr)
        self.busy = [-(1 << 31)] * ntr
        self.posval = np.zeros(ndays)
        self.npos = np.zeros(ndays, dtype=np.int64)
        self.sleeve = np.zeros(ndays)
        self.scash = np.zeros(ndays)
        self.withdrawn = 0.0

    def free_tranche(self, day):
        for k in range(self.ntr):
            if self.busy[k] <= day:
                return k
        return None

    def commit(self, k, day, path, h):
        off = day - self.t0
        n = min(h + 1, self.ndays - off)
        self.val[k, off:off + n] = path[:n]
        self.val[k, off + h + 1:] = path[h]
        self.busy[k] = day + HOLD

    def total(self):
        s = self.sleeve.copy()
        for k in range(self.ntr):
            s = s + self.val[k]
        return s


def ffill_marks(C, fp):
    """The last positive close at or before each day (index of it too)."""
    t = np.arange(C.shape[1])
    idx = np.maximum.accumulate(np.where(fp, t, 0), axis=1)
    return np.take_along_axis(C, idx, axis=1)


def positions(C, HI, fpC, hold, censored, filled):
    """Shared part of simulate(): last bar, status, max gain, marks."""
    n, nd = C.shape
    delist_days = DELIST_DAYS
    h = min(hold, nd - 1)
    t = np.arange(nd)
    last = h - np.argmax(fpC[:, h::-1], axis=1)
    status = np.full(n, CENSORED if censored else HELD)
    lim = np.minimum(last + delist_days, nd - 1)
    again = (fpC & (t > h) & (t <= lim[:, None])).any(axis=1)
    gone = filled & (last < h) & ~again
    died = gone & (last + delist_days <= nd - 1)
    status[gone & ~died] = CENSORED
    status[died] = DIED
    status[~filled] = UNFILLED
    mark = ffill_marks(C, fpC)
    return h, last, status, died, mark


def simulate_picks(C, HI, V, target, hold, censored, cash, nsleeve, book,
                   off, costs):
    """One cohort with costs (simulate() with costs = 1), vectorised over
    the picks, sequential over the days of a capped sale."""
    n, nd = C.shape
    sbps = SPREAD_BPS / 1e4
    capcost = min(sbps + IMPACT * MAX_VOLUME_SHARE, 1.0)
    fpC = np.isfinite(C) & (C > 0)
    fpV = np.isfinite(V) & (V > 0)
    p0, v0 = C[:, 0], V[:, 0]
    filled = (target > 0) & fpC[:, 0] & fpV[:, 0]
    capn = MAX_VOLUME_SHARE * v0
    with np.errstate(invalid="ignore", divide="ignore"):
        notional = np.where(filled, np.where(target > capn, capn, target), 0.0)
        reduced = np.where(filled, np.where(target > capn, target - capn, 0.0),
                           target)
        imp_in = IMPACT * notional / v0
        cin = np.where(filled, sbps + imp_in, np.nan)
        q = np.where(filled, notional / (p0 * (1 + cin)), 0.0)
    unspent = cash
    for x in notional[filled]:
        unspent -= x
    usd_in = np.where(filled, notional - q * p0, 0.0)
    tot = sbps + imp_in
    okc = filled & (tot > 0) & (usd_in > 0)
    costs[0] += np.where(okc, usd_in * sbps / np.where(okc, tot, 1), 0).sum()
    costs[1] += np.where(okc, usd_in * imp_in / np.where(okc, tot, 1), 0).sum()

    h, last, status, died, mark = positions(C, HI, fpC, hold, censored,
                                            filled)
    rows = np.arange(n)
    clast = C[rows, last]
    with np.errstate(invalid="ignore", divide="ignore"):
        ret_gross = np.where(filled, clast / p0 - 1, np.nan)
        top = np.where(np.isfinite(HI), HI, C)
        t = np.arange(nd)
        tm = np.isfinite(top) & (t >= 1) & (t <= last[:, None])
        g = np.where(tm, top / p0[:, None] - 1, -np.inf).max(axis=1)
        max_gain = np.where(filled & tm.any(axis=1), g, np.nan)

    # value of the cohort on offsets 0..h: marks, then proceeds
    stop = np.where(died, last + 1, h)
    th = np.arange(h + 1)
    held_mark = filled[:, None] & (th < stop[:, None])
    contrib = np.where(held_mark, q[:, None] * mark[:, :h + 1], 0.0)
    pr = q * clast * (1 - DELIST_HAIRCUT)
    contrib = np.where(died[:, None] & (th >= stop[:, None]), pr[:, None],
                       contrib)
    npv = min(h + 1, book.ndays - off)
    pv = np.where(held_mark, contrib, 0.0)[:, :npv]
    for i in np.nonzero(filled)[0]:       # pick by pick, the C order
        book.posval[off:off + npv] += pv[i]
    book.npos[off:off + npv] += held_mark.sum(axis=0)[:npv]

    # the capped sale from h on
    act = filled & ~died
    end = min(h + DELIST_DAYS, nd - 1)
    u = np.where(act, q, 0.0)
    got = np.zeros((n, nd))
    left = np.zeros((n, nd))
    gross = np.zeros(n)
    cost = np.zeros(n)
    lastsale = np.full(n, h)
    with np.errstate(invalid="ignore", divide="ignore"):
        for d in range(h, end + 1):
            c, v = C[:, d], V[:, d]
            ok = act & (u > 0) & fpC[:, d] & fpV[:, d]
            sell = MAX_VOLUME_SHARE * v / c
            sell = np.where(sell > u, u, sell)
            usd = sell * c
            imp = IMPACT * usd / v
            f = sbps + imp
            f = np.where(f < 1, f, 1.0)
            got[:, d] = np.where(ok, usd * (1 - f), 0.0)
            gross = np.where(ok, gross + usd, gross)
            cost = np.where(ok, cost + usd * f, cost)
            paid = np.where(ok, usd * f, 0.0)
            ft = sbps + imp
            okc = ok & (ft > 0) & (paid > 0)      # add_cost's guard
            costs[0] += np.where(okc, paid * sbps / np.where(okc, ft, 1),
                                 0).sum()
            costs[1] += np.where(okc, paid * imp / np.where(okc, ft, 1),
                                 0).sum()
            un = u - sell
            un = np.where(un <= 1e-12 * (un + sell), 0.0, un)
            u = np.where(ok, un, u)
            lastsale = np.where(ok, d, lastsale)
            left[:, d] = u
    left[:, end + 1:] = u[:, None]
    contrib[:, h] = np.where(act, got[:, h], contrib[:, h])
    path = np.cumsum(contrib, axis=0)[-1] if n else np.zeros(h + 1)
    path = path + unspent

    proceeds = np.cumsum(got[:, h:], axis=1)[:, -1]
    lend = end
    cens = act & (u > 0) & (h + DELIST_DAYS > nd - 1)
    # the sleeve: what is sold after h, its cash, and the unsold marks
    endoff = h
    if nsleeve > h:
        ts = np.arange(h, nsleeve)
        tcl = np.minimum(ts, nd - 1)
        mk = mark[:, tcl]                               # carried past nd
        g_after = np.where((ts > h) & (ts <= lend), got[:, tcl], 0.0)
        cum = np.cumsum(g_after, axis=1)
        # the rest of a censored sale is valued on lend, when the books
        # reach it (they always do in practice)
        restv = np.where(cens & (lend < nsleeve),
                         u * mark[:, lend] * (1 - capcost), 0.0)
        cum = cum + np.where(ts >= lend, restv[:, None], 0.0)
        held = np.where(ts < lend, left[:, tcl], 0.0)
        for i in np.nonzero(act)[0]:
            hm = held[i] * mk[i]
            book.sleeve[off + h:off + nsleeve] += cum[i] + hm
            book.scash[off + h:off + nsleeve] += g_after[i]
            if cens[i]:
                book.scash[off + lend] += restv[i]
            pos = held[i] > 0
            book.posval[off + h:off + nsleeve] += np.where(pos, hm, 0.0)
            book.npos[off + h:off + nsleeve] += pos
    else:
        restv = np.zeros(n)
    exit_off = np.where(u > 0, lend, lastsale)
    with np.errstate(invalid="ignore", divide="ignore"):
        exit_price = np.where(gross > 0, gross / (q - u), np.nan)
        exit_cost = np.where(gross > 0, cost / gross, np.nan)
        unsold = np.where(cens, 0.0, u / np.where(act, q, 1.0))
        ret_net = (proceeds + restv) / notional - 1
    status = np.where(cens, CENSORED, status)
    if act.any():
        endoff = max(h, int(exit_off[act].max()))
    # died and unfilled picks
    exit_off = np.where(died, stop, np.where(act, exit_off, -1))
    exit_price = np.where(died, clast, np.where(act, exit_price, np.nan))
    exit_cost = np.where(died, DELIST_HAIRCUT, np.where(act, exit_cost,
                                                        np.nan))
    with np.errstate(invalid="ignore", divide="ignore"):
        ret_gross = np.where(died, clast * (1 - DELIST_HAIRCUT) / p0 - 1,
                             ret_gross)
        ret_net = np.where(died, pr / notional - 1,
                           np.where(act, ret_net, np.nan))
    unsold = np.where(died, 0.0, np.where(act, unsold, np.nan))
    return {
        "filled": filled, "status": status, "h": h, "endoff": endoff,
        "path": path, "entry_cost": cin, "target": target,
        "notional": notional, "reduced": reduced,
        "exit_off": exit_off, "last_off": np.where(filled, last, -1),
        "exit_price": exit_price, "exit_cost": exit_cost,
        "ret_gross": ret_gross, "ret_net": ret_net, "max_gain": max_gain,
        "unsold": unsold,
    }


def simulate_basket(C, hold, censored, cash):
    """The universe basket (simulate() with costs = 0): fully vectorised."""
    n, nd = C.shape
    fpC = np.isfinite(C) & (C > 0)
    p0 = C[:, 0]
    target = np.full(n, cash / n)
    filled = (target > 0) & fpC[:, 0]
    notional = np.where(filled, target, 0.0)
    unspent = np.cumsum(np.concatenate(([cash], -notional)))[-1]
    q = np.where(filled, notional / (p0 * (1 + 0.0)), 0.0)
    h, last, status, died, mark = positions(C, None, fpC, hold, censored,
                                            filled)
    clast = C[np.arange(n), last]
    stop = np.where(died, last + 1, h)
    th = np.arange(h + 1)
    contrib = np.where(th < stop[:, None], q[:, None] * mark[:, :h + 1], 0.0)
    pr = q * clast * (1 - DELIST_HAIRCUT)
    contrib = np.where(died[:, None] & (th >= stop[:, None]), pr[:, None],
                       contrib)
    contrib[:, h] = np.where(~died, q * clast, contrib[:, h])
    contrib[~filled] = 0.0
    return h, contrib.sum(axis=0) + unspent


def rebalance_dates(first, last):
    out = []
    d = first + WARMUP
    while d <= last and d + HOLD <= last:
        out.append(d)
        d += STEP
    return out


def replay(P, assets):
    dates = rebalance_dates(P.first, P.last)
    if not dates:
        raise SystemExit("peer: no rebalance date in the store")
    ntr, lo = 1, 0
    for i in range(len(dates)):
        while lo < i and dates[lo] + HOLD <= dates[i]:
            lo += 1
        ntr = max(ntr, i - lo + 1)
    t1 = min(max(d + HOLD for d in dates), P.last)
    last_active = t1
    t1 = min(t1 + DELIST_DAYS, P.last)
    t0 = dates[0]
    ndays = t1 - t0 + 1
    port, univ = Book(t0, ndays, ntr), Book(t0, ndays, ntr)
    costs = [0.0, 0.0]
    decisions = decide(P, dates)
    picks, rebal = [], []
    for dec in decisions:
        day = dec["day"]
        j = P.col(day)
        end = min(day + HOLD + DELIST_DAYS, P.last)
        nd = end - day + 1
        censored = day + HOLD > P.last
        off = day - t0
        rows = dec["rows"]
        npick = len(rows)
        rb = {"day": day, "universe": dec["universe"],
              "tradable": dec["tradable"], "matched": dec["matched"],
              "picked": npick, "filled": 0, "tranche": None,
              "tranche_value": 0.0}
        if npick:
            k = port.free_tranche(day)
            if k is None:
                raise SystemExit("peer: no free tranche")
            cash = port.val[k, off]
            avail = np.cumsum(np.concatenate(([-port.withdrawn],
                                              port.scash[:off + 1])))[-1]
            avail = max(avail, 0.0)
            cash += avail
            sl = slice(j, j + nd)
            r = simulate_picks(P.close[rows, sl], P.high[rows, sl],
                               P.volume[rows, sl],
                               np.full(npick, cash / npick), HOLD, censored,
                               cash, ndays - off, port, off, costs)
            nfilled = int(r["filled"].sum())
            if nfilled:
                if avail > 0:
                    port.sleeve[off:] -= avail
                    port.withdrawn += avail
                port.commit(k, day, r["path"], r["h"])
                last_active = max(last_active, day + r["endoff"])
                rb["tranche"], rb["tranche_value"] = k, cash
            rb["filled"] = nfilled
            for i, a in enumerate(rows):
                picks.append({
                    "date": day, "rank": i + 1, "asset": P.slug[a],
                    "symbol": P.symbol[a],
                    "market_cap": dec["market_cap"][i],
                    "volume": dec["volume"][i],
                    "trader_grade": dec["grade"][i],
                    "entry_price": dec["price"][i],
                    "entry_cost": r["entry_cost"][i],
                    "target_usd": r["target"][i],
                    "notional_usd": r["notional"][i],
                    "reduced_usd": r["reduced"][i],
                    "exit_date": day + r["exit_off"][i]
                    if r["exit_off"][i] >= 0 else -1,
                    "last_bar_date": day + r["last_off"][i]
                    if r["last_off"][i] >= 0 else -1,
                    "exit_price": r["exit_price"][i],
                    "exit_cost": r["exit_cost"][i],
                    "unsold_share": r["unsold"][i],
                    "status": STATUS[r["status"][i]],
                    "return_gross": r["ret_gross"][i],
                    "return_net": r["ret_net"][i],
                    "max_gain": r["max_gain"][i],
                    "died": int(r["status"][i] == DIED),
                })
        # the universe basket: every asset with a positive close on D
        basket = np.nonzero(P.fp_close[:, j])[0]
        if len(basket):
            k = univ.free_tranche(day)
            if k is None:
                raise SystemExit("peer: no free basket tranche")
            h, path = simulate_basket(P.close[basket, j:j + nd], HOLD,
                                      censored, univ.val[k, off])
            last_active = max(last_active, day + h)
            univ.commit(k, day, path, h)
        rebal.append(rb)

    # periods
    n = last_active - t0 + 1
    e = port.total()[:n]
    u = univ.total()[:n]
    prev = np.concatenate(([CAPITAL], e[:-1]))
    ret = np.where(prev > 0, e / prev - 1, 0.0)
    equity = e / CAPITAL
    peak = np.maximum(np.maximum.accumulate(equity), 1.0)
    prevu = np.concatenate(([CAPITAL], u[:-1]))
    ru = np.where(prevu > 0, u / prevu - 1, 0.0)
    beq = bench_equity(P, assets, t0, n)
    rbench = beq / np.concatenate(([1.0], beq[:-1])) - 1
    periods = pd.DataFrame({
        "date": np.arange(t0, t0 + n), "return": ret, "equity": equity,
        "drawdown": equity / peak - 1, "invested": port.posval[:n] / e,
        "positions": port.npos[:n], "benchmark_equity": beq,
        "universe_equity": u / CAPITAL})
    return {
        "dates": dates, "ntr": ntr, "picks": pd.DataFrame(picks),
        "rebalances": rebal, "periods": periods, "costs": costs,
        "final_equity_usd": float(e[-1]),
        "series": {"portfolio": ret, "asset": rbench, "universe": ru},
        "bench_known": bool(np.isfinite(beq[0])),
    }


def bench_equity(P, assets, t0, n):
    eq = np.full(n, np.nan)
    hit = np.nonzero(P.slug == BENCHMARK)[0]
    if len(hit) == 0:
        return eq
    a = hit[0]
    # the last bar at or before t0 (ms_market_bar_at)
    before = np.nonzero(P.present[a, :P.col(t0) + 1])[0]
    if len(before) == 0:
        return eq
    base = P.close[a, before[-1]]
    if not (math.isfinite(base) and base > 0):
        return eq
    c = P.close[a, P.col(t0):P.col(t0) + n]
    fp = np.isfinite(c) & (c > 0)
    ser = pd.Series(np.where(fp, c, np.nan)).ffill().fillna(base)
    return ser.to_numpy() / base


# ---- metrics ----------------------------------------------------------------


def series_metrics(r):
    r = np.asarray(r, dtype=float)
    k = r[np.isfinite(r)]
    m = k.mean() if len(k) else math.nan
    sd = k.std(ddof=1) if len(k) > 1 else math.nan
    dsd = math.sqrt((np.minimum(k, 0) ** 2).sum() / len(k)) if len(k) else \
        math.nan
    okpath = np.isfinite(r).all() and (r >= -1).all() and len(r) > 0
    w = np.cumprod(1 + r) if okpath else None
    growth = w[-1] if okpath else math.nan
    if okpath:
        wealth = np.concatenate(([1.0], w))
        mdd = min(0.0, (wealth / np.maximum.accumulate(wealth) - 1).min())
    else:
        mdd = math.nan
    sq = math.sqrt(PPY)
    return {
        "total_return": growth - 1,
        "cagr": growth ** (1.0 / (len(r) / PPY)) - 1 if okpath else math.nan,
        "annual_volatility": sd * sq,
        "sharpe": m / sd * sq if sd > 0 else math.nan,
        "sortino": m / dsd * sq if dsd > 0 else math.nan,
        "downside_risk": dsd * sq,
        "max_drawdown": mdd,
        "hit_rate_periods": float((k > 0).mean()) if len(k) else math.nan,
        "mean_period_return": m,
        "periods": int(len(r)),
    }


def pick_metrics(picks, seed):
    """backtest/ms_bt_stats.c: every statistic over the judged picks (a
    known net return)."""
    ret = picks["return_net"].to_numpy(dtype=float)
    judged = np.isfinite(ret)
    k = ret[judged]
    mg = picks["max_gain"].to_numpy(dtype=float)[judged]
    st = picks["status"].to_numpy()
    m = len(k)
    out = {
        "count": int(len(picks)),
        "filled": int((st != "unfilled").sum()),
        "judged": int(m),
        "wins": int((k > 0).sum()),
        "win_rate": float((k > 0).mean()) if m else math.nan,
        "mean_return": float(k.mean()) if m else math.nan,
        "median_return": float(np.median(k)) if m else math.nan,
        "reached_2x": int((mg >= 1).sum()),
        "reached_10x": int((mg >= 9).sum()),
        "reached_100x": int((mg >= 99).sum()),
        "died": int((st[judged] == "died").sum()),
        "censored": int((st == "censored").sum()),
        "written_off": int((picks["unsold_share"].fillna(0) > 0).sum()),
    }
    for x in ("2x", "10x", "100x"):
        out["share_" + x] = out["reached_" + x] / m if m else math.nan
    out["share_died"] = out["died"] / m if m else math.nan
    if len(k) and BOOTSTRAP:
        rng = np.random.default_rng(seed)
        s = k[rng.integers(0, len(k), size=(BOOTSTRAP, len(k)))]
        for name, v in (("mean_return", s.mean(axis=1)),
                        ("median_return", np.median(s, axis=1)),
                        ("win_rate", (s > 0).mean(axis=1))):
            lo, hi = np.percentile(v, [2.5, 97.5])
            out[name + "_ci95"] = {"lo": float(lo), "hi": float(hi)}
    return out


def metrics(res, seed):
    s = res["series"]
    port = series_metrics(s["portfolio"])
    port["final_equity_usd"] = res["final_equity_usd"]
    picks = res["picks"]
    reduced = picks[(picks["reduced_usd"] > 0) & (picks["status"] != "unfilled")]
    return {
        "portfolio": port,
        "picks": pick_metrics(picks, seed),
        "costs": {"spread_usd": res["costs"][0], "impact_usd": res["costs"][1],
                  "total_usd": res["costs"][0] + res["costs"][1],
                  "reduced_positions": int(len(reduced)),
                  "reduced_usd": float(reduced["reduced_usd"].sum())},
        "benchmarks": {
            "asset": series_metrics(s["asset"]) if res["bench_known"] else None,
            "universe": series_metrics(s["universe"])},
    }


# ---- output -----------------------------------------------------------------


def num(v):
    if v is None:
        return ""
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if not math.isfinite(v):
        return ""
    return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def write_csv(path, cols, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(cols) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def write_out(res, m, outdir):
    os.makedirs(outdir, exist_ok=True)
    pk = res["picks"]
    cols = ["date", "rank", "asset", "symbol", "market_cap", "volume",
            "trader_grade", "entry_price", "entry_cost", "target_usd",
            "notional_usd", "reduced_usd", "exit_date", "last_bar_date",
            "exit_price", "exit_cost", "unsold_share", "status",
            "return_gross", "return_net", "max_gain", "died"]
    rows = []
    for r in pk.to_dict("records"):
        rows.append([day_str(r["date"]), str(r["rank"]), r["asset"],
                     r["symbol"]] +
                    [num(r[c]) for c in cols[4:12]] +
                    [day_str(r["exit_date"]), day_str(r["last_bar_date"])] +
                    [num(r[c]) for c in cols[14:17]] + [r["status"]] +
                    [num(r[c]) for c in cols[18:21]] + [str(r["died"])])
    write_csv(os.path.join(outdir, "picks.csv"), cols, rows)
    pe = res["periods"]
    cols = list(pe.columns)
    rows = [[day_str(r[0])] + [num(x) for x in r[1:]]
            for r in pe.itertuples(index=False)]
    write_csv(os.path.join(outdir, "periods.csv"), cols, rows)
    # exit_date: the nominal exit; left and exit_min_market_cap belong to
    # snapshot universes: 0 and unknown here, as moonscope writes them
    cols = ["date", "universe", "tradable", "matched", "picked", "filled",
            "tranche", "tranche_value_usd", "exit_date", "left",
            "exit_min_market_cap"]
    rows = [[day_str(r["day"])] + [str(r[c]) for c in cols[1:6]] +
            ["" if r["tranche"] is None else str(r["tranche"] + 1),
             num(r["tranche_value"]), day_str(r["day"] + HOLD), "0", ""]
            for r in res["rebalances"]]
    write_csv(os.path.join(outdir, "rebalances.csv"), cols, rows)

    def clean(o):
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, float) and not math.isfinite(o):
            return None
        if isinstance(o, (np.floating,)):
            return clean(float(o))
        if isinstance(o, (np.integer,)):
            return int(o)
        return o
    doc = {"schema": "moonscope.bench.pandas_peer", "schema_version": 1,
           "run": {"rebalance_dates": len(res["dates"]),
                   "periods": int(len(pe)), "tranches": res["ntr"]},
           "metrics": clean(m)}
    with open(os.path.join(outdir, "summary.json"), "w",
              encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


OPTIONS = {   # option: (global, type); the defaults are the acceptance run's
    "--top": ("TOP", int), "--hold": ("HOLD", int),
    "--capital": ("CAPITAL", float), "--spread-bps": ("SPREAD_BPS", float),
    "--impact": ("IMPACT", float),
    "--max-volume-share": ("MAX_VOLUME_SHARE", float),
    "--max-market-cap": ("MAX_MARKET_CAP", float),
    "--delist-haircut": ("DELIST_HAIRCUT", float),
    "--delist-days": ("DELIST_DAYS", int),
}


def main(argv):
    outdir, seed, db = None, 1, None
    it = iter(argv[1:])
    try:
        for a in it:
            if a == "--out":
                outdir = next(it)
            elif a == "--seed":
                seed = int(next(it))
            elif a == "--rebalance":
                globals()["STEP"] = {"daily": 1, "weekly": 7}[next(it)]
            elif a in OPTIONS:
                name, typ = OPTIONS[a]
                globals()[name] = typ(next(it))
            elif db is None and not a.startswith("-"):
                db = a
            else:
                raise ValueError(a)
    except (StopIteration, ValueError, KeyError) as e:
        print("bt_pandas_peer.py: bad option %s" % e, file=sys.stderr)
        db = None
    if db is None or not os.path.exists(db):
        print("usage: bt_pandas_peer.py DB [--out DIR] [--seed N] "
              "[--rebalance daily|weekly] [%s]" % "] [".join(
                  k + " X" for k in OPTIONS), file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    assets, daily = load(db)
    t1 = time.perf_counter()
    P = Panel(assets, daily)
    res = replay(P, assets)
    m = metrics(res, seed)
    t2 = time.perf_counter()
    print("peer %.6f %.6f %.6f" % (t1 - t0, t2 - t1, t2 - t0))
    if outdir:
        write_out(res, m, outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
