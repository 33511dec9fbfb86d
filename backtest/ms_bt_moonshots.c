/*
 * ms_bt_moonshots.c — the point-in-time replay of the moonshot screener
 * (see ms_bt.h for the rules): rebalance dates, the decision through the
 * API's own ms_grade_universe and ms_screen_run, the cost model, the
 * delisting rule, overlapping cohorts in tranches, the benchmarks, and
 * the look-ahead guard that re-runs a decision on a truncated copy of the
 * store.
 *
 * Memory: one decision panel (365 days) and one forward panel (the hold
 * plus 30 days) are alive at a time; both are freed before the next
 * date. The per-day books are allocated once before the loop.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ms_bt.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_grade.h"
#include "ms_log.h"
#include "ms_panel.h"
#include "ms_store.h"

static const char *const rebalance_names[MS_BT_REBALANCE__COUNT] = {
	"daily", "weekly", "monthly", "snapshots",
};

static const char *const status_names[] = {
	"held", "died", "censored", "unfilled", "left",
};

static const char *const left_names[MS_BT_LEFT__COUNT] = {
	"bound", "zero", "last",
};

const char *
ms_bt_rebalance_name(enum ms_bt_rebalance r)
{
	return (unsigned)r < MS_BT_REBALANCE__COUNT ? rebalance_names[r] :
	    "unknown";
}

enum ms_bt_rebalance
ms_bt_rebalance_parse(const char *name)
{
	for (unsigned i = 0; name != NULL && i < MS_BT_REBALANCE__COUNT; i++)
		if (strcmp(name, rebalance_names[i]) == 0)
			return (enum ms_bt_rebalance)i;
	return MS_BT_REBALANCE__COUNT;
}

const char *
ms_bt_left_rule_name(enum ms_bt_left_rule r)
{
	return (unsigned)r < MS_BT_LEFT__COUNT ? left_names[r] : "unknown";
}

enum ms_bt_left_rule
ms_bt_left_rule_parse(const char *name)
{
	for (unsigned i = 0; name != NULL && i < MS_BT_LEFT__COUNT; i++)
		if (strcmp(name, left_names[i]) == 0)
			return (enum ms_bt_left_rule)i;
	return MS_BT_LEFT__COUNT;
}

const char *
ms_bt_status_name(enum ms_bt_status s)
{
	return (unsigned)s <= MS_BT_LEFT ? status_names[s] : "unknown";
}

void
ms_bt_params_default(struct ms_bt_params *p)
{
	memset(p, 0, sizeof(*p));
	p->from = p->to = -1;
	p->rebalance = MS_BT_WEEKLY;
	p->hold_days = 28;
	p->top = 10;
	ms_screen_defaults(&p->screen);
	p->capital = 1e5;
	p->spread_bps = 50;
	p->impact = 0.5;
	p->max_volume_share = 0.1;
	p->delist_haircut = 1;
	p->delist_days = MS_BT_DELIST_DAYS;
	snprintf(p->benchmark, sizeof(p->benchmark), "%s", "bitcoin");
	p->seed = 1;
	p->bootstrap = 10000;
	p->left_rule = MS_BT_LEFT_BOUND;
	snprintf(p->snapshot_source, sizeof(p->snapshot_source), "%s",
	    MS_BT_SNAPSHOT_SOURCE);
}

static int
why_out(char *why, size_t whysz, const char *msg)
{
	if (why != NULL && whysz > 0)
		snprintf(why, whysz, "%s", msg);
	return MS_ERR_RANGE;
}

int
ms_bt_snapshot_option(const char *o, const char *a, struct ms_bt_params *p,
    const char **why)
{
	enum ms_bt_left_rule lr;
	size_t n;

	if (strcmp(o, "--rebalance") == 0) {
		if (a == NULL || strcmp(a, "snapshots") != 0)
			return 0;
		p->rebalance = MS_BT_SNAPSHOTS;
	} else if (strcmp(o, "--left-rule") == 0) {
		if ((lr = ms_bt_left_rule_parse(a)) == MS_BT_LEFT__COUNT) {
			*why = "needs bound, zero or last";
			return -1;
		}
		p->left_rule = lr;
	} else if (strcmp(o, "--snapshot-source") == 0) {
		n = a != NULL ? strlen(a) : 0;
		if (n == 0 || n >= sizeof(p->snapshot_source)) {
			*why = "needs a source name of 1..95 bytes";
			return -1;
		}
		memcpy(p->snapshot_source, a, n + 1);
	} else {
		return 0;
	}
	return 1;
}

/* a in [lo, hi], finite. */
static int
in_range(double a, double lo, double hi)
{
	return isfinite(a) && a >= lo && a <= hi;
}

int
ms_bt_params_check(const struct ms_bt_params *p, char *why, size_t whysz)
{
	const struct ms_screen_params *sp = &p->screen;

	if (p->from != -1 && (p->from < MS_DATE_MIN || p->from > MS_DATE_MAX))
		return why_out(why, whysz, "--from: a date 2009-01-03..2099-12-31");
	if (p->to != -1 && (p->to < MS_DATE_MIN || p->to > MS_DATE_MAX))
		return why_out(why, whysz, "--to: a date 2009-01-03..2099-12-31");
	if (p->from != -1 && p->to != -1 && p->from > p->to)
		return why_out(why, whysz, "--from: must not be after --to");
	if ((unsigned)p->rebalance >= MS_BT_REBALANCE__COUNT)
		return why_out(why, whysz,
		    "--rebalance: daily, weekly, monthly or snapshots");
	if (p->hold_days < 0 || p->hold_days > MS_BT_MAX_HOLD)
		return why_out(why, whysz, "--hold: 1..730 days or next");
	if (p->rebalance == MS_BT_SNAPSHOTS && p->hold_days != MS_BT_HOLD_NEXT)
		return why_out(why, whysz,
		    "--hold: must be next with --rebalance snapshots");
	if ((unsigned)p->left_rule >= MS_BT_LEFT__COUNT)
		return why_out(why, whysz, "--left-rule: bound, zero or last");
	if (p->rebalance == MS_BT_SNAPSHOTS && (p->snapshot_source[0] == '\0' ||
	    memchr(p->snapshot_source, '\0', sizeof(p->snapshot_source)) == NULL))
		return why_out(why, whysz,
		    "--snapshot-source: a source name of 1..95 bytes");
	if (p->top < 1 || p->top > MS_BT_MAX_TOP)
		return why_out(why, whysz, "--top: 1..500");
	if (!in_range(p->capital, 1, MS_BT_MAX_CAPITAL))
		return why_out(why, whysz, "--capital: 1..1e12 USD");
	if (!in_range(p->spread_bps, 0, 10000))
		return why_out(why, whysz, "--spread-bps: 0..10000");
	if (!in_range(p->impact, 0, 100))
		return why_out(why, whysz, "--impact: 0..100");
	if (!in_range(p->max_volume_share, 1e-9, 1))
		return why_out(why, whysz, "--max-volume-share: above 0, at most 1");
	if (!in_range(p->delist_haircut, 0, 1))
		return why_out(why, whysz, "--delist-haircut: 0..1");
	if (p->delist_days < 1 || p->delist_days > MS_BT_MAX_DELIST_DAYS)
		return why_out(why, whysz, "--delist-days: 1..365");
	if (p->bootstrap > MS_BT_MAX_BOOTSTRAP)
		return why_out(why, whysz, "--bootstrap: 0..1000000");
	if (p->benchmark[0] == '\0')
		return why_out(why, whysz, "--benchmark: an asset id or symbol");
	if (!isnan(sp->max_market_cap) && !in_range(sp->max_market_cap, 1, 1e15))
		return why_out(why, whysz, "--max-market-cap: 1..1e15 USD");
	if (!isnan(sp->min_market_cap) && !in_range(sp->min_market_cap, 0, 1e15))
		return why_out(why, whysz, "--min-market-cap: 0..1e15 USD");
	if (!isnan(sp->min_market_cap) && !isnan(sp->max_market_cap) &&
	    sp->min_market_cap >= sp->max_market_cap)
		return why_out(why, whysz,
		    "--min-market-cap: must be below --max-market-cap");
	if (!isnan(sp->min_volume) && !in_range(sp->min_volume, 0, 1e15))
		return why_out(why, whysz, "--min-volume: 0..1e15 USD");
	if ((unsigned)sp->sort >= MS_SORT__COUNT)
		return why_out(why, whysz, "--sort: unknown key");
	return 0;
}

