"""Compares moonscope's moonshot report with the pandas peer's output.

  bt_replay_check.py MOONSCOPE_REPORT_DIR PEER_OUT_DIR

Both directories hold picks.csv, periods.csv, rebalances.csv and
summary.json (moonscope: `backtest moonshots --report DIR`; the peer:
bench/bt_pandas_peer.py DB --out DIR). Prints what was compared and how
closely it agrees, and exits 1 when anything differs beyond the rules
below (0 when everything agrees), so bench/bt_replay.sh stops before it
times a peer that does not compute the same thing.

Rules:
  - the decisions: the same rebalance dates and, per date, the same picks
    (asset slug) in the same rank order, and the same counts (universe,
    tradable, matched, picked, filled, tranche): exactly;
  - the columns the two files share are compared (in the peer's order);
    a column only one side writes is named, not compared, so a column
    added to moonscope's report later does not break the bench;
  - text and day fields (status, exit date, last bar date, died) and
    integers (positions): exactly;
  - every other number: to a relative 1e-9 (|a - b| <= 1e-9 max(|a|,|b|);
    empty = NaN equals NaN), except the daily portfolio `return` of
    periods.csv, compared as 1 + return (a return near zero is the ratio of
    two nearly equal equities, so its relative error says nothing); the
    count of bit-identical values is printed for each column;
  - summary.json: the final equity, the cost totals, the series metrics
    (total return, CAGR, volatility, Sharpe, Sortino, downside risk, max
    drawdown, period hit rate, mean period return) of the portfolio and
    both benchmarks, and the pick statistics (counts, win rate, mean,
    median, 2x/10x/100x shares): to a relative 1e-9. The bootstrap
    intervals are printed, not compared: moonscope draws with GSL's
    mt19937, the peer with numpy's PCG64.
"""

import csv
import json
import math
import os
import sys

REL = 1e-9


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def fnum(s):
    if s is None or s == "":
        return math.nan
    return float(s)


def close(a, b):
    if math.isnan(a) and math.isnan(b):
        return True
    if math.isnan(a) or math.isnan(b):
        return False
    return a == b or abs(a - b) <= REL * max(abs(a), abs(b))


class Report:
    def __init__(self):
        self.fail = 0

    def line(self, ok, what):
        print("  %-4s %s" % ("ok" if ok else "DIFF", what))
        if not ok:
            self.fail += 1


def compare_table(rep, name, a, b, key_cols, exact_cols, gross_cols=()):
    rows = len(a)
    rep.line(len(a) == len(b), "%s: %d rows (moonscope) vs %d (peer)"
             % (name, len(a), len(b)))
    if len(a) != len(b):
        return
    ca = list(a[0].keys()) if a else []
    cb = list(b[0].keys()) if b else []
    cols = [c for c in cb if c in ca]
    only_a = [c for c in ca if c not in cb]
    only_b = [c for c in cb if c not in ca]
    if only_a or only_b:
        print("  --   %s: not compared, columns only moonscope writes: %s; "
              "only the peer writes: %s" % (name, ", ".join(only_a) or "none",
                                            ", ".join(only_b) or "none"))
    for k in key_cols:
        if a and k not in cols:
            rep.line(False, "%s: column %s missing" % (name, k))
            return
    for c in cols:
        if c in key_cols or c in exact_cols:
            bad = [i for i in range(rows) if a[i][c] != b[i][c]]
            rep.line(not bad, "%s.%s: %s" % (
                name, c, "identical in all %d rows" % rows if not bad else
                "%d rows differ, first at row %d: %r vs %r"
                % (len(bad), bad[0] + 2, a[bad[0]][c], b[bad[0]][c])))
            continue
        same = worst = 0
        bad = []
        for i in range(rows):
            x, y = fnum(a[i][c]), fnum(b[i][c])
            if c in gross_cols:
                x, y = 1 + x, 1 + y
            if (math.isnan(x) and math.isnan(y)) or x == y:
                same += 1
                continue
            if not close(x, y):
                bad.append(i)
            elif not (math.isnan(x) or math.isnan(y)):
                worst = max(worst, abs(x - y) / max(abs(x), abs(y)))
        how = "as 1 + value, " if c in gross_cols else ""
        if bad:
            i = bad[0]
            rep.line(False, "%s.%s: %d rows beyond relative %g (%sfirst at "
                     "row %d: %s vs %s)" % (name, c, len(bad), REL, how,
                                            i + 2, a[i][c], b[i][c]))
        else:
            rep.line(True, "%s.%s: %sbit-identical in %d of %d rows%s" % (
                name, c, how, same, rows,
                "" if same == rows else ", max relative difference %.2g"
                % worst))


