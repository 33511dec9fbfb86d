/*
 * ms_reference.c — importers for the reference tables: company market-cap
 * snapshots (table `companies`) and asset categories (assets.categories),
 * as described in ms_reference.h.
 *
 * Reference files are small (thousands of rows), so clarity wins over
 * speed here: every row is looked up with cached prepared statements inside
 * the file's one transaction. The category vocabulary and the mapping from
 * each source's category names to it are the tables below; they were
 * written from the values that actually occur in ../shared/data/reference
 * (see docs/import.md, "Reference tables", for the rationale of each
 * choice). A source value that is not in the table is ignored and counted.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ms_csv.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_identity.h"
#include "ms_reference.h"
#include "ms_store.h"

/* ---- layouts ---------------------------------------------------------- */

enum rlay {
	R_COMPANIES,
	R_CG,          /* coingecko_categories */
	R_FLAGS,       /* cmc_tag_flags */
	R_TAGS,        /* cmc_coin_tags */
	R_MAPPINGS,    /* category_mappings */
	R_COUNT
};

struct rlay_def {
	const char *name;
	const char *header;
	enum ms_ref_kind kind;
	size_t nfields;
};

static const struct rlay_def rlayouts[R_COUNT] = {
	[R_COMPANIES] = { "companies",
	    "rank,name,symbol,market_cap_usd,price_usd,country",
	    MS_REF_COMPANIES, 6 },
	[R_CG] = { "coingecko_categories",
	    "coingecko_id,symbol,name,market_cap_rank,market_cap_usd,"
	    "categories", MS_REF_CATEGORIES, 6 },
	[R_FLAGS] = { "cmc_tag_flags",
	    "symbol,is_layer1,is_layer2,is_defi,is_meme,is_ai,is_gaming,"
	    "is_infrastructure,is_rwa,is_stablecoin,is_exchange",
	    MS_REF_CATEGORIES, 11 },
	[R_TAGS] = { "cmc_coin_tags", "symbol,tag,tag_name,tag_group",
	    MS_REF_CATEGORIES, 4 },
	[R_MAPPINGS] = { "category_mappings", "symbol,category,priority,notes",
	    MS_REF_CATEGORIES, 4 },
};

/* ---- the category vocabulary and the mapping tables ------------------- */

/* Sorted (byte order). Every target of the mapping below is one of these. */
static const char *const vocab[] = {
	"ai", "defi", "depin", "exchange", "gaming", "infrastructure",
	"interoperability", "layer-0", "layer-1", "layer-2", "liquid-staking",
	"meme", "metaverse", "nft", "oracle", "payments", "privacy", "rwa",
	"smart-contracts", "stablecoin", "storage", "store-of-value",
	"wrapped",
};

#define NVOCAB (sizeof(vocab) / sizeof(vocab[0]))
#define MAP_MAX 3

struct cat_map {
	enum rlay lay;
	const char *value;             /* the source's name, exact */
	const char *to[MAP_MAX];       /* vocabulary slugs; NULL-padded */
};

/*
 * Values not listed are ignored: ecosystems ("Ethereum Ecosystem"),
 * investor portfolios, indexes, consensus algorithms, and vague groups
 * ("Cryptocurrency", "Dino Coins", "Enterprise"). cmc_tag_flags' is_layer1
 * and is_layer2 are ignored on purpose: that file sets them for ecosystem
 * tokens too (is_layer1 for 91 of its 100 coins, AAVE and BONK among
 * them; is_layer2 for AAVE, MKR, LINK), so they would mislabel assets; the
 * layer tags come from the other files.
 */