/* ---- the decision ---------------------------------------------------- */

/*
 * The days [day - ndays + 1, day] of the store: cut out of `all` (the
 * run's history, loaded once) when it covers them, else read. Both give the
 * same panel (ms_panel_slice; tests/check_panel.c, and check_backtest.c
 * runs a replay both ways).
 */
static int
window(struct ms_store *st, const struct ms_panel *all, int32_t day,
    size_t ndays, struct ms_panel **out)
{
	if (all != NULL && day <= all->last_day &&
	    day - (int32_t)ndays + 1 >= all->first_day)
		return ms_panel_slice(all, day, ndays, out);
	return ms_panel_load(st, day, ndays, out);
}

/*
 * The API's computation as of day: the panel and grades of
 * ms_grade_universe (the MS_GRADE_LOOKBACK days to day, graded with the
 * default weights by ms_grade_panel), screened by ms_screen_run. all: see
 * window(). On success the three outputs belong to the caller.
 */
static int
decide_panel(struct ms_store *st, const struct ms_panel *all, int32_t day,
    const struct ms_screen_params *sp, struct ms_panel **p,
    struct ms_grade **g, struct ms_screen_result *sr)
{
	int rc;

	if (all == NULL) {
		if ((rc = ms_grade_universe(st, day, NULL, p, g)) != 0)
			return rc;
	} else {
		if ((rc = window(st, all, day, MS_GRADE_LOOKBACK, p)) != 0)
			return rc;
		*g = calloc((*p)->nassets ? (*p)->nassets : 1, sizeof(**g));
		rc = *g == NULL ? MS_ERR_NOMEM : ms_grade_panel(*p, NULL, *g);
		if (rc != 0) {
			free(*g);
			ms_panel_free(*p);
			*g = NULL;
			*p = NULL;
			return rc;
		}
	}
	if ((rc = ms_screen_run(*p, *g, sp, sr)) != 0) {
		free(*g);
		ms_panel_free(*p);
		*g = NULL;
		*p = NULL;
	}
	return rc;
}

int
ms_bt_decide(struct ms_store *st, int32_t day,
    const struct ms_screen_params *sp, size_t top, struct ms_bt_decision *out)
{
	struct ms_panel *p;
	struct ms_grade *g;
	struct ms_screen_result sr;
	struct ms_bt_decision d;
	int rc;

	memset(&d, 0, sizeof(d));
	if ((rc = decide_panel(st, NULL, day, sp, &p, &g, &sr)) != 0)
		return rc;
	d.day = day;
	d.universe = sr.universe;
	d.tradable = sr.universe - sr.excluded[MS_EX_NO_BAR_ON_DAY];
	d.matched = sr.n;
	d.n = sr.n < top ? sr.n : top;
	if (d.n > 0 && (d.picks = calloc(d.n, sizeof(*d.picks))) == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < d.n; i++) {
		const struct ms_screen_pick *pk = &sr.picks[i];
		d.picks[i].asset_id = p->assets[pk->asset].id;
		d.picks[i].price = pk->price;
		d.picks[i].market_cap = pk->market_cap;
		d.picks[i].volume = pk->volume;
		d.picks[i].trader_grade = pk->trader_grade;
		d.picks[i].investor_grade = pk->investor_grade;
	}
	*out = d;
done:
	ms_screen_result_free(&sr);
	free(g);
	ms_panel_free(p);
	return rc;
}

void
ms_bt_decision_free(struct ms_bt_decision *d)
{
	if (d == NULL)
		return;
	free(d->picks);
	d->picks = NULL;
	d->n = 0;
}

/* Bit-for-bit equality, NaN equal to NaN. */
static int
same_double(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof(a)) == 0;
}

int
ms_bt_decision_equal(const struct ms_bt_decision *a,
    const struct ms_bt_decision *b)
{
	if (a->day != b->day || a->universe != b->universe ||
	    a->tradable != b->tradable || a->matched != b->matched ||
	    a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct ms_bt_choice *x = &a->picks[i], *y = &b->picks[i];
		if (x->asset_id != y->asset_id || !same_double(x->price, y->price) ||
		    !same_double(x->market_cap, y->market_cap) ||
		    !same_double(x->volume, y->volume) ||
		    !same_double(x->trader_grade, y->trader_grade) ||
		    !same_double(x->investor_grade, y->investor_grade))
			return 0;
	}
	return 1;
}

/* ---- the look-ahead guard -------------------------------------------- */

static int
exec_day(sqlite3 *db, const char *sql, int32_t day)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, day);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : MS_ERR_STORE;
}

int
ms_bt_truncated_copy(struct ms_store *st, int32_t day, const char *path)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc = 0;

	if (access(path, F_OK) == 0)
		return MS_ERR_INVALID;
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		ms_log(MS_LOG_ERROR, NULL, "lookahead copy %s: %s", path,
		    dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return MS_ERR_IO;
	}
	b = sqlite3_backup_init(dst, "main", ms_store_db(st), "main");
	if (b == NULL) {
		rc = MS_ERR_STORE;
	} else {
		if (sqlite3_backup_step(b, -1) != SQLITE_DONE)
			rc = MS_ERR_STORE;
		if (sqlite3_backup_finish(b) != SQLITE_OK)
			rc = MS_ERR_STORE;
	}
	if (rc == 0)
		rc = exec_day(dst, "DELETE FROM daily WHERE day > ?1", day);
	if (rc == 0)
		rc = exec_day(dst, "DELETE FROM bars WHERE day > ?1", day);
	if (rc != 0)
		ms_log(MS_LOG_ERROR, NULL, "lookahead copy %s: %s", path,
		    sqlite3_errmsg(dst));
	sqlite3_close(dst);
	return rc;
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
ms_bt_check_lookahead(struct ms_store *st, int32_t day,
    const struct ms_screen_params *sp, size_t top, const char *dir, int *same)
{
	struct ms_bt_decision full, cut;
	struct ms_store *copy = NULL;
	char path[4096];
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/lookahead-%ld-%ld.db", dir,
	    (long)getpid(), (long)day) >= sizeof(path))
		return MS_ERR_TOOBIG;
	unlink_db(path);
	if ((rc = ms_bt_decide(st, day, sp, top, &full)) != 0)
		return rc;
	if ((rc = ms_bt_truncated_copy(st, day, path)) != 0 ||
	    (rc = ms_store_open(path, MS_STORE_RO, &copy)) != 0) {
		ms_bt_decision_free(&full);
		unlink_db(path);
		return rc;
	}
	rc = ms_bt_decide(copy, day, sp, top, &cut);
	ms_store_close(copy);
	unlink_db(path);
	if (rc == 0) {
		*same = ms_bt_decision_equal(&full, &cut);
		ms_bt_decision_free(&cut);
	}
	ms_bt_decision_free(&full);
	return rc;
}

/* ---- rebalance dates ------------------------------------------------- */

static int32_t
days_in_month(int y, int m)
{
	int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;

	return ms_date_from_ymd(ny, nm, 1) - ms_date_from_ymd(y, m, 1);
}

/*
 * The rebalance date after d: +1 day, +7 days, or the anchor's day of the
 * month in the next month (clamped to the month's last day).
 */
