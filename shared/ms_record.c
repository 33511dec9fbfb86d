/*
 * ms_record.c — the daily record and the judging of recorded picks (see
 * ms_record.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "ms_error.h"
#include "ms_forecast.h"
#include "ms_grade.h"
#include "ms_log.h"
#include "ms_market.h"
#include "ms_record.h"
#include "ms_screen.h"
#include "ms_signal.h"
#include "ms_store.h"

static int
exec_day(struct ms_store *st, const char *sql, int32_t day)
{
	sqlite3_stmt *s = ms_store_stmt(st, sql);
	int rc;

	if (s == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, day);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : MS_ERR_STORE;
}

static int
write_records(struct ms_store *st, int32_t day, size_t k,
    const struct ms_panel *p, const struct ms_grade *g,
    const struct ms_screen_result *sr, size_t *graded)
{
	static const char del_picks[] = "DELETE FROM pick_records WHERE day = ?1";
	static const char del_grades[] = "DELETE FROM grade_records WHERE day = ?1";
	static const char ins_pick[] =
	    "INSERT INTO pick_records(day, rank, asset_id, price, market_cap,"
	    " volume, trader_grade, investor_grade)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	static const char ins_grade[] =
	    "INSERT INTO grade_records(day, asset_id, trader, investor)"
	    " VALUES (?1, ?2, ?3, ?4)";
	static const char ins_run[] =
	    "INSERT OR REPLACE INTO runs(day, data_version, picks_k, made_at)"
	    " VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *s;
	int64_t dv;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	if ((rc = exec_day(st, del_picks, day)) != 0 ||
	    (rc = exec_day(st, del_grades, day)) != 0)
		return rc;
	for (size_t i = 0; i < sr->n && i < k; i++) {
		const struct ms_screen_pick *pk = &sr->picks[i];
		if ((s = ms_store_stmt(st, ins_pick)) == NULL)
			return MS_ERR_STORE;
		sqlite3_bind_int64(s, 1, day);
		sqlite3_bind_int64(s, 2, (int64_t)i + 1);
		sqlite3_bind_int64(s, 3, p->assets[pk->asset].id);
		ms_store_bind_double(s, 4, pk->price);
		ms_store_bind_double(s, 5, pk->market_cap);
		ms_store_bind_double(s, 6, pk->volume);
		ms_store_bind_double(s, 7, pk->trader_grade);
		ms_store_bind_double(s, 8, pk->investor_grade);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return MS_ERR_STORE;
	}
	*graded = 0;
	for (size_t a = 0; a < p->nassets; a++) {
		if (isnan(g[a].trader) && isnan(g[a].investor))
			continue;
		if ((s = ms_store_stmt(st, ins_grade)) == NULL)
			return MS_ERR_STORE;
		sqlite3_bind_int64(s, 1, day);
		sqlite3_bind_int64(s, 2, p->assets[a].id);
		ms_store_bind_double(s, 3, g[a].trader);
		ms_store_bind_double(s, 4, g[a].investor);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return MS_ERR_STORE;
		(*graded)++;
	}
	if ((rc = ms_store_data_version(st, &dv)) != 0)
		return rc;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((s = ms_store_stmt(st, ins_run)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, day);
	sqlite3_bind_int64(s, 2, dv);
	sqlite3_bind_int64(s, 3, (int64_t)k);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : MS_ERR_STORE;
}

void
ms_record_opts_default(struct ms_record_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->picks = MS_RECORD_DEFAULT_K;
	o->forecast_top = MS_RECORD_DEFAULT_FORECAST_TOP;
	o->horizons[0] = 7;
	o->horizons[1] = 30;
	o->horizons[2] = 90;
	o->nhorizons = 3;
}

/* Every panel asset's signal on the panel's last day. */
static int
write_signals(struct ms_store *st, int32_t day, const struct ms_panel *p,
    size_t *n)
{
	static const char del[] = "DELETE FROM signal_records WHERE day = ?1";
	static const char ins[] =
	    "INSERT INTO signal_records(day, asset_id, signal) VALUES (?1, ?2, ?3)";
	int *sig;
	int rc;

	*n = 0;
	if ((rc = exec_day(st, del, day)) != 0)
		return rc;
	if ((sig = malloc(p->ndays * sizeof(*sig))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t a = 0; a < p->nassets && rc == 0; a++) {
		const double *c = ms_panel_row(p, p->close, a);
		sqlite3_stmt *s;
		if (isnan(c[p->ndays - 1]))
			continue;   /* no bar on the day: no signal */
		if ((rc = ms_signal_series(c, p->ndays, sig)) != 0)
			break;
		if ((s = ms_store_stmt(st, ins)) == NULL) {
			rc = MS_ERR_STORE;
			break;
		}
		sqlite3_bind_int64(s, 1, day);
		sqlite3_bind_int64(s, 2, p->assets[a].id);
		sqlite3_bind_int(s, 3, sig[p->ndays - 1]);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : MS_ERR_STORE;
		sqlite3_reset(s);
		(*n)++;
	}
	free(sig);
	return rc;
}

struct capped { size_t a; double cap; };

static int
cmp_cap(const void *x, const void *y)
{
	const struct capped *a = x, *b = y;
	int c = (a->cap < b->cap) - (a->cap > b->cap);

	return c ? c : (a->a > b->a) - (a->a < b->a);
}

/* Forecasts of every model at every horizon for the largest assets. */
static int
write_forecasts(struct ms_store *st, int32_t day, const struct ms_panel *p,
    const struct ms_record_opts *o, size_t *n)
{
	static const char del[] = "DELETE FROM forecast_records WHERE day = ?1";
	static const char ins[] =
	    "INSERT INTO forecast_records(day, asset_id, model, horizon, used,"
	    " price, q05, q10, q25, q50, q75, q90, q95)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
	const size_t ndays = MS_FORECAST_DEFAULT_GARCH_WINDOW + 1;
	struct capped *caps;
	size_t ncap = 0;
	int rc;

	*n = 0;
	if ((rc = exec_day(st, del, day)) != 0)
		return rc;
	if (o->forecast_top == 0 || o->nhorizons == 0 || p->nassets == 0)
		return 0;
	if ((caps = malloc(p->nassets * sizeof(*caps))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t a = 0; a < p->nassets; a++) {
		double m = ms_panel_row(p, p->market_cap, a)[p->ndays - 1];
		if (m > 0 && !isnan(ms_panel_row(p, p->close, a)[p->ndays - 1])) {
			caps[ncap].a = a;
			caps[ncap].cap = m;
			ncap++;
		}
	}
	qsort(caps, ncap, sizeof(*caps), cmp_cap);
	for (size_t i = 0; i < ncap && i < o->forecast_top && rc == 0; i++) {
		int64_t asset_id = p->assets[caps[i].a].id;
		double *closes = NULL;
		if ((rc = ms_market_closes(st, asset_id, day, ndays, &closes)) != 0)
			break;
		for (int m = 0; m < MS_FORECAST_NMODELS && rc == 0; m++) {
			struct ms_forecast_params fp;
			struct ms_forecast_fit fit;
			ms_forecast_params_default((enum ms_forecast_model)m, &fp);
			fp.horizon = o->horizons[o->nhorizons - 1];
			rc = ms_forecast_fit(closes, ndays, &fp, &fit);
			if (rc == MS_ERR_NODATA || rc == MS_ERR_RANGE) {
				rc = 0;   /* too little history: nothing to record */
				continue;
			}
			for (size_t h = 0; h < o->nhorizons && rc == 0; h++) {
				struct ms_forecast f;
				sqlite3_stmt *s;
				fp.horizon = o->horizons[h];
				if ((rc = ms_forecast_predict(&fit, &fp, NULL, 0, &f)) != 0)
					break;
				if ((s = ms_store_stmt(st, ins)) == NULL) {
					rc = MS_ERR_STORE;
					break;
				}
				sqlite3_bind_int64(s, 1, day);
				sqlite3_bind_int64(s, 2, asset_id);
				sqlite3_bind_text(s, 3, ms_forecast_model_name(fit.model), -1, SQLITE_STATIC);
				sqlite3_bind_int(s, 4, o->horizons[h]);
				sqlite3_bind_text(s, 5, ms_forecast_model_name(fit.used), -1, SQLITE_STATIC);
				sqlite3_bind_double(s, 6, fit.price);
				for (int q = 0; q < MS_FORECAST_NQ; q++)
					ms_store_bind_double(s, 7 + q, f.quantile[q]);
				rc = sqlite3_step(s) == SQLITE_DONE ? 0 : MS_ERR_STORE;
				sqlite3_reset(s);
				(*n)++;
			}
		}
		free(closes);
	}
	free(caps);
	return rc;
}

int
ms_record_day_opts(struct ms_store *st, int32_t day,
    const struct ms_record_opts *opts, struct ms_record_summary *out)
{
	struct ms_record_opts def;
	struct ms_screen_params sp;
	struct ms_screen_result sr = { 0 };
	struct ms_panel *p = NULL;
	struct ms_grade *g = NULL;
	int32_t last;
	size_t graded = 0, nsig = 0, nfc = 0;
	int rc;

	if (opts == NULL) {
		ms_record_opts_default(&def);
		opts = &def;
	}
	if ((rc = ms_market_latest_day(st, day, &last)) != 0)
		return rc;
	if ((rc = ms_grade_universe(st, day, NULL, &p, &g)) != 0)
		return rc;
	ms_screen_defaults(&sp);
	if ((rc = ms_screen_run(p, g, &sp, &sr)) != 0)
		goto done;
	if ((rc = ms_store_begin(st)) != 0)
		goto done;
	rc = write_records(st, day, opts->picks, p, g, &sr, &graded);
	if (rc == 0)
		rc = write_signals(st, day, p, &nsig);
	if (rc == 0)
		rc = write_forecasts(st, day, p, opts, &nfc);
	if (rc == 0)
		rc = ms_store_commit(st);
	else
		ms_store_rollback(st);
	if (rc == 0 && out != NULL) {
		out->day = day;
		out->graded = graded;
		out->picks = sr.n < opts->picks ? sr.n : opts->picks;
		out->universe = sr.universe;
		out->signals = nsig;
		out->forecasts = nfc;
	}
done:
	ms_screen_result_free(&sr);
	free(g);
	ms_panel_free(p);
	return rc;
}

int
ms_record_day(struct ms_store *st, int32_t day, size_t k,
    struct ms_record_summary *out)
{
	struct ms_record_opts o;

	ms_record_opts_default(&o);
	o.picks = k;
	return ms_record_day_opts(st, day, &o, out);
}

int
ms_record_forecast_track(struct ms_store *st, int64_t asset_id,
    const char *model, int horizon, int32_t as_of,
    struct ms_forecast_track *out)
{
	static const char sql[] =
	    "SELECT day, q05, q25, q50, q75, q95 FROM forecast_records"
	    " WHERE asset_id = ?1 AND model = ?2 AND horizon = ?3"
	    " AND day + ?3 <= ?4 ORDER BY day";
	struct { int32_t day; double q05, q25, q50, q75, q95; } *v = NULL, *t;
	size_t n = 0, cap = 0, judged = 0, in50 = 0, in90 = 0;
	double ape = 0;
	sqlite3_stmt *s;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, asset_id);
	sqlite3_bind_text(s, 2, model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 3, horizon);
	sqlite3_bind_int64(s, 4, as_of);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((t = realloc(v, cap * sizeof(*v))) == NULL) {
				sqlite3_reset(s);
				free(v);
				return MS_ERR_NOMEM;
			}
			v = t;
		}
		v[n].day = (int32_t)sqlite3_column_int64(s, 0);
		v[n].q05 = sqlite3_column_double(s, 1);
		v[n].q25 = sqlite3_column_double(s, 2);
		v[n].q50 = sqlite3_column_double(s, 3);
		v[n].q75 = sqlite3_column_double(s, 4);
		v[n].q95 = sqlite3_column_double(s, 5);
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return MS_ERR_STORE;
	}
	for (size_t i = 0; i < n; i++) {
		struct ms_bar b;
		rc = ms_market_bar_near(st, asset_id, v[i].day + horizon,
		    horizon / 10, &b);
		if (rc == MS_ERR_NODATA)
			continue;
		if (rc != 0) {
			free(v);
			return rc;
		}
		if (!(b.close > 0))
			continue;
		judged++;
		in50 += b.close >= v[i].q25 && b.close <= v[i].q75;
		in90 += b.close >= v[i].q05 && b.close <= v[i].q95;
		ape += fabs(v[i].q50 - b.close) / b.close;
	}
	free(v);
	out->judged = judged;
	out->coverage_50 = judged ? (double)in50 / (double)judged : NAN;
	out->coverage_90 = judged ? (double)in90 / (double)judged : NAN;
	out->mape = judged ? ape / (double)judged : NAN;
	return 0;
}