static const struct cat_map cat_maps[] = {
	/* CoinGecko category names (coingecko_categories). */
	{ R_CG, "Layer 0 (L0)", { "layer-0" } },
	{ R_CG, "Layer 1 (L1)", { "layer-1" } },
	{ R_CG, "Layer 2 (L2)", { "layer-2" } },
	{ R_CG, "Rollup", { "layer-2" } },
	{ R_CG, "Smart Contract Platform", { "smart-contracts" } },
	{ R_CG, "Decentralized Finance (DeFi)", { "defi" } },
	{ R_CG, "Decentralized Exchange (DEX)", { "defi", "exchange" } },
	{ R_CG, "Automated Market Maker (AMM)", { "defi", "exchange" } },
	{ R_CG, "Dex Aggregator", { "defi", "exchange" } },
	{ R_CG, "Lending/Borrowing", { "defi" } },
	{ R_CG, "Yield Farming", { "defi" } },
	{ R_CG, "Stablecoin Protocol", { "defi" } },
	{ R_CG, "Centralized Exchange (CEX) Token", { "exchange" } },
	{ R_CG, "Exchange-based Tokens", { "exchange" } },
	{ R_CG, "Stablecoins", { "stablecoin" } },
	{ R_CG, "USD Stablecoin", { "stablecoin" } },
	{ R_CG, "Fiat-backed Stablecoin", { "stablecoin" } },
	{ R_CG, "Crypto-backed Stablecoin", { "stablecoin" } },
	{ R_CG, "Liquid Staking Tokens", { "liquid-staking" } },
	{ R_CG, "Liquid Staked ETH", { "liquid-staking" } },
	{ R_CG, "Liquid Restaking Tokens", { "liquid-staking" } },
	{ R_CG, "Meme", { "meme" } },
	{ R_CG, "Dog-Themed", { "meme" } },
	{ R_CG, "Cat-Themed", { "meme" } },
	{ R_CG, "Frog-Themed", { "meme" } },
	{ R_CG, "Solana Meme", { "meme" } },
	{ R_CG, "Elon Musk-Inspired", { "meme" } },
	{ R_CG, "Artificial Intelligence (AI)", { "ai" } },
	{ R_CG, "AI Agents", { "ai" } },
	{ R_CG, "Gaming (GameFi)", { "gaming" } },
	{ R_CG, "Play To Earn", { "gaming" } },
	{ R_CG, "Gaming Blockchains", { "gaming" } },
	{ R_CG, "Gaming Governance Token", { "gaming" } },
	{ R_CG, "Gaming Utility Token", { "gaming" } },
	{ R_CG, "Metaverse", { "metaverse" } },
	{ R_CG, "NFT", { "nft" } },
	{ R_CG, "Infrastructure", { "infrastructure" } },
	{ R_CG, "Oracle", { "oracle" } },
	{ R_CG, "Storage", { "storage" } },
	{ R_CG, "DePIN", { "depin" } },
	{ R_CG, "Privacy", { "privacy" } },
	{ R_CG, "Real World Assets (RWA)", { "rwa" } },
	{ R_CG, "RWA Protocol", { "rwa" } },
	{ R_CG, "Wrapped-Tokens", { "wrapped" } },
	{ R_CG, "Tokenized BTC", { "wrapped" } },
	{ R_CG, "Cross-chain Communication", { "interoperability" } },

	/* cmc_tag_flags columns set to 1 (is_layer1/is_layer2: see above). */
	{ R_FLAGS, "is_defi", { "defi" } },
	{ R_FLAGS, "is_meme", { "meme" } },
	{ R_FLAGS, "is_ai", { "ai" } },
	{ R_FLAGS, "is_gaming", { "gaming" } },
	{ R_FLAGS, "is_infrastructure", { "infrastructure" } },
	{ R_FLAGS, "is_rwa", { "rwa" } },
	{ R_FLAGS, "is_stablecoin", { "stablecoin" } },
	{ R_FLAGS, "is_exchange", { "exchange" } },

	/* CoinMarketCap tag slugs (cmc_coin_tags). */
	{ R_TAGS, "layer-1", { "layer-1" } },
	{ R_TAGS, "layer-2", { "layer-2" } },
	{ R_TAGS, "rollups", { "layer-2" } },
	{ R_TAGS, "smart-contracts", { "smart-contracts" } },
	{ R_TAGS, "defi", { "defi" } },
	{ R_TAGS, "defi-2", { "defi" } },
	{ R_TAGS, "lending-borowing", { "defi" } },
	{ R_TAGS, "yield-farming", { "defi" } },
	{ R_TAGS, "yield-aggregator", { "defi" } },
	{ R_TAGS, "decentralized-exchange-dex-token", { "defi", "exchange" } },
	{ R_TAGS, "dex", { "defi", "exchange" } },
	{ R_TAGS, "amm", { "defi", "exchange" } },
	{ R_TAGS, "perp-dex-coins", { "defi", "exchange" } },
	{ R_TAGS, "centralized-exchange", { "exchange" } },
	{ R_TAGS, "memes", { "meme" } },
	{ R_TAGS, "animal-memes", { "meme" } },
	{ R_TAGS, "doggone-doggerel", { "meme" } },
	{ R_TAGS, "cat-themed", { "meme" } },
	{ R_TAGS, "ai-memes", { "meme" } },
	{ R_TAGS, "ip-memes", { "meme" } },
	{ R_TAGS, "ai-big-data", { "ai" } },
	{ R_TAGS, "generative-ai", { "ai" } },
	{ R_TAGS, "ai-agents", { "ai" } },
	{ R_TAGS, "gaming", { "gaming" } },
	{ R_TAGS, "play-to-earn", { "gaming" } },
	{ R_TAGS, "metaverse", { "metaverse" } },
	{ R_TAGS, "collectibles-nfts", { "nft" } },
	{ R_TAGS, "depin", { "depin" } },
	{ R_TAGS, "payments", { "payments" } },
	{ R_TAGS, "privacy", { "privacy" } },
	{ R_TAGS, "oracles", { "oracle" } },
	{ R_TAGS, "storage", { "storage" } },
	{ R_TAGS, "filesharing", { "storage" } },
	{ R_TAGS, "stablecoin", { "stablecoin" } },
	{ R_TAGS, "usd-stablecoin", { "stablecoin" } },
	{ R_TAGS, "asset-backed-stablecoin", { "stablecoin" } },
	{ R_TAGS, "real-world-assets-protocols", { "rwa" } },
	{ R_TAGS, "tokenized-assets", { "rwa" } },
	{ R_TAGS, "liquid-staking-derivatives", { "liquid-staking" } },
	{ R_TAGS, "store-of-value", { "store-of-value" } },
	{ R_TAGS, "interoperability", { "interoperability" } },
	{ R_TAGS, "cross-chain", { "interoperability" } },

	/* Hand-curated groups (category_mappings). */
	{ R_MAPPINGS, "L1 Smart Contract", { "layer-1", "smart-contracts" } },
	{ R_MAPPINGS, "Move VMs", { "layer-1", "smart-contracts" } },
	{ R_MAPPINGS, "L2 Scaling", { "layer-2" } },
	{ R_MAPPINGS, "DeFi Blue Chips", { "defi" } },
	{ R_MAPPINGS, "Legacy DeFi", { "defi" } },
	{ R_MAPPINGS, "Yield Aggregators", { "defi" } },
	{ R_MAPPINGS, "DEX Tokens", { "defi", "exchange" } },
	{ R_MAPPINGS, "Exchange Tokens", { "exchange" } },
	{ R_MAPPINGS, "Meme Coins", { "meme" } },
	{ R_MAPPINGS, "AI/Compute", { "ai" } },
	{ R_MAPPINGS, "Gaming/Metaverse", { "gaming", "metaverse" } },
	{ R_MAPPINGS, "Real Estate/Metaverse", { "metaverse" } },
	{ R_MAPPINGS, "Move-to-Earn", { "gaming" } },
	{ R_MAPPINGS, "Storage/Infra", { "infrastructure" } },
	{ R_MAPPINGS, "Infra/Tooling", { "infrastructure" } },
	{ R_MAPPINGS, "Privacy/Infra", { "infrastructure" } },
	{ R_MAPPINGS, "Oracle Networks", { "oracle" } },
	{ R_MAPPINGS, "Privacy Coins", { "privacy" } },
	{ R_MAPPINGS, "Stablecoins", { "stablecoin" } },
	{ R_MAPPINGS, "RWA", { "rwa" } },
	{ R_MAPPINGS, "LST/LRT", { "liquid-staking" } },
	{ R_MAPPINGS, "NFT Marketplaces", { "nft" } },
	{ R_MAPPINGS, "NFT/Culture", { "nft" } },
};

#define NMAPS (sizeof(cat_maps) / sizeof(cat_maps[0]))

const char *const *
ms_reference_vocab(size_t *n)
{
	*n = NVOCAB;
	return vocab;
}

