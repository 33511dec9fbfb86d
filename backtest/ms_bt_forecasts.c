/*
 * ms_bt_forecasts.c — `moonscope backtest forecasts` (ms_bt_forecasts.h):
 * the walk-forward over origin dates with the forecast code the API
 * serves, the judging of recorded forecasts, the scores (coverage,
 * pinball, CRPS, MAPE, RMSE, direction, binomial tests, skill against
 * naive) and the report files (summary.json, forecasts.csv, summary.md,
 * report.html).
 *
 * No model is computed here: every forecast comes from ms_forecast_fit and
 * ms_forecast_predict on the closes ms_market_closes returns, exactly as
 * functions/v1_forecasts.c calls them, and the garch sample behind
 * crps_sample is drawn again by ms_garch_paths with the arguments
 * ms_forecast_predict used, then checked to reproduce the served quantiles
 * bit for bit before it is used. GSL's error handler is off
 * (ms_forecast_init) and every GSL result is checked.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cJSON.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <sqlite3.h>

#include "ms_bt.h"
#include "ms_bt_io.h"
#include "ms_bt_forecasts.h"
#include "ms_buf.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_garch.h"
#include "ms_json.h"
#include "ms_store.h"
#include "ms_svg.h"

#ifndef MS_VERSION
#define MS_VERSION "0.0.0"
#endif

#define REPORT_MAX (512u * 1024u * 1024u)
#define LIST_MAX 4096                 /* bytes of one comma-separated list */

const double ms_bt_fc_nominal[MS_BT_FC_NINT] = { 0.5, 0.8, 0.9 };
/* Indices into ms_forecast_qprob of each interval's ends. */
static const int int_lo[MS_BT_FC_NINT] = { 2, 1, 0 };
static const int int_hi[MS_BT_FC_NINT] = { 4, 5, 6 };
static const char *const int_names[MS_BT_FC_NINT] = { "50", "80", "90" };
static const char *const q_names[MS_FORECAST_NQ] = { "q05", "q10", "q25",
	"q50", "q75", "q90", "q95" };

static void
say(char *why, size_t whysz, const char *text)
{
	if (why != NULL && whysz > 0)
		snprintf(why, whysz, "%s", text);
}

/* ---- parameters ------------------------------------------------------ */

void
ms_bt_fc_params_default(struct ms_bt_fc_params *p)
{
	memset(p, 0, sizeof(*p));
	p->from = p->to = -1;
	p->step = MS_BT_FC_DEFAULT_STEP;
	for (int m = 0; m < MS_FORECAST_NMODELS; m++)
		p->model_on[m] = 1;
	p->horizons[0] = 7;
	p->horizons[1] = 30;
	p->horizons[2] = 90;
	p->nhorizons = 3;
}

int
ms_bt_fc_params_check(const struct ms_bt_fc_params *p, char *why,
    size_t whysz)
{
	int any = 0;

	if (p->from != -1 && (p->from < MS_DATE_MIN || p->from > MS_DATE_MAX)) {
		say(why, whysz, "--from must be a date in 2009-01-03..2099-12-31");
		return MS_ERR_RANGE;
	}
	if (p->to != -1 && (p->to < MS_DATE_MIN || p->to > MS_DATE_MAX)) {
		say(why, whysz, "--to must be a date in 2009-01-03..2099-12-31");
		return MS_ERR_RANGE;
	}
	if (p->from != -1 && p->to != -1 && p->to < p->from) {
		say(why, whysz, "--to must not be before --from");
		return MS_ERR_RANGE;
	}
	if (p->step < 1 || p->step > MS_BT_FC_MAX_STEP) {
		say(why, whysz, "--step must be 1..3660 days");
		return MS_ERR_RANGE;
	}
	if (p->nassets > MS_BT_FC_MAX_ASSETS) {
		say(why, whysz, "--assets takes at most 64 keys");
		return MS_ERR_RANGE;
	}
	for (size_t i = 0; i < p->nassets; i++)
		if (p->assets[i][0] == '\0' ||
		    memchr(p->assets[i], '\0', MS_BT_FC_KEY_MAX) == NULL) {
			say(why, whysz, "--assets has an empty or overlong key");
			return MS_ERR_RANGE;
		}
	for (int m = 0; m < MS_FORECAST_NMODELS; m++)
		any |= p->model_on[m] != 0;
	if (!any) {
		say(why, whysz, "--models must name at least one model");
		return MS_ERR_RANGE;
	}
	if (p->nhorizons < 1 || p->nhorizons > MS_BT_FC_MAX_HORIZONS) {
		say(why, whysz, "--horizons takes 1..8 horizons");
		return MS_ERR_RANGE;
	}
	for (size_t i = 0; i < p->nhorizons; i++)
		if (p->horizons[i] < 1 || p->horizons[i] > MS_FORECAST_MAX_HORIZON ||
		    (i > 0 && p->horizons[i] <= p->horizons[i - 1])) {
			say(why, whysz, "--horizons must be increasing days in "
			    "1..3660");
			return MS_ERR_RANGE;
		}
	if (p->window != 0 && (p->window < 31 ||
	    p->window > MS_FORECAST_MAX_WINDOW)) {
		say(why, whysz, "--window must be 31..10000 days");
		return MS_ERR_RANGE;
	}
	return 0;
}

/*
 * Calls item(arg, start, len) for every item of the comma-separated s;
 * empty items, items over maxlen bytes and lists over LIST_MAX bytes are
 * MS_ERR_PARSE / MS_ERR_TOOBIG.
 */
static int
each_item(const char *s, size_t maxlen,
    int (*item)(void *, const char *, size_t), void *arg)
{
	size_t n;
	int rc;

	if (s == NULL || (n = strlen(s)) == 0)
		return MS_ERR_PARSE;
	if (n > LIST_MAX)
		return MS_ERR_TOOBIG;
	for (const char *p = s; ; ) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len == 0)
			return MS_ERR_PARSE;
		if (len > maxlen)
			return MS_ERR_TOOBIG;
		if ((rc = item(arg, p, len)) != 0)
			return rc;
		if (c == NULL)
			break;
		p = c + 1;
	}
	return 0;
}

static int
add_asset(void *arg, const char *s, size_t len)
{
	struct ms_bt_fc_params *p = arg;

	if (p->nassets >= MS_BT_FC_MAX_ASSETS)
		return MS_ERR_TOOBIG;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return MS_ERR_PARSE;
	memcpy(p->assets[p->nassets], s, len);
	p->assets[p->nassets][len] = '\0';
	p->nassets++;
	return 0;
}

int
ms_bt_fc_parse_assets(const char *s, struct ms_bt_fc_params *p)
{
	struct ms_bt_fc_params t = *p;
	int rc;

	t.nassets = 0;
	if ((rc = each_item(s, MS_BT_FC_KEY_MAX - 1, add_asset, &t)) != 0)
		return rc;
	*p = t;
	return 0;
}

static int
add_model(void *arg, const char *s, size_t len)
{
	int *on = arg;
	enum ms_forecast_model m;

	if (ms_forecast_model_parse(s, len, &m) != 0)
		return MS_ERR_PARSE;
	on[m] = 1;
	return 0;
}

int
ms_bt_fc_parse_models(const char *s, struct ms_bt_fc_params *p)
{
	int on[MS_FORECAST_NMODELS] = { 0 };
	int rc;

	if ((rc = each_item(s, 16, add_model, on)) != 0)
		return rc;
	memcpy(p->model_on, on, sizeof(on));
	return 0;
}

struct hlist {
	int h[MS_BT_FC_MAX_HORIZONS];
	size_t n;
};

static int
add_horizon(void *arg, const char *s, size_t len)
{
	struct hlist *l = arg;
	char buf[8], *end;
	long v;
	size_t i;

	if (len >= sizeof(buf) || s[0] < '0' || s[0] > '9')
		return MS_ERR_PARSE;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || *end != '\0')
		return MS_ERR_PARSE;
	if (v < 1 || v > MS_FORECAST_MAX_HORIZON)
		return MS_ERR_RANGE;
	for (i = 0; i < l->n; i++)
		if (l->h[i] == (int)v)
			return 0;                 /* a duplicate */
	if (l->n >= MS_BT_FC_MAX_HORIZONS)
		return MS_ERR_TOOBIG;
	/* Insertion keeps the list increasing. */
	for (i = l->n; i > 0 && l->h[i - 1] > (int)v; i--)
		l->h[i] = l->h[i - 1];
	l->h[i] = (int)v;
	l->n++;
	return 0;
}

int
ms_bt_fc_parse_horizons(const char *s, struct ms_bt_fc_params *p)
{
	struct hlist l = { .n = 0 };
	int rc;

	if ((rc = each_item(s, 7, add_horizon, &l)) != 0)
		return rc;
	memcpy(p->horizons, l.h, sizeof(l.h));
	p->nhorizons = l.n;
	return 0;
}

/* ---- the metrics ----------------------------------------------------- */

double
ms_bt_fc_pinball(double q, double y, double tau)
{
	return ((y < q ? 1.0 : 0.0) - tau) * (q - y);
}

int
ms_bt_fc_crps_normal(double mu, double sigma, double y, double *out)
{
	double z, big_phi, small_phi;

	ms_forecast_init();
	if (!isfinite(mu) || !isfinite(sigma) || !isfinite(y) || sigma < 0)
		return MS_ERR_RANGE;
	if (sigma == 0) {
		*out = fabs(y - mu);
		return 0;
	}
	z = (y - mu) / sigma;
	big_phi = gsl_cdf_ugaussian_P(z);
	small_phi = gsl_ran_ugaussian_pdf(z);
	if (!isfinite(big_phi) || !isfinite(small_phi))
		return MS_ERR_RANGE;
	*out = sigma * (z * (2 * big_phi - 1) + 2 * small_phi -
	    1 / sqrt(M_PI));
	return isfinite(*out) ? 0 : MS_ERR_RANGE;
}

