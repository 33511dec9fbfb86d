/*
 * ms_identity.c — asset identity resolution: the curated table of
 * well-known assets, slugify, and the resolution rules documented in
 * ms_identity.h. Pure functions over static data; nothing is allocated.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ms_error.h"
#include "ms_identity.h"

/* 2022-05-27 / 2022-05-28: CMC gave the ticker LUNA to Terra 2.0. */
#define TERRA_SPLIT_LAST 19139
#define TERRA_SPLIT_FIRST 19140

/*
 * The curated table. The first entry of a slug gives its canonical symbol
 * and name for slug-only rows. Slugs are CoinMarketCap's (as of 2018 where
 * the coin existed then, so they join the 2018 universe file).
 */
static const struct ms_known_asset known[] = {
	/* The 23 coins of the Kaggle/CMC majors file. */
	{ "AAVE", "aave", "AAVE", "Aave", "", 0, 0 },
	{ "ADA", "cardano", "ADA", "Cardano", "", 0, 0 },
	{ "ATOM", "cosmos", "ATOM", "Cosmos", "", 0, 0 },
	{ "BNB", "binance-coin", "BNB", "Binance Coin", "BNB", 0, 0 },
	{ "BTC", "bitcoin", "BTC", "Bitcoin", "", 0, 0 },
	{ "CRO", "crypto-com-coin", "CRO", "Crypto.com Coin", "Cronos", 0, 0 },
	{ "DOGE", "dogecoin", "DOGE", "Dogecoin", "", 0, 0 },
	{ "DOT", "polkadot-new", "DOT", "Polkadot", "", 0, 0 },
	{ "EOS", "eos", "EOS", "EOS", "", 0, 0 },
	{ "ETH", "ethereum", "ETH", "Ethereum", "", 0, 0 },
	{ "LINK", "chainlink", "LINK", "Chainlink", "", 0, 0 },
	{ "LTC", "litecoin", "LTC", "Litecoin", "", 0, 0 },
	{ "MIOTA", "iota", "MIOTA", "IOTA", "", 0, 0 },
	{ "SOL", "solana", "SOL", "Solana", "", 0, 0 },
	{ "TRX", "tron", "TRX", "TRON", "", 0, 0 },
	{ "UNI", "uniswap", "UNI", "Uniswap", "", 0, 0 },
	{ "USDC", "usd-coin", "USDC", "USD Coin", "USDC", 0, 0 },
	{ "USDT", "tether", "USDT", "Tether", "Tether USDt", 0, 0 },
	{ "WBTC", "wrapped-bitcoin", "WBTC", "Wrapped Bitcoin", "", 0, 0 },
	{ "XEM", "nem", "XEM", "NEM", "", 0, 0 },
	{ "XLM", "stellar", "XLM", "Stellar", "", 0, 0 },
	{ "XMR", "monero", "XMR", "Monero", "", 0, 0 },
	{ "XRP", "ripple", "XRP", "XRP", "Ripple", 0, 0 },
	/* The other CoinGecko tickers of the majors file. */
	{ "ACT", "act-i-the-ai-prophecy", "ACT", "Act I : The AI Prophecy",
	  "", 0, 0 },
	{ "ALGO", "algorand", "ALGO", "Algorand", "", 0, 0 },
	{ "AR", "arweave", "AR", "Arweave", "", 0, 0 },
	{ "AVAX", "avalanche", "AVAX", "Avalanche", "", 0, 0 },
	{ "BAL", "balancer", "BAL", "Balancer", "", 0, 0 },
	{ "BCH", "bitcoin-cash", "BCH", "Bitcoin Cash", "", 0, 0 },
	{ "BOME", "book-of-meme", "BOME", "BOOK OF MEME", "", 0, 0 },
	{ "BONK", "bonk1", "BONK", "Bonk", "", 0, 0 },
	{ "CAKE", "pancakeswap", "CAKE", "PancakeSwap", "", 0, 0 },
	{ "COMP", "compound", "COMP", "Compound", "", 0, 0 },
	{ "CRV", "curve-dao-token", "CRV", "Curve DAO Token", "", 0, 0 },
	{ "DYDX", "dydx", "DYDX", "dYdX", "", 0, 0 },
	{ "ETC", "ethereum-classic", "ETC", "Ethereum Classic", "", 0, 0 },
	{ "FLOKI", "floki-inu", "FLOKI", "FLOKI", "Floki Inu", 0, 0 },
	{ "FTM", "fantom", "FTM", "Fantom", "", 0, 0 },
	{ "FTT", "ftx-token", "FTT", "FTX Token", "", 0, 0 },
	{ "GRT", "the-graph", "GRT", "The Graph", "", 0, 0 },
	{ "HBAR", "hedera", "HBAR", "Hedera", "Hedera Hashgraph", 0, 0 },
	{ "HNT", "helium", "HNT", "Helium", "", 0, 0 },
	{ "KAS", "kaspa", "KAS", "Kaspa", "", 0, 0 },
	{ "KNC", "kyber-network", "KNC", "Kyber Network",
	  "Kyber Network Crystal Legacy", 0, 0 },
	{ "KNCL", "kyber-network", "KNC", "Kyber Network",
	  "Kyber Network Crystal Legacy", 0, 0 },
	{ "KSM", "kusama", "KSM", "Kusama", "", 0, 0 },
	{ "LRC", "loopring", "LRC", "Loopring", "", 0, 0 },
	{ "LUNC", "terra-luna", "LUNC", "Terra Classic", "Terra|Terra Luna",
	  0, 0 },
	{ "LUNA", "terra-luna", "LUNC", "Terra Classic", "Terra|Terra Luna",
	  0, TERRA_SPLIT_LAST },
	{ "LUNA", "terra-luna-v2", "LUNA", "Terra", "Terra 2.0",
	  TERRA_SPLIT_FIRST, 0 },
	{ "MATIC", "polygon", "MATIC", "Polygon", "Matic Network", 0, 0 },
	{ "MKR", "maker", "MKR", "Maker", "", 0, 0 },
	{ "MOG", "mog-coin", "MOG", "Mog Coin", "", 0, 0 },
	{ "MOODENG", "moo-deng", "MOODENG", "Moo Deng",
	  "Moo Deng (moodengsol.com)", 0, 0 },
	{ "NEIRO", "first-neiro-on-ethereum", "NEIRO",
	  "First Neiro On Ethereum", "Neiro (First Neiro On Ethereum)", 0, 0 },
	{ "OHM", "olympus", "OHM", "Olympus", "", 0, 0 },
	{ "PEPE", "pepe", "PEPE", "Pepe", "", 0, 0 },
	{ "POPCAT", "popcat-sol", "POPCAT", "Popcat (SOL)", "Popcat", 0, 0 },
	{ "RAY", "raydium", "RAY", "Raydium", "", 0, 0 },
	{ "REN", "republic-protocol", "REN", "Ren", "Republic Protocol", 0, 0 },
	{ "SAFEMOON", "safemoon", "SAFEMOON", "SafeMoon", "", 0, 0 },
	{ "SEI", "sei", "SEI", "Sei", "", 0, 0 },
	{ "SHIB", "shiba-inu", "SHIB", "Shiba Inu", "", 0, 0 },
	{ "SNX", "synthetix-network-token", "SNX", "Synthetix",
	  "Synthetix Network Token", 0, 0 },
	{ "SRM", "serum", "SRM", "Serum", "", 0, 0 },
	{ "SUSHI", "sushiswap", "SUSHI", "SushiSwap", "", 0, 0 },
	{ "THETA", "theta-token", "THETA", "THETA", "Theta Network", 0, 0 },
	{ "TURBO", "turbo", "TURBO", "Turbo", "", 0, 0 },
	{ "USTC", "terrausd", "USTC", "TerraClassicUSD", "TerraUSD", 0, 0 },
	{ "UST", "terrausd", "USTC", "TerraClassicUSD", "TerraUSD", 0, 0 },
	{ "WIF", "dogwifhat", "WIF", "dogwifhat", "", 0, 0 },
	{ "XTZ", "tezos", "XTZ", "Tezos", "", 0, 0 },
	{ "YFI", "yearn-finance", "YFI", "yearn.finance", "", 0, 0 },
	/* Same coins under the tickers other sources use. */
	{ "IOTA", "iota", "MIOTA", "IOTA", "", 0, 0 },
	{ "POL", "polygon-ecosystem-token", "POL", "POL (ex-MATIC)",
	  "POL (prev. MATIC)|Polygon (prev. MATIC)|Polygon Ecosystem Token",
	  0, 0 },
};

