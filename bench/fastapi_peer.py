"""FastAPI peer of GET /v1/assets/{id}, the baseline of `make bench`.

This is a faithful Python port of functions/v1_asset.c: the same SQL
statements as shared/ms_market.c and shared/ms_store.c, run in the same
order against the same SQLite store (opened read-only, once per worker
process), each request in one read transaction (BEGIN DEFERRED ... COMMIT,
as ms_ctx_store and ms_handle in shared/ms_http.c do), and the same JSON
document: `data` is built field by field as the C handler builds it and
`meta` as shared/ms_api.c fills the envelope. Numbers are printed as
shared/ms_json.c prints them: the shortest form that reads back as the same
double (Python's repr), integral values without a ".0" (see num()).
bench/run.sh checks that both servers return byte-identical bodies (except
the value of meta.request_id) before it times anything.

It is written to give FastAPI its best chance, as a careful developer
would: an `async def` handler (no thread-pool hop; the queries take
microseconds), JSONResponse returned directly (no jsonable_encoder or
response-model validation), query parameters parsed from the raw query
string. Validation errors answer with a minimal problem+json; they are not
part of the benchmark.

A second route, GET /bench/const, returns a pre-serialised constant body
(the file named by BENCH_CONST_FILE, if set) with no database work: the
framework's floor on this machine. A third, GET /idiomatic/v1/assets/{id},
answers the same as /v1/assets/{id} written the common way (plain `def`
in the thread pool, returning a dict); bench/run.sh times it only with
BENCH_IDIOMATIC=1.

Run with Debian's packages and interpreter, e.g.
  MOONSCOPE_DB=store.db /usr/bin/python3 -m uvicorn --app-dir bench \
      fastapi_peer:app --host 127.0.0.1 --port 8001 --workers 2 \
      --loop uvloop --http httptools --no-access-log
"""

import datetime
import math
import os
import re
import sqlite3
import threading
import time
import urllib.parse

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

DB_PATH = os.environ.get("MOONSCOPE_DB") or "var/moonscope.db"

# ms_date.h
DATE_MIN = 14245  # 2009-01-03
DATE_MAX = 47482  # 2099-12-31
_EPOCH = datetime.date(1970, 1, 1).toordinal()
_DATE_RE = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_SLUG_RE = re.compile(r"\A[A-Za-z0-9._-]{1,80}\Z")
_REQID_RE = re.compile(r"\A[A-Za-z0-9._-]{1,63}\Z")

# ms_market.h
LISTED_DAYS = 31
MAX_CANDIDATES = 8
SOURCE_SET_MAX = 8
INT32_MAX = 2147483647

# The statements of shared/ms_market.c and shared/ms_store.c, verbatim.
BAR_COLS = "day, open, high, low, close, volume, market_cap, source_id"
SQL_BY_SLUG = ("SELECT id, slug, symbol, name, categories FROM assets "
               "WHERE slug = lower(?1)")
SQL_BY_SYMBOL = ("SELECT id, slug, symbol, name, categories FROM assets "
                 "WHERE symbol = upper(?1) ORDER BY id LIMIT 64")
SQL_LATEST_DAY = "SELECT max(day) FROM daily WHERE day <= ?1"
SQL_BAR_AT = ("SELECT " + BAR_COLS + " FROM daily WHERE asset_id = ?1 "
              "AND day <= ?2 ORDER BY day DESC LIMIT 1")
SQL_BAR_NEAR = ("SELECT " + BAR_COLS + " FROM daily WHERE asset_id = ?1 "
                "AND day <= ?2 AND day >= ?3 ORDER BY day DESC LIMIT 1")
SQL_FIRST_DAY = ("SELECT day FROM daily WHERE asset_id = ?1 "
                 "ORDER BY day LIMIT 1")
SQL_ATH = ("SELECT ath, ath_day FROM daily WHERE asset_id = ?1 AND day <= ?2 "
           "ORDER BY day DESC LIMIT 1")
SQL_SOURCE = "SELECT id, name, priority, synthetic FROM sources WHERE id = ?1"
SQL_DATA_VERSION = ("SELECT CAST(value AS INTEGER) FROM meta "
                    "WHERE key = 'data_version'")

_db = None


def db():
    """The worker's read-only connection, opened on first use."""
    global _db
    if _db is None:
        uri = "file:" + urllib.parse.quote(DB_PATH) + "?mode=ro"
        _db = sqlite3.connect(uri, uri=True, isolation_level=None,
                              cached_statements=64)
    return _db


def fmt_date(day):
    if day is None or day < 0:
        return None
    return datetime.date.fromordinal(_EPOCH + day).isoformat()


def parse_date(s):
    """YYYY-MM-DD to a day number; None when malformed or no such day."""
    if not _DATE_RE.match(s):
        return None
    try:
        d = datetime.date(int(s[0:4]), int(s[5:7]), int(s[8:10]))
    except ValueError:
        return None
    return d.toordinal() - _EPOCH