int
ms_bt_fc_crps_sample(const double *sorted, size_t m, double y, double *out)
{
	double a = 0, b = 0, md;

	if (sorted == NULL || m == 0 || !isfinite(y))
		return MS_ERR_RANGE;
	md = (double)m;
	for (size_t i = 0; i < m; i++) {
		a += fabs(sorted[i] - y);
		b += (2.0 * (double)i - md + 1.0) * sorted[i];
	}
	*out = a / md - b / (md * md);
	return isfinite(*out) ? 0 : MS_ERR_RANGE;
}

int
ms_bt_fc_binom_p(size_t k, size_t n, double p0, double *out)
{
	double le, ge, p;

	ms_forecast_init();
	if (k > n || n > 4000000000u || !(p0 > 0 && p0 < 1))
		return MS_ERR_RANGE;
	if (n == 0) {
		*out = NAN;
		return 0;
	}
	le = gsl_cdf_binomial_P((unsigned int)k, p0, (unsigned int)n);
	ge = k == 0 ? 1.0 :
	    gsl_cdf_binomial_Q((unsigned int)(k - 1), p0, (unsigned int)n);
	if (!isfinite(le) || !isfinite(ge))
		return MS_ERR_RANGE;
	p = 2 * (le < ge ? le : ge);
	*out = p > 1 ? 1.0 : p;
	return 0;
}

static int
sign(double x)
{
	return (x > 0) - (x < 0);
}

int
ms_bt_fc_score_row(struct ms_bt_fc_row *r)
{
	double y, lq;
	int rc;

	r->crps = NAN;
	r->ape = r->log_err = NAN;
	for (int i = 0; i < MS_FORECAST_NQ; i++) {
		r->pinball[i] = NAN;
		r->below[i] = 0;
	}
	for (int i = 0; i < MS_BT_FC_NINT; i++)
		r->inside[i] = 0;
	r->dir_pred = r->dir_real = 0;
	if (!(isfinite(r->realised) && r->realised > 0)) {
		r->crps_sample = NAN;
		return 0;
	}
	if (!(isfinite(r->price) && r->price > 0))
		return MS_ERR_RANGE;
	for (int i = 0; i < MS_FORECAST_NQ; i++)
		if (!(isfinite(r->q[i]) && r->q[i] > 0))
			return MS_ERR_RANGE;
	y = log(r->realised);
	for (int i = 0; i < MS_FORECAST_NQ; i++) {
		lq = log(r->q[i]);
		r->pinball[i] = ms_bt_fc_pinball(lq, y, ms_forecast_qprob[i]);
		r->below[i] = r->realised < r->q[i];
	}
	/* Intervals in prices, as the API's track record counts them. */
	for (int i = 0; i < MS_BT_FC_NINT; i++)
		r->inside[i] = r->realised >= r->q[int_lo[i]] &&
		    r->realised <= r->q[int_hi[i]];
	if ((rc = ms_bt_fc_crps_normal(log(r->price) + r->log_mean, r->log_sd,
	    y, &r->crps)) != 0)
		return rc;
	r->ape = fabs(r->q[3] - r->realised) / r->realised;
	r->log_err = log(r->q[3]) - y;
	r->dir_pred = sign(r->q[3] - r->price);
	r->dir_real = sign(r->realised - r->price);
	return 0;
}

static double
row_pinball_mean(const struct ms_bt_fc_row *r)
{
	double s = 0;

	for (int i = 0; i < MS_FORECAST_NQ; i++)
		s += r->pinball[i];
	return s / MS_FORECAST_NQ;
}

static int
judged(const struct ms_bt_fc_row *r)
{
	return isfinite(r->realised) && isfinite(r->crps);
}

int
ms_bt_fc_aggregate(const struct ms_bt_fc_row *rows, size_t n,
    enum ms_forecast_model m, int h, size_t asset,
    struct ms_bt_fc_score *out)
{
	struct ms_bt_fc_score s;
	double pin[MS_FORECAST_NQ] = { 0 }, crps = 0, crps_s = 0, crps_sn = 0;
	double ape = 0;
	double sq = 0, k_crps = 0, k_crps0 = 0, k_pin = 0, k_pin0 = 0;
	double k_sq = 0, k_sq0 = 0, dn;
	int rc;

	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < n; i++) {
		const struct ms_bt_fc_row *r = &rows[i], *z;

		if (r->model != m || r->horizon != h ||
		    (asset != MS_BT_FC_ALL && r->asset != asset))
			continue;
		s.forecasts++;
		s.fallbacks += r->model == MS_FORECAST_GARCH &&
		    r->used != MS_FORECAST_GARCH;
		if (!judged(r))
			continue;
		s.n++;
		for (int k = 0; k < MS_BT_FC_NINT; k++) {
			s.inside[k] += (size_t)r->inside[k];
			s.below_lo[k] += r->realised < r->q[int_lo[k]];
			s.above_hi[k] += r->realised > r->q[int_hi[k]];
		}
		for (int k = 0; k < MS_FORECAST_NQ; k++) {
			s.below_q[k] += (size_t)r->below[k];
			pin[k] += r->pinball[k];
		}
		crps += r->crps;
		if (isfinite(r->crps_sample)) {
			s.n_sample++;
			crps_s += r->crps_sample;
			crps_sn += r->crps;
		}
		ape += r->ape;
		sq += r->log_err * r->log_err;
		if (r->dir_pred != 0 && r->dir_real != 0) {
			s.calls++;
			s.hits += r->dir_pred == r->dir_real;
		}
		if (r->naive == SIZE_MAX || r->naive >= n)
			continue;
		z = &rows[r->naive];
		if (!judged(z))
			continue;
		s.skill_n++;
		k_crps += r->crps;
		k_crps0 += z->crps;
		k_pin += row_pinball_mean(r);
		k_pin0 += row_pinball_mean(z);
		k_sq += r->log_err * r->log_err;
		k_sq0 += z->log_err * z->log_err;
	}
	dn = (double)s.n;
	for (int k = 0; k < MS_BT_FC_NINT; k++) {
		s.coverage[k] = s.n ? (double)s.inside[k] / dn : NAN;
		if ((rc = ms_bt_fc_binom_p(s.inside[k], s.n, ms_bt_fc_nominal[k],
		    &s.coverage_p[k])) != 0)
			return rc;
	}
	s.pinball_mean = s.n ? 0 : NAN;
	for (int k = 0; k < MS_FORECAST_NQ; k++) {
		s.share_below[k] = s.n ? (double)s.below_q[k] / dn : NAN;
		s.pinball[k] = s.n ? pin[k] / dn : NAN;
		if (s.n)
			s.pinball_mean += s.pinball[k] / MS_FORECAST_NQ;
	}
	s.crps = s.n ? crps / dn : NAN;
	s.crps_sample = s.n_sample ? crps_s / (double)s.n_sample : NAN;
	s.crps_sample_normal = s.n_sample ? crps_sn / (double)s.n_sample : NAN;
	s.mape = s.n ? ape / dn : NAN;
	s.rmse = s.n ? sqrt(sq / dn) : NAN;
	s.accuracy = s.calls ? (double)s.hits / (double)s.calls : NAN;
	if ((rc = ms_bt_fc_binom_p(s.hits, s.calls, 0.5, &s.accuracy_p)) != 0)
		return rc;
	/* Means over the same forecasts: the counts cancel in the ratios. */
	s.skill_crps = s.skill_n && k_crps0 > 0 ? 1 - k_crps / k_crps0 : NAN;
	s.skill_pinball = s.skill_n && k_pin0 > 0 ? 1 - k_pin / k_pin0 : NAN;
	s.skill_rmse = s.skill_n && k_sq0 > 0 ?
	    1 - sqrt(k_sq / (double)s.skill_n) / sqrt(k_sq0 / (double)s.skill_n) :
	    NAN;
	*out = s;
	return 0;
}

/* ---- forecasting at an origin ---------------------------------------- */

static void
forecast_params(const struct ms_bt_fc_params *p, enum ms_forecast_model m,
    int horizon, struct ms_forecast_params *fp)
{
	ms_forecast_params_default(m, fp);
	fp->horizon = horizon;
	if (p->window != 0)
		fp->window = p->window;
}

/* The number of closes /v1/forecasts reads: window + 1 days. */
static size_t
closes_days(const struct ms_bt_fc_params *p)
{
	return (p->window != 0 ? p->window :
	    MS_FORECAST_DEFAULT_GARCH_WINDOW) + 1;
}

/*
 * Every model of p for one asset at origin: out[m * nh + h], rc[m]. A fit
 * with too little history (MS_ERR_NODATA, MS_ERR_RANGE) is skipped as the
 * route skips it; other errors are returned.
 */
static int
forecast_asset(struct ms_store *st, int32_t origin, int64_t asset_id,
    const struct ms_bt_fc_params *p, struct ms_forecast *out, int *rcm)
{
	size_t ndays = closes_days(p), nh = p->nhorizons;
	double *closes = NULL;
	int rc;

	if ((rc = ms_market_closes(st, asset_id, origin, ndays, &closes)) != 0)
		return rc;
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		struct ms_forecast_params fp;
		struct ms_forecast_fit fit;

		rcm[m] = MS_ERR_INVALID;
		if (!p->model_on[m])
			continue;
		forecast_params(p, (enum ms_forecast_model)m, p->horizons[0], &fp);
		rc = ms_forecast_fit(closes, ndays, &fp, &fit);
		for (size_t h = 0; rc == 0 && h < nh; h++) {
			fp.horizon = p->horizons[h];
			rc = ms_forecast_predict(&fit, &fp, NULL, 0,
			    &out[(size_t)m * nh + h]);
		}
		rcm[m] = rc;
		if (rc != 0 && rc != MS_ERR_NODATA && rc != MS_ERR_RANGE) {
			free(closes);
			return rc;
		}
	}
	free(closes);
	return 0;
}

int
ms_bt_fc_forecast_at(struct ms_store *st, int32_t origin,
    const int64_t *asset_ids, size_t nassets,
    const struct ms_bt_fc_params *p, struct ms_forecast *out, int *rc)
{
	size_t per = (size_t)MS_FORECAST_NMODELS * p->nhorizons;
	int r;

	for (size_t a = 0; a < nassets; a++)
		if ((r = forecast_asset(st, origin, asset_ids[a], p,
		    out + a * per, rc + a * MS_FORECAST_NMODELS)) != 0)
			return r;
	return 0;
}