#define KNOWN_COUNT (sizeof(known) / sizeof(known[0]))

size_t
ms_identity_count(void)
{
	return KNOWN_COUNT;
}

const struct ms_known_asset *
ms_identity_entry(size_t i)
{
	return i < KNOWN_COUNT ? &known[i] : NULL;
}

static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char
upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

size_t
ms_slugify(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	int dash = 0;

	if (cap == 0)
		return (size_t)-1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_alnum(c)) {
			dash = n > 0;
			continue;
		}
		if (n + (size_t)dash + 1 >= cap)
			return (size_t)-1;
		if (dash) {
			out[n++] = '-';
			dash = 0;
		}
		out[n++] = lower((char)c);
	}
	out[n] = '\0';
	return n;
}

/* 1 when name and candidate slugify to the same non-empty string. */
static int
same_name(const char *name, const char *cand, size_t cand_len)
{
	char a[MS_NAME_MAX + 2], b[MS_NAME_MAX + 2];
	size_t na, nb;

	na = ms_slugify(name, strlen(name), a, sizeof(a));
	nb = ms_slugify(cand, cand_len, b, sizeof(b));
	return na != (size_t)-1 && nb != (size_t)-1 && na > 0 && na == nb &&
	    memcmp(a, b, na) == 0;
}