static const int horizons[3] = { 7, 30, 90 };

/* Judges one pick from its bars after entry, up to as_of. */
static int
judge(struct ms_store *st, struct ms_judged_pick *j, int32_t as_of)
{
	struct ms_bar *bars = NULL, last;
	size_t n = 0;
	int rc;

	j->roi = j->max_gain = NAN;
	for (int h = 0; h < 3; h++)
		j->roi_h[h] = NAN;
	j->died = 0;
	j->last_day = j->day;
	j->last_price = j->entry_price;
	if ((rc = ms_market_bar_at(st, j->asset_id, as_of, &last)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	if (last.day > j->day && !isnan(last.close)) {
		j->last_day = last.day;
		j->last_price = last.close;
	}
	if (j->entry_price > 0)
		j->roi = j->last_price / j->entry_price - 1;
	for (int h = 0; h < 3; h++) {
		struct ms_bar b;
		int32_t when = j->day + horizons[h];
		if (when > as_of)
			continue;
		rc = ms_market_bar_near(st, j->asset_id, when, horizons[h] / 10, &b);
		if (rc == 0 && j->entry_price > 0)
			j->roi_h[h] = b.close / j->entry_price - 1;
		else if (rc != MS_ERR_NODATA)
			return rc;
	}
	if ((rc = ms_market_bars(st, j->asset_id, j->day + 1, as_of, &bars, &n)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		double hi = isnan(bars[i].high) ? bars[i].close : bars[i].high;
		if (!isnan(hi) && j->entry_price > 0 &&
		    (isnan(j->max_gain) || hi / j->entry_price - 1 > j->max_gain))
			j->max_gain = hi / j->entry_price - 1;
	}
	free(bars);
	if (as_of - last.day > 30)
		j->died = 1;
	else if (!isnan(last.market_cap) && j->entry_market_cap > 0 &&
	    last.market_cap < 0.01 * j->entry_market_cap)
		j->died = 1;
	return 0;
}

int
ms_record_judge(struct ms_store *st, int32_t from, int32_t to,
    int32_t as_of, struct ms_judged_pick **out, size_t *n)
{
	static const char sql[] =
	    "SELECT day, rank, asset_id, price, market_cap, trader_grade"
	    " FROM pick_records WHERE day BETWEEN ?1 AND ?2"
	    " ORDER BY day DESC, rank";
	struct ms_judged_pick *v = NULL, *t;
	size_t len = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to < as_of ? to : as_of);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			if ((t = realloc(v, cap * sizeof(*v))) == NULL) {
				sqlite3_reset(s);
				free(v);
				return MS_ERR_NOMEM;
			}
			v = t;
		}
		struct ms_judged_pick *j = &v[len++];
		memset(j, 0, sizeof(*j));
		j->day = (int32_t)sqlite3_column_int64(s, 0);
		j->rank = sqlite3_column_int(s, 1);
		j->asset_id = sqlite3_column_int64(s, 2);
		j->entry_price = sqlite3_column_double(s, 3);
		j->entry_market_cap = sqlite3_column_type(s, 4) == SQLITE_NULL ?
		    NAN : sqlite3_column_double(s, 4);
		j->trader_grade = sqlite3_column_type(s, 5) == SQLITE_NULL ?
		    NAN : sqlite3_column_double(s, 5);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return MS_ERR_STORE;
	}
	/* Judging runs other statements, so only after this one is done. */
	for (size_t i = 0; i < len; i++)
		if ((rc = judge(st, &v[i], as_of)) != 0) {
			free(v);
			return rc;
		}
	*out = v;
	*n = len;
	return 0;
}