static int
same_forecast(const struct ms_forecast *a, const struct ms_forecast *b)
{
	const struct ms_forecast_fit *x = &a->fit, *y = &b->fit;

	return memcmp(a->quantile, b->quantile, sizeof(a->quantile)) == 0 &&
	    memcmp(&a->log_mean, &b->log_mean, sizeof(double)) == 0 &&
	    memcmp(&a->log_sd, &b->log_sd, sizeof(double)) == 0 &&
	    a->method == b->method && a->paths == b->paths &&
	    a->horizon == b->horizon && x->used == y->used &&
	    x->nobs == y->nobs && x->nskipped == y->nskipped &&
	    x->fallback == y->fallback &&
	    memcmp(&x->price, &y->price, sizeof(double)) == 0 &&
	    memcmp(&x->sigma, &y->sigma, sizeof(double)) == 0 &&
	    memcmp(&x->drift, &y->drift, sizeof(double)) == 0;
}

static void
unlink_db(const char *path)
{
	char p[4200];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

int
ms_bt_fc_check_lookahead(struct ms_store *st, int32_t origin,
    const int64_t *asset_ids, size_t nassets,
    const struct ms_bt_fc_params *p, const char *dir, int *same)
{
	size_t per = (size_t)MS_FORECAST_NMODELS * p->nhorizons;
	struct ms_forecast *fa = NULL, *fb = NULL;
	int *ra = NULL, *rb = NULL, rc;
	struct ms_store *copy = NULL;
	char path[4096];

	if (nassets == 0 || nassets > MS_BT_FC_MAX_RECORDED_ASSETS)
		return MS_ERR_RANGE;
	if ((size_t)snprintf(path, sizeof(path), "%s/fc-lookahead-%ld-%ld.db",
	    dir, (long)getpid(), (long)origin) >= sizeof(path))
		return MS_ERR_TOOBIG;
	fa = calloc(nassets * per, sizeof(*fa));
	fb = calloc(nassets * per, sizeof(*fb));
	ra = calloc(nassets * MS_FORECAST_NMODELS, sizeof(*ra));
	rb = calloc(nassets * MS_FORECAST_NMODELS, sizeof(*rb));
	if (fa == NULL || fb == NULL || ra == NULL || rb == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	if ((rc = ms_bt_fc_forecast_at(st, origin, asset_ids, nassets, p, fa,
	    ra)) != 0)
		goto done;
	unlink_db(path);
	if ((rc = ms_bt_truncated_copy(st, origin, path)) != 0 ||
	    (rc = ms_store_open(path, MS_STORE_RO, &copy)) != 0) {
		unlink_db(path);
		goto done;
	}
	rc = ms_bt_fc_forecast_at(copy, origin, asset_ids, nassets, p, fb, rb);
	ms_store_close(copy);
	unlink_db(path);
	if (rc != 0)
		goto done;
	*same = 1;
	for (size_t a = 0; a < nassets; a++)
		for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
			size_t k = a * MS_FORECAST_NMODELS + (size_t)m;

			if (ra[k] != rb[k]) {
				*same = 0;
				continue;
			}
			if (ra[k] != 0)
				continue;
			for (size_t h = 0; h < p->nhorizons; h++)
				if (!same_forecast(&fa[a * per + (size_t)m *
				    p->nhorizons + h], &fb[a * per + (size_t)m *
				    p->nhorizons + h]))
					*same = 0;
		}
done:
	free(fa);
	free(fb);
	free(ra);
	free(rb);
	return rc;
}

/* ---- the run --------------------------------------------------------- */

/* The realised close for a forecast made on origin at horizon h. */
static int
realise(struct ms_store *st, int64_t asset_id, struct ms_bt_fc_row *r)
{
	struct ms_bar b;
	int rc;

	r->realised_day = -1;
	r->realised = NAN;
	rc = ms_market_bar_near(st, asset_id, r->target_day, r->horizon / 10, &b);
	if (rc == MS_ERR_NODATA)
		return 0;
	if (rc != 0)
		return rc;
	if (b.close > 0 && isfinite(b.close) && b.day > r->origin) {
		r->realised_day = b.day;
		r->realised = b.close;
	}
	return 0;
}

/*
 * crps_sample of a garch Monte Carlo forecast: the same simulation
 * ms_forecast_predict ran (same parameters, paths and seed), sorted; used
 * only when it reproduces every served quantile bit for bit. *mismatch is
 * set otherwise. x has room for f->paths values.
 */
static int
sample_crps(const struct ms_forecast *f, struct ms_bt_fc_row *r, double *x,
    size_t *mismatch)
{
	const struct ms_forecast_fit *fit = &f->fit;
	size_t n = f->paths;
	int rc;

	r->crps_sample = NAN;
	if (f->method != MS_FORECAST_MONTE_CARLO || !isfinite(r->realised))
		return 0;
	rc = ms_garch_paths(&fit->garch.p, fit->drift, fit->garch.sigma2_next,
	    f->horizon, n, f->seed, 0.0, NULL, 0, x, NULL, NULL);
	if (rc != 0)
		return rc;
	gsl_sort(x, 1, n);
	for (int i = 0; i < MS_FORECAST_NQ; i++)
		if (fit->price * exp(gsl_stats_quantile_from_sorted_data(x, 1, n,
		    ms_forecast_qprob[i])) != f->quantile[i]) {
			(*mismatch)++;
			return 0;
		}
	return ms_bt_fc_crps_sample(x, n, log(r->realised / fit->price),
	    &r->crps_sample);
}

static int
resolve_assets(struct ms_store *st, const struct ms_bt_fc_params *p,
    int32_t day, struct ms_bt_fc_result *res, char *why, size_t whysz)
{
	struct ms_bt_fc_params def;
	const struct ms_bt_fc_params *keys = p;
	int rc;

	if (p->nassets == 0) {
		def = *p;
		if (ms_bt_fc_parse_assets(MS_BT_FC_DEFAULT_ASSETS, &def) != 0)
			return MS_ERR_INTERNAL;
		keys = &def;
	}
	res->assets = calloc(keys->nassets, sizeof(*res->assets));
	if (res->assets == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < keys->nassets; i++) {
		struct ms_resolution how;
		struct ms_asset a;
		size_t j;

		rc = ms_market_resolve(st, keys->assets[i], day, &a, &how);
		if (rc == MS_ERR_NOTFOUND && p->nassets == 0)
			continue;           /* a default major the store lacks */
		if (rc == MS_ERR_NOTFOUND) {
			if (why != NULL)
				snprintf(why, whysz, "--assets: no asset %s in "
				    "the store", keys->assets[i]);
			return rc;
		}
		if (rc != 0)
			return rc;
		for (j = 0; j < res->nassets; j++)
			if (res->assets[j].asset.id == a.id)
				break;
		if (j == res->nassets)
			res->assets[res->nassets++].asset = a;
	}
	if (res->nassets == 0) {
		say(why, whysz, "none of the default assets (" MS_BT_FC_DEFAULT_ASSETS
		    ") is in the store; name some with --assets");
		return MS_ERR_NOTFOUND;
	}
	return 0;
}

static size_t
models_on(const struct ms_bt_fc_params *p)
{
	size_t n = 0;

	for (int m = 0; m < MS_FORECAST_NMODELS; m++)
		n += p->model_on[m] != 0;
	return n;
}

static void
fill_row(struct ms_bt_fc_row *r, int32_t origin, size_t asset,
    const struct ms_forecast *f)
{
	memset(r, 0, sizeof(*r));
	r->origin = origin;
	r->asset = asset;
	r->model = f->fit.model;
	r->used = f->fit.used;
	r->method = f->method;
	r->horizon = f->horizon;
	r->price = f->fit.price;
	r->log_mean = f->log_mean;
	r->log_sd = f->log_sd;
	memcpy(r->q, f->quantile, sizeof(r->q));
	r->target_day = origin + f->horizon;
	r->naive = SIZE_MAX;
}

static int
walk_forward(struct ms_store *st, struct ms_bt_fc_result *res,
    void (*progress)(size_t, size_t, void *), void *arg)
{
	const struct ms_bt_fc_params *p = &res->params;
	size_t nh = p->nhorizons, per = (size_t)MS_FORECAST_NMODELS * nh;
	size_t cap, paths = 0;
	struct ms_forecast *f;
	double *x = NULL;
	int rcm[MS_FORECAST_NMODELS], rc = 0;

	res->norigins = (size_t)((p->to - p->from) / p->step) + 1;
	if (res->norigins > MS_BT_FC_MAX_ORIGINS)
		return MS_ERR_TOOBIG;
	cap = res->norigins * res->nassets * models_on(p) * nh;
	if (cap > MS_BT_FC_MAX_ROWS)
		return MS_ERR_TOOBIG;
	res->origins = malloc(res->norigins * sizeof(*res->origins));
	res->rows = malloc((cap ? cap : 1) * sizeof(*res->rows));
	f = malloc(per * sizeof(*f));
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		struct ms_forecast_params fp;

		ms_forecast_params_default((enum ms_forecast_model)m, &fp);
		if (p->model_on[m] && fp.paths > paths)
			paths = fp.paths;
	}
	if (paths > 0)
		x = malloc(paths * sizeof(*x));
	if (res->origins == NULL || res->rows == NULL || f == NULL ||
	    (paths > 0 && x == NULL)) {
		free(f);
		free(x);
		return MS_ERR_NOMEM;
	}
	for (size_t o = 0; o < res->norigins && rc == 0; o++) {
		int32_t origin = p->from + (int32_t)o * p->step;

		res->origins[o] = origin;
		for (size_t a = 0; a < res->nassets && rc == 0; a++) {
			struct ms_bt_fc_asset *as = &res->assets[a];

			rc = forecast_asset(st, origin, as->asset.id, p, f, rcm);
			for (int m = 0; rc == 0 && m < MS_FORECAST_NMODELS; m++)
				if (p->model_on[m] && rcm[m] != 0) {
					as->no_forecast++;
					res->no_forecast++;
				}
			for (size_t h = 0; rc == 0 && h < nh; h++) {
				size_t naive = SIZE_MAX, first = res->nrows;

				for (int m = 0; rc == 0 && m < MS_FORECAST_NMODELS; m++) {
					struct ms_bt_fc_row *r;

					if (!p->model_on[m] || rcm[m] != 0)
						continue;
					r = &res->rows[res->nrows];
					fill_row(r, origin, a, &f[(size_t)m * nh + h]);
					if ((rc = realise(st, as->asset.id, r)) != 0 ||
					    (rc = ms_bt_fc_score_row(r)) != 0 ||
					    (rc = sample_crps(&f[(size_t)m * nh + h], r,
					    x, &res->sample_mismatch)) != 0)
						break;
					if (m == MS_FORECAST_NAIVE)
						naive = res->nrows;
					as->forecasts++;
					as->judged += judged(r);
					res->judged += judged(r);
					res->nrows++;
				}
				for (size_t i = first; i < res->nrows; i++)
					res->rows[i].naive = naive;
			}
		}
		if (progress != NULL)
			progress(o + 1, res->norigins, arg);
	}
	free(f);
	free(x);
	return rc;
}