static int
name_matches(const struct ms_known_asset *k, const char *name)
{
	const char *p = k->aliases, *bar;

	if (same_name(name, k->name, strlen(k->name)))
		return 1;
	while (*p != '\0') {
		bar = strchr(p, '|');
		if (bar == NULL)
			bar = p + strlen(p);
		if (same_name(name, p, (size_t)(bar - p)))
			return 1;
		p = *bar == '|' ? bar + 1 : bar;
	}
	return 0;
}

static int
symbol_equal(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (upper(*a) != upper(*b))
			return 0;
	return *a == *b;
}

const struct ms_known_asset *
ms_identity_by_symbol(const char *symbol, const char *name, int32_t day)
{
	if (symbol == NULL || symbol[0] == '\0')
		return NULL;
	for (size_t i = 0; i < KNOWN_COUNT; i++) {
		const struct ms_known_asset *k = &known[i];

		if (!symbol_equal(symbol, k->symbol))
			continue;
		if (day != 0 && ((k->from_day != 0 && day < k->from_day) ||
		    (k->until_day != 0 && day > k->until_day)))
			continue;
		if (name != NULL && name[0] != '\0' && !name_matches(k, name))
			continue;
		return k;
	}
	return NULL;
}

const struct ms_known_asset *
ms_identity_by_slug(const char *slug)
{
	for (size_t i = 0; i < KNOWN_COUNT; i++)
		if (strcmp(known[i].slug, slug) == 0)
			return &known[i];
	return NULL;
}

static int
slug_byte_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_' || c == '.';
}

/*
 * Copies s, lower-cased, into slug (MS_SLUG_MAX + 1 bytes) as an asset id.
 * Returns MS_ERR_TOOBIG when s is longer than MS_SLUG_MAX and
 * MS_ERR_INVALID at the first byte a slug may not hold (slug then holds
 * the bytes copied so far).
 */
static int
copy_slug(const char *s, char *slug)
{
	size_t n = strlen(s);

	if (n > MS_SLUG_MAX)
		return MS_ERR_TOOBIG;
	for (size_t i = 0; i < n; i++) {
		slug[i] = lower(s[i]);
		if (!slug_byte_ok(slug[i]))
			return MS_ERR_INVALID;
	}
	slug[n] = '\0';
	return MS_OK;
}

/* s, or NULL when s is NULL or empty. */
static const char *
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* Takes the canonical symbol and name of curated entry k (not its slug). */
static void
set_curated(struct ms_identity *out, const struct ms_known_asset *k)
{
	out->symbol = k->canon_symbol;
	out->name = k->name;
	out->curated = 1;
}

int
ms_identity_resolve(const char *slug, const char *symbol, const char *name,
    int32_t day, struct ms_identity *out)
{
	const struct ms_known_asset *k;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (slug != NULL && slug[0] != '\0') {
		if ((rc = copy_slug(slug, out->slug)) != MS_OK)
			return rc;
		if ((k = ms_identity_by_slug(out->slug)) != NULL) {
			set_curated(out, k);
		} else {
			out->symbol = nonempty(symbol);
			out->name = nonempty(name);
		}
		return MS_OK;
	}
	if ((k = ms_identity_by_symbol(symbol, name, day)) != NULL) {
		memcpy(out->slug, k->slug, strlen(k->slug) + 1);
		set_curated(out, k);
		return MS_OK;
	}
	out->symbol = nonempty(symbol);
	out->name = nonempty(name);
	if (out->name != NULL) {
		n = ms_slugify(name, strlen(name), out->slug,
		    sizeof(out->slug));
		if (n == (size_t)-1)
			return MS_ERR_TOOBIG;
		if (n > 0)
			return MS_OK;
	}
	if (out->symbol != NULL)
		return copy_slug(symbol, out->slug);
	return MS_ERR_INVALID;
}