/* The mapping of value (len bytes) in layout lay, or NULL. */
static const struct cat_map *
map_find(enum rlay lay, const char *value, size_t len)
{
	for (size_t i = 0; i < NMAPS; i++)
		if (cat_maps[i].lay == lay &&
		    strlen(cat_maps[i].value) == len &&
		    memcmp(cat_maps[i].value, value, len) == 0)
			return &cat_maps[i];
	return NULL;
}

size_t
ms_reference_map(const char *layout, const char *value, const char **out,
    size_t max)
{
	const struct cat_map *m = NULL;
	size_t k = 0;

	for (int i = 0; i < R_COUNT; i++)
		if (rlayouts[i].kind == MS_REF_CATEGORIES &&
		    strcmp(rlayouts[i].name, layout) == 0)
			m = map_find((enum rlay)i, value, strlen(value));
	if (m == NULL)
		return 0;
	for (size_t j = 0; j < MAP_MAX && m->to[j] != NULL && k < max; j++)
		out[k++] = m->to[j];
	return k;
}

size_t
ms_reference_mapping(size_t i, const char **layout, const char **value,
    const char **to, size_t max)
{
	size_t k = 0;

	if (i >= NMAPS)
		return 0;
	*layout = rlayouts[cat_maps[i].lay].name;
	*value = cat_maps[i].value;
	for (size_t j = 0; j < MAP_MAX && cat_maps[i].to[j] != NULL && k < max;
	    j++)
		to[k++] = cat_maps[i].to[j];
	return k;
}

const char *
ms_reference_layout_of(const char *header, enum ms_ref_kind *kind)
{
	for (int i = 0; i < R_COUNT; i++) {
		if (strcmp(rlayouts[i].header, header) == 0) {
			if (kind != NULL)
				*kind = rlayouts[i].kind;
			return rlayouts[i].name;
		}
	}
	if (kind != NULL)
		*kind = MS_REF_NONE;
	return NULL;
}

/* ---- helpers ---------------------------------------------------------- */

struct rimp {
	struct ms_store *st;
	struct ms_reference_result *r;
	enum rlay lay;
	int32_t day;            /* snapshot / file day; 0 = none */
	int64_t *changed_ids;   /* assets whose categories changed */
	size_t nchanged, cchanged;
	unsigned char *ranks;   /* bitmap of ranks seen (companies) */
};

static int
reject(struct rimp *im, unsigned long line, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
reject(struct rimp *im, unsigned long line, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line == 0)
		snprintf(im->r->error, sizeof(im->r->error), "%s: %s",
		    im->r->path, msg);
	else
		snprintf(im->r->error, sizeof(im->r->error), "%s:%lu: %s",
		    im->r->path, line, msg);
	im->r->rejected = 1;
	return code;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}


