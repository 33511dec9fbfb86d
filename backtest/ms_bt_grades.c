/*
 * ms_bt_grades.c — `moonscope backtest grades`: the information
 * coefficient (IC) of the trader and investor grades and of each grade
 * component. On every evaluation date the grades come from the API's own
 * ms_grade_universe; each priced asset's forward return over the horizon
 * follows the moonshot backtest's delisting rule; GSL computes the
 * Spearman correlations and the statistics over dates. The rules are in
 * ms_bt_grades.h and docs/backtest-grades.md.
 *
 * Memory: one grade panel (365 days) and one forward panel (horizon plus
 * delist_days) are alive at a time and freed before the next date; the
 * pair and work arrays grow to the largest cross-section and are reused.
 * The per-asset observations of every date are kept for the report
 * (grades_returns.csv), so that an independent script can recompute every
 * number. report.html (the IC table, the IC of the two grades over
 * time, a heat map of every series' IC by date, and the decile returns) is
 * drawn with ms_svg.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cJSON.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "ms_bt.h"
#include "ms_bt_io.h"
#include "ms_bt_grades.h"
#include "ms_buf.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_forecast.h"
#include "ms_json.h"
#include "ms_panel.h"
#include "ms_store.h"
#include "ms_svg.h"

#ifndef MS_VERSION
#define MS_VERSION "0.0.0"
#endif

#define REPORT_MAX (512u * 1024u * 1024u)

static const char *const fwd_names[MS_BT_FWD__COUNT] = {
	"held", "gap", "died", "censored",
};

const char *
ms_bt_fwd_status_name(enum ms_bt_fwd_status s)
{
	return (unsigned)s < MS_BT_FWD__COUNT ? fwd_names[s] : "?";
}

const char *
ms_bt_grades_series_name(size_t series)
{
	if (series == 0)
		return "trader";
	if (series == 1)
		return "investor";
	if (series < MS_BT_GRADES_NSERIES)
		return ms_grade_component_name((enum ms_grade_component)(series - 2));
	return "?";
}

void
ms_bt_grades_params_default(struct ms_bt_grades_params *p)
{
	memset(p, 0, sizeof(*p));
	p->from = p->to = -1;
	p->every = 7;
	p->horizon = 28;
	p->delist_days = MS_BT_DELIST_DAYS;
	p->delist_haircut = 1;
}

static int
why_out(char *why, size_t whysz, const char *msg)
{
	if (why != NULL && whysz > 0)
		snprintf(why, whysz, "%s", msg);
	return MS_ERR_RANGE;
}

int
ms_bt_grades_params_check(const struct ms_bt_grades_params *p, char *why,
    size_t whysz)
{
	if (p->from != -1 && (p->from < MS_DATE_MIN || p->from > MS_DATE_MAX))
		return why_out(why, whysz, "--from: needs a date 2009-01-03 .. "
		    "2099-12-31");
	if (p->to != -1 && (p->to < MS_DATE_MIN || p->to > MS_DATE_MAX))
		return why_out(why, whysz, "--to: needs a date 2009-01-03 .. "
		    "2099-12-31");
	if (p->from != -1 && p->to != -1 && p->to < p->from)
		return why_out(why, whysz, "--to: is before --from");
	if (p->every < 1 || p->every > MS_BT_GRADES_MAX_EVERY)
		return why_out(why, whysz, "--every: needs 1..365 days");
	if (p->horizon < 1 || p->horizon > MS_BT_GRADES_MAX_HORIZON)
		return why_out(why, whysz, "--horizon: needs 1..730 days");
	if (p->delist_days < 1 || p->delist_days > MS_BT_MAX_DELIST_DAYS)
		return why_out(why, whysz, "--delist-days: needs 1..365 days");
	if (!(p->delist_haircut >= 0 && p->delist_haircut <= 1))
		return why_out(why, whysz, "--delist-haircut: needs 0..1");
	return 0;
}

/* ---- statistics ------------------------------------------------------ */

static int
finite_pos(double x)
{
	return isfinite(x) && x > 0;
}

int
ms_bt_spearman(const double *x, const double *y, size_t n, double *work,
    double *out)
{
	int xconst = 1, yconst = 1;
	double r;

	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]))
			return MS_ERR_RANGE;
		xconst &= x[i] == x[0];
		yconst &= y[i] == y[0];
	}
	if (n < 2 || xconst || yconst) {
		*out = NAN;
		return 0;
	}
	ms_forecast_init();   /* GSL's aborting error handler off */
	r = gsl_stats_spearman(x, 1, y, 1, n, work);
	*out = isfinite(r) ? r : NAN;
	return 0;
}