static int32_t
next_date(int32_t d, enum ms_bt_rebalance r, int anchor_dom)
{
	int y, m, dd;

	if (r == MS_BT_DAILY)
		return d + 1;
	if (r == MS_BT_WEEKLY)
		return d + 7;
	ms_date_to_ymd(d, &y, &m, &dd);
	if (++m == 13) {
		m = 1;
		y++;
	}
	dd = anchor_dom;
	if (dd > days_in_month(y, m))
		dd = days_in_month(y, m);
	return ms_date_from_ymd(y, m, dd);
}

static int
hold_of(const struct ms_bt_params *p, int32_t d, int anchor)
{
	if (p->hold_days != MS_BT_HOLD_NEXT)
		return p->hold_days;
	return (int)(next_date(d, p->rebalance, anchor) - d);
}

/* ---- simulation ------------------------------------------------------ */

/* One position of a cohort: input target, output everything else. */
struct sim_pos {
	size_t fa;                  /* row in the forward panel */
	double target;              /* USD */
	double notional, reduced, entry_cost, exit_cost, exit_price;
	double ret_gross, ret_net, max_gain, unsold, cap_limit;
	int32_t exit_off, last_off; /* offsets from the entry day */
	enum ms_bt_status status;
};

/* How a cohort's exit is judged (see struct ms_bt_cohort). */
struct sim_exit {
	int snapshot;               /* absent on the exit day: "left" */
	size_t again;               /* snapshot: days after the exit searched
	                               for a later bar */
	double cutoff;              /* snapshot: the exit's smallest cap */
	enum ms_bt_left_rule rule;
};

/* Per-day books of one strategy over the run's days [t0, t0 + ndays). */
struct book {
	int32_t t0;
	size_t ndays, ntr;
	double *val;                /* [ntr * ndays] tranche values, USD */
	int32_t *busy_until;        /* [ntr]: free from this day on */
	double *posval;             /* [ndays] marked value of positions */
	double *sleeve;             /* [ndays] positions being sold after their
	                               exit day, and the cash they returned */
	double *scash;              /* [ndays] cash the sleeve realised each day */
	double withdrawn;           /* sleeve cash moved into later cohorts */
	size_t *npos;               /* [ndays] open positions */
};

static void
book_free(struct book *b)
{
	free(b->val);
	free(b->busy_until);
	free(b->posval);
	free(b->npos);
	free(b->sleeve);
	free(b->scash);
	b->val = b->posval = b->sleeve = b->scash = NULL;
	b->busy_until = NULL;
	b->npos = NULL;
}

static int
book_init(struct book *b, int32_t t0, size_t ndays, size_t ntr,
    double capital)
{
	memset(b, 0, sizeof(*b));
	b->t0 = t0;
	b->ndays = ndays;
	b->ntr = ntr;
	b->val = malloc(ntr * ndays * sizeof(*b->val));
	b->busy_until = malloc(ntr * sizeof(*b->busy_until));
	b->posval = calloc(ndays, sizeof(*b->posval));
	b->npos = calloc(ndays, sizeof(*b->npos));
	b->sleeve = calloc(ndays, sizeof(*b->sleeve));
	b->scash = calloc(ndays, sizeof(*b->scash));
	if (b->val == NULL || b->busy_until == NULL || b->posval == NULL ||
	    b->npos == NULL || b->sleeve == NULL || b->scash == NULL) {
		book_free(b);
		return MS_ERR_NOMEM;
	}
	for (size_t i = 0; i < ntr * ndays; i++)
		b->val[i] = capital / (double)ntr;
	for (size_t k = 0; k < ntr; k++)
		b->busy_until[k] = INT32_MIN;
	return 0;
}

struct cost_acc {
	double spread, impact;
};

/* Splits a cost of `usd` between spread and impact by their fractions. */
static void
add_cost(struct cost_acc *acc, double usd, double spread_frac,
    double impact_frac)
{
	double tot = spread_frac + impact_frac;

	if (acc == NULL || !(tot > 0) || !(usd > 0))
		return;
	acc->spread += usd * spread_frac / tot;
	acc->impact += usd * impact_frac / tot;
}

static int
finite_pos(double x)
{
	return isfinite(x) && x > 0;
}

/*
 * Sells u units of a position from offset h on, at most max_volume_share
 * of each day's volume per day, for up to p->delist_days days
 * (days without a bar or volume sell nothing). Writes the proceeds of
 * each day into got[t] (offsets h..nd-1, zeroed by the caller) and the
 * units still held at the end of each day into left[t]. Returns the units
 * left unsold; *gross and *cost receive the USD sold (before costs) and
 * the costs paid, *last the offset of the last sale (h when none).
 */
static double
liquidate(const double *c, const double *v, size_t h, size_t nd, double u,
    const struct ms_bt_params *p, double *got, double *left, double *gross,
    double *cost, struct cost_acc *acc, size_t *last)
{
	double sbps = p->spread_bps / 1e4;
	size_t end = h + (size_t)p->delist_days < nd - 1 ?
	    h + (size_t)p->delist_days : nd - 1;

	*gross = *cost = 0;
	*last = h;
	for (size_t t = h; t <= end; t++) {
		if (u > 0 && finite_pos(c[t]) && finite_pos(v[t])) {
			double sell = p->max_volume_share * v[t] / c[t];
			if (sell > u)
				sell = u;
			double usd = sell * c[t], imp = p->impact * usd / v[t];
			double f = sbps + imp < 1 ? sbps + imp : 1;
			got[t] = usd * (1 - f);
			*gross += usd;
			*cost += usd * f;
			add_cost(acc, usd * f, sbps, imp);
			u -= sell;
			if (u <= 1e-12 * (u + sell))
				u = 0;   /* rounding: sold out */
			*last = t;
		}
		left[t] = u;
	}
	for (size_t t = end + 1; t < nd; t++)
		left[t] = u;
	return u;
}

/*
 * The price a holding that left the snapshot universe is valued at on the
 * exit day (see ms_bt.h): its last close c[last], zero, or the bound
 * min(last close, cutoff / supply) with supply = market cap / close of its
 * last bar that has both (the last close when there is none).
 */
static double
left_price(const double *c, const double *mc, size_t last,
    const struct sim_exit *ex)
{
	double lp = c[last];

	if (ex->rule == MS_BT_LEFT_ZERO)
		return 0;
	if (ex->rule == MS_BT_LEFT_LAST)
		return lp;
	for (size_t t = last + 1; t-- > 0;) {
		if (finite_pos(c[t]) && finite_pos(mc[t])) {
			double b = ex->cutoff / (mc[t] / c[t]);
			return finite_pos(b) && b < lp ? b : lp;
		}
	}
	return lp;
}

/*
 * Simulates one cohort bought with `cash` USD at offset 0 of the forward
 * panel fwd (first day = the entry day) and sold from offset `hold` on
 * (earlier by the delisting rule). censored: the nominal exit day is after
 * the store's last day. Fills pos[]; writes the tranche's value on each
 * offset 0..h into val (h = min(hold, fwd->ndays - 1), returned in *hout):
 * the unspent cash, the positions' marks, and from h on the proceeds of
 * what was sold on h. With costs, what could not be sold on h is sold on
 * the following days (liquidate); its marks and later proceeds go into
 * sleeve[t] (t = 0..nsleeve-1), and the cash realised on each day also
 * into scash[t] (the next cohort bought after it takes it). posval/npos,
 * when not NULL, receive the marked value and count of open positions.
 * *end receives the last offset with a sale or write-off. ex says how
 * the exit is judged (snapshot universes: "left").
 *
 * This is the one valuation of the backtester: ms_bt_run's cohorts and
 * benchmark baskets and ms_bt_value (backtest picks) all come here.
 */