def get(d, path):
    for k in path.split("."):
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


SERIES = ("total_return", "cagr", "annual_volatility", "sharpe", "sortino",
          "downside_risk", "max_drawdown", "hit_rate_periods",
          "mean_period_return", "periods")
PICKS = ("count", "filled", "judged", "wins", "win_rate", "mean_return",
         "median_return", "reached_2x", "reached_10x", "reached_100x",
         "share_2x", "share_10x", "share_100x", "died", "share_died",
         "censored", "written_off")
COSTS = ("spread_usd", "impact_usd", "total_usd", "reduced_positions",
         "reduced_usd")


def compare_summary(rep, a, b):
    paths = ["run.rebalance_dates", "run.periods", "run.tranches",
             "metrics.portfolio.final_equity_usd"]
    paths += ["metrics.portfolio." + k for k in SERIES]
    paths += ["metrics.benchmarks.asset." + k for k in SERIES]
    paths += ["metrics.benchmarks.universe." + k for k in SERIES]
    paths += ["metrics.picks." + k for k in PICKS]
    paths += ["metrics.costs." + k for k in COSTS]
    same = 0
    for p in paths:
        x, y = get(a, p), get(b, p)
        if x is None and y is None:
            same += 1
            continue
        if x is None or y is None:
            rep.line(False, "summary %s: %r (moonscope) vs %r (peer)"
                     % (p, x, y))
            continue
        if float(x) == float(y):
            same += 1
        elif close(float(x), float(y)):
            print("  ok   summary %s: %r vs %r (relative %.2g)" % (
                p, x, y, abs(x - y) / max(abs(x), abs(y))))
        else:
            rep.line(False, "summary %s: %r (moonscope) vs %r (peer)"
                     % (p, x, y))
    print("  ok   summary: %d of %d metrics bit-identical, the others within "
          "relative %g (listed before this line)" % (same, len(paths), REL)
          if rep.fail == 0 else
          "       summary: %d of %d metrics bit-identical" % (same, len(paths)))
    for k in ("mean_return", "median_return", "win_rate"):
        ca = get(a, "metrics.picks.%s_ci95" % k) or {}
        cb = get(b, "metrics.picks.%s_ci95" % k) or {}
        print("  --   bootstrap 95%% CI of %s (not compared, different "
              "RNGs): moonscope %.4g .. %.4g, peer %.4g .. %.4g" % (
                  k, fnum(ca.get("lo")), fnum(ca.get("hi")),
                  fnum(cb.get("lo")), fnum(cb.get("hi"))))


def main(argv):
    if len(argv) != 3:
        print("usage: bt_replay_check.py MOONSCOPE_REPORT_DIR PEER_OUT_DIR",
              file=sys.stderr)
        return 2
    ms, peer = argv[1], argv[2]
    rep = Report()
    a, b = (read_csv(os.path.join(d, "rebalances.csv")) for d in (ms, peer))
    compare_table(rep, "rebalances", a, b, ("date",),
                  ("universe", "tradable", "matched", "picked", "filled",
                   "tranche", "exit_date", "left"))
    a, b = (read_csv(os.path.join(d, "picks.csv")) for d in (ms, peer))
    # The decisions first, as the issue asks: picks per date in rank order.
    da, db = {}, {}
    for rows, out in ((a, da), (b, db)):
        for r in rows:
            out.setdefault(r["date"], []).append((int(r["rank"]), r["asset"]))
    diffd = [d for d in sorted(set(da) | set(db))
             if sorted(da.get(d, [])) != sorted(db.get(d, []))]
    rep.line(not diffd, "decisions: %d dates, %d picks; %s" % (
        len(da), len(a), "the same assets in the same rank order on every "
        "date" if not diffd else "%d dates differ, first %s: %s vs %s" % (
            len(diffd), diffd[0], sorted(da.get(diffd[0], [])),
            sorted(db.get(diffd[0], [])))))
    compare_table(rep, "picks", a, b, ("date", "rank", "asset", "symbol"),
                  ("exit_date", "last_bar_date", "status", "died"))
    a, b = (read_csv(os.path.join(d, "periods.csv")) for d in (ms, peer))
    compare_table(rep, "periods", a, b, ("date",), ("positions",),
                  gross_cols=("return",))
    with open(os.path.join(ms, "summary.json"), encoding="utf-8") as f:
        sa = json.load(f)
    with open(os.path.join(peer, "summary.json"), encoding="utf-8") as f:
        sb = json.load(f)
    compare_summary(rep, sa, sb)
    if rep.fail:
        print("check: %d comparisons FAILED: the pandas peer does not "
              "compute what moonscope computes" % rep.fail)
        return 1
    print("check: the pandas peer agrees with moonscope")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