/* ---- recorded forecasts ---------------------------------------------- */

static int
cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

static int
cmp_row(const void *x, const void *y)
{
	const struct ms_bt_fc_row *a = x, *b = y;

	if (a->origin != b->origin)
		return (a->origin > b->origin) - (a->origin < b->origin);
	if (a->asset != b->asset)
		return (a->asset > b->asset) - (a->asset < b->asset);
	if (a->horizon != b->horizon)
		return (a->horizon > b->horizon) - (a->horizon < b->horizon);
	return ((int)a->model > (int)b->model) - ((int)a->model < (int)b->model);
}

static int
horizon_on(const struct ms_bt_fc_params *p, int h)
{
	for (size_t i = 0; i < p->nhorizons; i++)
		if (p->horizons[i] == h)
			return 1;
	return 0;
}

/* Index of asset id in the sorted ids, or SIZE_MAX. */
static size_t
find_id(const int64_t *ids, size_t n, int64_t id)
{
	const int64_t *hit = bsearch(&id, ids, n, sizeof(*ids), cmp_i64);

	return hit ? (size_t)(hit - ids) : SIZE_MAX;
}

/* The asset ids of the records in [from, to], sorted; *out malloc'd. */
static int
recorded_ids(struct ms_store *st, int32_t from, int32_t to, int64_t **out,
    size_t *n)
{
	static const char sql[] = "SELECT DISTINCT asset_id FROM "
	    "forecast_records WHERE day >= ?1 AND day <= ?2 ORDER BY asset_id";
	sqlite3_stmt *s = ms_store_stmt(st, sql);
	int64_t *ids;
	size_t k = 0;
	int rc;

	if (s == NULL)
		return MS_ERR_STORE;
	if ((ids = malloc(MS_BT_FC_MAX_RECORDED_ASSETS * sizeof(*ids))) == NULL) {
		ms_store_release(s);
		return MS_ERR_NOMEM;
	}
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (k == MS_BT_FC_MAX_RECORDED_ASSETS) {
			ms_store_release(s);
			free(ids);
			return MS_ERR_TOOBIG;
		}
		ids[k++] = sqlite3_column_int64(s, 0);
	}
	if (rc != SQLITE_DONE) {
		free(ids);
		return ms_store_step_error(st, s, "forecast_records assets");
	}
	ms_store_release(s);
	*out = ids;
	*n = k;
	return 0;
}

static int
recorded(struct ms_store *st, struct ms_bt_fc_result *res,
    void (*progress)(size_t, size_t, void *), void *arg)
{
	static const char sql[] = "SELECT day, asset_id, model, horizon, used,"
	    " price, q05, q10, q25, q50, q75, q90, q95 FROM forecast_records"
	    " WHERE day >= ?1 AND day <= ?2 ORDER BY day, asset_id, horizon";
	struct ms_bt_fc_params *p = &res->params;
	int64_t *ids = NULL, *keep = NULL;
	size_t nids = 0, cap = 0, nkeep = 0;
	double z95;
	sqlite3_stmt *s;
	int rc;

	ms_forecast_init();
	z95 = gsl_cdf_ugaussian_Pinv(0.95);
	if (!isfinite(z95))
		return MS_ERR_INTERNAL;
	if ((rc = recorded_ids(st, p->from, p->to, &ids, &nids)) != 0)
		return rc;
	/* The assets judged: the keys asked for, else every recorded one. */
	if ((keep = malloc((nids ? nids : 1) * sizeof(*keep))) == NULL) {
		free(ids);
		return MS_ERR_NOMEM;
	}
	for (size_t i = 0; i < nids; i++) {
		int want = p->nassets == 0;

		for (size_t j = 0; !want && j < res->nassets; j++)
			want = res->assets[j].asset.id == ids[i];
		if (want)
			keep[nkeep++] = ids[i];
	}
	free(ids);
	free(res->assets);
	res->nassets = 0;
	res->assets = calloc(nkeep ? nkeep : 1, sizeof(*res->assets));
	if (res->assets == NULL) {
		free(keep);
		return MS_ERR_NOMEM;
	}
	for (size_t i = 0; i < nkeep; i++) {
		if ((rc = ms_market_asset(st, keep[i], &res->assets[i].asset)) != 0) {
			free(keep);
			return rc;
		}
		res->nassets++;
	}
	if ((s = ms_store_stmt(st, sql)) == NULL) {
		free(keep);
		return MS_ERR_STORE;
	}
	sqlite3_bind_int64(s, 1, p->from);
	sqlite3_bind_int64(s, 2, p->to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ms_bt_fc_row *r;
		enum ms_forecast_model m, used;
		char model[16], usedn[16];
		size_t a = find_id(keep, nkeep, sqlite3_column_int64(s, 1));
		int h = sqlite3_column_int(s, 3);
		int ok = 1;

		ms_store_col_text(s, 2, model, sizeof(model));
		ms_store_col_text(s, 4, usedn, sizeof(usedn));
		if (a == SIZE_MAX || ms_forecast_model_parse(model,
		    strlen(model), &m) != 0 || !p->model_on[m] ||
		    !horizon_on(p, h))
			continue;
		if (ms_forecast_model_parse(usedn, strlen(usedn), &used) != 0)
			used = m;
		if (res->nrows == cap) {
			struct ms_bt_fc_row *t;

			if (cap >= MS_BT_FC_MAX_ROWS) {
				rc = MS_ERR_TOOBIG;
				break;
			}
			cap = cap ? cap * 2 : 256;
			if (cap > MS_BT_FC_MAX_ROWS)
				cap = MS_BT_FC_MAX_ROWS;
			if ((t = realloc(res->rows, cap * sizeof(*t))) == NULL) {
				rc = MS_ERR_NOMEM;
				break;
			}
			res->rows = t;
		}
		r = &res->rows[res->nrows];
		memset(r, 0, sizeof(*r));
		r->origin = (int32_t)sqlite3_column_int64(s, 0);
		r->asset = a;
		r->model = m;
		r->used = used;
		r->recorded = 1;
		r->method = used == MS_FORECAST_GARCH ? MS_FORECAST_MONTE_CARLO :
		    MS_FORECAST_CLOSED_FORM;
		r->horizon = h;
		r->price = ms_store_col_double(s, 5);
		for (int i = 0; i < MS_FORECAST_NQ; i++) {
			r->q[i] = ms_store_col_double(s, 6 + i);
			ok &= isfinite(r->q[i]) && r->q[i] > 0;
		}
		ok &= isfinite(r->price) && r->price > 0;
		r->target_day = r->origin + h;
		r->naive = SIZE_MAX;
		r->crps_sample = NAN;
		if (!ok) {
			/* A record without a usable law: counted, not judged. */
			res->no_forecast++;
			res->assets[a].no_forecast++;
			continue;
		}
		r->log_mean = log(r->q[3] / r->price);
		r->log_sd = log(r->q[6] / r->q[0]) / (2 * z95);
		res->nrows++;
	}
	if (rc == SQLITE_DONE) {
		ms_store_release(s);
		rc = 0;
	} else if (rc == MS_ERR_TOOBIG || rc == MS_ERR_NOMEM) {
		ms_store_release(s);
	} else {
		rc = ms_store_step_error(st, s, "forecast_records");
	}
	free(keep);
	if (rc != 0)
		return rc;
	if (res->nrows == 0)
		return MS_ERR_NODATA;
	qsort(res->rows, res->nrows, sizeof(*res->rows), cmp_row);
	/* The distinct days are the origins. */
	if ((res->origins = malloc(res->nrows * sizeof(*res->origins))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < res->nrows; i++) {
		struct ms_bt_fc_row *r = &res->rows[i];

		if (res->norigins == 0 ||
		    res->origins[res->norigins - 1] != r->origin)
			res->origins[res->norigins++] = r->origin;
		if ((rc = realise(st, res->assets[r->asset].asset.id, r)) != 0 ||
		    (rc = ms_bt_fc_score_row(r)) != 0)
			return rc;
		res->assets[r->asset].forecasts++;
		res->assets[r->asset].judged += judged(r);
		res->judged += judged(r);
		if (progress != NULL && (i + 1) % 1024 == 0)
			progress(i + 1, res->nrows, arg);
	}
	/* Link each group (origin, asset, horizon) to its naive row. */
	for (size_t i = 0; i < res->nrows; ) {
		size_t j = i, naive = SIZE_MAX;

		while (j < res->nrows && res->rows[j].origin == res->rows[i].origin &&
		    res->rows[j].asset == res->rows[i].asset &&
		    res->rows[j].horizon == res->rows[i].horizon) {
			if (res->rows[j].model == MS_FORECAST_NAIVE)
				naive = j;
			j++;
		}
		for (size_t k = i; k < j; k++)
			res->rows[k].naive = naive;
		i = j;
	}
	if (progress != NULL)
		progress(res->nrows, res->nrows, arg);
	return 0;
}

/* ---- scores and the entry point ------------------------------------- */

static int
score_all(struct ms_bt_fc_result *r)
{
	size_t nh = r->params.nhorizons, cells = MS_FORECAST_NMODELS * nh;
	int rc;

	r->overall = calloc(cells, sizeof(*r->overall));
	r->by_asset = calloc(cells * (r->nassets ? r->nassets : 1),
	    sizeof(*r->by_asset));
	if (r->overall == NULL || r->by_asset == NULL)
		return MS_ERR_NOMEM;
	for (int m = 0; m < MS_FORECAST_NMODELS; m++)
		for (size_t h = 0; h < nh; h++) {
			size_t c = (size_t)m * nh + h;

			if (!r->params.model_on[m])
				continue;
			if ((rc = ms_bt_fc_aggregate(r->rows, r->nrows,
			    (enum ms_forecast_model)m, r->params.horizons[h],
			    MS_BT_FC_ALL, &r->overall[c])) != 0)
				return rc;
			for (size_t a = 0; a < r->nassets; a++)
				if ((rc = ms_bt_fc_aggregate(r->rows, r->nrows,
				    (enum ms_forecast_model)m, r->params.horizons[h],
				    a, &r->by_asset[a * cells + c])) != 0)
					return rc;
		}
	return 0;
}

const struct ms_bt_fc_score *
ms_bt_fc_cell(const struct ms_bt_fc_result *r, size_t asset,
    enum ms_forecast_model m, int horizon)
{
	size_t nh = r->params.nhorizons, cells = MS_FORECAST_NMODELS * nh;

	if ((int)m < 0 || (int)m >= MS_FORECAST_NMODELS || !r->params.model_on[m])
		return NULL;
	if (asset != MS_BT_FC_ALL && asset >= r->nassets)
		return NULL;
	for (size_t h = 0; h < nh; h++)
		if (r->params.horizons[h] == horizon)
			return asset == MS_BT_FC_ALL ?
			    &r->overall[(size_t)m * nh + h] :
			    &r->by_asset[asset * cells + (size_t)m * nh + h];
	return NULL;
}

/* The first and last recorded days; MS_ERR_NODATA when none. */
static int
recorded_range(struct ms_store *st, int32_t *first, int32_t *last)
{
	static const char sql[] =
	    "SELECT min(day), max(day) FROM forecast_records";
	sqlite3_stmt *s = ms_store_stmt(st, sql);
	int rc;

	if (s == NULL)
		return MS_ERR_STORE;
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return ms_store_step_error(st, s, "forecast_records range");
	if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
		ms_store_release(s);
		return MS_ERR_NODATA;
	}
	*first = (int32_t)sqlite3_column_int64(s, 0);
	*last = (int32_t)sqlite3_column_int64(s, 1);
	ms_store_release(s);
	return 0;
}