static void
simulate(const struct ms_panel *fwd, struct sim_pos *pos, size_t n,
    int hold, int censored, int costs, const struct ms_bt_params *p,
    const struct sim_exit *ex,
    double cash, double *val, double *sleeve, double *scash, size_t nsleeve,
    double *posval, size_t *npos, struct cost_acc *acc, double *got,
    double *left, size_t *hout, size_t *end)
{
	size_t nd = fwd->ndays;
	size_t h = (size_t)hold < nd - 1 ? (size_t)hold : nd - 1;
	double sbps = costs ? p->spread_bps / 1e4 : 0;
	double capcost = sbps + p->impact * p->max_volume_share;
	double unspent = cash;

	if (capcost > 1)
		capcost = 1;
	*hout = h;
	*end = h;
	for (size_t t = 0; t <= h; t++)
		val[t] = 0;
	for (size_t i = 0; i < n; i++) {
		struct sim_pos *x = &pos[i];
		const double *c = ms_panel_row(fwd, fwd->close, x->fa);
		const double *hi = ms_panel_row(fwd, fwd->high, x->fa);
		const double *v = ms_panel_row(fwd, fwd->volume, x->fa);
		const double *mc = ms_panel_row(fwd, fwd->market_cap, x->fa);
		double p0 = c[0], q, cin = 0, imp_in = 0, mark;
		size_t last = 0, stop;

		x->notional = 0;
		x->reduced = 0;
		x->entry_cost = x->exit_cost = x->exit_price = NAN;
		x->ret_gross = x->ret_net = x->max_gain = NAN;
		x->unsold = x->cap_limit = NAN;
		x->exit_off = x->last_off = -1;
		if (!(x->target > 0) || !finite_pos(p0) ||
		    (costs && !finite_pos(v[0]))) {
			x->status = MS_BT_UNFILLED;
			x->reduced = x->target;
			continue;
		}
		x->notional = x->target;
		if (costs) {
			double capn = p->max_volume_share * v[0];
			if (x->notional > capn) {
				x->reduced = x->notional - capn;
				x->notional = capn;
			}
			imp_in = p->impact * x->notional / v[0];
			cin = sbps + imp_in;
		}
		x->entry_cost = cin;
		unspent -= x->notional;
		q = x->notional / (p0 * (1 + cin));
		add_cost(acc, x->notional - q * p0, sbps, imp_in);

		for (size_t t = 0; t <= h; t++)
			if (finite_pos(c[t]))
				last = t;
		x->last_off = (int32_t)last;
		x->status = censored ? MS_BT_CENSORED : MS_BT_HELD;
		if (last < h) {
			size_t lim = last + (size_t)p->delist_days < nd - 1 ?
			    last + (size_t)p->delist_days : nd - 1;
			int again = 0;
			/*
			 * A snapshot universe: a later bar (another source, or a
			 * return before the next snapshot) means it still trades;
			 * none means it left the universe, which is no death.
			 */
			if (ex->snapshot)
				lim = h + ex->again < nd - 1 ? h + ex->again : nd - 1;
			for (size_t t = h + 1; t <= lim && !again; t++)
				again = finite_pos(c[t]);
			if (!again && ex->snapshot)
				x->status = MS_BT_LEFT;
			else if (!again && last + (size_t)p->delist_days <= nd - 1)
				x->status = MS_BT_DIED;
			else if (!again)
				x->status = MS_BT_CENSORED;
		}
		x->ret_gross = c[last] / p0 - 1;
		for (size_t t = 1; t <= last; t++) {
			double top = isfinite(hi[t]) ? hi[t] : c[t];
			if (isfinite(top) && (isnan(x->max_gain) ||
			    top / p0 - 1 > x->max_gain))
				x->max_gain = top / p0 - 1;
		}

		/* Marks up to the exit (the day after the last bar if it died). */
		stop = x->status == MS_BT_DIED ? last + 1 : h;
		mark = p0;
		for (size_t t = 0; t < stop; t++) {
			if (finite_pos(c[t]))
				mark = c[t];
			val[t] += q * mark;
			if (posval != NULL) {
				posval[t] += q * mark;
				npos[t]++;
			}
		}
		if (x->status == MS_BT_DIED) {
			double pr = q * c[last] * (1 - p->delist_haircut);
			for (size_t t = stop; t <= h; t++)
				val[t] += pr;
			x->exit_off = (int32_t)stop;
			x->exit_price = c[last];
			x->exit_cost = p->delist_haircut;
			x->ret_gross = c[last] * (1 - p->delist_haircut) / p0 - 1;
			x->ret_net = pr / x->notional - 1;
			x->unsold = 0;
			continue;
		}
		if (x->status == MS_BT_LEFT) {
			/* Valued on the exit day; the spread is its only known cost. */
			double vp = left_price(c, mc, last, ex);
			double pr = q * vp * (1 - sbps);
			val[h] += pr;
			add_cost(acc, q * vp * sbps, sbps, 0);
			x->exit_off = (int32_t)h;
			x->exit_price = vp;
			x->exit_cost = sbps;
			x->ret_gross = vp / p0 - 1;
			x->ret_net = pr / x->notional - 1;
			x->unsold = 0;
			x->cap_limit = ex->cutoff;
			continue;
		}
		if (!costs) {
			/* Gross benchmark: sold whole at the last close. */
			val[h] += q * c[last];
			x->exit_off = (int32_t)h;
			x->exit_price = c[last];
			x->exit_cost = 0;
			x->ret_net = c[last] / p0 - 1;
			x->unsold = 0;
			continue;
		}

		/* Sold from h on, capped by each day's volume. */
		double gross, cost, u, proceeds = 0, cum = 0, rest = 0;
		size_t lastsale, lend;
		int cens;
		for (size_t t = h; t < nd; t++)
			got[t] = left[t] = 0;
		u = liquidate(c, v, h, nd, q, p, got, left, &gross, &cost, acc,
		    &lastsale);
		val[h] += got[h];
		for (size_t t = h; t < nd; t++)
			proceeds += got[t];
		lend = h + (size_t)p->delist_days < nd - 1 ?
		    h + (size_t)p->delist_days : nd - 1;
		cens = u > 0 && h + (size_t)p->delist_days > nd - 1;
		mark = c[last];
		for (size_t t = h; t < nsleeve; t++) {
			double held = 0;
			if (t < nd && finite_pos(c[t]))
				mark = c[t];
			if (t > h && t <= lend) {
				cum += got[t];
				scash[t] += got[t];
			}
			/*
			 * What is still held at the end of the window is
			 * written off (or, when the data ends first, valued
			 * at a capped sale) on the window's last day.
			 */
			if (t < lend)
				held = left[t];
			else if (t == lend && cens) {
				/* The data ends first: the rest at a capped sale. */
				rest = u * mark * (1 - capcost);
				cum += rest;
				scash[t] += rest;
			}
			sleeve[t] += cum + held * mark;
			if (held > 0 && posval != NULL) {
				posval[t] += held * mark;
				npos[t]++;
			}
		}
		x->exit_off = (int32_t)(u > 0 ? lend : lastsale);
		x->exit_price = gross > 0 ? gross / (q - u) : NAN;
		x->exit_cost = gross > 0 ? cost / gross : NAN;
		x->unsold = cens ? 0 : u / q;
		if (cens)
			x->status = MS_BT_CENSORED;
		proceeds += rest;
		if ((size_t)x->exit_off > *end)
			*end = (size_t)x->exit_off;
		x->ret_net = proceeds / x->notional - 1;
	}
	for (size_t t = 0; t <= h; t++)
		val[t] += unspent;
}

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

/* A free tranche for a cohort starting on day, or SIZE_MAX. */
static size_t
free_tranche(const struct book *b, int32_t day)
{
	for (size_t k = 0; k < b->ntr; k++)
		if (b->busy_until[k] <= day)
			return k;
	return SIZE_MAX;
}

/* Writes a cohort's path into tranche k from day on, carrying the end. */
static void
book_commit(struct book *b, size_t k, int32_t day, const double *path,
    size_t h, int32_t busy_until)
{
	size_t off = (size_t)(day - b->t0);
	double *row = b->val + k * b->ndays;

	for (size_t t = 0; t <= h && off + t < b->ndays; t++)
		row[off + t] = path[t];
	for (size_t x = off + h + 1; x < b->ndays; x++)
		row[x] = path[h];
	b->busy_until[k] = busy_until;
}

