#!/usr/bin/env python3
"""tests/ingest/upstream.py — a fault-injecting CoinGecko-compatible test
upstream for `moonscope ingest`, on 127.0.0.1 only (stdlib http.server).

It serves the canned answers of tests/ingest/fixtures/ under PREFIX
(default /api/v3):

  /coins/markets?per_page=P&page=N   markets.json, then filler coins
                                     (filler-coin-NNN) up to --coins, paged
  /coins/list                        list.json
  /global                            global.json
  /coins/{id}/market_chart/range?from=F&to=T
                                     chart_{id}.json, points with F*1000 <=
                                     t <= T*1000 (404 for unknown ids)
  /ping                              {"gecko_says": ...}
  /coins/categories/list             CATEGORIES below: mapped, canonical,
                                     unmapped, null-name, id-only, bad and
                                     repeated entries
  /coins/markets?category=ID&per_page=P&page=N
                                     the market rows of the category's
                                     MEMBERS (coins outside the universe
                                     too), by market cap, paged; 404 for an
                                     unknown category

and injects one fault (--fault KIND) into the first --count requests
(-1 = all) that match --on (any, markets, list, global, chart, chart:ID,
categories (the list), category (a category's markets) or category:ID).
Kinds:

  429-ra      429 with Retry-After: 1        429      429, no Retry-After
  429-date    429, Retry-After as HTTP-date  500, 502, 503  that status
  401         401 with CoinGecko's error body
  stall       no answer for --stall seconds, then the normal answer
  close       headers + half the body, then the connection is closed
  malformed   200, broken JSON               truncated  200, the body cut
  oversized   200, 2 MiB of valid JSON       oversized-chunked  the same,
                                             chunked (no Content-Length)
  wrongtype   200, a field of the wrong type (per endpoint)
  allnull     200, every value null (per endpoint)
  garbage     200, the right JSON then "xyz" nul      200, a NUL byte inside
  huge        200, a number 1e999            deep     200, 5000 nested arrays
  empty       200, no body                   html     200, an HTML page
  redirect    301 to another URL

Every request is appended to --log as "epoch path key-header user-agent
fault"; the chosen port is written to --port-file once listening.
With --require-key KIND:VALUE a request without that header gets 401.
"""
import argparse
import email.utils
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DAY_MS = 86400000


def load(fixtures, name):
    with open(os.path.join(fixtures, name), "rb") as f:
        return json.loads(f.read())


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.matched = 0
        self.markets = load(args.fixtures, "markets.json")
        for i in range(len(self.markets), args.coins):
            self.markets.append({"id": "filler-coin-%03d" % i,
                                 "symbol": "f%03d" % i,
                                 "name": "Filler Coin %03d" % i,
                                 "current_price": 1.0 + i,
                                 "market_cap": 1e6 - i,
                                 "market_cap_rank": i + 1,
                                 "total_volume": 1000.0})

    def take_fault(self, kind_of_path, coin):
        a = self.args
        if a.fault is None:
            return None
        on = a.on
        if on != "any":
            if on.startswith("chart:") or on.startswith("category:"):
                want, _, which = on.partition(":")
                if kind_of_path != want or coin != which:
                    return None
            elif on != kind_of_path:
                return None
        with self.lock:
            if a.count >= 0 and self.matched >= a.count:
                return None
            self.matched += 1
        return a.fault


# /coins/categories/list: what moonscope ingest must make of each entry.
CATEGORIES = [
    {"category_id": "ethereum-ecosystem", "name": "Ethereum Ecosystem"},
    {"category_id": "decentralized-exchange",
     "name": "Decentralized Exchange (DEX)"},          # defi + exchange
    {"category_id": "layer-1", "name": "Layer 1 (L1)"},  # canonical
    {"category_id": "smart-contract-platform",
     "name": "Smart Contract Platform"},               # canonical
    {"category_id": "meme-token", "name": "Meme"},     # canonical
    {"category_id": "dog-themed-coins", "name": "Dog-Themed"},  # meme
    {"category_id": "exchange-based-tokens",
     "name": "Exchange-based Tokens"},                 # canonical
    {"category_id": "store-of-value", "name": None},   # by its id
    {"category_id": "payments", "name": "payments"},   # by its id
    {"category_id": None, "name": "Layer 2 (L2)"},     # skipped
    {"name": "Layer 2 (L2)"},                          # skipped
    {"category_id": "Bad Id", "name": "Layer 2 (L2)"},  # skipped
    {"category_id": "layer-1", "name": "Layer 1 (L1)"},  # repeated
]
# Members of each category, by id; coins outside the universe too.
MEMBERS = {
    "ethereum-ecosystem": ["ethereum"],
    "decentralized-exchange": [],
    "layer-1": ["bitcoin", "ethereum", "binancecoin", "outside-l1-coin"],
    "smart-contract-platform": ["ethereum", "binancecoin"],
    "meme-token": ["moontest-coin", "outside-meme-coin"],
    "dog-themed-coins": ["outside-dog-coin"],
    "exchange-based-tokens": ["binancecoin"],
    "store-of-value": ["bitcoin"],
    "payments": ["nullcoin"],
}


