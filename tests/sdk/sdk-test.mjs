// tests/sdk/sdk-test.mjs — Moonscope's /api/v3 through CoinGecko's official
// TypeScript SDK (@coingecko/coingecko-typescript, pinned in package.json).
//
// Run by tests/sdk/run.sh (`make sdk-test`), which serves a fixture store
// through lighttpd and sets COINGECKO_BASE_URL (the SDK's own base-URL
// setting) to its /api/v3, COINGECKO_PRO_API_KEY to a dummy key (the SDK
// refuses to run without one; Moonscope accepts and ignores it) and
// MOONSCOPE_DB to the store. Every route is called through the SDK and
// its answer is checked against the store itself, read with the sqlite3
// command (expected values are computed here from the rows, not taken from
// Moonscope). Prints one line per check and "N passed, M failed"; exits 1
// when a check failed.
import { execFileSync } from 'node:child_process';
import Coingecko from '@coingecko/coingecko-typescript';

const db = process.env.MOONSCOPE_DB;
if (!db || !process.env.COINGECKO_BASE_URL) {
  console.error('sdk-test: MOONSCOPE_DB and COINGECKO_BASE_URL must be set (run tests/sdk/run.sh)');
  process.exit(2);
}

const client = new Coingecko({ maxRetries: 0, timeout: 10000 });
let passed = 0;
let failed = 0;

function ok(name) {
  passed++;
  console.log(`ok   ${name}`);
}

function fail(name, why) {
  failed++;
  console.log(`FAIL ${name}: ${why}`);
}