static double
book_total(const struct book *b, size_t t)
{
	double s = b->sleeve[t];

	for (size_t k = 0; k < b->ntr; k++)
		s += b->val[k * b->ndays + t];
	return s;
}

/* ---- the run --------------------------------------------------------- */

void
ms_bt_result_free(struct ms_bt_result *r)
{
	if (r == NULL)
		return;
	free(r->dates);
	free(r->picks);
	free(r->periods);
	free(r);
}

/* Appends a pick row, growing the array. */
static int
push_pick(struct ms_bt_result *r, size_t *cap, const struct ms_bt_pick *pk)
{
	if (r->npicks == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		void *t = realloc(r->picks, nc * sizeof(*r->picks));
		if (t == NULL)
			return MS_ERR_NOMEM;
		r->picks = t;
		*cap = nc;
	}
	r->picks[r->npicks++] = *pk;
	return 0;
}

/* The benchmark's equity on each day of [t0, t0 + ndays); NaN unknown. */
static int
bench_equity(struct ms_store *st, struct ms_bt_result *r, int32_t t0,
    size_t ndays, double *eq)
{
	struct ms_resolution res;
	struct ms_bar b0;
	double *c = NULL, base, last;
	int rc;

	for (size_t t = 0; t < ndays; t++)
		eq[t] = NAN;
	rc = ms_market_resolve(st, r->params.benchmark, t0, &r->bench_asset,
	    &res);
	if (rc == MS_ERR_NOTFOUND) {
		memset(&r->bench_asset, 0, sizeof(r->bench_asset));
		return 0;
	}
	if (rc != 0)
		return rc;
	rc = ms_market_bar_at(st, r->bench_asset.id, t0, &b0);
	if (rc == MS_ERR_NODATA || (rc == 0 && !finite_pos(b0.close)))
		return 0;
	if (rc != 0)
		return rc;
	if ((rc = ms_market_closes(st, r->bench_asset.id,
	    t0 + (int32_t)ndays - 1, ndays, &c)) != 0)
		return rc;
	base = last = b0.close;
	for (size_t t = 0; t < ndays; t++) {
		if (finite_pos(c[t]))
			last = c[t];
		eq[t] = last / base;
	}
	free(c);
	return 0;
}

static void
series_summary(const double *r, size_t n, const double *bench,
    double *work, struct ms_bt_series_summary *out)
{
	size_t pos = 0, known = 0;

	out->known = 1;
	out->alpha_t = out->beta_t = NAN;
	if (ms_quant_summary(r, bench, n, NULL, work, &out->q) != 0) {
		out->known = 0;
		return;
	}
	/* Without memory for the fit the t-statistics stay unknown (null);
	 * the other metrics are still right. */
	if (bench != NULL)
		(void)ms_bt_ols_t(r, bench, n, &out->alpha_t, &out->beta_t);
	out->mean_t = ms_bt_mean_t(r, n);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(r[i]))
			continue;
		known++;
		pos += r[i] > 0;
	}
	out->hit_rate = known ? (double)pos / (double)known : NAN;
}

/* ---- snapshot universes -------------------------------------------- */

int
ms_bt_snapshots(struct ms_store *st, const char *source, int32_t **days,
    double **mincap, size_t *n)
{
	sqlite3 *db = ms_store_db(st);
	sqlite3_stmt *s = NULL;
	int32_t *d = NULL;
	double *m = NULL;
	size_t k = 0, cap = 0;
	int64_t src;
	int rc, step;

	*days = NULL;
	*mincap = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT id FROM sources WHERE name = ?1", -1,
	    &s, NULL) != SQLITE_OK)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step != SQLITE_ROW) {
		sqlite3_finalize(s);
		return step == SQLITE_DONE ? MS_ERR_NOTFOUND : MS_ERR_STORE;
	}
	src = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	/* min() skips NULL market caps; NULL when a day has none. */
	if (sqlite3_prepare_v2(db, "SELECT day, min(market_cap) FROM bars "
	    "WHERE source_id = ?1 GROUP BY day ORDER BY day", -1, &s,
	    NULL) != SQLITE_OK)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, src);
	rc = 0;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (k == MS_BT_MAX_DATES) {
			rc = MS_ERR_TOOBIG;
			break;
		}
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 128;
			int32_t *td = realloc(d, nc * sizeof(*d));
			if (td == NULL) {
				rc = MS_ERR_NOMEM;
				break;
			}
			d = td;
			double *tm = realloc(m, nc * sizeof(*m));
			if (tm == NULL) {
				rc = MS_ERR_NOMEM;
				break;
			}
			m = tm;
			cap = nc;
		}
		d[k] = (int32_t)sqlite3_column_int64(s, 0);
		m[k] = ms_store_col_double(s, 1);
		k++;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MS_ERR_STORE;
	sqlite3_finalize(s);
	if (rc != 0 || k == 0) {
		free(d);
		free(m);
		return rc;
	}
	*days = d;
	*mincap = m;
	*n = k;
	return 0;
}

/* ---- the valuation shared by every command ---------------------------- */

/*
 * The forward panel of a cohort (its entry day to the exit plus
 * delist_days, cut at the store's end), whether its exit is past the
 * store's end, and how its exit is judged. ms_bt_run and ms_bt_value
 * both load cohorts here, so a pick is valued on the same window either
 * way.
 */
static int
load_forward(struct ms_store *st, const struct ms_panel *all,
    const struct ms_bt_params *p,
    int32_t data_last, const struct ms_bt_cohort *co, struct ms_panel **fwd,
    int *censored, struct sim_exit *ex)
{
	int32_t end = co->day + co->hold + p->delist_days;

	if (end > data_last)
		end = data_last;
	*censored = co->day + co->hold > data_last;
	ex->snapshot = co->snapshot != 0;
	ex->cutoff = co->snapshot ? co->cutoff : NAN;
	ex->rule = p->left_rule;
	ex->again = (size_t)p->delist_days;
	if (co->snapshot && co->after >= 0) {
		/* A bar before the next snapshot still counts; that one not. */
		int32_t gap = co->after - (co->day + co->hold) - 1;
		if (gap < 0)
			gap = 0;
		if ((size_t)gap < ex->again)
			ex->again = (size_t)gap;
	}
	return window(st, all, end, (size_t)(end - co->day + 1), fwd);
}

/* A pick row from a simulated position (what both commands report). */
static void
fill_pick(struct ms_bt_pick *pk, int32_t day, size_t rank,
    const struct ms_asset *a, const struct sim_pos *x)
{
	memset(pk, 0, sizeof(*pk));
	pk->day = day;
	pk->rank = rank;
	pk->asset_id = a->id;
	memcpy(pk->slug, a->slug, sizeof(pk->slug));
	memcpy(pk->symbol, a->symbol, sizeof(pk->symbol));
	pk->entry_cost = x->entry_cost;
	pk->target_usd = x->target;
	pk->notional_usd = x->notional;
	pk->reduced_usd = x->reduced;
	pk->exit_day = x->exit_off < 0 ? -1 : day + x->exit_off;
	pk->last_bar_day = x->last_off < 0 ? -1 : day + x->last_off;
	pk->exit_price = x->exit_price;
	pk->exit_cost = x->exit_cost;
	pk->ret_gross = x->ret_gross;
	pk->ret_net = x->ret_net;
	pk->max_gain = x->max_gain;
	pk->unsold_share = x->unsold;
	pk->status = x->status;
	pk->exit_cap_limit = x->cap_limit;
}

