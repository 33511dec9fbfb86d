"""FastAPI peer of GET /api/v3/simple/price, the baseline of bench/ingest.sh.

A faithful Python port of functions/cg_simple_price.c: the same SQL
statements as shared/ms_cg.c and shared/ms_market.c (ms_cg_now,
ms_cg_find, ms_cg_find_by, ms_cg_quote_of), run in the
same order against the same SQLite store (opened read-only, once per
worker process), each request in one read transaction (BEGIN DEFERRED ...
COMMIT, as ms_ctx_store and ms_handle do), and the same body, byte for
byte: CoinGecko's bare JSON object, keys in request order, numbers printed
as shared/ms_json.c prints them (%.15g, %.16g or %.17g, the first that
reads back as the same double; 0 as 0), no spaces. bench/ingest.sh checks
that both servers return identical bodies before it times anything.

Written to give FastAPI its best chance: an `async def` handler (the
queries take microseconds), the body built as text and returned as a
plain Response (no jsonable_encoder, no validation), parameters parsed from
the raw query string. Errors answer CoinGecko's {"error": ...} with the
status; they are not part of the benchmark.

Run with Debian's packages and interpreter, e.g.
  MOONSCOPE_DB=store.db /usr/bin/python3 -m uvicorn --app-dir bench \\
      fastapi_cg_peer:app --host 127.0.0.1 --port 8001 --workers 2 \\
      --loop uvloop --http httptools --no-access-log
"""

import json
import math
import os
import sqlite3
import urllib.parse

from fastapi import FastAPI, Request
from fastapi.responses import Response

DB_PATH = os.environ.get("MOONSCOPE_DB") or "var/moonscope.db"

INT32_MAX = 2147483647
LISTED_DAYS = 31          # ms_market.h MS_LISTED_DAYS
LIST_MAX = 4000           # ms_cg.h MS_CG_LIST_MAX (bytes)
LIST_ITEMS = 500          # ms_cg.h MS_CG_LIST_ITEMS
DAY_S = 86400

# The statements of shared/ms_market.c and shared/ms_cg.c, verbatim.
SQL_LATEST_DAY = "SELECT max(day) FROM daily WHERE day <= ?1"
SQL_FIND = ("SELECT id, slug, symbol, name, categories FROM assets "
            "WHERE slug = lower(?1)")
_FIND_BY = ("SELECT a.id, a.slug, a.symbol, a.name, a.categories, "
            "(SELECT d.market_cap FROM daily d WHERE d.asset_id = a.id "
            " AND d.day <= ?2 AND d.day >= ?3 ORDER BY d.day DESC LIMIT 1) "
            "AS mc "
            "FROM assets a WHERE a.%s = ?1 COLLATE NOCASE AND EXISTS "
            "(SELECT 1 FROM daily y WHERE y.asset_id = a.id AND y.day <= ?2) "
            "ORDER BY mc IS NULL, mc DESC, a.id LIMIT 64")
SQL_FIND_BY_SYMBOL = _FIND_BY % "symbol"
SQL_FIND_BY_NAME = _FIND_BY % "name"
COIN_COLS = ("d.day, d.open, d.high, d.low, d.close, d.volume, "
             "d.market_cap, d.source_id, d.ath, d.ath_day, p.close, "
             "p.market_cap, p.volume")
SQL_MARKET_OF = ("SELECT " + COIN_COLS + " FROM daily d LEFT JOIN daily p "
                 "ON p.asset_id = d.asset_id AND p.day = d.day - 1 "
                 "WHERE d.asset_id = ?1 AND d.day <= ?2 ORDER BY d.day DESC "
                 "LIMIT 1")

_db = None


def db():
    """The worker's read-only connection, opened on first use."""
    global _db
    if _db is None:
        uri = "file:" + urllib.parse.quote(DB_PATH) + "?mode=ro"
        _db = sqlite3.connect(uri, uri=True, isolation_level=None,
                              cached_statements=64)
    return _db


def num(v):
    """ms_json_num as text: null for unknown, 0 for zero, else the
    shortest of %.15g/%.16g/%.17g that reads back as v."""
    if v is None or not math.isfinite(v):
        return "null"
    if v == 0.0:
        return "0"
    for prec in (15, 16, 17):
        s = "%.*g" % (prec, v)
        if float(s) == v:
            return s
    return repr(v)


def fl(v):
    return None if v is None else float(v)


def cg_round(v, digits):
    """ms_cg_round: v rounded to digits decimals through %.*f."""
    if v is None or digits < 0 or not math.isfinite(v) or abs(v) >= 1e17:
        return v
    return float("%.*f" % (digits, v))


