#!/usr/bin/python3
"""tests/integration/cg_wire.py — Moonscope's /api/v3 against CoinGecko's
real wire format: every answer is compared, key by key, with CoinGecko's
official OpenAPI examples and the responses real clients captured
(../shared/data/api_samples/coingecko), for the coins the served store has.

    cg_wire.py BASE_URL SAMPLES_DIR

What must agree (the "shape"):
  * objects: every key we send is a key of some CoinGecko sample of that
    endpoint, and every key of a sample is one we send, except the ones
    listed in OMITTED with the reason (documented in docs/api-v3.md);
  * types: number, string, bool, object, array — null on either side
    matches anything (CoinGecko nulls fields too; ours are in the docs);
  * nesting: arrays are compared element by element against the sample's
    first element; maps keyed by data (currency codes, languages, coin
    ids, platforms) are compared on the keys both have.
A sample whose coin the store lacks is skipped, and said so.

Python 3 standard library only (Debian's /usr/bin/python3). Prints one
line per comparison, "N passed, M failed, K skipped" last; exits 1 when
one failed, 2 on a usage error.
"""
import json
import os
import re
import sys
import urllib.error
import urllib.request

# Keys of CoinGecko's samples that Moonscope does not send, and why.
OMITTED = {
    "coin": {
        "community_data": "CoinGecko stopped returning it (28 Aug 2026)",
        "developer_data": "CoinGecko stopped returning it (28 Aug 2026)",
        "contract_address": "tokens only; no contract addresses are stored",
    },
}

# Paths (dotted, [] for any array item) of maps whose keys are data.
DYNAMIC = {
    "list": {"[].platforms"},
    "coin": {"platforms", "detail_platforms", "localization", "description",
             "market_data.*"},
    "global": {"data.total_market_cap", "data.total_volume",
               "data.market_cap_percentage"},
    "price": {""},
}