int
ms_bt_value(struct ms_store *st, const struct ms_bt_params *p,
    int32_t data_last, const struct ms_bt_cohort *co, const int64_t *ids,
    const double *targets, size_t n, struct ms_bt_pick *out,
    double *spread_usd, double *impact_usd)
{
	struct ms_panel *fwd = NULL;
	struct sim_exit ex;
	struct sim_pos *pos = NULL;
	struct cost_acc acc = { 0, 0 };
	size_t *map = NULL, m = 0, nd, h, endoff;
	double *path = NULL, *got = NULL, *left = NULL, *sleeve = NULL;
	double *scash = NULL, cash = 0;
	int censored, rc;

	if (co->hold < 1 || co->hold > MS_BT_MAX_HOLD || co->day < MS_DATE_MIN ||
	    co->day > data_last || n > MS_BT_PICKS_MAX ||
	    ms_bt_params_check(p, NULL, 0) != 0)
		return MS_ERR_RANGE;
	if (n == 0)
		return 0;
	if ((rc = load_forward(st, NULL, p, data_last, co, &fwd, &censored,
	    &ex)) != 0)
		return rc;
	nd = fwd->ndays;
	pos = calloc(n, sizeof(*pos));
	map = calloc(n, sizeof(*map));
	path = calloc((size_t)co->hold + 1, sizeof(*path));
	got = calloc(nd, sizeof(*got));
	left = calloc(nd, sizeof(*left));
	sleeve = calloc(nd, sizeof(*sleeve));
	scash = calloc(nd, sizeof(*scash));
	if (pos == NULL || map == NULL || path == NULL || got == NULL ||
	    left == NULL || sleeve == NULL || scash == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		size_t fa = find_asset(fwd, ids[i]);
		double t = targets[i];

		map[i] = SIZE_MAX;
		if (fa == SIZE_MAX || !(t >= 0) || !isfinite(t))
			continue;
		pos[m].fa = fa;
		pos[m].target = t;
		cash += t;
		map[i] = m++;
	}
	if (m > 0)
		simulate(fwd, pos, m, co->hold, censored, 1, p, &ex, cash, path,
		    sleeve, scash, nd, NULL, NULL, &acc, got, left, &h, &endoff);
	for (size_t i = 0; i < n; i++) {
		struct ms_bt_pick *pk = &out[i];

		if (map[i] == SIZE_MAX) {
			/* No bar in the window (or no target): not bought. */
			struct ms_asset a;
			struct sim_pos x;
			memset(&x, 0, sizeof(x));
			x.target = isfinite(targets[i]) ? targets[i] : NAN;
			x.reduced = x.target;
			x.entry_cost = x.exit_cost = x.exit_price = NAN;
			x.ret_gross = x.ret_net = x.max_gain = NAN;
			x.unsold = x.cap_limit = NAN;
			x.exit_off = x.last_off = -1;
			x.status = MS_BT_UNFILLED;
			if ((rc = ms_market_asset(st, ids[i], &a)) != 0)
				goto done;
			fill_pick(pk, co->day, i + 1, &a, &x);
			pk->market_cap = pk->volume = pk->entry_price = NAN;
			pk->trader_grade = NAN;
			continue;
		}
		const struct sim_pos *x = &pos[map[i]];
		fill_pick(pk, co->day, i + 1, &fwd->assets[x->fa], x);
		pk->entry_price = ms_panel_row(fwd, fwd->close, x->fa)[0];
		pk->market_cap = ms_panel_row(fwd, fwd->market_cap, x->fa)[0];
		pk->volume = ms_panel_row(fwd, fwd->volume, x->fa)[0];
		pk->trader_grade = NAN;
	}
	if (spread_usd != NULL)
		*spread_usd += acc.spread;
	if (impact_usd != NULL)
		*impact_usd += acc.impact;
done:
	ms_panel_free(fwd);
	free(pos);
	free(map);
	free(path);
	free(got);
	free(left);
	free(sleeve);
	free(scash);
	return rc;
}

/* ---- rebalance schedule ---------------------------------------------- */

/* The rebalance dates of a run and the cohort each one buys. */
struct sched {
	struct ms_bt_cohort *co;    /* [n] */
	size_t n;
};

static int
sched_push(struct sched *sc, size_t *cap, const struct ms_bt_cohort *co)
{
	if (sc->n == MS_BT_MAX_DATES)
		return MS_ERR_TOOBIG;
	if (sc->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		void *t = realloc(sc->co, nc * sizeof(*sc->co));
		if (t == NULL)
			return MS_ERR_NOMEM;
		sc->co = t;
		*cap = nc;
	}
	sc->co[sc->n++] = *co;
	return 0;
}

/*
 * Snapshot dates in [from, to] that have a next snapshot (the exit); with
 * the default `to` every such date (the last snapshot is only an exit).
 */
static int
list_snapshots(struct ms_store *st, struct ms_bt_params *p, struct sched *sc)
{
	int32_t *snap = NULL;
	double *mincap = NULL;
	size_t ns = 0, cap = 0;
	int rc;

	if ((rc = ms_bt_snapshots(st, p->snapshot_source, &snap, &mincap,
	    &ns)) != 0)
		return rc == MS_ERR_NOTFOUND ? MS_ERR_NODATA : rc;
	for (size_t i = 0; rc == 0 && i + 1 < ns; i++) {
		struct ms_bt_cohort co;
		if (snap[i] < p->from || snap[i] > p->to)
			continue;
		co.day = snap[i];
		co.hold = (int)(snap[i + 1] - snap[i]);
		co.snapshot = 1;
		co.after = i + 2 < ns ? snap[i + 2] : -1;
		co.cutoff = mincap[i + 1];
		if (co.hold > MS_BT_MAX_HOLD)
			rc = MS_ERR_RANGE;   /* snapshots two years apart */
		else
			rc = sched_push(sc, &cap, &co);
	}
	free(snap);
	free(mincap);
	return rc;
}

/* Resolves the default date range and lists the rebalance dates. */
static int
list_dates(struct ms_store *st, struct ms_bt_params *p, int32_t first,
    int32_t last, struct sched *sc)
{
	size_t cap = 0;
	int y, m, dd, rc = 0;
	int default_to = p->to == -1, default_from = p->from == -1;

	sc->co = NULL;
	sc->n = 0;
	if (p->from == -1)
		p->from = first + MS_BT_WARMUP_DAYS;
	if (p->to == -1 || p->to > last)
		p->to = last;
	if (p->rebalance == MS_BT_SNAPSHOTS) {
		rc = list_snapshots(st, p, sc);
	} else {
		ms_date_to_ymd(p->from, &y, &m, &dd);
		for (int32_t day = p->from; rc == 0 && day <= p->to;
		    day = next_date(day, p->rebalance, dd)) {
			struct ms_bt_cohort co;
			co.day = day;
			co.hold = hold_of(p, day, dd);
			co.snapshot = 0;
			co.after = -1;
			co.cutoff = NAN;
			/* By default, only dates whose hold ends within the store. */
			if (default_to && day + co.hold > last)
				break;
			rc = sched_push(sc, &cap, &co);
		}
	}
	if (rc == 0 && sc->n == 0)
		rc = MS_ERR_NODATA;
	if (rc != 0) {
		free(sc->co);
		sc->co = NULL;
		sc->n = 0;
		return rc;
	}
	if (default_to)
		p->to = sc->co[sc->n - 1].day;
	/* Snapshot dates need not fall on the warm-up's end. */
	if (default_from)
		p->from = sc->co[0].day;
	return 0;
}

struct run_ctx {
	struct ms_store *st;
	struct ms_panel *all;       /* the run's history, or NULL: see window() */
	struct ms_bt_result *r;
	const struct ms_bt_params *p;
	struct book port, univ;
	struct sim_pos *pos;        /* [max(top, nassets)] */
	size_t poscap;
	double *path;               /* [max hold + 1] */
	double *got, *left;         /* [max hold + 31]: liquidation scratch */
	int32_t last_active;        /* last day with a sale or write-off */
	size_t pickcap;
	struct cost_acc costs;
};

static int
ensure_pos(struct run_ctx *c, size_t n)
{
	if (n <= c->poscap)
		return 0;
	void *t = realloc(c->pos, n * sizeof(*c->pos));
	if (t == NULL)
		return MS_ERR_NOMEM;
	c->pos = t;
	c->poscap = n;
	return 0;
}

