#!/usr/bin/python3
"""ref_claims.py — an independent check of `moonscope backtest claims`
from its report and the raw CoinGecko file, with Python's standard library.

    ref_claims.py REPORT_DIR COINGECKO_CSV_GZ [--route BIN --db DB]

The store behind the report must hold only that CoinGecko file. For every
claim of claims.csv it recomputes from the raw rows (each row of date D is
the bar of D - 1, close = price, high and low unknown — the importer's
documented shift): the close on the day made, the direction, the first day
the close reaches the target after that day, the highest and lowest close
and their days, the last close up to min(deadline, last day), the ratios,
the number of bars and the status (hit, miss, open, ended, unpriced), and
compares them with the report (prices exactly, ratios at a relative 1e-12).
It also recomputes the hit rate and each model's Brier score from the
per-claim probabilities and statuses of summary.json (relative 1e-12).

With --route BIN --db DB (BIN = build/fn/v1_target, run as a CGI program)
it asks /v1/target for each priced claim (id = the asset, price = target,
horizons = deadline - made, as_of = made) and requires each model's touch
and end-above probabilities to equal the report's exactly.

Prints "ok ..." / "not ok ..." lines; exit 0 when everything matches.
"""
import csv
import datetime
import gzip
import json
import math
import os
import subprocess
import sys
from collections import defaultdict

REL = 1e-12
MODELS = ("naive", "drift", "ewma", "garch")
LISTED_DAYS = 31

failures = 0
checked = 0


def num(s):
    return float(s) if s not in ("", None) else math.nan


def day(s):
    return datetime.date.fromisoformat(s).toordinal()


def iso(t):
    return datetime.date.fromordinal(t).isoformat() if t is not None else ""


def check(what, got, want, exact=False):
    global failures, checked
    checked += 1
    if isinstance(want, float) or isinstance(got, float):
        g, w = float(got), float(want)
        ok = (math.isnan(g) and math.isnan(w)) or (
            g == w if exact else math.isclose(g, w, rel_tol=REL, abs_tol=0))
    else:
        ok = got == want
    if not ok:
        failures += 1
        print(f"not ok {what}: report {got!r}, recomputed {want!r}")


def load_raw(path):
    """coin -> {bar day: close}, and the store's last day."""
    bars = defaultdict(dict)
    last = 0
    with gzip.open(path, "rt", newline="") as f:
        for r in csv.DictReader(f):
            p = num(r["price_usd"])
            if not (p > 0):
                continue
            t = day(r["date"]) - 1          # 00:00 UTC of D = close of D - 1
            bars[r["coin"]][t] = p
            last = max(last, t)
    return bars, last


def judge(c, ser, last):
    made, dl, target = day(c["made"]), day(c["deadline"]), float(c["target"])
    out = {"status": "unpriced", "price_made": math.nan, "bars": 0,
           "first_hit": None, "best": math.nan, "best_day": None,
           "worst": math.nan, "worst_day": None, "close": math.nan,
           "close_day": None, "rise": None}
    if made not in ser:
        return out
    p0 = ser[made]
    rise = target >= p0
    out.update(price_made=p0, rise=rise)
    end = min(dl, last)
    for t in range(made + 1, end + 1):
        if t not in ser:
            continue
        v = ser[t]
        out["bars"] += 1
        if out["best_day"] is None or v > out["best"]:
            out["best"], out["best_day"] = v, t
        if out["worst_day"] is None or v < out["worst"]:
            out["worst"], out["worst_day"] = v, t
        if out["first_hit"] is None and (v >= target if rise else v <= target):
            out["first_hit"], out["first_hit_price"] = t, v
        out["close"], out["close_day"] = v, t
    listed = made >= dl - (LISTED_DAYS - 1) or (
        out["close_day"] is not None and out["close_day"] >= dl - (LISTED_DAYS - 1))
    if dl > last:
        out["status"] = "open"
    elif not listed:
        out["status"] = "ended"
    else:
        out["status"] = "hit" if out["first_hit"] is not None else "miss"
    return out


