#!/usr/bin/env python3
"""tests/ingest/make_fixtures.py — writes the canned upstream answers in
tests/ingest/fixtures/ (checked in; run again only to change them).

Five coins, shaped like CoinGecko's wire format (see ../shared/data/
api_samples/coingecko): bitcoin, ethereum, binancecoin (the curated
identity table maps it to the slug binance-coin), moontest-coin (a coin no
table knows) and nullcoin (every numeric field of /coins/markets null; its
chart has null prices, null market caps, no volumes and a zero volume).
Each chart has one 00:00 UTC point a day from 2024-10-01 to 2025-03-05 and a
last intraday "now" point at 2025-03-05T14:45:50Z, as CoinGecko sends.
Prices are a fixed function of the day, so tests can recompute them.
"""
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
DAY_MS = 86400000
FIRST = 19997      # 2024-10-01
LAST = 20152       # 2025-03-05
NOW_MS = LAST * DAY_MS + (14 * 3600 + 45 * 60 + 50) * 1000

COINS = [
    # id, symbol, name, base price, supply
    ("bitcoin", "btc", "Bitcoin", 80000.0, 19.8e6),
    ("ethereum", "eth", "Ethereum", 2500.0, 120.5e6),
    ("binancecoin", "bnb", "BNB", 600.0, 145e6),
    ("moontest-coin", "mtc", "Moontest Coin", 0.125, 1e9),
    ("nullcoin", "nul", "Null Coin", 3.0, 5e6),
]


def price(base, i, day):
    """The fixture's price of coin i at 00:00 UTC of day."""
    return round(base * (1 + 0.05 * math.sin(day / 7.0 + i)), 6)


def chart(i, cid, base, supply):
    prices, caps, vols = [], [], []
    for day in range(FIRST, LAST + 1):
        ts = day * DAY_MS
        p = price(base, i, day)
        cap = round(p * supply, 2)
        vol = round(p * supply * 0.03, 2)
        if cid == "nullcoin":
            pv = None if day % 7 == 0 else p
            prices.append([ts, pv])
            caps.append([ts, None if day % 5 == 0 else cap])
            if day == LAST - 3:
                vols.append([ts, 0])
        else:
            prices.append([ts, p])
            caps.append([ts, cap])
            vols.append([ts, vol])
    p = price(base, i, LAST) * 1.01
    prices.append([NOW_MS, p])
    caps.append([NOW_MS, round(p * supply, 2)])
    if cid != "nullcoin":
        vols.append([NOW_MS, round(p * supply * 0.03, 2)])
    return {"prices": prices, "market_caps": caps, "total_volumes": vols}


def market(i, cid, sym, name, base, supply):
    if cid == "nullcoin":
        return {"id": cid, "symbol": sym, "name": name, "image": None,
                "current_price": None, "market_cap": None,
                "market_cap_rank": None, "fully_diluted_valuation": None,
                "total_volume": None, "high_24h": None, "low_24h": None,
                "price_change_24h": None,
                "price_change_percentage_24h": None,
                "circulating_supply": None, "total_supply": None,
                "max_supply": None, "ath": None, "atl": None, "roi": None,
                "last_updated": None}
    p = price(base, i, LAST) * 1.01
    return {"id": cid, "symbol": sym, "name": name,
            "image": "https://example.invalid/%s.png" % cid,
            "current_price": p, "market_cap": round(p * supply),
            "market_cap_rank": i + 1,
            "fully_diluted_valuation": round(p * supply),
            "total_volume": round(p * supply * 0.03),
            "high_24h": p * 1.02, "low_24h": p * 0.98,
            "price_change_24h": -0.5, "price_change_percentage_24h": -1.2,
            "circulating_supply": supply, "total_supply": supply,
            "max_supply": None, "ath": p * 1.5,
            "ath_date": "2024-12-17T15:02:41.429Z", "atl": 0.05,
            "atl_date": "2013-07-06T00:00:00.000Z", "roi": None,
            "last_updated": "2025-03-05T14:45:50.155Z"}


def main():
    os.makedirs(OUT, exist_ok=True)
    markets = [market(i, *c) for i, c in enumerate(COINS)]
    lst = [{"id": c[0], "symbol": c[1], "name": c[2]} for c in COINS]
    lst += [{"id": "listed-only-coin", "symbol": "loc",
             "name": "Listed Only"},
            {"id": "Bad Id With Spaces", "symbol": "bad", "name": "Bad"}]
    glob = {"data": {"active_cryptocurrencies": 15000, "markets": 1200,
                     "total_market_cap": {"usd": 2.71e12, "eur": 2.5e12},
                     "total_volume": {"usd": 1.1e11},
                     "market_cap_percentage": {"btc": 58.7, "eth": 9.1},
                     "market_cap_change_percentage_24h_usd": -1.5,
                     "updated_at": 1741186000}}
    files = {"markets.json": markets, "list.json": lst, "global.json": glob}
    for i, c in enumerate(COINS):
        files["chart_%s.json" % c[0]] = chart(i, c[0], c[3], c[4])
    for name, doc in files.items():
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