/* One rebalance date: decide, then buy and value both cohorts. */
static int
run_date(struct run_ctx *c, const struct ms_bt_cohort *co,
    struct ms_bt_date *row)
{
	const struct ms_bt_params *p = c->p;
	struct ms_bt_result *r = c->r;
	struct ms_panel *dp = NULL, *fwd = NULL;
	struct ms_grade *g = NULL;
	struct ms_screen_result sr;
	struct sim_exit ex;
	int32_t day = co->day;
	int hold = co->hold, censored;
	size_t npick, nu = 0, h, k, off, endoff;
	int rc;

	memset(row, 0, sizeof(*row));
	row->day = day;
	row->tranche = SIZE_MAX;
	row->exit_day = day + hold;
	row->exit_cap_limit = co->snapshot ? co->cutoff : NAN;
	if ((rc = decide_panel(c->st, c->all, day, &p->screen, &dp, &g,
	    &sr)) != 0)
		return rc;
	row->universe = sr.universe;
	row->tradable = sr.universe - sr.excluded[MS_EX_NO_BAR_ON_DAY];
	row->matched = sr.n;
	npick = sr.n < p->top ? sr.n : p->top;
	row->picked = npick;
	if ((rc = load_forward(c->st, c->all, p, r->data_last, co, &fwd,
	    &censored,
	    &ex)) != 0)
		goto done;
	if ((rc = ensure_pos(c, dp->nassets > npick ? dp->nassets : npick)) != 0)
		goto done;

	/* The picks, bought with the cash of a free tranche. */
	k = free_tranche(&c->port, day);
	if (npick > 0 && k == SIZE_MAX) {
		rc = MS_ERR_INTERNAL;   /* the tranche count covers every overlap */
		goto done;
	}
	if (npick > 0) {
		double cash = c->port.val[k * c->port.ndays +
		    (size_t)(day - c->port.t0)], avail = -c->port.withdrawn;
		size_t filled = 0;

		/* Cash realised by sales after earlier exits joins this cohort. */
		off = (size_t)(day - c->port.t0);
		for (size_t t = 0; t <= off; t++)
			avail += c->port.scash[t];
		if (avail < 0)
			avail = 0;
		cash += avail;
		for (size_t i = 0; i < npick; i++) {
			size_t fa = find_asset(fwd,
			    dp->assets[sr.picks[i].asset].id);
			if (fa == SIZE_MAX) {
				rc = MS_ERR_INTERNAL;   /* it has a bar on day */
				goto done;
			}
			c->pos[i].fa = fa;
			c->pos[i].target = cash / (double)npick;
		}
		simulate(fwd, c->pos, npick, hold, censored, 1, p, &ex, cash,
		    c->path, c->port.sleeve + off, c->port.scash + off,
		    c->port.ndays - off, c->port.posval + off, c->port.npos + off,
		    &c->costs, c->got, c->left, &h, &endoff);
		for (size_t i = 0; i < npick; i++)
			filled += c->pos[i].status != MS_BT_UNFILLED;
		if (filled > 0) {
			if (avail > 0) {
				for (size_t t = off; t < c->port.ndays; t++)
					c->port.sleeve[t] -= avail;
				c->port.withdrawn += avail;
			}
			book_commit(&c->port, k, day, c->path, h, day + hold);
			if (day + (int32_t)endoff > c->last_active)
				c->last_active = day + (int32_t)endoff;
			row->tranche = k;
			row->tranche_value = cash;
		}
		row->filled = filled;
		for (size_t i = 0; i < npick; i++) {
			const struct sim_pos *x = &c->pos[i];
			const struct ms_screen_pick *sp = &sr.picks[i];
			struct ms_bt_pick pk;

			fill_pick(&pk, day, i + 1, &dp->assets[sp->asset], x);
			pk.market_cap = sp->market_cap;
			pk.volume = sp->volume;
			pk.trader_grade = sp->trader_grade;
			pk.entry_price = sp->price;
			if ((rc = push_pick(r, &c->pickcap, &pk)) != 0)
				goto done;
			r->filled += x->status != MS_BT_UNFILLED;
			r->unfilled += x->status == MS_BT_UNFILLED;
			r->censored += x->status == MS_BT_CENSORED;
			r->written_off += x->unsold > 0;
			if (x->status == MS_BT_LEFT) {
				r->left++;
				row->left++;
				r->left_value_usd += x->notional * (1 + x->ret_net);
			}
			if (x->reduced > 0 && x->status != MS_BT_UNFILLED) {
				r->reduced++;
				r->reduced_usd += x->reduced;
			}
		}
	}

	/* The universe basket: every asset with a bar on day, gross. */
	for (size_t a = 0; a < dp->nassets; a++) {
		if (!finite_pos(ms_panel_row(dp, dp->close, a)[dp->ndays - 1]))
			continue;
		size_t fa = find_asset(fwd, dp->assets[a].id);
		if (fa == SIZE_MAX) {
			rc = MS_ERR_INTERNAL;
			goto done;
		}
		c->pos[nu++].fa = fa;
	}
	k = free_tranche(&c->univ, day);
	if (nu > 0 && k != SIZE_MAX) {
		double cash = c->univ.val[k * c->univ.ndays +
		    (size_t)(day - c->univ.t0)];
		for (size_t i = 0; i < nu; i++)
			c->pos[i].target = cash / (double)nu;
		off = (size_t)(day - c->univ.t0);
		simulate(fwd, c->pos, nu, hold, censored, 0, p, &ex, cash, c->path,
		    c->univ.sleeve + off, c->univ.scash + off, c->univ.ndays - off,
		    NULL, NULL, NULL,
		    c->got, c->left, &h, &endoff);
		if (day + (int32_t)h > c->last_active)
			c->last_active = day + (int32_t)h;
		book_commit(&c->univ, k, day, c->path, h, day + hold);
	} else if (nu > 0) {
		rc = MS_ERR_INTERNAL;
	}
done:
	ms_panel_free(fwd);
	ms_screen_result_free(&sr);
	free(g);
	ms_panel_free(dp);
	return rc;
}

int
ms_bt_run(struct ms_store *st, const struct ms_bt_params *p,
    void (*progress)(size_t, size_t, void *), void *arg,
    struct ms_bt_result **out)
{
	struct ms_bt_result *r;
	struct run_ctx c;
	struct ms_data_range range;
	struct sched sc = { NULL, 0 };
	int32_t t1;
	double *rp = NULL, *rb = NULL, *ru = NULL, *work = NULL, *beq = NULL;
	size_t nd = 0, ndays, ntr = 1, lo = 0;
	int rc, maxhold = 0;

	if ((rc = ms_bt_params_check(p, NULL, 0)) != 0)
		return rc;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return MS_ERR_NOMEM;
	memset(&c, 0, sizeof(c));
	r->params = *p;
	if (p->screen.category != NULL) {
		snprintf(r->params.category, sizeof(r->params.category), "%s",
		    p->screen.category);
		r->params.screen.category = r->params.category;
	}
	if ((rc = ms_store_read_begin(st)) != 0) {
		free(r);
		return rc;
	}
	if ((rc = ms_market_range(st, -1, &range)) != 0)
		goto fail;
	if (range.first_day < 0) {
		rc = MS_ERR_NODATA;
		goto fail;
	}
	r->data_first = range.first_day;
	r->data_last = range.last_day;
	if ((rc = ms_store_data_version(st, &r->data_version)) != 0)
		goto fail;
	if ((rc = list_dates(st, &r->params, r->data_first, r->data_last,
	    &sc)) != 0)
		goto fail;
	nd = sc.n;