def pct(now, then):
    if now is None or then is None or not math.isfinite(now) or \
            not math.isfinite(then) or then <= 0:
        return None
    return 100.0 * (now - then) / then


def error(status, msg):
    return Response(content=json.dumps({"error": msg},
                                       separators=(",", ":")).encode(),
                    status_code=status, media_type="application/json")


def split_list(s):
    """ms_cg_split: items trimmed of blanks, empty ones skipped; None when
    too long or too many."""
    if len(s.encode()) >= LIST_MAX + 1:
        return None
    out = [x.strip(" \t") for x in s.split(",")]
    out = [x for x in out if x]
    return None if len(out) > LIST_ITEMS else out


def quote_of(c, asset_id, day):
    """ms_cg_quote_of: (close, market_cap, volume, prev_close, bar_day)
    or None when the asset has no bar."""
    r = c.execute(SQL_MARKET_OF, (asset_id, day)).fetchone()
    if r is None:
        return None
    return fl(r[4]), fl(r[6]), fl(r[5]), fl(r[10]), r[0]


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

FLAGS = ("include_market_cap", "include_24hr_vol", "include_24hr_change",
         "include_last_updated_at")
KNOWN = {"vs_currencies", "ids", "names", "symbols", "include_tokens",
         "precision", "x_cg_demo_api_key", "x_cg_pro_api_key"} | set(FLAGS)


@app.get("/api/v3/simple/price")
async def simple_price(request: Request):
    q = {}
    for k, v in urllib.parse.parse_qsl(
            request.scope.get("query_string", b"").decode("utf-8", "replace"),
            keep_blank_values=True):
        if k not in KNOWN or k in q:
            return error(400, "invalid parameter %s" % k)
        q[k] = v
    vs = q.get("vs_currencies")
    if vs is None:
        return error(422, "Missing parameter vs_currencies")
    if "usd" not in [x.strip().lower() for x in vs.split(",")]:
        return error(400, "invalid vs_currencies")
    flags = {}
    for f in FLAGS:
        v = q.get(f, "false")
        if v not in ("true", "false"):
            return error(400, "invalid %s" % f)
        flags[f] = v == "true"
    digits = -1
    p = q.get("precision")
    if p is not None and p != "full":
        if not p.isdigit() or int(p) > 18:
            return error(400, "invalid precision")
        digits = int(p)
    tokens = q.get("include_tokens", "top")
    if tokens not in ("top", "all"):
        return error(400, "invalid include_tokens")
    which = next((k for k in ("ids", "names", "symbols") if k in q), None)
    if which is None:
        return error(422, "Missing parameter ids")
    items = split_list(q[which])
    if items is None:
        return error(400, "invalid %s" % which)

    c = db()
    c.execute("BEGIN DEFERRED")
    try:
        body = price_body(c, which, items, tokens == "all", flags, digits)
    finally:
        c.execute("COMMIT")
    return Response(content=body, media_type="application/json")


def price_body(c, which, items, all_tokens, flags, digits):
    r = c.execute(SQL_LATEST_DAY, (INT32_MAX,)).fetchone()
    if r is None or r[0] is None:
        return b"{}"
    now = r[0]
    parts = []
    seen = set()
    for item in items:
        if which == "ids":
            row = c.execute(SQL_FIND, (item,)).fetchone()
            found = [row] if row is not None else []
        else:
            sql = SQL_FIND_BY_NAME if which == "names" else \
                SQL_FIND_BY_SYMBOL
            found = c.execute(sql, (item, now, now - (LISTED_DAYS - 1))
                              ).fetchall()[:8 if all_tokens else 1]
        for a in found:
            m = quote_of(c, a[0], now)
            if m is None:
                continue
            close, mcap, vol, prev_close, bar_day = m
            key = a[1] if which == "ids" or all_tokens else item.lower()
            if key in seen:
                continue
            seen.add(key)
            obj = ['"usd":' + num(cg_round(close, digits))]
            if flags["include_market_cap"]:
                obj.append('"usd_market_cap":' + num(mcap))
            if flags["include_24hr_vol"]:
                obj.append('"usd_24h_vol":' + num(vol))
            if flags["include_24hr_change"]:
                obj.append('"usd_24h_change":' + num(pct(close, prev_close)))
            if flags["include_last_updated_at"]:
                obj.append('"last_updated_at":%d' % ((bar_day + 1) * DAY_S))
            parts.append(json.dumps(key, ensure_ascii=False) + ":{" +
                         ",".join(obj) + "}")
    return ("{" + ",".join(parts) + "}").encode()
