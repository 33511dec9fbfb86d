/*
 * ms_panel.h — a point-in-time cross-section with history: every asset
 * that has a bar in the `ndays` days ending at `last_day`, with its daily
 * close, high, low, volume and market cap over that window as dense
 * arrays (NaN where there is no bar). Nothing after last_day is read.
 *
 * Cross-sectional models (grades, the moonshot screener, market breadth)
 * and the backtester load one panel per decision day and compute from it,
 * so they see exactly the same data. The loader walks each asset's
 * primary-key range, which is contiguous in the WITHOUT ROWID `daily`
 * table.
 */
#ifndef MS_PANEL_H
#define MS_PANEL_H

#include <stddef.h>
#include <stdint.h>

#include "ms_market.h"

struct ms_store;

struct ms_panel {
	int32_t first_day, last_day;  /* inclusive window */
	size_t ndays;                 /* last_day - first_day + 1 */
	size_t nassets;
	struct ms_asset *assets;      /* [nassets], internal id order */
	int32_t *last_bar_day;        /* [nassets]: day of the last bar in the window */
	/* [nassets * ndays], index a * ndays + (day - first_day) */
	double *close, *high, *low, *volume, *market_cap;
	struct ms_source_set sources; /* the sources of the bars loaded (meta.source) */
	unsigned char *present;       /* [nassets * ndays]: 1 where the store has a row */
};

/*
 * Loads the panel of the `ndays` days ending at day (ndays >= 1, at most
 * MS_PANEL_MAX_DAYS). Assets without any bar in the window are left out.
 * On success *out is set; free it with ms_panel_free.
 */
#define MS_PANEL_MAX_DAYS 4000
int ms_panel_load(struct ms_store *st, int32_t day, size_t ndays,
    struct ms_panel **out);

/*
 * The panel ms_panel_load(st, day, ndays) would return, cut out of a panel
 * `big` loaded earlier from the same store that covers those days: the
 * same assets (those with a row in the window), in the same order, with the
 * same values. Only `sources` differs: it is big's (a superset). Lets a
 * backtest load the history once instead of once per date. MS_ERR_RANGE
 * when big does not cover [day - ndays + 1, day]. Free with ms_panel_free.
 */
int ms_panel_slice(const struct ms_panel *big, int32_t day, size_t ndays,
    struct ms_panel **out);

/* Frees a panel; NULL is a no-op. */
void ms_panel_free(struct ms_panel *p);

/* Pointer to asset a's series of one field (close, volume...), ndays long. */
static inline const double *
ms_panel_row(const struct ms_panel *p, const double *field, size_t a)
{
	return field + a * p->ndays;
}

/*
 * The last known value of a series at or before offset `at` (0-based
 * from first_day), looking back at most `slack` days; NaN when none.
 */
double ms_panel_last(const double *series, size_t at, size_t slack);

#endif