// Runs one named check; an exception or a false assertion fails it.
async function check(name, fn) {
  try {
    await fn();
    ok(name);
  } catch (e) {
    fail(name, e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : String(e));
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

function near(got, want, what) {
  if (want === null || want === undefined) {
    assert(got === null || got === undefined, `${what}: got ${got}, want null`);
    return;
  }
  assert(typeof got === 'number', `${what}: got ${JSON.stringify(got)}, want ${want}`);
  assert(Math.abs(got - want) <= 1e-9 * Math.abs(want) + 1e-12,
    `${what}: got ${got}, want ${want}`);
}

function eq(got, want, what) {
  assert(JSON.stringify(got) === JSON.stringify(want),
    `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

// Rows of a query against the store.
function sql(query) {
  const out = execFileSync('sqlite3', ['-readonly', '-json', db, query], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : [];
}

const DAY_MS = 86400000;
const pct = (now, then) => (now == null || then == null || then <= 0 ? null : (100 * (now - then)) / then);
const closeMs = (day) => (day + 1) * DAY_MS;

// The last day L in the store, and each listed asset's last bar (a bar in
// the 31 days ending L) with the close and market cap of the day before.
const L = sql('SELECT max(day) AS d FROM daily')[0].d;
const listed = sql(`
  SELECT a.id, a.slug, lower(a.symbol) AS symbol, a.name, a.categories,
    d.day, d.open, d.high, d.low, d.close, d.volume, d.market_cap, d.ath,
    p.close AS prev_close, p.market_cap AS prev_cap
  FROM assets a JOIN daily d ON d.asset_id = a.id AND d.day =
    (SELECT max(x.day) FROM daily x WHERE x.asset_id = a.id AND x.day <= ${L} AND x.day >= ${L - 30})
  LEFT JOIN daily p ON p.asset_id = a.id AND p.day = d.day - 1
  ORDER BY d.market_cap IS NULL, d.market_cap DESC, a.id`);
const bySlug = Object.fromEntries(listed.map((r) => [r.slug, r]));
const bars = (slug, from, to) => sql(`
  SELECT d.day, d.open, d.high, d.low, d.close, d.volume, d.market_cap
  FROM daily d JOIN assets a ON a.id = d.asset_id
  WHERE a.slug = '${slug}' AND d.day BETWEEN ${from} AND ${to} ORDER BY d.day`);

assert(listed.length > 0, 'the store has no listed asset');

await check('ping.get', async () => {
  const r = await client.ping.get();
  eq(r.gecko_says, '(V3) To the Moon!', 'gecko_says');
});

await check('simple.supportedVsCurrencies.get', async () => {
  eq(await client.simple.supportedVsCurrencies.get(), ['usd'], 'currencies');
});

await check('simple.price.get (ids, every include)', async () => {
  const ids = listed.map((r) => r.slug);
  const r = await client.simple.price.get({
    ids: ids.join(','), vs_currencies: 'usd', include_market_cap: true,
    include_24hr_vol: true, include_24hr_change: true, include_last_updated_at: true,
  });
  eq(Object.keys(r).sort(), [...ids].sort(), 'keys');
  for (const a of listed) {
    near(r[a.slug].usd, a.close, `${a.slug}.usd`);
    near(r[a.slug].usd_market_cap, a.market_cap, `${a.slug}.usd_market_cap`);
    near(r[a.slug].usd_24h_vol, a.volume, `${a.slug}.usd_24h_vol`);
    near(r[a.slug].usd_24h_change, pct(a.close, a.prev_close), `${a.slug}.usd_24h_change`);
    eq(r[a.slug].last_updated_at, closeMs(a.day) / 1000, `${a.slug}.last_updated_at`);
  }
});

await check('simple.price.get (symbols: the largest coin of a symbol)', async () => {
  const top = listed.find((r) => r.symbol === 'hot');
  const r = await client.simple.price.get({ symbols: 'hot', vs_currencies: 'usd' });
  near(r.hot.usd, top.close, 'hot.usd');
});

await check('coins.list.get', async () => {
  const r = await client.coins.list.get();
  eq(r.map((c) => c.id), listed.map((a) => a.slug).sort(), 'ids');
  for (const c of r) {
    eq(c.symbol, bySlug[c.id].symbol, `${c.id}.symbol`);
    eq(c.name, bySlug[c.id].name, `${c.id}.name`);
  }
});

await check('coins.markets.get (default order: market cap)', async () => {
  const r = await client.coins.markets.get({ vs_currency: 'usd' });
  eq(r.map((c) => c.id), listed.map((a) => a.slug), 'order');
  r.forEach((c, i) => {
    const a = bySlug[c.id];
    near(c.current_price, a.close, `${c.id}.current_price`);
    near(c.market_cap, a.market_cap, `${c.id}.market_cap`);
    eq(c.market_cap_rank, a.market_cap == null ? null : i + 1, `${c.id}.market_cap_rank`);
    near(c.total_volume, a.volume, `${c.id}.total_volume`);
    near(c.high_24h, a.high, `${c.id}.high_24h`);
    near(c.low_24h, a.low, `${c.id}.low_24h`);
    near(c.price_change_percentage_24h, pct(a.close, a.prev_close), `${c.id}.price_change_percentage_24h`);
    near(c.market_cap_change_percentage_24h, pct(a.market_cap, a.prev_cap), `${c.id}.market_cap_change_percentage_24h`);
    near(c.ath, a.ath, `${c.id}.ath`);
    eq(c.last_updated, new Date(closeMs(a.day)).toISOString(), `${c.id}.last_updated`);
  });
});

await check('coins.markets.get (per_page, page, order, sparkline)', async () => {
  const r = await client.coins.markets.get({
    vs_currency: 'usd', order: 'id_asc', per_page: 2, page: 2, sparkline: true,
  });
  const ids = listed.map((a) => a.slug).sort().slice(2, 4);
  eq(r.map((c) => c.id), ids, 'page 2 by id');
  const want = bars(ids[0], L - 7, L).map((b) => b.close);
  eq(r[0].sparkline_in_7d.price, want, 'sparkline');
});

await check('coins.getID', async () => {
  const a = listed[1];
  const r = await client.coins.getID(a.slug, { include_categories_details: true });
  eq(r.id, a.slug, 'id');
  eq(r.symbol, a.symbol, 'symbol');
  eq(r.market_cap_rank, 2, 'market_cap_rank');
  near(r.market_data.current_price.usd, a.close, 'current_price.usd');
  near(r.market_data.market_cap.usd, a.market_cap, 'market_cap.usd');
  near(r.market_data.total_volume.usd, a.volume, 'total_volume.usd');
  near(r.market_data.ath.usd, a.ath, 'ath.usd');
  eq(r.categories_details.map((c) => c.id), (a.categories || '').split(',').filter(Boolean),
    'categories_details');
  eq(r.last_updated, new Date(closeMs(a.day)).toISOString(), 'last_updated');
});

await check('coins.getID (unknown id: 404 {"error": "coin not found"})', async () => {
  try {
    await client.coins.getID('no-such-coin');
  } catch (e) {
    eq(e.status, 404, 'status');
    eq(e.error, { error: 'coin not found' }, 'body');
    return;
  }
  throw new Error('no error');
});

await check('coins.markets.get (vs_currency=eur: 400 {"error": "invalid vs_currency"})', async () => {
  try {
    await client.coins.markets.get({ vs_currency: 'eur' });
  } catch (e) {
    eq(e.status, 400, 'status');
    eq(e.error, { error: 'invalid vs_currency' }, 'body');
    return;
  }
  throw new Error('no error');
});

// Charts: one point per bar at its close instant; days back from L.
function series(rows, key) {
  return rows.filter((b) => b[key] != null).map((b) => [closeMs(b.day), b[key]]);
}

await check('coins.marketChart.get (days=7)', async () => {
  const slug = listed[0].slug;
  const r = await client.coins.marketChart.get(slug, { vs_currency: 'usd', days: '7' });
  const rows = bars(slug, L - 7, L);
  eq(r.prices, series(rows, 'close'), 'prices');
  eq(r.market_caps, series(rows, 'market_cap'), 'market_caps');
  eq(r.total_volumes, series(rows, 'volume'), 'total_volumes');
});

await check('coins.marketChart.get (days=max)', async () => {
  const slug = listed[listed.length - 1].slug;
  const r = await client.coins.marketChart.get(slug, { vs_currency: 'usd', days: 'max' });
  const rows = bars(slug, 0, L);
  eq(r.prices, series(rows, 'close'), 'prices');
  eq(r.total_volumes, series(rows, 'volume'), 'total_volumes (unknown days left out)');
});

await check('coins.marketChart.getRange (ISO dates)', async () => {
  const slug = listed[0].slug;
  const first = sql(`SELECT min(day) AS d FROM daily`)[0].d;
  const from = new Date((first + 3) * DAY_MS).toISOString().slice(0, 10);
  const to = new Date((first + 10) * DAY_MS).toISOString().slice(0, 10);
  const r = await client.coins.marketChart.getRange(slug, { vs_currency: 'usd', from, to });
  // Close instants (day + 1) in [from, to]: days first + 2 .. first + 9.
  eq(r.prices, series(bars(slug, first + 2, first + 9), 'close'), 'prices');
});

await check('coins.marketChart.getRange (UNIX seconds)', async () => {
  const slug = listed[1].slug;
  const r = await client.coins.marketChart.getRange(slug, {
    vs_currency: 'usd', from: String((L - 5) * 86400), to: String((L + 1) * 86400),
  });
  eq(r.prices, series(bars(slug, L - 6, L), 'close'), 'prices');
});

await check('coins.ohlc.get (days=14: daily candles)', async () => {
  const slug = listed[0].slug;
  const r = await client.coins.ohlc.get(slug, { vs_currency: 'usd', days: '14' });
  eq(r, bars(slug, L - 13, L).map((b) => [closeMs(b.day), b.open, b.high, b.low, b.close]), 'candles');
});

await check('coins.ohlc.get (days=max: 4-day candles ending on L)', async () => {
  const slug = listed[1].slug;
  const r = await client.coins.ohlc.get(slug, { vs_currency: 'usd', days: 'max' });
  const rows = bars(slug, 0, L);
  const want = [];
  for (let i = 0; i < rows.length;) {
    const end = L - Math.floor((L - rows[i].day) / 4) * 4;
    const block = [];
    while (i < rows.length && rows[i].day <= end) block.push(rows[i++]);
    want.push([closeMs(end), block[0].open, Math.max(...block.map((b) => b.high)),
      Math.min(...block.map((b) => b.low)), block[block.length - 1].close]);
  }
  eq(r, want, 'candles');
});

await check('coins.categories.getList', async () => {
  const cats = [...new Set(sql(`SELECT categories FROM assets WHERE categories != ''`)
    .flatMap((r) => r.categories.split(',')))].sort();
  const r = await client.coins.categories.getList();
  eq(r.map((c) => c.category_id), cats, 'category ids');
  assert(cats.length > 0, 'the fixture should have categories');
  eq(r.find((c) => c.category_id === 'layer-1').name, 'Layer 1 (L1)', 'layer-1 name');
});

await check('coins.categories.get', async () => {
  const r = await client.coins.categories.get({ order: 'market_cap_desc' });
  const l1 = r.find((c) => c.id === 'layer-1');
  const members = listed.filter((a) => (a.categories || '').split(',').includes('layer-1'));
  near(l1.market_cap, members.reduce((s, a) => s + a.market_cap, 0), 'layer-1 market_cap');
  near(l1.volume_24h, members.reduce((s, a) => s + a.volume, 0), 'layer-1 volume_24h');
  eq(l1.top_3_coins_id, members.slice(0, 3).map((a) => a.slug), 'layer-1 top_3_coins_id');
  for (let i = 1; i < r.length; i++) {
    assert(r[i].market_cap == null || r[i - 1].market_cap >= r[i].market_cap, 'market_cap_desc order');
  }
});

await check('global.get', async () => {
  const r = await client.global.get();
  const caps = listed.filter((a) => a.market_cap != null);
  const total = caps.reduce((s, a) => s + a.market_cap, 0);
  eq(r.data.active_cryptocurrencies, listed.length, 'active_cryptocurrencies');
  near(r.data.total_market_cap.usd, total, 'total_market_cap.usd');
  near(r.data.market_cap_percentage[caps[0].symbol], (100 * caps[0].market_cap) / total,
    'market_cap_percentage of the largest');
  eq(r.data.updated_at, closeMs(L) / 1000, 'updated_at');
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