int
ms_bt_deciles(const double *x, const double *y, size_t n, size_t *idx,
    struct ms_bt_grades_cell *c)
{
	double sum[MS_BT_GRADES_NDECILES] = { 0 };

	c->n = n;
	for (size_t d = 0; d < MS_BT_GRADES_NDECILES; d++) {
		c->dn[d] = 0;
		c->dmean[d] = NAN;
	}
	c->spread = NAN;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]) || !isfinite(y[i]))
			return MS_ERR_RANGE;
	if (n == 0)
		return 0;
	ms_forecast_init();
	gsl_sort_index(idx, x, 1, n);
	for (size_t i = 0; i < n; ) {
		size_t j = i + 1, two_r, d;

		while (j < n && x[idx[j]] == x[idx[i]])
			j++;
		/* Ranks i+1 .. j share (i + 1 + j) / 2: twice that is exact. */
		two_r = i + 1 + j;
		d = 10 * (two_r - 1) / (2 * n);
		for (size_t k = i; k < j; k++) {
			sum[d] += y[idx[k]];
			c->dn[d]++;
		}
		i = j;
	}
	for (size_t d = 0; d < MS_BT_GRADES_NDECILES; d++)
		if (c->dn[d] > 0)
			c->dmean[d] = sum[d] / (double)c->dn[d];
	if (c->dn[0] > 0 && c->dn[MS_BT_GRADES_NDECILES - 1] > 0)
		c->spread = c->dmean[MS_BT_GRADES_NDECILES - 1] - c->dmean[0];
	return 0;
}

void
ms_bt_mean_sd_t(const double *v, size_t n, double *mean, double *sd,
    double *t)
{
	*mean = *sd = *t = NAN;
	if (n == 0)
		return;
	*mean = gsl_stats_mean(v, 1, n);
	if (n < 2)
		return;
	*sd = gsl_stats_sd_m(v, 1, n, *mean);
	if (*sd > 0)
		*t = *mean / (*sd / sqrt((double)n));
}

/* ---- the run --------------------------------------------------------- */

/* Index of asset id in panel p (ids ascending), or SIZE_MAX. */
static size_t
find_asset(const struct ms_panel *p, int64_t id)
{
	size_t lo = 0, hi = p->nassets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->assets[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->nassets && p->assets[lo].id == id ? lo : SIZE_MAX;
}

/*
 * The forward value of a close series c[0..nd) (offset 0 = the date) at
 * offset h <= nd - 1, by the delisting rule (see ms_bt_grades.h).
 */
static void
forward(const double *c, size_t h, size_t nd, int delist_days,
    double haircut, struct ms_bt_grades_obs *o)
{
	size_t last = 0;

	for (size_t t = 0; t <= h; t++)
		if (finite_pos(c[t]))
			last = t;
	o->status = MS_BT_FWD_HELD;
	if (last < h) {
		size_t lim = last + (size_t)delist_days < nd - 1 ?
		    last + (size_t)delist_days : nd - 1;
		int again = 0;

		for (size_t t = h + 1; t <= lim && !again; t++)
			again = finite_pos(c[t]);
		if (again)
			o->status = MS_BT_FWD_GAP;
		else if (last + (size_t)delist_days <= nd - 1)
			o->status = MS_BT_FWD_DIED;
		else
			o->status = MS_BT_FWD_CENSORED;
	}
	o->last_bar_day = o->day + (int32_t)last;
	o->exit_price = o->status == MS_BT_FWD_DIED ?
	    c[last] * (1 - haircut) : c[last];
	o->ret = o->exit_price / c[0] - 1;
}

struct work {
	double *x, *y, *ws;
	size_t *idx;
	size_t cap;
};

static int
work_ensure(struct work *w, size_t n)
{
	double *x, *y, *ws;
	size_t *idx;

	if (n <= w->cap)
		return 0;
	if ((x = realloc(w->x, n * sizeof(*x))) == NULL)
		return MS_ERR_NOMEM;
	w->x = x;
	if ((y = realloc(w->y, n * sizeof(*y))) == NULL)
		return MS_ERR_NOMEM;
	w->y = y;
	if ((ws = realloc(w->ws, 2 * n * sizeof(*ws))) == NULL)
		return MS_ERR_NOMEM;
	w->ws = ws;
	if ((idx = realloc(w->idx, n * sizeof(*idx))) == NULL)
		return MS_ERR_NOMEM;
	w->idx = idx;
	w->cap = n;
	return 0;
}

static void
work_free(struct work *w)
{
	free(w->x);
	free(w->y);
	free(w->ws);
	free(w->idx);
}

static int
push_obs(struct ms_bt_grades_result *r, size_t *cap,
    const struct ms_bt_grades_obs *o)
{
	if (r->nobs == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		struct ms_bt_grades_obs *v = realloc(r->obs, nc * sizeof(*v));
		if (v == NULL)
			return MS_ERR_NOMEM;
		r->obs = v;
		*cap = nc;
	}
	r->obs[r->nobs++] = *o;
	return 0;
}

/* The IC and deciles of every series over the observations of one date. */
static int
score_date(struct ms_bt_grades_date *d, const struct ms_bt_grades_obs *obs,
    size_t n, struct work *w)
{
	int rc;

	if ((rc = work_ensure(w, n ? n : 1)) != 0)
		return rc;
	for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
		struct ms_bt_grades_cell *c = &d->cell[s];
		size_t m = 0;

		for (size_t i = 0; i < n; i++)
			if (isfinite(obs[i].value[s]) && isfinite(obs[i].ret)) {
				w->x[m] = obs[i].value[s];
				w->y[m] = obs[i].ret;
				m++;
			}
		memset(c, 0, sizeof(*c));
		c->n = m;
		c->ic = c->spread = NAN;
		for (size_t k = 0; k < MS_BT_GRADES_NDECILES; k++)
			c->dmean[k] = NAN;
		if (m < MS_BT_GRADES_MIN_PAIRS)
			continue;
		if ((rc = ms_bt_spearman(w->x, w->y, m, w->ws, &c->ic)) != 0 ||
		    (rc = ms_bt_deciles(w->x, w->y, m, w->idx, c)) != 0)
			return rc;
	}
	return 0;
}