static int
run(struct ms_store *st, struct ms_bt_fc_result *res,
    void (*progress)(size_t, size_t, void *), void *arg, char *why,
    size_t whysz)
{
	struct ms_bt_fc_params *p = &res->params;
	struct ms_data_range range;
	int rc;

	if ((rc = ms_market_range(st, -1, &range)) != 0)
		return rc;
	if (range.first_day < 0) {
		say(why, whysz, "the store has no price data");
		return MS_ERR_NODATA;
	}
	res->data_first = range.first_day;
	res->data_last = range.last_day;
	if ((rc = ms_store_data_version(st, &res->data_version)) != 0)
		return rc;
	if ((p->nassets > 0 || !p->recorded) &&
	    (rc = resolve_assets(st, p, range.last_day, res, why, whysz)) != 0)
		return rc;
	if (p->recorded) {
		int32_t first = -1, last = -1;

		if ((rc = recorded_range(st, &first, &last)) != 0) {
			say(why, whysz, "the store has no recorded forecasts "
			    "(moonscope daily records them)");
			return rc;
		}
		if (p->from == -1)
			p->from = first;
		if (p->to == -1)
			p->to = last;
		if (p->to < p->from) {
			say(why, whysz, "no recorded forecast in the range");
			return MS_ERR_NODATA;
		}
		rc = recorded(st, res, progress, arg);
		if (rc == MS_ERR_NODATA)
			say(why, whysz, "no recorded forecast of the assets, "
			    "models and horizons asked for in the range");
		return rc;
	}
	if (p->from == -1)
		p->from = range.first_day + MS_FORECAST_DEFAULT_WINDOW;
	if (p->to == -1)
		p->to = range.last_day - p->horizons[p->nhorizons - 1];
	if (p->to < p->from) {
		say(why, whysz, "no origin date in the range (the default "
		    "range needs a year of history plus the longest horizon)");
		return MS_ERR_NODATA;
	}
	if ((rc = walk_forward(st, res, progress, arg)) == MS_ERR_TOOBIG)
		say(why, whysz, "too many forecasts (at most 1,000,000 and "
		    "10,000 origins): raise --step or narrow --from/--to");
	return rc;
}

int
ms_bt_fc_run(struct ms_store *st, const struct ms_bt_fc_params *p,
    void (*progress)(size_t, size_t, void *), void *arg,
    struct ms_bt_fc_result **out, char *why, size_t whysz)
{
	struct ms_bt_fc_result *res;
	int rc;