def category_rows(state, cat):
    by_id = {c["id"]: c for c in state.markets}
    rows = []
    for i, cid in enumerate(MEMBERS[cat]):
        rows.append(by_id.get(cid) or {
            "id": cid, "symbol": "o%d" % i, "name": "Outside %d" % i,
            "current_price": 0.5, "market_cap": 1000.0 - i,
            "market_cap_rank": 4000 + i, "total_volume": 10.0})
    rows.sort(key=lambda c: (c.get("market_cap") is None,
                             -(c.get("market_cap") or 0)))
    return rows


WRONGTYPE = {
    "markets": b'[{"id":"bitcoin","symbol":"btc","name":"Bitcoin",'
               b'"current_price":"80000","market_cap":1}]',
    "list": b'[{"id":"bitcoin","symbol":"btc","name":42}]',
    "global": b'{"data":{"total_market_cap":{"usd":"lots"}}}',
    "chart": b'{"prices":[[1741132800000,"80000"]],"market_caps":[],'
             b'"total_volumes":[]}',
    "categories": b'[{"category_id":"layer-1","name":"Layer 1 (L1)"},'
                  b'{"category_id":7,"name":"Meme"}]',
    "category": b'[{"id":"bitcoin","symbol":"btc","name":"Bitcoin",'
                b'"current_price":1,"market_cap":[1]}]',
}


def allnull_body(kind, state, query):
    if kind == "markets":
        page = []
        for c in slice_markets(state, query):
            page.append({k: (v if k in ("id", "symbol", "name") else None)
                         for k, v in c.items()})
        return json.dumps(page).encode()
    if kind == "list":
        return json.dumps([{"id": c["id"], "symbol": None, "name": None}
                           for c in state.markets]).encode()
    if kind == "categories":
        return json.dumps([{"category_id": None, "name": None}
                           for _ in CATEGORIES]).encode()
    if kind == "category":
        cat = query.get("category", [""])[0]
        page = []
        for c in slice_rows(category_rows(state, cat), query):
            page.append({k: (v if k in ("id", "symbol", "name") else None)
                         for k, v in c.items()})
        return json.dumps(page).encode()
    if kind == "global":
        return b'{"data":{"active_cryptocurrencies":null,' \
               b'"total_market_cap":null,"total_volume":{"usd":null},' \
               b'"market_cap_percentage":{"btc":null}}}'
    return None  # chart: built from the canned one


def slice_rows(rows, query):
    per = int(query.get("per_page", ["100"])[0])
    page = int(query.get("page", ["1"])[0])
    per = max(1, min(per, 250))
    return rows[(page - 1) * per:page * per]