# Integral doubles below this print as plain integers from C (%.15g has
# room for all their digits), e.g. 8103660032, where Python prints
# 8103660032.0; so they are sent as ints. Larger ones do not occur in this
# route (bench/run.sh compares the bodies byte for byte and would stop).
_INT_EXACT = 1e15


def num(v):
    """ms_json_num: unknown (NULL, NaN, inf) is null; -0 is 0; otherwise
    the shortest text that reads back as v, as ms_json_format_double
    prints it (an integral value without ".0")."""
    if v is None or not math.isfinite(v):
        return None
    if v == int(v) and -_INT_EXACT < v < _INT_EXACT:
        return int(v)
    return v


def fl(v):
    """A REAL column as sqlite3_column_double reads it; NULL stays None."""
    return None if v is None else float(v)


def read_bar(r):
    return (r[0], fl(r[1]), fl(r[2]), fl(r[3]), fl(r[4]), fl(r[5]),
            fl(r[6]), r[7])


def read_asset(r):
    return (r[0], r[1] or "", r[2] or "", r[3] or "", r[4] or "")


def bar_near(c, asset_id, day, slack):
    r = c.execute(SQL_BAR_NEAR, (asset_id, day, day - slack)).fetchone()
    return None if r is None else read_bar(r)


def resolve(c, key, day):
    """ms_market_resolve: (asset, by, n_candidates, candidates) or None."""
    r = c.execute(SQL_BY_SLUG, (key,)).fetchone()
    if r is not None:
        a = read_asset(r)
        return a, "id", 1, [a[1]]
    rows = c.execute(SQL_BY_SYMBOL, (key,)).fetchall()
    if not rows:
        return None
    total = len(rows)
    cands = [read_asset(x) for x in rows[:MAX_CANDIDATES]]
    caps = []
    for a in cands:
        b = bar_near(c, a[0], day, LISTED_DAYS - 1)
        cap = math.nan if b is None or b[6] is None else b[6]
        caps.append(cap)
    # The C insertion sort moves a candidate up only past a strictly worse
    # one: a stable sort, unknown caps last, larger caps first.
    order = sorted(range(len(cands)),
                   key=lambda i: (math.isnan(caps[i]),
                                  0.0 if math.isnan(caps[i]) else -caps[i]))
    return cands[order[0]], "symbol", total, [cands[i][1] for i in order]


def source_info(c, sid):
    r = c.execute(SQL_SOURCE, (sid,)).fetchone()
    return r  # (id, name, priority, synthetic) or None


def problem(status, kind, title, detail, invalid=None, rid=None):
    body = {"type": "https://moonscope.dev/problems/" + kind,
            "title": title, "status": status, "detail": detail,
            "instance": "urn:request:" + (rid or "")}
    if invalid:
        body["invalid_params"] = invalid
    return JSONResponse(body, status_code=status,
                        media_type="application/problem+json",
                        headers={"X-Request-Id": rid or "",
                                 "Cache-Control": "no-store"})


_requests = 0


