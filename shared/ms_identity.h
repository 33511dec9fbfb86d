/*
 * ms_identity.h — which asset a row of market data is about.
 *
 * Every asset has a slug, its canonical lower-case id (CoinMarketCap URL
 * style: "bitcoin", "ripple", "binance-coin"). Source files name assets in
 * different ways (a slug, a ticker, a ticker and a name); these rules turn
 * each into a slug, and are the same for every importer:
 *
 *  0. A row that carries a slug (the 2018 CMC universe, the generic layout's
 *     `id`) uses it, lower-cased. It must be 1..MS_SLUG_MAX bytes of
 *     [a-z0-9._-].
 *  1. Otherwise, a curated table of well-known assets maps a ticker to a
 *     CMC-style slug with a canonical symbol and name: every coin of the
 *     majors_daily files (the 23 Kaggle/CMC coins and the 62 CoinGecko
 *     tickers) and a few more (IOTA, KNC, LUNA, UST, POL). When the row
 *     also has a name, the table applies only if that name matches the
 *     entry's canonical name or one of its known aliases (compared after
 *     slugify, so case and punctuation do not matter): tickers are reused
 *     by unrelated coins. Entries may be bounded in time: CMC's `LUNA`/
 *     "Terra" is Terra Classic (terra-luna) up to 2022-05-27 and Terra 2.0
 *     (terra-luna-v2) from 2022-05-28, when CMC moved the ticker.
 *  2. Otherwise slugify(name): lower case, each run of bytes that are not
 *     ASCII letters or digits becomes one '-', leading/trailing '-' trimmed
 *     ("Act I : The AI Prophecy" -> "act-i-the-ai-prophecy").
 *  3. Otherwise lower(symbol).
 *
 * Symbol and name: for a curated asset they are the table's canonical
 * values (so a slug-only row such as the 2018 universe's `ripple` gets
 * symbol XRP and name XRP); otherwise the row's own (symbol upper-cased).
 * The importer sets an asset's symbol/name from the first source that has
 * them and never overwrites them, and never with an empty value.
 */
#ifndef MS_IDENTITY_H
#define MS_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#define MS_SLUG_MAX 64
#define MS_SYMBOL_MAX 32
#define MS_NAME_MAX 128

/* One curated asset (static storage; never freed). */
struct ms_known_asset {
	const char *symbol;    /* ticker the entry answers to (upper case) */
	const char *slug;
	const char *canon_symbol;
	const char *name;      /* canonical name */
	const char *aliases;   /* other names, '|'-separated; may be "" */
	int32_t from_day;      /* first day the ticker means this; 0 = any */
	int32_t until_day;     /* last day; 0 = any */
};

/* The result of a resolution; symbol/name point into the curated table or
 * into the caller's strings, and are NULL when unknown. */
struct ms_identity {
	char slug[MS_SLUG_MAX + 1];
	const char *symbol;    /* not upper-cased unless curated */
	const char *name;
	int curated;           /* 1 when the slug came from the curated table */
};

/*
 * Writes slugify(s[0..len)) into out (cap bytes incl. NUL). Returns the
 * slug's length, 0 when s has no letter or digit, or (size_t)-1 when the
 * slug does not fit.
 */
size_t ms_slugify(const char *s, size_t len, char *out, size_t cap);

/*
 * The curated entry for a ticker (case-insensitive) on day, or NULL. When
 * name is non-NULL and non-empty it must match the entry's name or an
 * alias. day 0 ignores time bounds.
 */
const struct ms_known_asset *ms_identity_by_symbol(const char *symbol,
    const char *name, int32_t day);

/* The curated entry whose slug is slug (exact), or NULL. */
const struct ms_known_asset *ms_identity_by_slug(const char *slug);

/*
 * Resolves an asset from whatever the row has (each of slug, symbol, name
 * may be NULL or ""). Returns 0 and fills *out; MS_ERR_INVALID when the
 * row has nothing usable or its slug has forbidden bytes; MS_ERR_TOOBIG
 * when the slug would be longer than MS_SLUG_MAX.
 */
int ms_identity_resolve(const char *slug, const char *symbol,
    const char *name, int32_t day, struct ms_identity *out);

/* Number of curated entries, and entry i (for tests and docs). */
size_t ms_identity_count(void);
const struct ms_known_asset *ms_identity_entry(size_t i);

#endif