static int
run_date(struct ms_store *st, const struct ms_bt_grades_params *p,
    int32_t last_day, int32_t day, struct ms_bt_grades_result *r,
    size_t *obscap, struct work *w)
{
	struct ms_bt_grades_date *d = &r->dates[r->ndates];
	struct ms_grade_weights gw;
	struct ms_panel *dp = NULL, *fwd = NULL;
	struct ms_grade *g = NULL;
	int32_t end = day + p->horizon + p->delist_days;
	size_t first = r->nobs;
	int rc;

	memset(d, 0, sizeof(*d));
	d->day = day;
	ms_grade_default_weights(&gw);
	if ((rc = ms_grade_universe(st, day, &gw, &dp, &g)) != 0)
		return rc;
	if (end > last_day)
		end = last_day;
	if ((rc = ms_panel_load(st, end, (size_t)(end - day + 1), &fwd)) != 0)
		goto done;
	d->universe = dp->nassets;
	for (size_t a = 0; a < dp->nassets; a++) {
		const struct ms_asset *as = &dp->assets[a];
		struct ms_bt_grades_obs o;
		size_t fa;

		if (!isnan(g[a].trader) || !isnan(g[a].investor))
			d->graded++;
		if (!finite_pos(ms_panel_row(dp, dp->close, a)[dp->ndays - 1]))
			continue;
		if ((fa = find_asset(fwd, as->id)) == SIZE_MAX) {
			rc = MS_ERR_INTERNAL;    /* it has a bar on day */
			goto done;
		}
		memset(&o, 0, sizeof(o));
		o.day = day;
		o.asset_id = as->id;
		memcpy(o.slug, as->slug, sizeof(o.slug));
		memcpy(o.symbol, as->symbol, sizeof(o.symbol));
		o.value[0] = g[a].trader;
		o.value[1] = g[a].investor;
		for (size_t k = 0; k < MS_GC__COUNT; k++)
			o.value[2 + k] = g[a].raw[k];
		o.price = ms_panel_row(fwd, fwd->close, fa)[0];
		forward(ms_panel_row(fwd, fwd->close, fa), (size_t)p->horizon,
		    fwd->ndays, p->delist_days, p->delist_haircut, &o);
		d->priced++;
		d->status[o.status]++;
		if ((rc = push_obs(r, obscap, &o)) != 0)
			goto done;
	}
	rc = score_date(d, r->obs + first, r->nobs - first, w);
	if (rc == 0)
		r->ndates++;
done:
	ms_panel_free(fwd);
	free(g);
	ms_panel_free(dp);
	return rc;
}