/* A whole field of digits as an integer in [1, max]; 0 or -1. */
static int
parse_rank(const char *s, size_t len, long max, long *out)
{
	long v = 0;

	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Joins the current record's fields with ',' into buf; -1 if too long. */
static int
join_header(const struct ms_csv *csv, char *buf, size_t cap)
{
	size_t o = 0, len;

	for (size_t i = 0; i < ms_csv_nfields(csv); i++) {
		const char *f = ms_csv_field(csv, i, &len);

		if (o + len + 2 > cap)
			return -1;
		if (i > 0)
			buf[o++] = ',';
		memcpy(buf + o, f, len);
		o += len;
	}
	buf[o] = '\0';
	return 0;
}

int
ms_reference_day_from_name(const char *path, int32_t *day,
    enum ms_ref_day_from *from)
{
	const char *b = base_name(path);

	for (const char *p = strchr(b, '_'); p != NULL;
	    p = strchr(p + 1, '_')) {
		const char *q = p + 1;
		int y, m, d;

		if (!(is_digit(q[0]) && is_digit(q[1]) && is_digit(q[2]) &&
		    is_digit(q[3]) && q[4] == '-' && is_digit(q[5]) &&
		    is_digit(q[6])))
			continue;
		y = (q[0] - '0') * 1000 + (q[1] - '0') * 100 +
		    (q[2] - '0') * 10 + (q[3] - '0');
		m = (q[5] - '0') * 10 + (q[6] - '0');
		if (q[7] == '-' && is_digit(q[8]) && is_digit(q[9]) &&
		    !is_digit(q[10])) {
			d = (q[8] - '0') * 10 + (q[9] - '0');
			if (!ms_date_valid_ymd(y, m, d))
				continue;
			*day = ms_date_from_ymd(y, m, d);
			*from = MS_REF_DAY_NAME;
			return MS_OK;
		}
		if (is_digit(q[7]) || (q[7] == '-' && is_digit(q[8])))
			continue;
		if (!ms_date_valid_ymd(y, m, 1))
			continue;
		*day = ms_date_from_ymd(y, m, 1);
		*from = MS_REF_DAY_NAME_MONTH;
		return MS_OK;
	}
	return MS_ERR_NOTFOUND;
}

/* Appends "sym" to a comma-separated list of examples if it is not in
 * it yet and fits; ends the list with "..." when it does not fit. */
static void
note_example(char *buf, size_t cap, const char *sym)
{
	size_t n = strlen(buf), m = strlen(sym);

	for (const char *p = buf; *p != '\0';) {
		const char *c = strchr(p, ',');
		size_t len = c != NULL ? (size_t)(c - p) : strlen(p);

		if (len == m && memcmp(p, sym, m) == 0)
			return;
		if (c == NULL)
			break;
		p = c + 1;
	}
	if (n + m + 2 + 4 >= cap) {
		if (n + 4 < cap && (n < 3 || strcmp(buf + n - 3, "...") != 0))
			memcpy(buf + n, n ? ",..." : "...", n ? 5 : 4);
		return;
	}
	if (n > 0)
		buf[n++] = ',';
	memcpy(buf + n, sym, m + 1);
}

static int
store_error(struct rimp *im, const char *what)
{
	snprintf(im->r->error, sizeof(im->r->error), "%s: store error (%s): "
	    "%s", im->r->path, what, sqlite3_errmsg(ms_store_db(im->st)));
	return MS_ERR_STORE;
}

/* ---- companies -------------------------------------------------------- */

static int
import_companies(struct rimp *im, struct ms_csv *csv)
{
	static const char del[] = "DELETE FROM companies WHERE snapshot_day = ?";
	static const char ins[] =
	    "INSERT INTO companies(snapshot_day, rank, name, symbol, "
	    "market_cap, country, source) VALUES (?, ?, ?, ?, ?, ?, ?)";
	struct ms_reference_result *r = im->r;
	const char *source = base_name(r->path);
	sqlite3_stmt *s;
	unsigned long line = 1;
	int rc;

	if ((s = ms_store_stmt(im->st, del)) == NULL)
		return store_error(im, "delete");
	sqlite3_bind_int(s, 1, im->day);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_BUSY ? MS_ERR_BUSY :
		    store_error(im, "delete");
	r->replaced = (unsigned long)sqlite3_changes(ms_store_db(im->st));
	im->ranks = calloc(MS_REF_MAX_RANK / 8 + 1, 1);
	if (im->ranks == NULL)
		return MS_ERR_NOMEM;

	while ((rc = ms_csv_next(csv)) == 1) {
		const char *f_rank, *name, *sym, *f_cap, *f_price, *country;
		size_t l_rank, l_name, l_sym, l_cap, l_price, l_country;
		double cap, price;
		long rank;

		line = ms_csv_line(csv);
		if (++r->rows_read > MS_REF_MAX_ROWS)
			return reject(im, line, MS_ERR_TOOBIG,
			    "more than %d data rows", MS_REF_MAX_ROWS);
		if (ms_csv_nfields(csv) != 6)
			return reject(im, line, MS_ERR_PARSE,
			    "wrong number of fields: %zu (want 6)",
			    ms_csv_nfields(csv));
		f_rank = ms_csv_field(csv, 0, &l_rank);
		name = ms_csv_field(csv, 1, &l_name);
		sym = ms_csv_field(csv, 2, &l_sym);
		f_cap = ms_csv_field(csv, 3, &l_cap);
		f_price = ms_csv_field(csv, 4, &l_price);
		country = ms_csv_field(csv, 5, &l_country);
		if (parse_rank(f_rank, l_rank, MS_REF_MAX_RANK, &rank) != 0)
			return reject(im, line, MS_ERR_PARSE,
			    "rank: not an integer 1..%d: \"%.20s\"",
			    MS_REF_MAX_RANK, f_rank);
		if (im->ranks[rank / 8] & (1u << (rank % 8)))
			return reject(im, line, MS_ERR_INVALID,
			    "rank %ld repeated", rank);
		im->ranks[rank / 8] |= (unsigned char)(1u << (rank % 8));
		if (l_name == 0)
			return reject(im, line, MS_ERR_INVALID, "name: empty");
		if (l_name > MS_REF_NAME_MAX)
			return reject(im, line, MS_ERR_TOOBIG,
			    "name longer than %d bytes", MS_REF_NAME_MAX);
		if (l_sym > MS_REF_SYMBOL_MAX)
			return reject(im, line, MS_ERR_TOOBIG,
			    "symbol longer than %d bytes", MS_REF_SYMBOL_MAX);
		if (l_country > MS_REF_COUNTRY_MAX)
			return reject(im, line, MS_ERR_TOOBIG,
			    "country longer than %d bytes", MS_REF_COUNTRY_MAX);
		if (l_cap == 0)
			return reject(im, line, MS_ERR_INVALID,
			    "market_cap_usd: empty");
		if (ms_csv_number(f_cap, l_cap, &cap) != 0)
			return reject(im, line, MS_ERR_PARSE,
			    "market_cap_usd: not a number: \"%.40s\"", f_cap);
		if (cap < 0)
			return reject(im, line, MS_ERR_INVALID,
			    "market_cap_usd: negative: \"%.40s\"", f_cap);
		if (l_price > 0 && (ms_csv_number(f_price, l_price, &price) != 0
		    || price < 0))
			return reject(im, line, MS_ERR_PARSE,
			    "price_usd: not a number >= 0: \"%.40s\"", f_price);
		if (cap == 0) {
			/* The source's "unknown" (delisted shares). */
			r->zero_market_cap++;
			continue;
		}
		if ((s = ms_store_stmt(im->st, ins)) == NULL)
			return store_error(im, "insert");
		sqlite3_bind_int(s, 1, im->day);
		sqlite3_bind_int64(s, 2, rank);
		sqlite3_bind_text(s, 3, name, (int)l_name, SQLITE_STATIC);
		if (l_sym > 0)
			sqlite3_bind_text(s, 4, sym, (int)l_sym, SQLITE_STATIC);
		sqlite3_bind_double(s, 5, cap);
		if (l_country > 0)
			sqlite3_bind_text(s, 6, country, (int)l_country,
			    SQLITE_STATIC);
		sqlite3_bind_text(s, 7, source, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return rc == SQLITE_BUSY ? MS_ERR_BUSY :
			    store_error(im, "insert");
		r->inserted++;
	}
	if (rc < 0)
		return reject(im, ms_csv_line(csv), rc, "%s",
		    ms_csv_error(csv));
	if (r->rows_read == 0)
		return reject(im, line, MS_ERR_INVALID, "no data rows");
	if (r->inserted == 0)
		return reject(im, line, MS_ERR_INVALID,
		    "no company with a known market cap");
	r->changed = r->inserted > 0 || r->replaced > 0;
	return MS_OK;
}

/* ---- categories ------------------------------------------------------- */

/* The Moonscope categories of one row, de-duplicated. */
#define ROW_CATS_MAX 32

struct row_cats {
	const char *slug[ROW_CATS_MAX];
	size_t n;
};

static void
row_cats_add_map(struct ms_reference_result *r, struct row_cats *rc,
    const struct cat_map *m)
{
	if (m == NULL) {
		r->unmapped++;
		return;
	}
	r->mapped++;
	for (size_t j = 0; j < MAP_MAX && m->to[j] != NULL; j++) {
		size_t k;

		for (k = 0; k < rc->n; k++)
			if (strcmp(rc->slug[k], m->to[j]) == 0)
				break;
		if (k == rc->n && rc->n < ROW_CATS_MAX)
			rc->slug[rc->n++] = m->to[j];
	}
}

/* One matched asset: its id and its current categories (copied). */
struct match {
	int64_t id;
	int has;                 /* categories not NULL */
	char *cats;              /* malloc'd; NULL when has == 0 */
};

/*
 * Steps s (bound) and reads up to two rows of (id, categories). Returns
 * the number of rows seen (0, 1 or 2 = "two or more") or a negative error;
 * m is filled from the first row.
 */
static int
step_matches(struct rimp *im, sqlite3_stmt *s, struct match *m)
{
	int n = 0, rc = SQLITE_DONE;

	while (n < 2 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == 0) {
			const unsigned char *t = sqlite3_column_text(s, 1);

			m->id = sqlite3_column_int64(s, 0);
			m->has = t != NULL;
			free(m->cats);
			m->cats = NULL;
			if (t != NULL && (m->cats = strdup((const char *)t))
			    == NULL) {
				sqlite3_reset(s);
				return MS_ERR_NOMEM;
			}
		}
		n++;
	}
	if (n < 2 && rc != SQLITE_DONE) {
		sqlite3_reset(s);
		return rc == SQLITE_BUSY ? MS_ERR_BUSY :
		    store_error(im, "asset lookup");
	}
	sqlite3_reset(s);
	return n;
}

/* The asset whose slug is slug, if its symbol is NULL or symbol. */
static int
match_slug(struct rimp *im, const char *slug, const char *symbol,
    struct match *m)
{
	static const char sql[] =
	    "SELECT id, categories FROM assets WHERE slug = ?1 AND "
	    "(symbol IS NULL OR symbol = ?2 COLLATE NOCASE)";
	static const char sql_any[] =
	    "SELECT id, categories FROM assets WHERE slug = ?1";
	sqlite3_stmt *s = ms_store_stmt(im->st, symbol != NULL ? sql : sql_any);

	if (s == NULL)
		return store_error(im, "asset lookup");
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	if (symbol != NULL)
		sqlite3_bind_text(s, 2, symbol, -1, SQLITE_STATIC);
	return step_matches(im, s, m);
}

/* Assets with the symbol (case-insensitive): 0, 1 or 2 (= several). */
static int
match_symbol(struct rimp *im, const char *symbol, struct match *m)
{
	static const char sql[] =
	    "SELECT id, categories FROM assets WHERE symbol = ?1 "
	    "COLLATE NOCASE ORDER BY id LIMIT 2";
	sqlite3_stmt *s = ms_store_stmt(im->st, sql);

	if (s == NULL)
		return store_error(im, "asset lookup");
	sqlite3_bind_text(s, 1, symbol, -1, SQLITE_STATIC);
	return step_matches(im, s, m);
}

/*
 * The curated asset (ms_identity.h) for a ticker and optional name, when
 * it exists in the store. Without a file date, only entries without time
 * bounds count (a bounded ticker such as LUNA needs the date).
 */
static int
match_curated(struct rimp *im, const char *symbol, const char *name,
    struct match *m)
{
	const struct ms_known_asset *k;

	k = ms_identity_by_symbol(symbol, name, im->day);
	if (k == NULL || (im->day == 0 && (k->from_day || k->until_day)))
		return 0;
	return match_slug(im, k->slug, NULL, m);
}

enum how { HOW_NONE, HOW_SLUG, HOW_CURATED, HOW_SYMBOL, HOW_AMBIGUOUS };

/*
 * Finds the asset of a row (see ms_reference.h for the order). id and
 * name are the CoinGecko row's, NULL for symbol-only layouts. Returns a
 * how (HOW_NONE: unmatched) or a negative error.
 */
static int
find_asset(struct rimp *im, const char *symbol, const char *id,
    const char *name, struct match *m)
{
	char slug[MS_SLUG_MAX + 1];
	int n;

	if (id != NULL && id[0] != '\0' && strlen(id) <= MS_SLUG_MAX) {
		if ((n = match_slug(im, id, symbol, m)) < 0)
			return n;
		if (n == 1)
			return HOW_SLUG;
	}
	if (name != NULL && name[0] != '\0') {
		size_t sl = ms_slugify(name, strlen(name), slug, sizeof(slug));

		if (sl != (size_t)-1 && sl > 0 &&
		    (id == NULL || strcmp(slug, id) != 0)) {
			if ((n = match_slug(im, slug, symbol, m)) < 0)
				return n;
			if (n == 1)
				return HOW_SLUG;
		}
	}
	if ((n = match_curated(im, symbol, name, m)) < 0)
		return n;
	if (n == 1)
		return HOW_CURATED;
	if ((n = match_symbol(im, symbol, m)) < 0)
		return n;
	return n == 0 ? HOW_NONE : n == 1 ? HOW_SYMBOL : HOW_AMBIGUOUS;
}

struct tok {
	const char *p;
	size_t n;
};

static int
tok_cmp(const void *a, const void *b)
{
	const struct tok *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, n);

	if (c != 0)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

#define MERGE_TOKENS 300

/*
 * Merges the slugs add[0..nadd) into old (comma-separated, may be NULL).
 * When at least one is new, writes the sorted, de-duplicated list into out
 * (cap bytes) and returns how many were added; returns 0 (out untouched)
 * when none is new. A slug that would make the list longer than
 * MS_REF_CATEGORIES_MAX is not added and counted in *overflow. An old
 * list that is already too long, or has too many entries, is left as it
 * is (all of add count as overflow).
 */
static size_t
merge_categories(const char *old, const char *const *add, size_t nadd,
    char *out, size_t cap, unsigned long *overflow)
{
	struct tok t[MERGE_TOKENS];
	size_t nt = 0, total = 0, added = 0, o = 0;
	const char *p = old != NULL ? old : "";

	if (strlen(p) > MS_REF_CATEGORIES_MAX) {
		*overflow += nadd;
		return 0;
	}
	while (*p != '\0') {
		const char *c = strchr(p, ',');
		size_t len = c != NULL ? (size_t)(c - p) : strlen(p);

		if (len > 0) {
			if (nt == MERGE_TOKENS) {
				*overflow += nadd;
				return 0;
			}
			t[nt].p = p;
			t[nt].n = len;
			total += len + (nt > 0);
			nt++;
		}
		if (c == NULL)
			break;
		p = c + 1;
	}
	for (size_t i = 0; i < nadd; i++) {
		size_t len = strlen(add[i]), k;

		for (k = 0; k < nt; k++)
			if (t[k].n == len &&
			    strncasecmp(t[k].p, add[i], len) == 0)
				break;
		if (k < nt)
			continue;
		if (nt == MERGE_TOKENS ||
		    total + len + (nt > 0) > MS_REF_CATEGORIES_MAX) {
			(*overflow)++;
			continue;
		}
		t[nt].p = add[i];
		t[nt].n = len;
		total += len + (nt > 0);
		nt++;
		added++;
	}
	if (added == 0)
		return 0;
	qsort(t, nt, sizeof(t[0]), tok_cmp);
	for (size_t i = 0; i < nt; i++) {
		if (i > 0 && tok_cmp(&t[i], &t[i - 1]) == 0)
			continue;
		if (o + t[i].n + 2 > cap)
			break;      /* cannot happen: total was checked */
		if (o > 0)
			out[o++] = ',';
		memcpy(out + o, t[i].p, t[i].n);
		o += t[i].n;
	}
	out[o] = '\0';
	return added;
}

static int
note_changed(struct rimp *im, int64_t id)
{
	if (im->nchanged == im->cchanged) {
		size_t nc = im->cchanged ? im->cchanged * 2 : 64;
		int64_t *a = realloc(im->changed_ids, nc * sizeof(*a));

		if (a == NULL)
			return MS_ERR_NOMEM;
		im->changed_ids = a;
		im->cchanged = nc;
	}
	im->changed_ids[im->nchanged++] = id;
	return MS_OK;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Merges a row's categories into its asset's. */
static int
apply_row(struct rimp *im, const struct row_cats *rc, struct match *m)
{
	static const char upd[] =
	    "UPDATE assets SET categories = ?2 WHERE id = ?1";
	char merged[MS_REF_CATEGORIES_MAX + 2];
	sqlite3_stmt *s;
	size_t added;
	int rcode;

	if (rc->n == 0)
		return MS_OK;
	added = merge_categories(m->has ? m->cats : NULL, rc->slug, rc->n,
	    merged, sizeof(merged), &im->r->overflow);
	if (added == 0)
		return MS_OK;
	if ((s = ms_store_stmt(im->st, upd)) == NULL)
		return store_error(im, "update");
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_text(s, 2, merged, -1, SQLITE_STATIC);
	rcode = sqlite3_step(s);
	sqlite3_reset(s);
	if (rcode != SQLITE_DONE)
		return rcode == SQLITE_BUSY ? MS_ERR_BUSY :
		    store_error(im, "update");
	im->r->added += added;
	return note_changed(im, m->id);
}

int
ms_reference_add_categories(struct ms_store *st, int64_t asset_id,
    const char *const *add, size_t nadd, unsigned long *added,
    unsigned long *overflow)
{
	static const char sel[] = "SELECT categories FROM assets WHERE id = ?1";
	static const char upd[] =
	    "UPDATE assets SET categories = ?2 WHERE id = ?1";
	char merged[MS_REF_CATEGORIES_MAX + 2];
	char *old = NULL;
	sqlite3_stmt *s;
	size_t n;
	int rc;

	*added = 0;
	if (nadd == 0)
		return MS_OK;
	if ((s = ms_store_stmt(st, sel)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, asset_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL &&
	    (old = strdup((const char *)sqlite3_column_text(s, 0))) == NULL) {
		sqlite3_reset(s);
		return MS_ERR_NOMEM;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		free(old);
		return rc == SQLITE_DONE ? MS_ERR_NOTFOUND :
		    rc == SQLITE_BUSY ? MS_ERR_BUSY : MS_ERR_STORE;
	}
	n = merge_categories(old, add, nadd, merged, sizeof(merged), overflow);
	free(old);
	if (n == 0)
		return MS_OK;
	if ((s = ms_store_stmt(st, upd)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, asset_id);
	sqlite3_bind_text(s, 2, merged, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_BUSY ? MS_ERR_BUSY : MS_ERR_STORE;
	*added = n;
	return MS_OK;
}

/* Checks a field that must be empty or a number; 0 or a rejection. */
static int
check_optional_number(struct rimp *im, const struct ms_csv *csv, size_t i,
    unsigned long line)
{
	size_t len;
	const char *f = ms_csv_field(csv, i, &len);
	double v;
	char col[64];
	const char *h = rlayouts[im->lay].header, *c;
	size_t k = 0;

	if (len == 0 || ms_csv_number(f, len, &v) == 0)
		return MS_OK;
	while (k < i && (c = strchr(h, ',')) != NULL) {
		h = c + 1;
		k++;
	}
	c = strchr(h, ',');
	snprintf(col, sizeof(col), "%.*s",
	    (int)(c != NULL ? (size_t)(c - h) : strlen(h)), h);
	return reject(im, line, MS_ERR_PARSE, "%s: not a number: \"%.40s\"",
	    col, f);
}

/* Fills rc with the row's mapped categories; 0 or a rejection. */
static int
row_categories(struct rimp *im, const struct ms_csv *csv, unsigned long line,
    struct row_cats *rc)
{
	struct ms_reference_result *r = im->r;
	const char *f, *h;
	size_t len;
	int rcode;

	rc->n = 0;
	switch (im->lay) {
	case R_CG:
		if ((rcode = check_optional_number(im, csv, 3, line)) != 0 ||
		    (rcode = check_optional_number(im, csv, 4, line)) != 0)
			return rcode;
		f = ms_csv_field(csv, 5, &len);
		while (len > 0) {
			const char *bar = memchr(f, '|', len);
			size_t n = bar != NULL ? (size_t)(bar - f) : len;

			if (n > 0)
				row_cats_add_map(r, rc, map_find(R_CG, f, n));
			if (bar == NULL)
				break;
			len -= n + 1;
			f = bar + 1;
		}
		break;
	case R_FLAGS:
		h = strchr(rlayouts[R_FLAGS].header, ',') + 1;
		for (size_t i = 1; i < rlayouts[R_FLAGS].nfields; i++) {
			const char *c = strchr(h, ',');
			size_t hn = c != NULL ? (size_t)(c - h) : strlen(h);

			f = ms_csv_field(csv, i, &len);
			if (len != 1 || (f[0] != '0' && f[0] != '1'))
				return reject(im, line, MS_ERR_PARSE,
				    "%.*s: not 0 or 1: \"%.20s\"", (int)hn, h,
				    f);
			if (f[0] == '1')
				row_cats_add_map(r, rc,
				    map_find(R_FLAGS, h, hn));
			h = c != NULL ? c + 1 : h + hn;
		}
		break;
	case R_TAGS:
	case R_MAPPINGS:
		f = ms_csv_field(csv, 1, &len);
		if (len == 0)
			return reject(im, line, MS_ERR_INVALID, "%s: empty",
			    im->lay == R_TAGS ? "tag" : "category");
		row_cats_add_map(r, rc, map_find(im->lay, f, len));
		break;
	case R_COMPANIES:
	case R_COUNT:
		return MS_ERR_INTERNAL;
	}
	return MS_OK;
}

static int
import_categories(struct rimp *im, struct ms_csv *csv)
{
	struct ms_reference_result *r = im->r;
	struct match m = { 0, 0, NULL };
	struct row_cats rc;
	unsigned long line = 1;
	int rcode, how;

	while ((rcode = ms_csv_next(csv)) == 1) {
		const char *symbol, *id = NULL, *name = NULL;
		size_t slen;

		line = ms_csv_line(csv);
		if (++r->rows_read > MS_REF_MAX_ROWS) {
			rcode = reject(im, line, MS_ERR_TOOBIG,
			    "more than %d data rows", MS_REF_MAX_ROWS);
			goto out;
		}
		if (ms_csv_nfields(csv) != rlayouts[im->lay].nfields) {
			rcode = reject(im, line, MS_ERR_PARSE,
			    "wrong number of fields: %zu (want %zu)",
			    ms_csv_nfields(csv), rlayouts[im->lay].nfields);
			goto out;
		}
		symbol = ms_csv_field(csv, im->lay == R_CG ? 1 : 0, &slen);
		if (slen == 0) {
			rcode = reject(im, line, MS_ERR_INVALID,
			    "symbol: empty");
			goto out;
		}
		if (slen > MS_SYMBOL_MAX) {
			rcode = reject(im, line, MS_ERR_TOOBIG,
			    "symbol longer than %d bytes", MS_SYMBOL_MAX);
			goto out;
		}
		if (im->lay == R_CG) {
			id = ms_csv_field(csv, 0, NULL);
			name = ms_csv_field(csv, 2, NULL);
		}
		if ((rcode = row_categories(im, csv, line, &rc)) != MS_OK)
			goto out;
		how = find_asset(im, symbol, id, name, &m);
		if (how < 0) {
			rcode = how;
			goto out;
		}
		switch (how) {
		case HOW_NONE:
			r->unmatched++;
			note_example(r->unmatched_ex, sizeof(r->unmatched_ex),
			    symbol);
			continue;
		case HOW_AMBIGUOUS:
			r->ambiguous++;
			note_example(r->ambiguous_ex, sizeof(r->ambiguous_ex),
			    symbol);
			continue;
		case HOW_SLUG:
			r->matched_slug++;
			break;
		case HOW_CURATED:
			r->matched_curated++;
			break;
		default:
			r->matched_symbol++;
			break;
		}
		r->matched++;
		if ((rcode = apply_row(im, &rc, &m)) != MS_OK)
			goto out;
	}
	if (rcode < 0) {
		rcode = reject(im, ms_csv_line(csv), rcode, "%s",
		    ms_csv_error(csv));
		goto out;
	}
	if (r->rows_read == 0) {
		rcode = reject(im, line, MS_ERR_INVALID, "no data rows");
		goto out;
	}
	if (im->nchanged > 0) {
		qsort(im->changed_ids, im->nchanged, sizeof(int64_t), cmp_i64);
		r->assets_changed = 1;
		for (size_t i = 1; i < im->nchanged; i++)
			if (im->changed_ids[i] != im->changed_ids[i - 1])
				r->assets_changed++;
		if ((rcode = ms_store_bump_version(im->st)) != MS_OK)
			goto out;
		r->changed = 1;
	}
	rcode = MS_OK;
out:
	free(m.cats);
	return rcode;
}

/* ---- one file --------------------------------------------------------- */

static int
record_import(struct rimp *im)
{
	static const char rec[] =
	    "INSERT INTO imports(path, layout, source_id, rows_read, "
	    "rows_inserted, rows_updated, rows_skipped, first_day, last_day, "
	    "finished_at) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, "
	    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))";
	struct ms_reference_result *r = im->r;
	sqlite3_stmt *s = ms_store_stmt(im->st, rec);
	int rc;

	if (s == NULL)
		return store_error(im, "imports");
	sqlite3_bind_text(s, 1, r->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->layout, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)r->rows_read);
	if (r->kind == MS_REF_COMPANIES) {
		sqlite3_bind_int64(s, 4, (sqlite3_int64)r->inserted);
		sqlite3_bind_int64(s, 5, 0);
		sqlite3_bind_int64(s, 6, (sqlite3_int64)r->zero_market_cap);
		sqlite3_bind_int(s, 7, r->snapshot_day);
		sqlite3_bind_int(s, 8, r->snapshot_day);
	} else {
		sqlite3_bind_int64(s, 4, 0);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)r->assets_changed);
		sqlite3_bind_int64(s, 6,
		    (sqlite3_int64)(r->ambiguous + r->unmatched));
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_BUSY ? MS_ERR_BUSY :
		    store_error(im, "imports");
	return MS_OK;
}

enum ms_ref_kind
ms_reference_file_kind(const char *path)
{
	struct ms_csv *csv = NULL;
	enum ms_ref_kind kind = MS_REF_NONE;
	char err[256], hdr[512];

	if (ms_csv_open(path, &csv, err, sizeof(err)) != MS_OK)
		return MS_REF_NONE;
	if (ms_csv_next(csv) == 1 && join_header(csv, hdr, sizeof(hdr)) == 0)
		(void)ms_reference_layout_of(hdr, &kind);
	ms_csv_close(csv);
	return kind;
}

int
ms_reference_import_file(struct ms_store *st, const char *path,
    const struct ms_reference_opts *opts, struct ms_reference_result *r)
{
	struct ms_reference_opts dflt = { -1, 0 };
	struct ms_csv *csv = NULL;
	struct rimp im;
	char err[256], hdr[512];
	double t0 = now_seconds();
	int32_t today;
	int rc, in_tx = 0;
	enum ms_ref_kind kind;

	if (opts == NULL)
		opts = &dflt;
	memset(r, 0, sizeof(*r));
	memset(&im, 0, sizeof(im));
	r->path = path;
	r->snapshot_day = -1;
	im.st = st;
	im.r = r;
	today = opts->today != 0 ? opts->today : ms_date_today();

	if ((rc = ms_csv_open(path, &csv, err, sizeof(err))) != MS_OK) {
		rc = reject(&im, 0, rc, "%s", err);
		goto out;
	}
	rc = ms_csv_next(csv);
	if (rc <= 0) {
		rc = reject(&im, ms_csv_line(csv),
		    rc == 0 ? MS_ERR_INVALID : rc, "%s",
		    rc == 0 ? "empty file (no header line)" :
		    ms_csv_error(csv));
		goto out;
	}
	if (join_header(csv, hdr, sizeof(hdr)) != 0 ||
	    (r->layout = ms_reference_layout_of(hdr, &kind)) == NULL) {
		r->unknown_layout = 1;
		snprintf(r->error, sizeof(r->error),
		    "%s:1: not a reference table layout", path);
		rc = MS_ERR_NOTFOUND;
		goto out;
	}
	r->kind = kind;
	for (int i = 0; i < R_COUNT; i++)
		if (rlayouts[i].name == r->layout)
			im.lay = (enum rlay)i;

	/* The file's day: the company snapshot, or the meaning of a
	 * time-bounded ticker for category files. */
	if (opts->as_of >= 0) {
		im.day = opts->as_of;
		r->day_from = MS_REF_DAY_AS_OF;
	} else if (ms_reference_day_from_name(path, &im.day, &r->day_from)
	    != MS_OK) {
		im.day = 0;
		if (kind == MS_REF_COMPANIES) {
			rc = reject(&im, 0, MS_ERR_INVALID, "a company table "
			    "has no date: give the snapshot day with --as-of "
			    "YYYY-MM-DD (or name the file ..._YYYY-MM-DD.csv)");
			goto out;
		}
	}
	if (kind == MS_REF_COMPANIES) {
		char d[MS_DATE_LEN + 1];

		if (im.day < 0 || im.day > today + 1) {
			ms_date_format(im.day, d);
			rc = reject(&im, 0, MS_ERR_RANGE, "snapshot day %s is "
			    "outside 1970-01-01 .. tomorrow", d);
			goto out;
		}
		r->snapshot_day = im.day;
	}

	if ((rc = ms_store_begin(st)) != MS_OK) {
		snprintf(r->error, sizeof(r->error), "%s: cannot start a "
		    "transaction: %s", path, ms_strerror(rc));
		goto out;
	}
	in_tx = 1;
	if (kind == MS_REF_COMPANIES)
		rc = import_companies(&im, csv);
	else
		rc = import_categories(&im, csv);
	if (rc == MS_OK)
		rc = record_import(&im);
	if (rc == MS_OK) {
		rc = ms_store_commit(st);
		if (rc != MS_OK)
			snprintf(r->error, sizeof(r->error),
			    "%s: commit failed: %s", path, ms_strerror(rc));
		else
			in_tx = 0;
	}
out:
	if (in_tx && rc != MS_OK)
		ms_store_rollback(st);
	if (rc != MS_OK && r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "%s: %s", path,
		    ms_strerror(rc));
	if (rc != MS_OK)
		r->changed = 0;
	ms_csv_close(csv);
	free(im.changed_ids);
	free(im.ranks);
	r->seconds = now_seconds() - t0;
	return rc;
}

void
ms_reference_print(FILE *f, const struct ms_reference_result *r)
{
	char d[MS_DATE_LEN + 1];

	if (r->rejected || r->error[0] != '\0') {
		fprintf(f, "%s: REJECTED (nothing imported)\n  %s\n", r->path,
		    r->error);
		return;
	}
	fprintf(f, "%s: layout %s (reference table)\n", r->path, r->layout);
	if (r->kind == MS_REF_COMPANIES) {
		ms_date_format(r->snapshot_day, d);
		fprintf(f, "  snapshot %s (%s)\n", d,
		    r->day_from == MS_REF_DAY_AS_OF ? "from --as-of" :
		    r->day_from == MS_REF_DAY_NAME ? "from the file name" :
		    "from the file name's month: approximate, give --as-of "
		    "for the exact day");
		fprintf(f, "  rows read %lu, companies stored %lu, replaced "
		    "%lu rows of an earlier import of that day\n",
		    r->rows_read, r->inserted, r->replaced);
		if (r->zero_market_cap > 0)
			fprintf(f, "  note: %lu rows had a market cap of 0 "
			    "(unknown) and were not stored\n",
			    r->zero_market_cap);
		fprintf(f, "  companies table %s, %.2f s\n",
		    r->changed ? "replaced for that day" : "unchanged",
		    r->seconds);
		return;
	}
	fprintf(f, "  rows read %lu: matched %lu (id or name %lu, curated "
	    "ticker %lu, only asset with the symbol %lu), ambiguous %lu, "
	    "unmatched %lu\n", r->rows_read, r->matched, r->matched_slug,
	    r->matched_curated, r->matched_symbol, r->ambiguous,
	    r->unmatched);
	if (r->ambiguous > 0)
		fprintf(f, "    ambiguous symbols (several assets, skipped): "
		    "%s\n", r->ambiguous_ex);
	if (r->unmatched > 0)
		fprintf(f, "    unmatched symbols (no such asset): %s\n",
		    r->unmatched_ex);
	fprintf(f, "  source categories: %lu mapped, %lu not in the "
	    "vocabulary (ignored)\n", r->mapped, r->unmapped);
	if (r->overflow > 0)
		fprintf(f, "  note: %lu categories not added (an asset's list "
		    "would exceed %d bytes)\n", r->overflow,
		    MS_REF_CATEGORIES_MAX);
	fprintf(f, "  categories added %lu to %lu assets, %s, %.2f s\n",
	    r->added, r->assets_changed,
	    r->changed ? "store changed" : "no change", r->seconds);
	if (r->matched == 0 && r->rows_read > 0)
		fprintf(f, "  note: no row matched an asset; import market "
		    "data first, then the category files\n");
}
