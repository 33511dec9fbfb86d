/*
 * ms_screen.h — the moonshot screener: the universe as of a day, filtered
 * by market cap (default under $100M), volume, liquidity, ROI ranges,
 * category and minimum grades, and sorted.
 *
 * The universe is every asset of the panel — dead and delisted coins
 * included while they still have a bar on the day. An asset without a bar
 * on the day itself is not tradable that day and is excluded as
 * "no_bar_on_day". Every exclusion is counted by its first failing reason,
 * so a response can say how many assets were left out and why. The API's
 * /v1/moonshots and the backtester call ms_screen_run with the same
 * struct, so a backtest replays exactly what the API served.
 */
#ifndef MS_SCREEN_H
#define MS_SCREEN_H

#include <stddef.h>

#include "ms_grade.h"
#include "ms_panel.h"

/* The panel length the screener needs (grades' lookback covers ROI 90d). */
#define MS_SCREEN_LOOKBACK MS_GRADE_LOOKBACK

enum ms_screen_sort {
	MS_SORT_TRADER_GRADE, MS_SORT_INVESTOR_GRADE, MS_SORT_ROI_7D,
	MS_SORT_ROI_30D, MS_SORT_ROI_90D, MS_SORT_MARKET_CAP, MS_SORT_VOLUME,
	MS_SORT__COUNT
};

/* NaN in any bound means "no bound". */
struct ms_screen_params {
	double min_market_cap, max_market_cap;    /* default 0, 1e8 */
	double min_volume;                         /* USD on the day */
	double min_liquidity;                      /* volume / market cap */
	double roi_min[3], roi_max[3];             /* 7d, 30d, 90d */
	const char *category;                      /* NULL = any */
	double min_trader_grade, min_investor_grade;
	int include_unknown_cap;                   /* keep assets with no market cap */
	enum ms_screen_sort sort;
	int descending;                            /* default 1 */
};

/* Exclusion reasons, counted in ms_screen_result.excluded[]. */
enum ms_screen_reason {
	MS_EX_NO_BAR_ON_DAY,
	MS_EX_MARKET_CAP_UNKNOWN,
	MS_EX_ABOVE_MAX_MARKET_CAP,
	MS_EX_BELOW_MIN_MARKET_CAP,
	MS_EX_VOLUME,
	MS_EX_LIQUIDITY,
	MS_EX_ROI_7D,
	MS_EX_ROI_30D,
	MS_EX_ROI_90D,
	MS_EX_CATEGORY,
	MS_EX_TRADER_GRADE,
	MS_EX_INVESTOR_GRADE,
	MS_EX__COUNT
};

const char *ms_screen_reason_name(enum ms_screen_reason r);
const char *ms_screen_sort_name(enum ms_screen_sort s);

/* The documented defaults: under $100M, sorted by trader grade, desc. */
void ms_screen_defaults(struct ms_screen_params *sp);

struct ms_screen_pick {
	size_t asset;               /* index into the panel */
	double price, market_cap, volume, liquidity;
	double roi[3];              /* 7d, 30d, 90d; NaN = unknown */
	double trader_grade, investor_grade;
};

struct ms_screen_result {
	size_t universe;            /* assets in the panel */
	size_t n;                   /* picks, sorted */
	struct ms_screen_pick *picks;
	size_t excluded[MS_EX__COUNT];
};

/*
 * Screens the panel with grades g (one per panel asset, from
 * ms_grade_panel). Fills *res (free with ms_screen_result_free).
 */
int ms_screen_run(const struct ms_panel *p, const struct ms_grade *g,
    const struct ms_screen_params *sp, struct ms_screen_result *res);

void ms_screen_result_free(struct ms_screen_result *res);

/* ROI over k days as of the panel's last day for asset a (slack k/10). */
double ms_screen_roi(const struct ms_panel *p, size_t a, size_t k);

#endif