static int
summarise(struct ms_bt_grades_result *r)
{
	double *v = malloc((r->ndates ? r->ndates : 1) * sizeof(*v));

	if (v == NULL)
		return MS_ERR_NOMEM;
	for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
		struct ms_bt_grades_stats *x = &r->stats[s];
		size_t n = 0, pos = 0;
		double pairs = 0;

		for (size_t i = 0; i < r->ndates; i++) {
			const struct ms_bt_grades_cell *c = &r->dates[i].cell[s];
			if (!isfinite(c->ic))
				continue;
			v[n++] = c->ic;
			pos += c->ic > 0;
			pairs += (double)c->n;
		}
		x->dates = n;
		ms_bt_mean_sd_t(v, n, &x->mean_ic, &x->sd_ic, &x->t_ic);
		x->share_positive = n ? (double)pos / (double)n : NAN;
		x->mean_pairs = n ? pairs / (double)n : NAN;
		n = 0;
		for (size_t i = 0; i < r->ndates; i++)
			if (isfinite(r->dates[i].cell[s].spread))
				v[n++] = r->dates[i].cell[s].spread;
		x->spread_dates = n;
		ms_bt_mean_sd_t(v, n, &x->mean_spread, &x->sd_spread,
		    &x->t_spread);
		for (size_t k = 0; k < MS_BT_GRADES_NDECILES; k++) {
			n = 0;
			for (size_t i = 0; i < r->ndates; i++)
				if (isfinite(r->dates[i].cell[s].dmean[k]))
					v[n++] = r->dates[i].cell[s].dmean[k];
			x->decile_mean[k] = n ? gsl_stats_mean(v, 1, n) : NAN;
		}
	}
	free(v);
	return 0;
}

void
ms_bt_grades_result_free(struct ms_bt_grades_result *r)
{
	if (r == NULL)
		return;
	free(r->dates);
	free(r->obs);
	free(r);
}

int
ms_bt_grades_run(struct ms_store *st, const struct ms_bt_grades_params *p,
    void (*progress)(size_t, size_t, void *), void *arg,
    struct ms_bt_grades_result **out)
{
	struct ms_bt_grades_result *r;
	struct ms_data_range range;
	struct work w = { NULL, NULL, NULL, NULL, 0 };
	size_t ndates = 0, obscap = 0;
	int rc;

	if ((rc = ms_bt_grades_params_check(p, NULL, 0)) != 0)
		return rc;
	if ((rc = ms_market_range(st, -1, &range)) != 0)
		return rc;
	if (range.last_day < 0)
		return MS_ERR_NODATA;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return MS_ERR_NOMEM;
	r->params = *p;
	r->data_first = range.first_day;
	r->data_last = range.last_day;
	if ((rc = ms_store_data_version(st, &r->data_version)) != 0)
		goto fail;
	if (r->params.from == -1)
		r->params.from = range.first_day + MS_BT_GRADES_WARMUP_DAYS;
	/* No date whose horizon ends after the store's last day. */
	if (r->params.to == -1 || r->params.to > range.last_day - p->horizon)
		r->params.to = range.last_day - p->horizon;
	if (r->params.to >= r->params.from)
		ndates = (size_t)(r->params.to - r->params.from) /
		    (size_t)p->every + 1;
	if (ndates == 0) {
		rc = MS_ERR_NODATA;
		goto fail;
	}
	if (ndates > MS_BT_GRADES_MAX_DATES) {
		rc = MS_ERR_RANGE;
		goto fail;
	}
	if ((r->dates = calloc(ndates, sizeof(*r->dates))) == NULL) {
		rc = MS_ERR_NOMEM;
		goto fail;
	}
	for (size_t i = 0; i < ndates; i++) {
		int32_t day = r->params.from + (int32_t)i * p->every;
		if ((rc = run_date(st, &r->params, range.last_day, day, r,
		    &obscap, &w)) != 0)
			goto fail;
		if (progress != NULL)
			progress(i + 1, ndates, arg);
	}
	if ((rc = summarise(r)) != 0)
		goto fail;
	work_free(&w);
	*out = r;
	return 0;
fail:
	work_free(&w);
	ms_bt_grades_result_free(r);
	return rc;
}

/* ---- summary.json ---------------------------------------------------- */