	/* Tranches: the most cohorts open on any rebalance day. */
	for (size_t i = 0; i < nd; i++) {
		if (sc.co[i].hold > maxhold)
			maxhold = sc.co[i].hold;
		while (lo < i && sc.co[lo].day + sc.co[lo].hold <= sc.co[i].day)
			lo++;
		if (i - lo + 1 > ntr)
			ntr = i - lo + 1;
	}
	t1 = sc.co[nd - 1].day + sc.co[nd - 1].hold;
	for (size_t i = 0; i < nd; i++) {
		int32_t x = sc.co[i].day + sc.co[i].hold;
		if (x > t1)
			t1 = x;
	}
	if (t1 > r->data_last)
		t1 = r->data_last;
	c.last_active = t1;
	/* Room for sales that run past the last exit; trimmed below. */
	t1 = t1 + p->delist_days < r->data_last ?
	    t1 + p->delist_days : r->data_last;
	ndays = (size_t)(t1 - sc.co[0].day + 1);
	r->ntranches = ntr;
	/*
	 * Every window the run reads (a year before each rebalance date, each
	 * cohort's forward days) lies in [first date - lookback + 1, t1]: load
	 * it once and cut the windows out of it, instead of one query per
	 * asset and window. MOONSCOPE_BT_PRELOAD=0 reads each window instead
	 * (the same results; the tests compare both), as does a span longer
	 * than a panel may be.
	 */
	{
		const char *pre = getenv("MOONSCOPE_BT_PRELOAD");
		int32_t a0 = sc.co[0].day - MS_GRADE_LOOKBACK + 1;
		size_t span = (size_t)(t1 - a0 + 1);

		if ((pre == NULL || strcmp(pre, "0") != 0) &&
		    span <= MS_PANEL_MAX_DAYS &&
		    (rc = ms_panel_load(st, t1, span, &c.all)) != 0)
			goto fail;
	}
	c.st = st;
	c.r = r;
	c.p = &r->params;
	if ((rc = book_init(&c.port, sc.co[0].day, ndays, ntr, p->capital)) != 0)
		goto fail;
	if ((rc = book_init(&c.univ, sc.co[0].day, ndays, ntr, p->capital)) != 0)
		goto fail;
	r->dates = calloc(nd, sizeof(*r->dates));
	c.path = malloc(((size_t)maxhold + 1) * sizeof(*c.path));
	c.got = malloc(((size_t)maxhold + (size_t)p->delist_days + 1) * sizeof(*c.got));
	c.left = malloc(((size_t)maxhold + (size_t)p->delist_days + 1) *
	    sizeof(*c.left));
	if (r->dates == NULL || c.path == NULL || c.got == NULL ||
	    c.left == NULL) {
		rc = MS_ERR_NOMEM;
		goto fail;
	}
	r->ndates = nd;
	for (size_t i = 0; i < nd; i++) {
		if ((rc = run_date(&c, &sc.co[i], &r->dates[i])) != 0)
			goto fail;
		if (progress != NULL)
			progress(i + 1, nd, arg);
	}
	r->spread_usd = c.costs.spread;
	r->impact_usd = c.costs.impact;
	ndays = (size_t)(c.last_active - sc.co[0].day + 1);

	/* Periods: one per day from the first rebalance to the last exit. */
	r->periods = calloc(ndays, sizeof(*r->periods));
	beq = malloc(ndays * sizeof(*beq));
	rp = malloc(ndays * sizeof(*rp));
	rb = malloc(ndays * sizeof(*rb));
	ru = malloc(ndays * sizeof(*ru));
	work = malloc(ndays * sizeof(*work));
	if (r->periods == NULL || beq == NULL || rp == NULL || rb == NULL ||
	    ru == NULL || work == NULL) {
		rc = MS_ERR_NOMEM;
		goto fail;
	}
	r->nperiods = ndays;
	if ((rc = bench_equity(st, r, sc.co[0].day, ndays, beq)) != 0)
		goto fail;
	{
		/*
		 * Day t's return is its equity over the day before's; the first
		 * day's is over the capital, so the entry costs count.
		 */
		double peak = 1, prevb = 1, prev = p->capital;
		double prevu = prev;   /* both start from the capital */
		for (size_t t = 0; t < ndays; t++) {
			struct ms_bt_period *q = &r->periods[t];
			double e = book_total(&c.port, t), u = book_total(&c.univ, t);
			q->day = sc.co[0].day + (int32_t)t;
			q->equity = e / p->capital;
			/* Ruined (nothing left): no further return. */
			q->ret = prev > 0 ? e / prev - 1 : 0;
			if (q->equity > peak)
				peak = q->equity;
			q->drawdown = q->equity / peak - 1;
			q->invested = c.port.posval[t] / e;
			q->positions = c.port.npos[t];
			q->bench_equity = beq[t];
			q->universe_equity = u / p->capital;
			rp[t] = q->ret;
			rb[t] = beq[t] / prevb - 1;
			ru[t] = prevu > 0 ? u / prevu - 1 : 0;
			q->bench_ret = rb[t];
			q->universe_ret = ru[t];
			prev = e;
			prevu = u;
			prevb = beq[t];
		}
		r->final_equity_usd = prev;
	}
	series_summary(rp, ndays, r->bench_asset.id != 0 ? rb : NULL, work,
	    &r->portfolio);
	if (r->bench_asset.id != 0 && isfinite(beq[0]))
		series_summary(rb, ndays, NULL, work, &r->bench);
	series_summary(ru, ndays, NULL, work, &r->universe);
	{
		double *ret = malloc((r->npicks ? r->npicks : 1) * sizeof(*ret));
		double *mg = malloc((r->npicks ? r->npicks : 1) * sizeof(*mg));
		int *died = malloc((r->npicks ? r->npicks : 1) * sizeof(*died));
		if (ret == NULL || mg == NULL || died == NULL)
			rc = MS_ERR_NOMEM;
		for (size_t i = 0; rc == 0 && i < r->npicks; i++) {
			ret[i] = r->picks[i].ret_net;
			mg[i] = r->picks[i].max_gain;
			died[i] = r->picks[i].status == MS_BT_DIED;
		}
		if (rc == 0)
			rc = ms_bt_pick_stats(ret, mg, died, r->npicks, p->seed,
			    p->bootstrap, &r->pick_stats);
		free(ret);
		free(mg);
		free(died);
		if (rc != 0)
			goto fail;
	}
	ms_store_read_end(st);
	ms_panel_free(c.all);
	book_free(&c.port);
	book_free(&c.univ);
	free(c.pos);
	free(c.path);
	free(c.got);
	free(c.left);
	free(sc.co);
	free(beq);
	free(rp);
	free(rb);
	free(ru);
	free(work);
	*out = r;
	return 0;
fail:
	ms_store_read_end(st);
	ms_panel_free(c.all);
	book_free(&c.port);
	book_free(&c.univ);
	free(c.pos);
	free(c.path);
	free(c.got);
	free(c.left);
	free(sc.co);
	free(beq);
	free(rp);
	free(rb);
	free(ru);
	free(work);
	ms_bt_result_free(r);
	return rc;
}

int
ms_bt_left_lower_bound(struct ms_store *st, struct ms_bt_result *r)
{
	struct ms_bt_params q = r->params;
	struct ms_bt_result *z = NULL;
	int rc;

	q.left_rule = MS_BT_LEFT_ZERO;
	q.bootstrap = 0;
	if (q.screen.category != NULL)
		q.screen.category = q.category;
	if ((rc = ms_bt_run(st, &q, NULL, NULL, &z)) != 0)
		return rc;
	r->left_zero.known = 1;
	r->left_zero.total_return = z->portfolio.known ?
	    z->portfolio.q.total_return : NAN;
	r->left_zero.cagr = z->portfolio.known ? z->portfolio.q.cagr : NAN;
	r->left_zero.final_equity_usd = z->final_equity_usd;
	r->left_zero.mean_return = z->pick_stats.mean;
	r->left_zero.median_return = z->pick_stats.median;
	r->left_zero.win_rate = z->pick_stats.win_rate;
	r->left_zero.universe_total_return = z->universe.known ?
	    z->universe.q.total_return : NAN;
	ms_bt_result_free(z);
	return 0;
}