def kind(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def is_dynamic(endpoint, path, sample):
    path = re.sub(r"\[\d+\]", "[]", path)
    for p in DYNAMIC.get(endpoint, ()):
        if p == path:
            return True
        # "market_data.*": a per-currency map directly under market_data.
        if p.endswith(".*") and path.startswith(p[:-1]) and \
                "." not in path[len(p) - 1:] and isinstance(sample, dict) \
                and ("usd" in sample or "btc" in sample):
            return True
    return False


def compare(endpoint, ours, samples, path, errors):
    """Compares ours with each sample value at path; appends to errors."""
    samples = [s for s in samples if s is not None]
    if ours is None or not samples:
        return
    for s in samples:
        if kind(ours) != kind(s):
            errors.append("%s: ours is %s, CoinGecko's %s" %
                          (path or "(root)", kind(ours), kind(s)))
            return
    if isinstance(ours, list):
        firsts = [s[0] for s in samples if s]
        for i, item in enumerate(ours):
            compare(endpoint, item, firsts, "%s[%d]" % (path, i), errors)
        return
    if not isinstance(ours, dict):
        return
    if is_dynamic(endpoint, path, samples[0]):
        for k, v in ours.items():
            compare(endpoint, v, [s[k] for s in samples if k in s],
                    "%s.%s" % (path, k) if path else k, errors)
        return
    union = set()
    for s in samples:
        union |= set(s)
    omitted = OMITTED.get(endpoint, {}) if path == "" else {}
    for k in sorted(set(ours) - union):
        errors.append("%s: key %r is not CoinGecko's" % (path or "(root)", k))
    for s in samples:
        for k in sorted(set(s) - set(ours) - set(omitted)):
            errors.append("%s: CoinGecko's key %r is missing" %
                          (path or "(root)", k))
    for k, v in ours.items():
        compare(endpoint, v, [s[k] for s in samples if k in s],
                "%s.%s" % (path, k) if path else k, errors)


class Run:
    def __init__(self, base, samples):
        self.base = base.rstrip("/") + "/api/v3"
        self.samples = samples
        self.passed = self.failed = self.skipped = 0

    def load(self, rel):
        with open(os.path.join(self.samples, rel), encoding="utf-8") as f:
            return json.load(f)

    def get(self, path):
        """(status, parsed body) of GET path."""
        req = urllib.request.Request(self.base + path, headers={
            "x-cg-demo-api-key": "wire-test"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            return e.code, None

    def check(self, name, endpoint, path, samples):
        status, ours = self.get(path)
        if status != 200:
            self.failed += 1
            print("FAIL %s: GET %s answered %d" % (name, path, status))
            return
        errors = []
        compare(endpoint, ours, samples, "", errors)
        if errors:
            self.failed += 1
            print("FAIL %s (GET %s):" % (name, path))
            for e in errors[:20]:
                print("    " + e)
            if len(errors) > 20:
                print("    ... %d more" % (len(errors) - 20))
        else:
            self.passed += 1
            print("ok   %s" % name)

    def skip(self, name, why):
        self.skipped += 1
        print("SKIP %s: %s" % (name, why))

    def has(self, coin_id):
        return self.get("/coins/%s?localization=false&tickers=false"
                        "&market_data=false" % coin_id)[0] == 200


def main(argv):
    if len(argv) != 3:
        print("usage: cg_wire.py BASE_URL SAMPLES_DIR", file=sys.stderr)
        return 2
    run = Run(argv[1], argv[2])
    off = "official_oas_examples/"
    cap = "captured/"

    run.check("ping", "ping", "/ping", [run.load(off + "GET_ping.json")])
    run.check("simple/supported_vs_currencies", "list",
              "/simple/supported_vs_currencies",
              [run.load(off + "GET_simple_supported_vs_currencies.json")])
    # simple/price: keyed by coin id; each value has CoinGecko's fields.
    sample = run.load(off + "GET_simple_price.json")
    run.check("simple/price", "price",
              "/simple/price?ids=bitcoin,ripple,ethereum&vs_currencies=usd"
              "&include_market_cap=true&include_24hr_vol=true"
              "&include_24hr_change=true&include_last_updated_at=true",
              [sample])
    run.check("coins/list (include_platform)", "list",
              "/coins/list?include_platform=true",
              [run.load(off + "GET_coins_list.json")])

    markets = [run.load(cap + f) for f in (
        "GET_coins_markets_top30_2025-03-04.json",
        "GET_coins_markets_top5_2023-01-02.json",
        "GET_coins_markets_rows_top80_2024-10-21.json")]
    official = run.load(off + "GET_coins_markets.json")
    # The plain table: the captured rows (and the official one, whose
    # sparkline and percentage fields only come when asked for).
    plain = [dict((k, v) for k, v in official[0].items()
                  if k != "sparkline_in_7d" and
                  (not k.endswith("_in_currency")))]
    run.check("coins/markets", "markets",
              "/coins/markets?vs_currency=usd&per_page=250",
              markets + [plain])
    run.check("coins/markets (sparkline, all price_change_percentage)",
              "markets", "/coins/markets?vs_currency=usd&per_page=50"
              "&sparkline=true&price_change_percentage=1h,24h,7d,14d,30d,"
              "200d,1y", [official])

    # coins/{id}, for each coin of the samples the store has, against all
    # of CoinGecko's coin pages (the official example and the captured
    # full pages): the same keys, the same types.
    coin_samples = [run.load(off + "GET_coins_id.json")]
    for cid in ("bitcoin", "ripple", "pepe"):
        coin_samples.append(run.load(cap + "GET_coins_%s_full_2024-10-21.json"
                                     % cid))
    for cid in ("bitcoin", "ripple", "pepe"):
        name = "coins/%s" % cid
        if not run.has(cid):
            run.skip(name, "the store has no coin %r" % cid)
            continue
        run.check(name, "coin", "/coins/%s" % cid, coin_samples)

    chart_official = run.load(off + "GET_coins_id_market_chart.json")
    for cid in ("bitcoin", "ethereum", "ripple"):
        name = "coins/%s/market_chart" % cid
        if not run.has(cid):
            run.skip(name, "the store has no coin %r" % cid)
            continue
        captured = run.load(cap + "GET_coins_%s_market_chart_days7_daily_"
                            "2026-09-02.json" % cid)
        run.check(name, "chart", "/coins/%s/market_chart?vs_currency=usd"
                  "&days=30" % cid, [captured, chart_official])
    probe = next((c for c in ("bitcoin", "ripple", "ethereum")
                  if run.has(c)), None)
    if probe is None:
        run.skip("market_chart/range, ohlc", "no bitcoin, ripple or ethereum")
    else:
        run.check("coins/%s/market_chart/range" % probe, "chart",
                  "/coins/%s/market_chart/range?vs_currency=usd&from=0"
                  "&to=4102444800" % probe,
                  [run.load(off + "GET_coins_id_market_chart_range.json")])
        run.check("coins/%s/ohlc" % probe, "ohlc",
                  "/coins/%s/ohlc?vs_currency=usd&days=max" % probe,
                  [run.load(off + "GET_coins_id_ohlc.json")])

    status, cats = run.get("/coins/categories/list")
    if status == 200 and not cats:
        run.skip("coins/categories/list, coins/categories",
                 "the store has no categories")
    else:
        run.check("coins/categories/list", "categories_list",
                  "/coins/categories/list",
                  [run.load(off + "GET_coins_categories_list.json")])
        run.check("coins/categories", "categories", "/coins/categories",
                  [run.load(off + "GET_coins_categories.json")])
    run.check("global", "global", "/global",
              [run.load(off + "GET_global.json")])

    print("%d passed, %d failed, %d skipped" %
          (run.passed, run.failed, run.skipped))
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