cJSON *
ms_bt_grades_summary_json(const struct ms_bt_grades_result *r)
{
	const struct ms_bt_grades_params *p = &r->params;
	size_t tot[MS_BT_FWD__COUNT] = { 0 };
	cJSON *root, *o, *m;

	if ((root = cJSON_CreateObject()) == NULL)
		return NULL;
	ms_json_str(root, "schema", MS_BT_GRADES_SCHEMA);
	ms_json_int(root, "schema_version", MS_BT_GRADES_SCHEMA_VERSION);
	ms_json_str(root, "moonscope_version", MS_VERSION);
	if ((o = cJSON_AddObjectToObject(root, "store")) != NULL) {
		ms_json_int(o, "data_version", r->data_version);
		ms_json_date(o, "first_day", r->data_first);
		ms_json_date(o, "last_day", r->data_last);
	}
	if ((o = cJSON_AddObjectToObject(root, "parameters")) != NULL) {
		ms_json_date(o, "from", p->from);
		ms_json_date(o, "to", p->to);
		ms_json_int(o, "every", p->every);
		ms_json_int(o, "horizon", p->horizon);
		ms_json_int(o, "delist_days", p->delist_days);
		ms_json_num(o, "delist_haircut", p->delist_haircut);
		ms_json_int(o, "min_pairs", MS_BT_GRADES_MIN_PAIRS);
	}
	for (size_t i = 0; i < r->nobs; i++)
		tot[r->obs[i].status]++;
	if ((o = cJSON_AddObjectToObject(root, "run")) != NULL) {
		ms_json_int(o, "dates", (int64_t)r->ndates);
		ms_json_date(o, "first_date", r->ndates ? r->dates[0].day : -1);
		ms_json_date(o, "last_date", r->ndates ?
		    r->dates[r->ndates - 1].day : -1);
		ms_json_int(o, "observations", (int64_t)r->nobs);
		for (int s = 0; s < MS_BT_FWD__COUNT; s++)
			ms_json_int(o, fwd_names[s], (int64_t)tot[s]);
	}
	if ((m = cJSON_AddObjectToObject(root, "metrics")) != NULL)
		for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
			const struct ms_bt_grades_stats *x = &r->stats[s];
			cJSON *g = cJSON_AddObjectToObject(m,
			    ms_bt_grades_series_name(s));
			if (g == NULL)
				break;
			ms_json_int(g, "dates", (int64_t)x->dates);
			ms_json_num(g, "mean_ic", x->mean_ic);
			ms_json_num(g, "sd_ic", x->sd_ic);
			ms_json_num(g, "t_ic", x->t_ic);
			ms_json_num(g, "share_positive", x->share_positive);
			ms_json_num(g, "mean_pairs", x->mean_pairs);
			ms_json_int(g, "spread_dates", (int64_t)x->spread_dates);
			ms_json_num(g, "mean_spread", x->mean_spread);
			ms_json_num(g, "sd_spread", x->sd_spread);
			ms_json_num(g, "t_spread", x->t_spread);
		}
	/* Arrays stay out of "metrics": compare gates flat numbers. */
	if ((m = cJSON_AddObjectToObject(root, "decile_mean_returns")) != NULL)
		for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
			cJSON *a = cJSON_AddArrayToObject(m,
			    ms_bt_grades_series_name(s));
			for (size_t k = 0; a != NULL && k < MS_BT_GRADES_NDECILES;
			    k++) {
				double v = r->stats[s].decile_mean[k];
				cJSON *it;
				if (isfinite(v)) {
					char tmp[40];
					ms_json_format_double(v, tmp, sizeof(tmp));
					it = cJSON_CreateRaw(tmp);
				} else {
					it = cJSON_CreateNull();
				}
				if (it != NULL)
					cJSON_AddItemToArray(a, it);
			}
		}
	return root;
}

/* ---- CSV ------------------------------------------------------------- */

static int
ic_csv(const void *arg, struct ms_buf *b)
{
	const struct ms_bt_grades_result *r = arg;
	int rc = ms_buf_puts(b, "date,series,pairs,ic,top_n,bottom_n,"
	    "top_mean,bottom_mean,spread\n");

	for (size_t i = 0; i < r->ndates; i++)
		for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
			const struct ms_bt_grades_cell *c = &r->dates[i].cell[s];
			rc |= ms_bt_csv_date(b, r->dates[i].day);
			rc |= ms_buf_printf(b, ",%s,%zu,",
			    ms_bt_grades_series_name(s), c->n);
			rc |= ms_bt_csv_num(b, c->ic);
			rc |= ms_buf_printf(b, ",%zu,%zu,",
			    c->dn[MS_BT_GRADES_NDECILES - 1], c->dn[0]);
			rc |= ms_bt_csv_num(b, c->dmean[MS_BT_GRADES_NDECILES - 1]);
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, c->dmean[0]);
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, c->spread);
			rc |= ms_buf_putc(b, '\n');
		}
	return rc ? MS_ERR_TOOBIG : 0;
}

static int
deciles_csv(const void *arg, struct ms_buf *b)
{
	const struct ms_bt_grades_result *r = arg;
	int rc = ms_buf_puts(b, "date,series,decile,n,mean_return\n");

	for (size_t i = 0; i < r->ndates; i++)
		for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
			const struct ms_bt_grades_cell *c = &r->dates[i].cell[s];
			if (c->n < MS_BT_GRADES_MIN_PAIRS)
				continue;
			for (size_t k = 0; k < MS_BT_GRADES_NDECILES; k++) {
				rc |= ms_bt_csv_date(b, r->dates[i].day);
				rc |= ms_buf_printf(b, ",%s,%zu,%zu,",
				    ms_bt_grades_series_name(s), k + 1, c->dn[k]);
				rc |= ms_bt_csv_num(b, c->dmean[k]);
				rc |= ms_buf_putc(b, '\n');
			}
		}
	return rc ? MS_ERR_TOOBIG : 0;
}