	say(why, whysz, "");
	if (st == NULL || p == NULL || out == NULL)
		return MS_ERR_INVALID;
	if ((rc = ms_bt_fc_params_check(p, why, whysz)) != 0)
		return rc;
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return MS_ERR_NOMEM;
	res->params = *p;
	ms_forecast_init();
	if ((rc = ms_store_read_begin(st)) != 0) {
		free(res);
		return rc;
	}
	rc = run(st, res, progress, arg, why, whysz);
	ms_store_read_end(st);
	if (rc == 0)
		rc = score_all(res);
	if (rc != 0) {
		ms_bt_fc_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

void
ms_bt_fc_result_free(struct ms_bt_fc_result *r)
{
	if (r == NULL)
		return;
	free(r->assets);
	free(r->origins);
	free(r->rows);
	free(r->overall);
	free(r->by_asset);
	free(r);
}

/* ---- summary.json ---------------------------------------------------- */

static void
score_json(cJSON *o, const struct ms_bt_fc_score *s)
{
	char key[40];
	cJSON *x;

	ms_json_int(o, "forecasts", (int64_t)s->forecasts);
	ms_json_int(o, "judged", (int64_t)s->n);
	for (int k = 0; k < MS_BT_FC_NINT; k++) {
		snprintf(key, sizeof(key), "coverage_%s", int_names[k]);
		ms_json_num(o, key, s->coverage[k]);
		snprintf(key, sizeof(key), "coverage_%s_p", int_names[k]);
		ms_json_num(o, key, s->coverage_p[k]);
		snprintf(key, sizeof(key), "inside_%s", int_names[k]);
		ms_json_int(o, key, (int64_t)s->inside[k]);
		snprintf(key, sizeof(key), "below_%s", int_names[k]);
		ms_json_int(o, key, (int64_t)s->below_lo[k]);
		snprintf(key, sizeof(key), "above_%s", int_names[k]);
		ms_json_int(o, key, (int64_t)s->above_hi[k]);
	}
	if ((x = cJSON_AddObjectToObject(o, "pinball")) != NULL)
		for (int k = 0; k < MS_FORECAST_NQ; k++)
			ms_json_num(x, q_names[k], s->pinball[k]);
	ms_json_num(o, "pinball_mean", s->pinball_mean);
	if ((x = cJSON_AddObjectToObject(o, "share_below")) != NULL)
		for (int k = 0; k < MS_FORECAST_NQ; k++)
			ms_json_num(x, q_names[k], s->share_below[k]);
	ms_json_num(o, "crps", s->crps);
	ms_json_int(o, "crps_sample_n", (int64_t)s->n_sample);
	ms_json_num(o, "crps_sample", s->crps_sample);
	ms_json_num(o, "crps_sample_normal", s->crps_sample_normal);
	ms_json_num(o, "mape", s->mape);
	ms_json_num(o, "rmse_log", s->rmse);
	ms_json_int(o, "direction_calls", (int64_t)s->calls);
	ms_json_int(o, "direction_hits", (int64_t)s->hits);
	ms_json_num(o, "directional_accuracy", s->accuracy);
	ms_json_num(o, "direction_p", s->accuracy_p);
	ms_json_int(o, "skill_n", (int64_t)s->skill_n);
	ms_json_num(o, "skill_crps", s->skill_crps);
	ms_json_num(o, "skill_pinball", s->skill_pinball);
	ms_json_num(o, "skill_rmse", s->skill_rmse);
	ms_json_int(o, "fallbacks", (int64_t)s->fallbacks);
}

static void
cells_json(cJSON *o, const struct ms_bt_fc_result *r, size_t asset)
{
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		cJSON *mo;

		if (!r->params.model_on[m] || (mo = cJSON_AddObjectToObject(o,
		    ms_forecast_model_name((enum ms_forecast_model)m))) == NULL)
			continue;
		for (size_t h = 0; h < r->params.nhorizons; h++) {
			char key[16];
			cJSON *ho;

			snprintf(key, sizeof(key), "h%d", r->params.horizons[h]);
			if ((ho = cJSON_AddObjectToObject(mo, key)) != NULL)
				score_json(ho, ms_bt_fc_cell(r, asset,
				    (enum ms_forecast_model)m,
				    r->params.horizons[h]));
		}
	}
}

cJSON *
ms_bt_fc_summary_json(const struct ms_bt_fc_result *r)
{
	const struct ms_bt_fc_params *p = &r->params;
	cJSON *root, *o, *x;

	if ((root = cJSON_CreateObject()) == NULL)
		return NULL;
	ms_json_str(root, "schema", MS_BT_FC_SCHEMA);
	ms_json_int(root, "schema_version", MS_BT_FC_SCHEMA_VERSION);
	ms_json_str(root, "moonscope_version", MS_VERSION);
	ms_json_str(root, "mode", p->recorded ? "recorded" : "walk_forward");
	if ((o = cJSON_AddObjectToObject(root, "store")) != NULL) {
		ms_json_int(o, "data_version", r->data_version);
		ms_json_date(o, "first_day", r->data_first);
		ms_json_date(o, "last_day", r->data_last);
	}
	if ((o = cJSON_AddObjectToObject(root, "parameters")) != NULL) {
		ms_json_date(o, "from", p->from);
		ms_json_date(o, "to", p->to);
		if (p->recorded)
			cJSON_AddNullToObject(o, "step");
		else
			ms_json_int(o, "step", p->step);
		if ((x = cJSON_AddArrayToObject(o, "assets")) != NULL)
			for (size_t a = 0; a < r->nassets; a++)
				cJSON_AddItemToArray(x, cJSON_CreateString(
				    r->assets[a].asset.slug));
		if ((x = cJSON_AddArrayToObject(o, "models")) != NULL)
			for (int m = 0; m < MS_FORECAST_NMODELS; m++)
				if (p->model_on[m])
					cJSON_AddItemToArray(x, cJSON_CreateString(
					    ms_forecast_model_name(
					    (enum ms_forecast_model)m)));
		if ((x = cJSON_AddArrayToObject(o, "horizons")) != NULL)
			for (size_t h = 0; h < p->nhorizons; h++)
				cJSON_AddItemToArray(x, cJSON_CreateNumber(
				    p->horizons[h]));
		if (p->window != 0)
			ms_json_int(o, "window", (int64_t)p->window);
		else
			cJSON_AddNullToObject(o, "window");
		if ((x = cJSON_AddArrayToObject(o, "quantiles")) != NULL)
			for (int k = 0; k < MS_FORECAST_NQ; k++)
				cJSON_AddItemToArray(x, cJSON_CreateNumber(
				    ms_forecast_qprob[k]));
		if ((x = cJSON_AddArrayToObject(o, "intervals")) != NULL)
			for (int k = 0; k < MS_BT_FC_NINT; k++)
				cJSON_AddItemToArray(x, cJSON_CreateNumber(
				    ms_bt_fc_nominal[k]));
	}
	if ((o = cJSON_AddObjectToObject(root, "counts")) != NULL) {
		ms_json_int(o, "origins", (int64_t)r->norigins);
		ms_json_int(o, "assets", (int64_t)r->nassets);
		ms_json_int(o, "forecasts", (int64_t)r->nrows);
		ms_json_int(o, "judged", (int64_t)r->judged);
		ms_json_int(o, "unjudged", (int64_t)(r->nrows - r->judged));
		ms_json_int(o, "no_forecast", (int64_t)r->no_forecast);
		ms_json_int(o, "sample_mismatch", (int64_t)r->sample_mismatch);
	}
	if ((o = cJSON_AddObjectToObject(root, "metrics")) != NULL)
		cells_json(o, r, MS_BT_FC_ALL);
	if ((o = cJSON_AddObjectToObject(root, "by_asset")) != NULL)
		for (size_t a = 0; a < r->nassets; a++)
			if ((x = cJSON_AddObjectToObject(o,
			    r->assets[a].asset.slug)) != NULL)
				cells_json(x, r, a);
	if ((o = cJSON_AddArrayToObject(root, "assets")) != NULL)
		for (size_t a = 0; a < r->nassets; a++) {
			const struct ms_bt_fc_asset *as = &r->assets[a];

			if ((x = cJSON_CreateObject()) == NULL)
				break;
			cJSON_AddItemToArray(o, x);
			ms_json_str(x, "id", as->asset.slug);
			ms_json_str(x, "symbol", as->asset.symbol[0] ?
			    as->asset.symbol : NULL);
			ms_json_str(x, "name", as->asset.name[0] ?
			    as->asset.name : NULL);
			ms_json_int(x, "forecasts", (int64_t)as->forecasts);
			ms_json_int(x, "judged", (int64_t)as->judged);
			ms_json_int(x, "no_forecast", (int64_t)as->no_forecast);
		}
	if (r->lookahead_checked > 0) {
		if ((o = cJSON_AddObjectToObject(root, "lookahead_check")) != NULL) {
			ms_json_int(o, "origins_checked", r->lookahead_checked);
			ms_json_int(o, "identical", r->lookahead_identical);
		}
	} else {
		cJSON_AddNullToObject(root, "lookahead_check");
	}
	return root;
}

/* ---- forecasts.csv --------------------------------------------------- */

static const char *
method_name(const struct ms_bt_fc_row *r)
{
	if (r->recorded)
		return "recorded";
	return r->method == MS_FORECAST_MONTE_CARLO ? "monte_carlo" :
	    "closed_form";
}

int
ms_bt_fc_csv(const struct ms_bt_fc_result *r, struct ms_buf *b)
{
	int rc = ms_buf_puts(b, "origin,asset,symbol,model,used,method,"
	    "horizon,target_day,price,log_mean,log_sd,q05,q10,q25,q50,q75,"
	    "q90,q95,realised_day,realised,crps,crps_sample\n");

	for (size_t i = 0; rc == 0 && i < r->nrows; i++) {
		const struct ms_bt_fc_row *w = &r->rows[i];
		const struct ms_asset *a = &r->assets[w->asset].asset;

		rc |= ms_bt_csv_date(b, w->origin);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, a->slug);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, a->symbol);
		rc |= ms_buf_printf(b, ",%s,%s,%s,%d,",
		    ms_forecast_model_name(w->model),
		    ms_forecast_model_name(w->used), method_name(w), w->horizon);
		rc |= ms_bt_csv_date(b, w->target_day);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, w->price);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, w->log_mean);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, w->log_sd);
		for (int k = 0; k < MS_FORECAST_NQ; k++) {
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, w->q[k]);
		}
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, w->realised_day);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, w->realised);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, w->crps);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, w->crps_sample);
		rc |= ms_buf_putc(b, '\n');
	}
	return rc ? MS_ERR_TOOBIG : 0;
}

/* ---- summary.md ------------------------------------------------------ */

static void
fmt3(char *buf, size_t n, double v)
{
	if (isfinite(v))
		snprintf(buf, n, "%.3f", v);
	else
		snprintf(buf, n, "–");
}

static void
fmt4g(char *buf, size_t n, double v)
{
	if (isfinite(v))
		snprintf(buf, n, "%.4g", v);
	else
		snprintf(buf, n, "–");
}

static void
fmt_p(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "–");
	else if (v < 0.001)
		snprintf(buf, n, "%.1e", v);
	else
		snprintf(buf, n, "%.3f", v);
}

/* "0.612 (52/85, p 0.02)" */
static void
fmt_cov(char *buf, size_t n, const struct ms_bt_fc_score *s, int k)
{
	char v[16], p[16];

	fmt3(v, sizeof(v), s->coverage[k]);
	fmt_p(p, sizeof(p), s->coverage_p[k]);
	snprintf(buf, n, "%s (%zu/%zu, p %s)", v, s->inside[k], s->n, p);
}

static void
fmt_dir(char *buf, size_t n, const struct ms_bt_fc_score *s)
{
	char v[16], p[16];

	if (s->calls == 0) {
		snprintf(buf, n, "no calls");
		return;
	}
	fmt3(v, sizeof(v), s->accuracy);
	fmt_p(p, sizeof(p), s->accuracy_p);
	snprintf(buf, n, "%s (%zu/%zu, p %s)", v, s->hits, s->calls, p);
}