def route_probs(binary, db, c):
    q = (f"id={c['asset_id']}&price={c['target']}&horizons={c['horizon_days']}"
         f"&as_of={c['made']}")
    env = {"REQUEST_METHOD": "GET", "QUERY_STRING": q,
           "REQUEST_URI": "/v1/target?" + q, "MOONSCOPE_DB": db,
           "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    out = subprocess.run([binary], env=env, capture_output=True, check=True)
    body = out.stdout.split(b"\r\n\r\n", 1)[-1].split(b"\n\n", 1)[-1]
    doc = json.loads(body)
    return {p["model"]: p["horizons"][0] for p in doc["data"]["probabilities"]}


def main():
    global failures
    args = sys.argv[1:]
    route = db = None
    if "--route" in args:
        i = args.index("--route")
        route = args[i + 1]
        del args[i:i + 2]
    if "--db" in args:
        i = args.index("--db")
        db = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__)
        return 2
    rep, raw = args
    bars, last = load_raw(raw)
    summary = json.load(open(os.path.join(rep, "summary.json")))
    assert summary["schema"] == "moonscope.backtest.claims"
    assert summary["schema_version"] == 1
    check("store last day", summary["store"]["last_day"], iso(last))
    with open(os.path.join(rep, "claims.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    for c in rows:
        w = f"line {c['line']} ({c['symbol']} {c['target']} by {c['deadline']})"
        ser = bars.get(c["symbol"].lower(), {})
        j = judge(c, ser, last)
        target = float(c["target"])
        check(f"{w} status", c["status"], j["status"])
        check(f"{w} price_made", num(c["price_made"]), j["price_made"], True)
        if j["status"] == "unpriced":
            continue
        check(f"{w} direction", c["direction"], "rise" if j["rise"] else "fall")
        check(f"{w} required_multiple", num(c["required_multiple"]),
              target / j["price_made"])
        check(f"{w} bars", int(c["bars"]), j["bars"])
        check(f"{w} first_hit_date", c["first_hit_date"], iso(j["first_hit"]))
        if j["first_hit"] is not None:
            check(f"{w} first_hit_price", num(c["first_hit_price"]),
                  j["first_hit_price"], True)
            check(f"{w} days_to_hit", int(c["days_to_hit"]),
                  j["first_hit"] - day(c["made"]))
        check(f"{w} best_price", num(c["best_price"]), j["best"], True)
        check(f"{w} best_date", c["best_date"], iso(j["best_day"]))
        check(f"{w} worst_price", num(c["worst_price"]), j["worst"], True)
        check(f"{w} worst_date", c["worst_date"], iso(j["worst_day"]))
        check(f"{w} deadline_close", num(c["deadline_close"]), j["close"], True)
        check(f"{w} deadline_close_date", c["deadline_close_date"],
              iso(j["close_day"]))
        if j["close_day"] is not None:
            cl = j["close"]
            check(f"{w} target_over_close", num(c["target_over_close"]),
                  target / cl)
            short = 100 * ((target - cl) / target if j["rise"]
                           else (cl - target) / target)
            check(f"{w} short_pct", num(c["short_pct"]), short)
            best = j["best"] if j["rise"] else j["worst"]
            check(f"{w} best_vs_target", num(c["best_vs_target"]),
                  best / target)
        if route and db:
            probs = route_probs(route, db, c)
            for m in MODELS:
                if m not in probs:
                    check(f"{w} {m} touch (route has none)",
                          num(c[f"p_touch_{m}"]), math.nan, True)
                    continue
                check(f"{w} {m} touch = /v1/target", num(c[f"p_touch_{m}"]),
                      float(probs[m]["touch"]), True)
                check(f"{w} {m} end_above = /v1/target",
                      num(c[f"p_end_above_{m}"]),
                      float(probs[m]["end_above"]), True)

    # Hit rate and Brier scores from summary.json's claims.
    claims = summary["claims"]
    judged = [c for c in claims if c["status"] in ("hit", "miss")]
    met = summary["metrics"]
    check("judged", met["judged"], len(judged))
    for s in ("hit", "miss", "open", "ended", "unpriced"):
        check(f"count {s}", met[s], sum(1 for c in claims if c["status"] == s))
    if judged:
        check("hit_rate", float(met["hit_rate"]),
              sum(c["status"] == "hit" for c in judged) / len(judged))
    for m in MODELS:
        ps = [(c["probabilities"][m]["touch"], c["status"] == "hit")
              for c in judged if c["probabilities"][m]["touch"] is not None]
        got = met["models"][m]
        check(f"{m} n", got["n"], len(ps))
        if ps:
            check(f"{m} brier", float(got["brier"]),
                  sum((p - y) ** 2 for p, y in ps) / len(ps))
            check(f"{m} mean_probability", float(got["mean_probability"]),
                  sum(p for p, _ in ps) / len(ps))
    if failures:
        print(f"not ok ref_claims: {failures} of {checked} values differ")
        return 1
    print(f"ok ref_claims: {checked} values equal the recomputation from the "
          f"raw file{' and /v1/target' if route else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