static int
inputs_csv(const void *arg, struct ms_buf *b)
{
	const struct ms_bt_grades_result *r = arg;
	int rc = ms_buf_puts(b, "date,asset_id,symbol,price,last_bar_date,"
	    "exit_price,return,status");

	for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++)
		rc |= ms_buf_printf(b, ",%s", ms_bt_grades_series_name(s));
	rc |= ms_buf_putc(b, '\n');
	for (size_t i = 0; i < r->nobs; i++) {
		const struct ms_bt_grades_obs *o = &r->obs[i];
		rc |= ms_bt_csv_date(b, o->day);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, o->slug);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, o->symbol);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, o->price);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, o->last_bar_day);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, o->exit_price);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, o->ret);
		rc |= ms_buf_printf(b, ",%s", fwd_names[o->status]);
		for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, o->value[s]);
		}
		rc |= ms_buf_putc(b, '\n');
	}
	return rc ? MS_ERR_TOOBIG : 0;
}

/* ---- summary.md ------------------------------------------------------ */

/* v with prec decimals, a sign when sign, then suffix; "n/a" unknown. */
static const char *
fmt(char *buf, size_t n, double v, int prec, int sign, const char *suffix)
{
	if (!isfinite(v))
		snprintf(buf, n, "n/a");
	else if (sign)
		snprintf(buf, n, "%+.*f%s", prec, v, suffix);
	else
		snprintf(buf, n, "%.*f%s", prec, v, suffix);
	return buf;
}

char *
ms_bt_grades_markdown(const struct ms_bt_grades_result *r)
{
	const struct ms_bt_grades_params *p = &r->params;
	size_t tot[MS_BT_FWD__COUNT] = { 0 };
	struct ms_buf b;
	char d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1];
	char a[32], c[32], d[32], e[32], f[32], g[32], h[32];
	int rc = 0;

	for (size_t i = 0; i < r->nobs; i++)
		tot[r->obs[i].status]++;
	ms_buf_init(&b, REPORT_MAX);
	ms_date_format(r->ndates ? r->dates[0].day : p->from, d0);
	ms_date_format(r->ndates ? r->dates[r->ndates - 1].day : p->to, d1);
	rc |= ms_buf_printf(&b, "# Grade information coefficient %s .. %s\n\n",
	    d0, d1);
	rc |= ms_buf_printf(&b, "%zu dates every %d days; forward returns over "
	    "%d days from each date's close; %zu asset-dates with a close "
	    "(%zu held to the horizon, %zu with a gap, %zu died — no bar for "
	    "%d days, valued at the last close x (1 - %g) — %zu censored at "
	    "the end of the data). Store data version %lld.\n\n",
	    r->ndates, p->every, p->horizon, r->nobs, tot[MS_BT_FWD_HELD],
	    tot[MS_BT_FWD_GAP], tot[MS_BT_FWD_DIED], p->delist_days,
	    p->delist_haircut, tot[MS_BT_FWD_CENSORED],
	    (long long)r->data_version);
	rc |= ms_buf_puts(&b, "IC = Spearman rank correlation of the value with "
	    "the forward return, per date; t = mean / (sd / sqrt(dates)); "
	    "spread = mean forward return of the top decile minus the bottom "
	    "decile.\n\n");
	rc |= ms_buf_puts(&b, "| series | dates | mean pairs | mean IC | sd IC "
	    "| t(IC) | IC > 0 | mean spread | t(spread) |\n"
	    "|---|---|---|---|---|---|---|---|---|\n");
	for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
		const struct ms_bt_grades_stats *x = &r->stats[s];
		rc |= ms_buf_printf(&b, "| %s | %zu | %s | %s | %s | %s | %s | %s "
		    "| %s |\n", ms_bt_grades_series_name(s), x->dates,
		    fmt(a, sizeof(a), x->mean_pairs, 0, 0, ""),
		    fmt(c, sizeof(c), x->mean_ic, 4, 1, ""),
		    fmt(d, sizeof(d), x->sd_ic, 4, 0, ""),
		    fmt(e, sizeof(e), x->t_ic, 2, 1, ""),
		    fmt(f, sizeof(f), 100 * x->share_positive, 0, 0, "%"),
		    fmt(g, sizeof(g), 100 * x->mean_spread, 2, 1, "%"),
		    fmt(h, sizeof(h), x->t_spread, 2, 1, ""));
	}
	rc |= ms_buf_puts(&b, "\nDates overlap when the horizon is longer than "
	    "the step, so successive ICs are correlated and the t-statistics "
	    "overstate the evidence.\n");
	if (rc != 0) {
		ms_buf_free(&b);
		return NULL;
	}
	return ms_buf_steal(&b);
}