static int
md_tables(struct ms_buf *b, const struct ms_bt_fc_result *r)
{
	const struct ms_bt_fc_params *p = &r->params;
	int rc = 0;

	rc |= ms_buf_puts(b, "\n## Coverage of the central intervals\n\n"
	    "Observed share of outcomes inside the interval against its "
	    "nominal level (inside/judged, two-sided binomial p).\n\n"
	    "| model | h | judged | 50 % | 80 % | 90 % |\n"
	    "|---|---:|---:|---|---|---|\n");
	for (int m = 0; m < MS_FORECAST_NMODELS; m++)
		for (size_t h = 0; p->model_on[m] && h < p->nhorizons; h++) {
			const struct ms_bt_fc_score *s = ms_bt_fc_cell(r,
			    MS_BT_FC_ALL, (enum ms_forecast_model)m, p->horizons[h]);
			char c[MS_BT_FC_NINT][64];

			for (int k = 0; k < MS_BT_FC_NINT; k++)
				fmt_cov(c[k], sizeof(c[k]), s, k);
			rc |= ms_buf_printf(b, "| %s | %d | %zu | %s | %s | %s |\n",
			    ms_forecast_model_name((enum ms_forecast_model)m),
			    p->horizons[h], s->n, c[0], c[1], c[2]);
		}
	rc |= ms_buf_puts(b, "\n## Accuracy and skill against naive\n\n"
	    "Scores on the log price (lower is better); skill = 1 − score / "
	    "naive's score on the same forecasts (higher is better, 0 = as "
	    "good as naive). Direction: hits/calls of sign(median − price).\n\n"
	    "| model | h | CRPS | skill | pinball | skill | RMSE log | skill "
	    "| MAPE | direction |\n"
	    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
	for (int m = 0; m < MS_FORECAST_NMODELS; m++)
		for (size_t h = 0; p->model_on[m] && h < p->nhorizons; h++) {
			const struct ms_bt_fc_score *s = ms_bt_fc_cell(r,
			    MS_BT_FC_ALL, (enum ms_forecast_model)m, p->horizons[h]);
			char v[7][24], d[64];

			fmt4g(v[0], sizeof(v[0]), s->crps);
			fmt3(v[1], sizeof(v[1]), s->skill_crps);
			fmt4g(v[2], sizeof(v[2]), s->pinball_mean);
			fmt3(v[3], sizeof(v[3]), s->skill_pinball);
			fmt4g(v[4], sizeof(v[4]), s->rmse);
			fmt3(v[5], sizeof(v[5]), s->skill_rmse);
			fmt3(v[6], sizeof(v[6]), s->mape);
			fmt_dir(d, sizeof(d), s);
			rc |= ms_buf_printf(b, "| %s | %d | %s | %s | %s | %s | %s "
			    "| %s | %s | %s |\n",
			    ms_forecast_model_name((enum ms_forecast_model)m),
			    p->horizons[h], v[0], v[1], v[2], v[3], v[4], v[5],
			    v[6], d);
		}
	if (p->model_on[MS_FORECAST_GARCH] && !p->recorded) {
		rc |= ms_buf_puts(b, "\nGarch's CRPS above is that of the normal "
		    "law with the forecast's mean and variance. Where garch was "
		    "simulated (the other garch forecasts fell back to ewma, a "
		    "normal law), the CRPS of the simulated sample itself, against "
		    "the normal's on the same forecasts:");
		for (size_t h = 0; h < p->nhorizons; h++) {
			const struct ms_bt_fc_score *s = ms_bt_fc_cell(r,
			    MS_BT_FC_ALL, MS_FORECAST_GARCH, p->horizons[h]);
			char v[24], w[24];

			fmt4g(v, sizeof(v), s->crps_sample);
			fmt4g(w, sizeof(w), s->crps_sample_normal);
			rc |= ms_buf_printf(b, "%s h %d: %s vs %s (%zu forecasts)",
			    h ? "," : "", p->horizons[h], v, w, s->n_sample);
		}
		rc |= ms_buf_puts(b, ".\n");
	}
	rc |= ms_buf_puts(b, "\n## Calibration of the quantiles\n\n"
	    "Share of outcomes below each predicted quantile (ideal: the "
	    "quantile's level).\n\n"
	    "| model | h | q05 | q10 | q25 | q50 | q75 | q90 | q95 |\n"
	    "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int m = 0; m < MS_FORECAST_NMODELS; m++)
		for (size_t h = 0; p->model_on[m] && h < p->nhorizons; h++) {
			const struct ms_bt_fc_score *s = ms_bt_fc_cell(r,
			    MS_BT_FC_ALL, (enum ms_forecast_model)m, p->horizons[h]);

			rc |= ms_buf_printf(b, "| %s | %d |",
			    ms_forecast_model_name((enum ms_forecast_model)m),
			    p->horizons[h]);
			for (int k = 0; k < MS_FORECAST_NQ; k++) {
				char v[16];

				fmt3(v, sizeof(v), s->share_below[k]);
				rc |= ms_buf_printf(b, " %s |", v);
			}
			rc |= ms_buf_putc(b, '\n');
		}
	rc |= ms_buf_puts(b, "\n## Per asset\n\n"
	    "| asset | model | h | judged | cov 50 | cov 80 | cov 90 | CRPS "
	    "| skill CRPS | MAPE | direction |\n"
	    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
	for (size_t a = 0; a < r->nassets; a++)
		for (int m = 0; m < MS_FORECAST_NMODELS; m++)
			for (size_t h = 0; p->model_on[m] && h < p->nhorizons; h++) {
				const struct ms_bt_fc_score *s = ms_bt_fc_cell(r, a,
				    (enum ms_forecast_model)m, p->horizons[h]);
				char v[6][24], d[64];

				fmt3(v[0], sizeof(v[0]), s->coverage[0]);
				fmt3(v[1], sizeof(v[1]), s->coverage[1]);
				fmt3(v[2], sizeof(v[2]), s->coverage[2]);
				fmt4g(v[3], sizeof(v[3]), s->crps);
				fmt3(v[4], sizeof(v[4]), s->skill_crps);
				fmt3(v[5], sizeof(v[5]), s->mape);
				fmt_dir(d, sizeof(d), s);
				rc |= ms_buf_printf(b, "| %s | %s | %d | %zu | %s | %s "
				    "| %s | %s | %s | %s | %s |\n",
				    r->assets[a].asset.symbol[0] ?
				    r->assets[a].asset.symbol : r->assets[a].asset.slug,
				    ms_forecast_model_name((enum ms_forecast_model)m),
				    p->horizons[h], s->n, v[0], v[1], v[2], v[3], v[4],
				    v[5], d);
			}
	return rc;
}

char *
ms_bt_fc_summary_markdown(const struct ms_bt_fc_result *r)
{
	const struct ms_bt_fc_params *p = &r->params;
	char from[MS_DATE_LEN + 1], to[MS_DATE_LEN + 1];
	struct ms_buf b;
	int rc = 0;

	ms_buf_init(&b, REPORT_MAX);
	ms_date_format(p->from, from);
	ms_date_format(p->to, to);
	if (p->recorded)
		rc |= ms_buf_printf(&b, "# Forecast backtest: recorded forecasts\n\n"
		    "Forecasts recorded by `moonscope daily` on days %s..%s "
		    "(%zu days), judged against the realised close.\n", from, to,
		    r->norigins);
	else
		rc |= ms_buf_printf(&b, "# Forecast backtest: walk-forward\n\n"
		    "Origins %s..%s every %d days (%zu origins); each model "
		    "fitted on data up to the origin only, as /v1/forecasts "
		    "fits it%s.\n", from, to, p->step, r->norigins,
		    p->window ? " (window overridden)" : "");
	rc |= ms_buf_printf(&b, "Assets:");
	for (size_t a = 0; a < r->nassets; a++)
		rc |= ms_buf_printf(&b, "%s %s", a ? "," : "",
		    r->assets[a].asset.symbol[0] ? r->assets[a].asset.symbol :
		    r->assets[a].asset.slug);
	rc |= ms_buf_printf(&b, ". Forecasts %zu, judged %zu, not judged %zu "
	    "(no realised close yet), model fits without enough history %zu.\n",
	    r->nrows, r->judged, r->nrows - r->judged, r->no_forecast);
	if (r->sample_mismatch > 0)
		rc |= ms_buf_printf(&b, "\n**Warning:** %zu garch samples did not "
		    "reproduce the served quantiles; their crps_sample is left "
		    "out.\n", r->sample_mismatch);
	if (r->lookahead_checked > 0)
		rc |= ms_buf_printf(&b, "\nLook-ahead check: %d of %d origins "
		    "gave identical forecasts on the store truncated after the "
		    "origin.\n", r->lookahead_identical, r->lookahead_checked);
	rc |= md_tables(&b, r);
	rc |= ms_buf_puts(&b, "\nForecasts at horizons longer than the origin "
	    "step overlap, so their errors are correlated: the binomial "
	    "p-values treat them as independent and are optimistic. "
	    "Definitions: docs/backtest-forecasts.md.\n");
	if (rc != 0) {
		ms_buf_free(&b);
		return NULL;
	}
	return ms_buf_steal(&b);
}

/* ---- report.html ----------------------------------------------------- */

#define CELL 96                 /* bytes of one table cell */

/* A table of rows x cols cells of text, header row first. */
struct grid {
	char *buf;
	const char **cells;
	size_t rows, cols;
};

static int
grid_new(struct grid *g, size_t rows, size_t cols)
{
	g->rows = rows;
	g->cols = cols;
	g->buf = calloc(rows * cols, CELL);
	g->cells = calloc(rows * cols, sizeof(*g->cells));
	if (g->buf == NULL || g->cells == NULL) {
		free(g->buf);
		free(g->cells);
		return MS_ERR_NOMEM;
	}
	for (size_t i = 0; i < rows * cols; i++)
		g->cells[i] = g->buf + i * CELL;
	return 0;
}

static char *
grid_at(struct grid *g, size_t r, size_t c)
{
	return g->buf + (r * g->cols + c) * CELL;
}

static void
grid_free(struct grid *g)
{
	free(g->buf);
	free(g->cells);
}

static int
grid_put(struct ms_buf *b, struct grid *g)
{
	int rc = ms_html_table(b, g->cells, g->rows, g->cols);

	grid_free(g);
	return rc;
}

static void
grid_head(struct grid *g, const char *const *names)
{
	for (size_t c = 0; c < g->cols; c++)
		snprintf(grid_at(g, 0, c), CELL, "%s", names[c]);
}

/* Rows of a model x horizon table: the models on times the horizons. */
static size_t
cell_rows(const struct ms_bt_fc_params *p)
{
	return models_on(p) * p->nhorizons;
}

static int
html_tables(struct ms_buf *b, const struct ms_bt_fc_result *r)
{
	static const char *const cov_head[] = { "model", "h (days)", "judged",
		"50 %", "80 %", "90 %" };
	static const char *const acc_head[] = { "model", "h (days)", "CRPS",
		"skill", "pinball", "skill", "RMSE log", "skill", "MAPE",
		"direction" };
	static const char *const asset_head[] = { "asset", "model", "h (days)",
		"judged", "cov 50", "cov 80", "cov 90", "CRPS", "skill CRPS",
		"MAPE", "direction" };
	const struct ms_bt_fc_params *p = &r->params;
	struct grid g;
	size_t row;
	int rc;

	if ((rc = ms_html_h2(b, "Coverage of the central intervals")) != 0 ||
	    (rc = ms_html_p(b, "Observed share of outcomes inside the "
	    "interval against its nominal level: inside/judged and the "
	    "two-sided binomial p-value.")) != 0 ||
	    (rc = grid_new(&g, cell_rows(p) + 1, 6)) != 0)
		return rc;
	grid_head(&g, cov_head);
	row = 1;
	for (int m = 0; m < MS_FORECAST_NMODELS; m++)
		for (size_t h = 0; p->model_on[m] && h < p->nhorizons; h++) {
			const struct ms_bt_fc_score *s = ms_bt_fc_cell(r,
			    MS_BT_FC_ALL, (enum ms_forecast_model)m, p->horizons[h]);

			snprintf(grid_at(&g, row, 0), CELL, "%s",
			    ms_forecast_model_name((enum ms_forecast_model)m));
			snprintf(grid_at(&g, row, 1), CELL, "%d", p->horizons[h]);
			snprintf(grid_at(&g, row, 2), CELL, "%zu", s->n);
			for (int k = 0; k < MS_BT_FC_NINT; k++)
				fmt_cov(grid_at(&g, row, 3 + (size_t)k), CELL, s, k);
			row++;
		}
	if ((rc = grid_put(b, &g)) != 0)
		return rc;
	if ((rc = ms_html_h2(b, "Accuracy and skill against naive")) != 0 ||
	    (rc = ms_html_p(b, "CRPS, mean pinball loss and RMSE on the log "
	    "price (lower is better); skill = 1 - score / naive's score on the "
	    "same forecasts (higher is better; 0 = as good as naive). MAPE of "
	    "the median price. Direction: hits/calls of sign(median - price), "
	    "two-sided binomial p against 0.5.")) != 0 ||
	    (rc = grid_new(&g, cell_rows(p) + 1, 10)) != 0)
		return rc;
	grid_head(&g, acc_head);
	row = 1;
	for (int m = 0; m < MS_FORECAST_NMODELS; m++)
		for (size_t h = 0; p->model_on[m] && h < p->nhorizons; h++) {
			const struct ms_bt_fc_score *s = ms_bt_fc_cell(r,
			    MS_BT_FC_ALL, (enum ms_forecast_model)m, p->horizons[h]);

			snprintf(grid_at(&g, row, 0), CELL, "%s",
			    ms_forecast_model_name((enum ms_forecast_model)m));
			snprintf(grid_at(&g, row, 1), CELL, "%d", p->horizons[h]);
			fmt4g(grid_at(&g, row, 2), CELL, s->crps);
			fmt3(grid_at(&g, row, 3), CELL, s->skill_crps);
			fmt4g(grid_at(&g, row, 4), CELL, s->pinball_mean);
			fmt3(grid_at(&g, row, 5), CELL, s->skill_pinball);
			fmt4g(grid_at(&g, row, 6), CELL, s->rmse);
			fmt3(grid_at(&g, row, 7), CELL, s->skill_rmse);
			fmt3(grid_at(&g, row, 8), CELL, s->mape);
			fmt_dir(grid_at(&g, row, 9), CELL, s);
			row++;
		}
	if ((rc = grid_put(b, &g)) != 0)
		return rc;
	if ((rc = ms_html_h2(b, "Per asset")) != 0 ||
	    (rc = grid_new(&g, r->nassets * cell_rows(p) + 1, 11)) != 0)
		return rc;
	grid_head(&g, asset_head);
	row = 1;
	for (size_t a = 0; a < r->nassets; a++)
		for (int m = 0; m < MS_FORECAST_NMODELS; m++)
			for (size_t h = 0; p->model_on[m] && h < p->nhorizons; h++) {
				const struct ms_bt_fc_score *s = ms_bt_fc_cell(r, a,
				    (enum ms_forecast_model)m, p->horizons[h]);
				const struct ms_asset *as = &r->assets[a].asset;

				snprintf(grid_at(&g, row, 0), CELL, "%s",
				    as->symbol[0] ? as->symbol : as->slug);
				snprintf(grid_at(&g, row, 1), CELL, "%s",
				    ms_forecast_model_name((enum ms_forecast_model)m));
				snprintf(grid_at(&g, row, 2), CELL, "%d", p->horizons[h]);
				snprintf(grid_at(&g, row, 3), CELL, "%zu", s->n);
				for (int k = 0; k < MS_BT_FC_NINT; k++)
					fmt3(grid_at(&g, row, 4 + (size_t)k), CELL,
					    s->coverage[k]);
				fmt4g(grid_at(&g, row, 7), CELL, s->crps);
				fmt3(grid_at(&g, row, 8), CELL, s->skill_crps);
				fmt3(grid_at(&g, row, 9), CELL, s->mape);
				fmt_dir(grid_at(&g, row, 10), CELL, s);
				row++;
			}
	return grid_put(b, &g);
}

/* A chart, or a sentence saying why it is missing (nothing to draw). */
static int
chart_or_note(struct ms_buf *b, int rc, const char *what)
{
	char note[160];

	if (rc != MS_ERR_RANGE)
		return rc;
	snprintf(note, sizeof(note), "%s: no judged forecast to draw.", what);
	return ms_html_p(b, note);
}

static int
html_charts(struct ms_buf *b, const struct ms_bt_fc_result *r)
{
	const struct ms_bt_fc_params *p = &r->params;
	struct ms_svg_series s[MS_FORECAST_NMODELS];
	double y[MS_FORECAST_NMODELS][MS_FORECAST_NQ];
	double hx[MS_BT_FC_MAX_HORIZONS];
	double sk[MS_FORECAST_NMODELS][MS_BT_FC_MAX_HORIZONS];
	struct ms_svg_axes ax;
	char title[128];
	size_t ns;
	int rc;

	if ((rc = ms_html_h2(b, "Calibration")) != 0 ||
	    (rc = ms_html_p(b, "Left: observed coverage of the central 50, "
	    "80 and 90 % intervals against the nominal level. Right: share of "
	    "outcomes below each predicted quantile (5 ... 95 %) against the "
	    "quantile's level. A calibrated model lies on the diagonal; below "
	    "it on the left, its intervals are too narrow.")) != 0)
		return rc;
	for (size_t h = 0; h < p->nhorizons; h++) {
		for (int pass = 0; pass < 2; pass++) {
			ns = 0;
			for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
				const struct ms_bt_fc_score *c = ms_bt_fc_cell(r,
				    MS_BT_FC_ALL, (enum ms_forecast_model)m,
				    p->horizons[h]);

				if (c == NULL)
					continue;
				if (pass == 0)
					memcpy(y[ns], c->coverage, sizeof(c->coverage));
				else
					memcpy(y[ns], c->share_below,
					    sizeof(c->share_below));
				s[ns].name = ms_forecast_model_name(
				    (enum ms_forecast_model)m);
				s[ns].x = pass == 0 ? ms_bt_fc_nominal : ms_forecast_qprob;
				s[ns].y = y[ns];
				s[ns].n = pass == 0 ? MS_BT_FC_NINT : MS_FORECAST_NQ;
				ns++;
			}
			memset(&ax, 0, sizeof(ax));
			snprintf(title, sizeof(title), pass == 0 ?
			    "Interval coverage, h = %d days" :
			    "Quantile calibration, h = %d days", p->horizons[h]);
			ax.title = title;
			ax.xlabel = pass == 0 ? "nominal coverage" : "quantile level";
			ax.ylabel = pass == 0 ? "observed coverage" :
			    "share of outcomes below";
			ax.width = 380;
			ax.height = 340;
			rc = chart_or_note(b, ms_svg_calibration(b, &ax, s, ns), title);
			if (rc != 0)
				return rc;
		}
	}
	/*
	 * Skill against naive across horizons, one line per model (naive's
	 * own line is 0 and keeps every model's colour the same as above).
	 */
	ns = 0;
	for (size_t h = 0; h < p->nhorizons; h++)
		hx[h] = p->horizons[h];
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		if (!p->model_on[m] || !p->model_on[MS_FORECAST_NAIVE])
			continue;
		for (size_t h = 0; h < p->nhorizons; h++)
			sk[ns][h] = ms_bt_fc_cell(r, MS_BT_FC_ALL,
			    (enum ms_forecast_model)m, p->horizons[h])->skill_crps;
		s[ns].name = ms_forecast_model_name((enum ms_forecast_model)m);
		s[ns].x = hx;
		s[ns].y = sk[ns];
		s[ns].n = p->nhorizons;
		ns++;
	}
	if (ns == 0)
		return 0;
	if ((rc = ms_html_h2(b, "CRPS skill against naive")) != 0)
		return rc;
	memset(&ax, 0, sizeof(ax));
	ax.title = "CRPS skill by horizon (above 0: better than naive)";
	ax.xlabel = "horizon (days)";
	ax.ylabel = "1 - CRPS / CRPS naive";
	return chart_or_note(b, ms_svg_lines(b, &ax, s, ns), ax.title);
}

int
ms_bt_fc_html(const struct ms_bt_fc_result *r, struct ms_buf *b)
{
	const struct ms_bt_fc_params *p = &r->params;
	char from[MS_DATE_LEN + 1], to[MS_DATE_LEN + 1], text[1024];
	size_t n = 0;
	int rc;

	ms_date_format(p->from, from);
	ms_date_format(p->to, to);
	if ((rc = ms_html_begin(b, p->recorded ?
	    "Forecast backtest: recorded forecasts" :
	    "Forecast backtest: walk-forward")) != 0)
		return rc;
	if (p->recorded)
		n = (size_t)snprintf(text, sizeof(text), "Forecasts recorded by "
		    "moonscope daily on %zu days from %s to %s, judged against the "
		    "realised close.", r->norigins, from, to);
	else
		n = (size_t)snprintf(text, sizeof(text), "Origins %s to %s every "
		    "%d days (%zu origins); every model fitted on data up to the "
		    "origin only, with the code /v1/forecasts serves.", from, to,
		    p->step, r->norigins);
	for (size_t a = 0; a < r->nassets && n < sizeof(text); a++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s %s",
		    a ? "," : " Assets:", r->assets[a].asset.symbol[0] ?
		    r->assets[a].asset.symbol : r->assets[a].asset.slug);
	if (n < sizeof(text))
		snprintf(text + n, sizeof(text) - n, ". Forecasts %zu, judged %zu, "
		    "model fits without enough history %zu.", r->nrows, r->judged,
		    r->no_forecast);
	if ((rc = ms_html_p(b, text)) != 0)
		return rc;
	if (r->lookahead_checked > 0) {
		snprintf(text, sizeof(text), "Look-ahead check: %d of %d origins "
		    "gave identical forecasts on the store truncated after the "
		    "origin.", r->lookahead_identical, r->lookahead_checked);
		if ((rc = ms_html_p(b, text)) != 0)
			return rc;
	}
	if ((rc = html_charts(b, r)) != 0 || (rc = html_tables(b, r)) != 0)
		return rc;
	if ((rc = ms_html_p(b, "Forecasts at horizons longer than the origin "
	    "step overlap, so their errors are correlated and the binomial "
	    "p-values, which treat them as independent, are optimistic. "
	    "Definitions and sources: docs/backtest-forecasts.md.")) != 0)
		return rc;
	return ms_html_end(b);
}

/* ---- files ----------------------------------------------------------- */

static int
fc_csv_part(const void *r, struct ms_buf *b)
{
	return ms_bt_fc_csv(r, b);
}

static int
fc_html_part(const void *r, struct ms_buf *b)
{
	return ms_bt_fc_html(r, b);
}

int
ms_bt_fc_write_report(const struct ms_bt_fc_result *r, const char *dir,
    char *err, size_t errsz)
{
	static const struct ms_bt_part csv = { "forecasts.csv", fc_csv_part };
	static const struct ms_bt_part html = { "report.html", fc_html_part };
	int rc = ms_bt_write_report_files(dir, ms_bt_fc_summary_json(r), &csv,
	    1, r, ms_bt_fc_summary_markdown(r), REPORT_MAX, err, errsz);

	if (rc == 0)
		rc = ms_bt_write_part(dir, &html, r, REPORT_MAX, err, errsz);
	return rc;
}
