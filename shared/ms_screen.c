/*
 * ms_screen.c — the moonshot screener (see ms_screen.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ms_error.h"
#include "ms_screen.h"

static const char *const reason_names[MS_EX__COUNT] = {
	"no_bar_on_day", "market_cap_unknown", "above_max_market_cap",
	"below_min_market_cap", "volume", "liquidity", "roi_7d", "roi_30d",
	"roi_90d", "category", "trader_grade", "investor_grade",
};

static const char *const sort_names[MS_SORT__COUNT] = {
	"trader_grade", "investor_grade", "roi_7d", "roi_30d", "roi_90d",
	"market_cap", "volume",
};

static const size_t roi_days[3] = { 7, 30, 90 };

const char *
ms_screen_reason_name(enum ms_screen_reason r)
{
	return (unsigned)r < MS_EX__COUNT ? reason_names[r] : "unknown";
}

const char *
ms_screen_sort_name(enum ms_screen_sort s)
{
	return (unsigned)s < MS_SORT__COUNT ? sort_names[s] : "unknown";
}

void
ms_screen_defaults(struct ms_screen_params *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->min_market_cap = NAN;
	sp->max_market_cap = 1e8;
	sp->min_volume = sp->min_liquidity = NAN;
	for (int k = 0; k < 3; k++)
		sp->roi_min[k] = sp->roi_max[k] = NAN;
	sp->min_trader_grade = sp->min_investor_grade = NAN;
	sp->sort = MS_SORT_TRADER_GRADE;
	sp->descending = 1;
}

double
ms_screen_roi(const struct ms_panel *p, size_t a, size_t k)
{
	const double *c = ms_panel_row(p, p->close, a);
	size_t at = p->ndays - 1;
	double now = c[at], then;

	if (isnan(now) || k > at)
		return NAN;
	then = ms_panel_last(c, at - k, k / 10);
	return then > 0 ? now / then - 1 : NAN;
}

static int
has_category(const char *csv, const char *cat)
{
	size_t n = strlen(cat);

	for (const char *p = csv; *p != '\0';) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncasecmp(p, cat, n) == 0)
			return 1;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

/* The first reason asset a fails the screen, or -1 when it passes. */
static int
reject(const struct ms_panel *p, size_t a, const struct ms_screen_pick *pk,
    const struct ms_screen_params *sp)
{
	if (isnan(pk->price))
		return MS_EX_NO_BAR_ON_DAY;
	if (isnan(pk->market_cap)) {
		if (!sp->include_unknown_cap)
			return MS_EX_MARKET_CAP_UNKNOWN;
	} else {
		if (!isnan(sp->max_market_cap) && pk->market_cap >= sp->max_market_cap)
			return MS_EX_ABOVE_MAX_MARKET_CAP;
		if (!isnan(sp->min_market_cap) && pk->market_cap < sp->min_market_cap)
			return MS_EX_BELOW_MIN_MARKET_CAP;
	}
	if (!isnan(sp->min_volume) &&
	    !(pk->volume >= sp->min_volume))
		return MS_EX_VOLUME;
	if (!isnan(sp->min_liquidity) && !(pk->liquidity >= sp->min_liquidity))
		return MS_EX_LIQUIDITY;
	for (int k = 0; k < 3; k++) {
		/* An unknown ROI fails a bound on it: the filter cannot be checked. */
		if (!isnan(sp->roi_min[k]) && !(pk->roi[k] >= sp->roi_min[k]))
			return MS_EX_ROI_7D + k;
		if (!isnan(sp->roi_max[k]) && !(pk->roi[k] <= sp->roi_max[k]))
			return MS_EX_ROI_7D + k;
	}
	if (sp->category != NULL &&
	    !has_category(p->assets[a].categories, sp->category))
		return MS_EX_CATEGORY;
	if (!isnan(sp->min_trader_grade) &&
	    !(pk->trader_grade >= sp->min_trader_grade))
		return MS_EX_TRADER_GRADE;
	if (!isnan(sp->min_investor_grade) &&
	    !(pk->investor_grade >= sp->min_investor_grade))
		return MS_EX_INVESTOR_GRADE;
	return -1;
}

static double
sort_key(const struct ms_screen_pick *pk, enum ms_screen_sort s)
{
	switch (s) {
	case MS_SORT_TRADER_GRADE: return pk->trader_grade;
	case MS_SORT_INVESTOR_GRADE: return pk->investor_grade;
	case MS_SORT_ROI_7D: return pk->roi[0];
	case MS_SORT_ROI_30D: return pk->roi[1];
	case MS_SORT_ROI_90D: return pk->roi[2];
	case MS_SORT_MARKET_CAP: return pk->market_cap;
	case MS_SORT_VOLUME: return pk->volume;
	default: return NAN;
	}
}

struct keyed { double key; int desc; struct ms_screen_pick pick; };

/* Unknown keys last in either order; ties by panel order (asset id). */
static int
cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c;

	if (isnan(a->key) || isnan(b->key)) {
		if (isnan(a->key) != isnan(b->key))
			return isnan(a->key) ? 1 : -1;
		c = 0;
	} else {
		c = (a->key > b->key) - (a->key < b->key);
		if (a->desc)
			c = -c;
	}
	if (c == 0)
		c = (a->pick.asset > b->pick.asset) - (a->pick.asset < b->pick.asset);
	return c;
}

int
ms_screen_run(const struct ms_panel *p, const struct ms_grade *g,
    const struct ms_screen_params *sp, struct ms_screen_result *res)
{
	struct keyed *k = NULL;
	size_t at = p->ndays - 1, n = 0;

	memset(res, 0, sizeof(*res));
	res->universe = p->nassets;
	if (p->nassets > 0 &&
	    (k = malloc(p->nassets * sizeof(*k))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t a = 0; a < p->nassets; a++) {
		struct ms_screen_pick pk;
		pk.asset = a;
		pk.price = ms_panel_row(p, p->close, a)[at];
		pk.market_cap = ms_panel_row(p, p->market_cap, a)[at];
		pk.volume = ms_panel_row(p, p->volume, a)[at];
		pk.liquidity = pk.market_cap > 0 ? pk.volume / pk.market_cap : NAN;
		for (int r = 0; r < 3; r++)
			pk.roi[r] = ms_screen_roi(p, a, roi_days[r]);
		pk.trader_grade = g[a].trader;
		pk.investor_grade = g[a].investor;
		int why = reject(p, a, &pk, sp);
		if (why >= 0) {
			res->excluded[why]++;
			continue;
		}
		k[n].pick = pk;
		k[n].key = sort_key(&pk, sp->sort);
		k[n].desc = sp->descending;
		n++;
	}
	if (n > 1)
		qsort(k, n, sizeof(*k), cmp_keyed);
	if (n > 0 && (res->picks = malloc(n * sizeof(*res->picks))) == NULL) {
		free(k);
		return MS_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		res->picks[i] = k[i].pick;
	res->n = n;
	free(k);
	return 0;
}

void
ms_screen_result_free(struct ms_screen_result *res)
{
	if (res == NULL)
		return;
	free(res->picks);
	res->picks = NULL;
	res->n = 0;
}