/* ---- report.html ----------------------------------------------------- */

#define CELL 64                 /* bytes per table cell */

/* ms_svg returns MS_ERR_RANGE for data it cannot draw: say so instead. */
static int
chart_or_note(struct ms_buf *b, int rc, const char *what)
{
	char msg[200];

	if (rc != MS_ERR_RANGE)
		return rc;
	snprintf(msg, sizeof(msg), "(%s: nothing to draw — no known values.)",
	    what);
	return ms_html_p(b, msg);
}

static int
html_ic_table(struct ms_buf *b, const struct ms_bt_grades_result *r)
{
	static const char *const head[9] = { "series", "dates", "mean pairs",
		"mean IC", "sd IC", "t(IC)", "IC > 0", "mean decile spread",
		"t(spread)" };
	char cells[1 + MS_BT_GRADES_NSERIES][9][CELL];
	const char *ptr[(1 + MS_BT_GRADES_NSERIES) * 9];

	for (int c = 0; c < 9; c++)
		snprintf(cells[0][c], CELL, "%s", head[c]);
	for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
		const struct ms_bt_grades_stats *x = &r->stats[s];
		char (*row)[CELL] = cells[s + 1];
		snprintf(row[0], CELL, "%s", ms_bt_grades_series_name(s));
		snprintf(row[1], CELL, "%zu", x->dates);
		fmt(row[2], CELL, x->mean_pairs, 0, 0, "");
		fmt(row[3], CELL, x->mean_ic, 4, 1, "");
		fmt(row[4], CELL, x->sd_ic, 4, 0, "");
		fmt(row[5], CELL, x->t_ic, 2, 1, "");
		fmt(row[6], CELL, 100 * x->share_positive, 0, 0, "%");
		fmt(row[7], CELL, 100 * x->mean_spread, 2, 1, "%");
		fmt(row[8], CELL, x->t_spread, 2, 1, "");
	}
	for (size_t i = 0; i < (1 + MS_BT_GRADES_NSERIES) * 9; i++)
		ptr[i] = cells[i / 9][i % 9];
	return ms_html_table(b, ptr, 1 + MS_BT_GRADES_NSERIES, 9);
}

/* The trader and investor IC on each date. */
static int
html_ic_lines(struct ms_buf *b, const struct ms_bt_grades_result *r)
{
	static const struct ms_svg_axes ax = { "IC of the trader and investor "
	    "grades on each date", "date", "Spearman IC", 1, 0, 0, 0, 0, 0, 0 };
	struct ms_svg_series s[2];
	size_t n = r->ndates;
	double *x = malloc((n ? n : 1) * 3 * sizeof(*x));
	int rc;

	if (x == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		x[i] = r->dates[i].day;
		x[n + i] = r->dates[i].cell[0].ic;
		x[2 * n + i] = r->dates[i].cell[1].ic;
	}
	for (int k = 0; k < 2; k++) {
		s[k].name = ms_bt_grades_series_name((size_t)k);
		s[k].x = x;
		s[k].y = x + (size_t)(k + 1) * n;
		s[k].n = n;
	}
	rc = chart_or_note(b, ms_svg_lines(b, &ax, s, 2), "IC by date");
	free(x);
	return rc;
}

/* Every series' IC by date (rows: series, columns: dates). */
static int
html_heatmap(struct ms_buf *b, const struct ms_bt_grades_result *r)
{
	static const struct ms_svg_axes ax = { "IC of every series by date",
	    NULL, NULL, 0, 0, 0, 0, 0, 0, 0 };
	const char *rows[MS_BT_GRADES_NSERIES];
	size_t n = r->ndates;
	double *m;
	char (*dates)[MS_DATE_LEN + 1];
	const char **cols;
	int rc;

	if (n == 0 || n > 1000)
		return ms_html_p(b, "(The heat map is drawn for 1 to 1,000 dates; "
		    "see ic.csv.)");
	m = malloc(MS_BT_GRADES_NSERIES * n * sizeof(*m));
	dates = malloc(n * sizeof(*dates));
	cols = malloc(n * sizeof(*cols));
	if (m == NULL || dates == NULL || cols == NULL) {
		free(m);
		free(dates);
		free(cols);
		return MS_ERR_NOMEM;
	}
	for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
		rows[s] = ms_bt_grades_series_name(s);
		for (size_t i = 0; i < n; i++)
			m[s * n + i] = r->dates[i].cell[s].ic;
	}
	for (size_t i = 0; i < n; i++) {
		ms_date_format(r->dates[i].day, dates[i]);
		cols[i] = dates[i];
	}
	rc = chart_or_note(b, ms_svg_heatmap(b, &ax, m, MS_BT_GRADES_NSERIES,
	    n, rows, cols), "IC heat map");
	free(m);
	free(dates);
	free(cols);
	return rc;
}