def request_id(request):
    """As shared/ms_http.c: X-Request-Id if sane, else pid-ms-counter."""
    global _requests
    _requests += 1
    rid = request.headers.get("x-request-id")
    if rid is not None and _REQID_RE.match(rid):
        return rid
    return "%x-%x-%x" % (os.getpid(), time.time_ns() // 1000000, _requests)


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

_CONST = b"{}"
if os.environ.get("BENCH_CONST_FILE"):
    with open(os.environ["BENCH_CONST_FILE"], "rb") as f:
        _CONST = f.read()


@app.get("/bench/const")
async def const():
    return Response(content=_CONST, media_type="application/json")


@app.get("/v1/assets/{asset_id}")
async def v1_asset(asset_id: str, request: Request):
    """The peer measured by make bench."""
    rid = request_id(request)
    doc = asset_doc(db(), asset_id, request.scope.get("query_string", b""),
                    rid)
    if isinstance(doc, Response):
        return doc
    return JSONResponse(doc, headers={"X-Request-Id": rid,
                                      "Cache-Control": "no-cache"})


_local = threading.local()


def db_thread():
    """A read-only connection per thread-pool thread."""
    c = getattr(_local, "c", None)
    if c is None:
        uri = "file:" + urllib.parse.quote(DB_PATH) + "?mode=ro"
        c = _local.c = sqlite3.connect(uri, uri=True, isolation_level=None,
                                       cached_statements=64)
    return c


@app.get("/idiomatic/v1/assets/{asset_id}")
def v1_asset_idiomatic(asset_id: str, request: Request, response: Response):
    """The same answer written the common FastAPI way: a plain `def`
    (run in the thread pool) returning a dict, which FastAPI passes through
    jsonable_encoder before serialising. Measured only with
    BENCH_IDIOMATIC=1."""
    rid = request_id(request)
    doc = asset_doc(db_thread(), asset_id,
                    request.scope.get("query_string", b""), rid)
    if isinstance(doc, Response):
        return doc
    response.headers["X-Request-Id"] = rid
    response.headers["Cache-Control"] = "no-cache"
    return doc


def asset_doc(c, asset_id, qs, rid):
    """The body of GET /v1/assets/{id} as a dict, or a problem Response."""
    if not _SLUG_RE.match(asset_id):
        return problem(400, "invalid-parameters", "Invalid request parameters",
                       "the request has invalid parameters",
                       [{"name": "id", "reason":
                         "must contain only A-Z a-z 0-9 . _ -"}], rid)
    as_of = None
    if qs:
        seen = set()
        for k, v in urllib.parse.parse_qsl(qs.decode("utf-8", "replace"),
                                           keep_blank_values=True):
            if k != "as_of" or k in seen:
                return problem(400, "invalid-parameters",
                               "Invalid request parameters",
                               "the request has invalid parameters",
                               [{"name": k, "reason": "unknown or repeated"}],
                               rid)
            seen.add(k)
            as_of = parse_date(v)
            if as_of is None or not DATE_MIN <= as_of <= DATE_MAX:
                return problem(400, "invalid-parameters",
                               "Invalid request parameters",
                               "the request has invalid parameters",
                               [{"name": "as_of",
                                 "reason": "must be a date as YYYY-MM-DD"}],
                               rid)

    # One read transaction for the whole request, as ms_ctx_store opens and
    # ms_handle ends it.
    c.execute("BEGIN DEFERRED")
    try:
        return _asset_doc(c, asset_id, as_of, rid)
    finally:
        c.execute("COMMIT")


def _asset_doc(c, asset_id, as_of, rid):
    """asset_doc once the parameters are valid, inside the transaction."""
    # ms_api_as_of
    if as_of is None:
        r = c.execute(SQL_LATEST_DAY, (INT32_MAX,)).fetchone()
        if r is None or r[0] is None:
            return problem(404, "no-data", "No data for the request",
                           "the store holds no market data yet; import some "
                           "(moonscope import) or load the demo (moonscope "
                           "demo-data)", None, rid)
        as_of = r[0]
    # ms_api_resolve
    found = resolve(c, asset_id, as_of)
    if found is None:
        return problem(404, "asset-not-found", "Asset not found",
                       "no asset has the id or symbol '%.80s'" % asset_id,
                       [{"name": "id",
                         "reason": "no asset with this id or symbol"}], rid)
    a, by, n_cand, cand = found
    r = c.execute(SQL_BAR_AT, (a[0], as_of)).fetchone()
    if r is None:
        return problem(404, "no-data", "No data for the request",
                       "asset '%s' has no data on or before %s"
                       % (a[1], fmt_date(as_of)), None, rid)
    bar = read_bar(r)
    day, o_, h_, l_, close, vol, mcap, sid = bar
    sources = [sid]

    data = {
        "id": a[1],
        "symbol": a[2] or None,
        "name": a[3] or None,
        "categories": [x for x in a[4].split(",") if 0 < len(x) < 128]
        if a[4] else [],
        "date": fmt_date(day),
        "open": num(o_), "high": num(h_), "low": num(l_),
        "close": num(close), "volume": num(vol), "market_cap": num(mcap),
    }
    change = {}
    for k in (1, 7, 30, 90):
        ch = None
        past = bar_near(c, a[0], day - k, k // 10)
        if (past is not None and past[4] is not None and past[4] > 0
                and close is not None):
            ch = close / past[4] - 1.0
            if past[7] not in sources and len(sources) < SOURCE_SET_MAX:
                sources.append(past[7])
        change["d%d" % k] = num(ch)
    data["change"] = change

    ath = {}
    r = c.execute(SQL_ATH, (a[0], day)).fetchone()
    if r is not None and r[0] is not None:
        price = float(r[0])
        ath["price"] = num(price)
        ath["date"] = fmt_date(r[1])
        ath["drawdown"] = num(close / price - 1.0
                              if price > 0 and close is not None else None)
    data["ath"] = ath
    data["supply"] = num(mcap / close
                         if close is not None and close > 0
                         and mcap is not None else None)
    r = c.execute(SQL_FIRST_DAY, (a[0],)).fetchone()
    data["first_date"] = fmt_date(r[0]) if r is not None else None
    data["last_date"] = fmt_date(day)
    data["stale_days"] = as_of - day
    si = source_info(c, sid)
    data["source"] = si[1] if si is not None else ""
    data["resolved_by"] = by
    if by == "symbol" and n_cand >= 2:
        data["candidates"] = cand[:MAX_CANDIDATES]

    # ms_api_send: meta.source from the source set, then data_version.
    names = []
    synthetic = False
    for s in sources:
        info = source_info(c, s)
        if info is None:
            return problem(500, "internal-error", "Internal server error",
                           "unknown source", None, rid)
        synthetic = synthetic or bool(info[3])
        names.append(info[1])
    r = c.execute(SQL_DATA_VERSION).fetchone()
    meta = {"as_of": fmt_date(as_of), "source": ", ".join(names),
            "synthetic": synthetic,
            "data_version": r[0] if r is not None else 0,
            "request_id": rid}
    return {"data": data, "meta": meta}