def slice_markets(state, query):
    return slice_rows(state.markets, query)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TestUpstream/1"
    # Headers and body go out in separate writes: without this, delayed
    # ACKs add ~40 ms to every answer.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def send_body(self, status, body, headers=(), ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def normal(self, kind, coin, query):
        st = self.server.state
        fx = st.args.fixtures
        if kind == "markets":
            return 200, json.dumps(slice_markets(st, query)).encode()
        if kind == "ping":
            return 200, b'{"gecko_says":"(V3) To the Moon!"}'
        if kind == "categories":
            return 200, json.dumps(CATEGORIES).encode()
        if kind == "category":
            cat = query.get("category", [""])[0]
            if cat not in MEMBERS:
                return 404, b'{"error":"category not found"}'
            return 200, json.dumps(
                slice_rows(category_rows(st, cat), query)).encode()
        if kind == "list":
            with open(os.path.join(fx, "list.json"), "rb") as f:
                return 200, f.read()
        if kind == "global":
            with open(os.path.join(fx, "global.json"), "rb") as f:
                return 200, f.read()
        if kind == "chart":
            path = os.path.join(fx, "chart_%s.json" % coin)
            if not os.path.exists(path):
                if coin.startswith("filler-coin-"):
                    return 200, b'{"prices":[],"market_caps":[],' \
                                b'"total_volumes":[]}'
                return 404, b'{"error":"coin not found"}'
            doc = load(fx, "chart_%s.json" % coin)
            lo = int(query["from"][0]) * 1000
            hi = int(query["to"][0]) * 1000
            out = {}
            for k, pts in doc.items():
                out[k] = [p for p in pts if lo <= p[0] <= hi]
            return 200, json.dumps(out, separators=(",", ":")).encode()
        return 404, b'{"error":"Not Found"}'

    def do_GET(self):
        st = self.server.state
        a = st.args
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        path = url.path
        kind, coin = "other", ""
        if path.startswith(a.prefix):
            rest = path[len(a.prefix):]
            if rest == "/coins/markets" and "category" in query:
                kind = "category"
                coin = query["category"][0]
            elif rest == "/coins/markets":
                kind = "markets"
            elif rest == "/coins/categories/list":
                kind = "categories"
            elif rest == "/coins/list":
                kind = "list"
            elif rest == "/global":
                kind = "global"
            elif rest == "/ping":
                kind = "ping"
            elif rest.startswith("/coins/") and \
                    rest.endswith("/market_chart/range"):
                kind = "chart"
                coin = rest[len("/coins/"):-len("/market_chart/range")]
        demo = self.headers.get("x-cg-demo-api-key")
        pro = self.headers.get("x-cg-pro-api-key")
        keyinfo = "demo:%s" % demo if demo else "pro:%s" % pro if pro \
            else "-"
        fault = st.take_fault(kind, coin)
        with open(a.log, "a") as f:
            f.write("%.6f %s %s %s %s\n" % (
                time.time(), self.path, keyinfo,
                (self.headers.get("User-Agent") or "-").replace(" ", "_"),
                fault or "-"))
        try:
            self.answer(kind, coin, query, fault, keyinfo)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def answer(self, kind, coin, query, fault, keyinfo):
        a = self.server.state.args
        if a.require_key and keyinfo != a.require_key:
            self.send_body(401, b'{"status":{"error_code":10002,'
                                b'"error_message":"API Key Missing"}}')
            return
        if fault is None:
            status, body = self.normal(kind, coin, query)
            self.send_body(status, body)
            return
        if fault == "429-ra":
            self.send_body(429, b'{"status":{"error_code":429}}',
                           [("Retry-After", "1")])
        elif fault == "429":
            self.send_body(429, b'{"status":{"error_code":429,'
                                b'"error_message":"You\'ve exceeded the '
                                b'Rate Limit."}}')
        elif fault == "429-date":
            when = email.utils.formatdate(time.time() + 2, usegmt=True)
            self.send_body(429, b'{}', [("Retry-After", when)])
        elif fault in ("500", "502", "503"):
            self.send_body(int(fault), b'<html>upstream trouble</html>',
                           ctype="text/html")
        elif fault == "401":
            self.send_body(401, b'{"status":{"error_code":10002,'
                                b'"error_message":"Invalid API key"}}')
        elif fault == "stall":
            time.sleep(a.stall)
            status, body = self.normal(kind, coin, query)
            self.send_body(status, body)
        elif fault == "close":
            status, body = self.normal(kind, coin, query)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:max(1, len(body) // 2)])
            self.wfile.flush()
            self.close_connection = True
        elif fault == "malformed":
            self.send_body(200, b'{"prices": [[1741132800000, 1.0],, ]}'
                           if kind == "chart" else
                           b'[{"id": "bitcoin", "symbol": "btc",}]')
        elif fault == "truncated":
            status, body = self.normal(kind, coin, query)
            self.send_body(200, body[:len(body) // 2])
        elif fault in ("oversized", "oversized-chunked"):
            body = b'[' + b','.join(
                [b'{"id":"x%07d","symbol":"x","name":"x"}' % i
                 for i in range(50000)]) + b']'
            if fault == "oversized":
                self.send_body(200, body)
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for i in range(0, len(body), 65536):
                    chunk = body[i:i + 65536]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
        elif fault == "wrongtype":
            self.send_body(200, WRONGTYPE.get(kind, b'{"x":1}'))
        elif fault == "allnull":
            body = allnull_body(kind, self.server.state, query)
            if body is None:
                status, canned = self.normal(kind, coin, query)
                doc = json.loads(canned)
                body = json.dumps({k: [[p[0], None] for p in v]
                                   for k, v in doc.items()}).encode()
            self.send_body(200, body)
        elif fault == "garbage":
            status, body = self.normal(kind, coin, query)
            self.send_body(200, body + b"xyz")
        elif fault == "nul":
            self.send_body(200, b'[{"id":"bit\x00coin"}]')
        elif fault == "huge":
            self.send_body(200, b'{"prices":[[1741132800000,1e999]]}'
                           if kind == "chart" else
                           b'[{"id":"bitcoin","current_price":1e999}]')
        elif fault == "deep":
            self.send_body(200, b'[' * 5000 + b']' * 5000)
        elif fault == "empty":
            self.send_body(200, b'')
        elif fault == "html":
            self.send_body(200, b'<html><body>Just a moment...</body>'
                                b'</html>', ctype="text/html")
        elif fault == "redirect":
            self.send_body(301, b'', [("Location",
                                       "http://127.0.0.1:9/api/v3/moved")])
        else:
            self.send_body(500, b'unknown fault')


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--fixtures", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--prefix", default="/api/v3")
    p.add_argument("--fault")
    p.add_argument("--on", default="any")
    p.add_argument("--count", type=int, default=-1)
    p.add_argument("--stall", type=float, default=3.0)
    p.add_argument("--coins", type=int, default=0)
    p.add_argument("--require-key")
    args = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = State(args)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