/* Mean forward return of each decile of the two grades. */
static int
html_deciles(struct ms_buf *b, const struct ms_bt_grades_result *r)
{
	static const struct ms_svg_axes ax = { "Mean forward return by decile "
	    "of the grade (1 = lowest, 10 = highest; mean over dates)",
	    "decile", "mean forward return", 0, 0, 0, 1, 0, 0, 0 };
	static const double x[MS_BT_GRADES_NDECILES] = { 1, 2, 3, 4, 5, 6, 7,
		8, 9, 10 };
	struct ms_svg_series s[2];

	for (int k = 0; k < 2; k++) {
		s[k].name = ms_bt_grades_series_name((size_t)k);
		s[k].x = x;
		s[k].y = r->stats[k].decile_mean;
		s[k].n = MS_BT_GRADES_NDECILES;
	}
	return chart_or_note(b, ms_svg_lines(b, &ax, s, 2), "decile returns");
}

/* Appends report.html's page to b; 0 or an MS_ERR_* code. */
static int
grades_html(const void *arg, struct ms_buf *b)
{
	const struct ms_bt_grades_result *r = arg;
	const struct ms_bt_grades_params *p = &r->params;
	size_t tot[MS_BT_FWD__COUNT] = { 0 };
	char title[128], msg[1024], d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1];
	int rc;

	for (size_t i = 0; i < r->nobs; i++)
		tot[r->obs[i].status]++;
	ms_date_format(r->ndates ? r->dates[0].day : p->from, d0);
	ms_date_format(r->ndates ? r->dates[r->ndates - 1].day : p->to, d1);
	snprintf(title, sizeof(title), "Grade information coefficient %s .. %s",
	    d0, d1);
	snprintf(msg, sizeof(msg), "%zu dates every %d days; forward returns "
	    "over %d days from each date's close; %zu asset-dates with a close "
	    "(%zu held to the horizon, %zu with a gap, %zu died: no bar for %d "
	    "days, valued at the last close x (1 - %g); %zu censored at the "
	    "end of the data). IC = Spearman rank correlation of the value with "
	    "the forward return on each date; t = mean / (sd / sqrt(dates)); "
	    "spread = mean forward return of the top decile minus the bottom "
	    "decile. Store data version %lld; Moonscope %s.", r->ndates,
	    p->every, p->horizon, r->nobs, tot[MS_BT_FWD_HELD],
	    tot[MS_BT_FWD_GAP], tot[MS_BT_FWD_DIED], p->delist_days,
	    p->delist_haircut, tot[MS_BT_FWD_CENSORED],
	    (long long)r->data_version, MS_VERSION);
	if ((rc = ms_html_begin(b, title)) != 0 ||
	    (rc = ms_html_p(b, msg)) != 0 ||
	    (rc = ms_html_h2(b, "Information coefficient over the dates")) != 0 ||
	    (rc = html_ic_table(b, r)) != 0 ||
	    (rc = ms_html_p(b, "Dates overlap when the horizon is longer than "
	    "the step, so successive ICs are correlated and the t-statistics "
	    "overstate the evidence.")) != 0 ||
	    (rc = html_ic_lines(b, r)) != 0 ||
	    (rc = html_heatmap(b, r)) != 0 ||
	    (rc = ms_html_h2(b, "Decile returns")) != 0 ||
	    (rc = html_deciles(b, r)) != 0)
		return rc;
	return ms_html_end(b);
}

/* ---- files ----------------------------------------------------------- */

int
ms_bt_grades_write_report(const struct ms_bt_grades_result *r,
    const char *dir, char *err, size_t errsz)
{
	static const struct ms_bt_part parts[] = { { "ic.csv", ic_csv },
		{ "deciles.csv", deciles_csv },
		{ "grades_returns.csv", inputs_csv } };
	static const struct ms_bt_part html = { "report.html", grades_html };
	int rc = ms_bt_write_report_files(dir, ms_bt_grades_summary_json(r),
	    parts, sizeof(parts) / sizeof(parts[0]), r, ms_bt_grades_markdown(r),
	    REPORT_MAX, err, errsz);

	if (rc == 0)
		rc = ms_bt_write_part(dir, &html, r, REPORT_MAX, err, errsz);
	return rc;
}
