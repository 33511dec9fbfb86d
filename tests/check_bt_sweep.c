/*
 * check_bt_sweep.c — the parameter sweep (backtest/ms_bt_sweep.h): the
 * deflated Sharpe ratio on the paper's published example and on a
 * hand-made two-variant shard pair, the grid spec (parser, grid file,
 * variant order, shards), the merge checks, and on a small random store:
 * --jobs 1 and 3 give the same bytes, shards merged give the same bytes
 * as the unsharded run, and every variant equals a separate ms_bt_run.
 *
 * Fixtures (tests/fixtures):
 *   bt_sweep_grid.txt            a grid file of 3 x 2 x 2 x 2 = 24 variants
 *   bt_sweep_shard_1of2.json     variant 0 (top=5) of a 2-variant grid:
 *                                daily returns 0.02, 0, 0.02, 0
 *   bt_sweep_shard_2of2.json     variant 1 (top=10): 0.03, 0, 0, 0
 *   bt_sweep_shard_other.json    shard 2/2 of another grid (top=5,20)
 *
 * Hand check of the shard pair (per-day Sharpe = mean / sd, ddof 1):
 *   variant 0: mean 0.01, deviations +-0.01, sd = sqrt(4e-4 / 3)
 *              = 0.01 * 2 / sqrt(3); SR = sqrt(3) / 2 = 0.8660254;
 *              a symmetric two-point law: skew 0, kurtosis 1 (non-excess).
 *   variant 1: mean 0.0075, squared deviations 0.0225^2 + 3 * 0.0075^2 =
 *              6.75e-4, sd = sqrt(2.25e-4) = 0.015; SR = 0.5;
 *              Bernoulli(1/4): skew (1 - 2p) / sqrt(p q) = 2 / sqrt(3),
 *              kurtosis 3 + (1 - 6 p q) / (p q) = 7/3.
 *   best = variant 0, T = 4, N = 2.
 *   V = var(ddof 1) of {sqrt(3)/2, 1/2} = (sqrt(3)/2 - 1/2)^2 / 2
 *     = (2 - sqrt(3)) / 4 = 0.0669873, sqrt(V) = 0.2588190 (= sin 15 deg).
 *   SR0 = sqrt(V) ((1 - g) Phi^-1(1/2) + g Phi^-1(1 - 1/(2e)))
 *       = 0.2588190 * (0 + 0.5772157 * 0.9004526) = 0.1345226.
 *   z = (0.8660254 - 0.1345226) sqrt(3) / sqrt(1 - 0 + (1 - 1)/4 SR^2)
 *     = 0.7315028 * 1.7320508 = 1.2670001;  DSR = Phi(1.2670) = 0.8974224.
 *   PSR = Phi(0.8660254 * sqrt(3)) = Phi(1.5) = 0.9331928.
 * (The digits to 1e-16 were computed with scipy.stats.norm.)
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ms_bt.h"
#include "ms_bt_sweep.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_store.h"
#include "testutil.h"

#define D0 ms_date_from_ymd(2018, 1, 1)

static void
rel_at(double got, double want, double rel, int line)
{
	double tol = rel * (fabs(want) > 1e-300 ? fabs(want) : 1);

	ck_assert_msg(fabs(got - want) <= tol, "line %d: got %.17g, want %.17g",
	    line, got, want);
}
#define REL(a, b) rel_at((a), (b), 1e-12, __LINE__)

static int
same_bits(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof(a)) == 0;
}

/*
 * The test's apply function: the few keys the tests use, parsed strictly
 * (the CLI's is ms_cli_bt_option, which this binary does not link).
 */
static int
test_apply(const char *key, const char *value, struct ms_bt_params *p,
    const char **why)
{
	char *end;
	double d;
	long l;

	if (strcmp(key, "top") == 0 || strcmp(key, "hold") == 0) {
		if (strcmp(key, "hold") == 0 && strcmp(value, "next") == 0) {
			p->hold_days = MS_BT_HOLD_NEXT;
			return 1;
		}
		errno = 0;
		l = strtol(value, &end, 10);
		if (errno != 0 || *end != '\0' || end == value || l < 1 ||
		    l > 500) {
			*why = "needs a count";
			return -1;
		}
		if (key[0] == 't')
			p->top = (size_t)l;
		else
			p->hold_days = (int)l;
		return 1;
	}
	if (strcmp(key, "max_market_cap") == 0) {
		errno = 0;
		d = strtod(value, &end);
		if (errno != 0 || *end != '\0' || end == value || !(d >= 1)) {
			*why = "needs a number";
			return -1;
		}
		p->screen.max_market_cap = d;
		return 1;
	}
	if (strcmp(key, "sort") == 0) {
		if (strcmp(value, "trader_grade") == 0)
			p->screen.sort = MS_SORT_TRADER_GRADE;
		else if (strcmp(value, "roi_30d") == 0)
			p->screen.sort = MS_SORT_ROI_30D;
		else {
			*why = "needs a sort key";
			return -1;
		}
		return 1;
	}
	if (strcmp(key, "bootstrap") == 0) {
		p->bootstrap = strcmp(value, "0") == 0 ? 0 : 100;
		return 1;
	}
	return 0;
}

/* ---- the deflated Sharpe ratio ----------------------------------------- */

START_TEST(test_dsr_paper)
{
	/*
	 * Bailey & López de Prado (2014), section 5's example: N = 100 trials
	 * whose annualised Sharpe ratios have variance 1/2, the best annualised
	 * 2.5, T = 1250 daily returns (5 years of 250 days), skewness -3,
	 * kurtosis 10. Per day: SR = 2.5 / sqrt(250) = 0.1581, V = 0.5 / 250;
	 * the paper gives SR0 = 0.1132 and DSR = 0.9004.
	 */
	double sr = 2.5 / sqrt(250.0), sr0, z, dsr;

	sr0 = ms_bt_sweep_expected_max(0.5 / 250, 100);
	ck_assert(fabs(sr0 - 0.1132) < 5e-5);
	REL(sr0, 0.11317200186513214);
	dsr = ms_bt_sweep_psr(sr, sr0, 1250, -3, 10, &z);
	ck_assert(fabs(dsr - 0.9004) < 5e-5);
	REL(z, 1.2838160365336546);
	REL(dsr, 0.9003968344493903);
}
END_TEST

START_TEST(test_dsr_hand)
{
	/* The shard pair of the header, from the arrays. */
	double sr[2] = { sqrt(3.0) / 2, 0.5 }, sk[2] = { 0, 2 / sqrt(3.0) };
	double ku[2] = { 1, 7.0 / 3 };
	size_t T[2] = { 4, 4 };
	struct ms_bt_sweep_dsr d;

	ck_assert_int_eq(ms_bt_sweep_deflate(sr, 2, T, sk, ku, &d), 0);
	ck_assert_uint_eq(d.trials, 2);
	ck_assert_uint_eq(d.sharpes, 2);
	ck_assert_uint_eq(d.best, 0);
	ck_assert_uint_eq(d.T, 4);
	REL(d.variance, (2 - sqrt(3.0)) / 4);
	REL(d.expected_max, 0.13452258189363522);
	REL(d.z, 1.2670000533948786);
	REL(d.dsr, 0.8974223646004547);
	REL(d.psr, 0.9331927987311419);

	/* With no dispersion SR0 = 0 and the DSR is the PSR: SR 0.1, T 101,
	 * normal moments: z = 0.1 * 10 / sqrt(1 + 2/4 * 0.01) = 0.99750934,
	 * Phi(z) = 0.84074133. */
	REL(ms_bt_sweep_expected_max(0, 50), 0);
	REL(ms_bt_sweep_psr(0.1, 0, 101, 0, 3, NULL), 0.8407413278013518);
}
END_TEST

START_TEST(test_dsr_limits)
{
	double sr[3] = { NAN, 0.2, NAN }, one[1] = { 0.1 }, z;
	double sk[3] = { 0, 0, 0 }, ku[3] = { 3, 3, 3 };
	size_t T[3] = { 10, 10, 10 };
	struct ms_bt_sweep_dsr d;

	/* One trial: nothing selected, SR0 = 0, DSR = PSR. */
	ck_assert_int_eq(ms_bt_sweep_deflate(one, 1, T, sk, ku, &d), 0);
	ck_assert_uint_eq(d.best, 0);
	ck_assert(d.expected_max == 0);
	ck_assert(same_bits(d.dsr, d.psr));
	ck_assert(isfinite(d.dsr));
	/* Only one finite Sharpe of three: V is undefined, so is the DSR,
	 * but the best and its PSR are known. */
	ck_assert_int_eq(ms_bt_sweep_deflate(sr, 3, T, sk, ku, &d), 0);
	ck_assert_uint_eq(d.trials, 3);
	ck_assert_uint_eq(d.sharpes, 1);
	ck_assert_uint_eq(d.best, 1);
	ck_assert(isnan(d.variance) && isnan(d.expected_max) && isnan(d.dsr));
	ck_assert(isfinite(d.psr));
	/* No Sharpe at all. */
	sr[1] = NAN;
	ck_assert_int_eq(ms_bt_sweep_deflate(sr, 3, T, sk, ku, &d), 0);
	ck_assert_uint_eq(d.best, SIZE_MAX);
	ck_assert(isnan(d.dsr) && isnan(d.psr));
	/* Ties: the lowest index. */
	sr[0] = sr[2] = 0.3;
	ck_assert_int_eq(ms_bt_sweep_deflate(sr, 3, T, sk, ku, &d), 0);
	ck_assert_uint_eq(d.best, 0);
	ck_assert_int_eq(ms_bt_sweep_deflate(NULL, 3, T, sk, ku, &d),
	    MS_ERR_INVALID);
	/* T < 2, non-finite input, a non-positive denominator. */
	ck_assert(isnan(ms_bt_sweep_psr(0.1, 0, 1, 0, 3, &z)) && isnan(z));
	ck_assert(isnan(ms_bt_sweep_psr(NAN, 0, 10, 0, 3, NULL)));
	ck_assert(isnan(ms_bt_sweep_psr(1, 0, 10, 2, 1, NULL)));   /* 1-2+0 */
	ck_assert(isnan(ms_bt_sweep_expected_max(NAN, 5)));
	ck_assert(isnan(ms_bt_sweep_expected_max(-1, 5)));
	ck_assert(isnan(ms_bt_sweep_expected_max(1, 0)));
}
END_TEST

/* ---- the spec --------------------------------------------------------- */

START_TEST(test_spec_axes)
{
	static const struct {
		const char *arg;
		int rc;
	} cases[] = {
		{ "top=5,10,20", 0 },
		{ " hold = 7 , 14 ", 0 },
		{ "--Max-Market-Cap=1e7,1e8", 0 },
		{ "category=Smart Contract Platform,meme", 0 },
		{ "top", MS_ERR_PARSE },
		{ "=5,10", MS_ERR_INVALID },
		{ "top=", MS_ERR_INVALID },
		{ "top=5,,10", MS_ERR_INVALID },
		{ "top=5,10,", MS_ERR_INVALID },
		{ "top=5,5", MS_ERR_INVALID },
		{ "to p=5", MS_ERR_INVALID },
		{ "top=5\t6", MS_ERR_INVALID },
		{ "top=\x01", MS_ERR_INVALID },
		{ "a_key_that_is_much_too_long_for_a_key=1", MS_ERR_INVALID },
		{ "top=12345678901234567890123456789012345678901234567890"
		  "123456789012345", MS_ERR_INVALID },
	};
	struct ms_bt_sweep_spec *s = malloc(sizeof(*s));
	char err[256], big[2048];
	size_t n;

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms_bt_sweep_spec_init(s);
		ck_assert_msg(ms_bt_sweep_spec_axis(s, cases[i].arg, err,
		    sizeof(err)) == cases[i].rc, "case %zu (%s)", i, cases[i].arg);
		ck_assert_uint_eq(s->naxes, cases[i].rc == 0);
	}
	ms_bt_sweep_spec_init(s);
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "--Max-Market-Cap=1e7,1e8",
	    err, sizeof(err)), 0);
	ck_assert_str_eq(s->axes[0].key, "max_market_cap");
	ck_assert_str_eq(s->axes[0].values[1], "1e8");
	/* A key is either an option or an axis, and an axis only once. */
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "max-market-cap=5", err,
	    sizeof(err)), MS_ERR_INVALID);
	ck_assert_int_eq(ms_bt_sweep_spec_set(s, "--max-market-cap", "1e9", err,
	    sizeof(err)), MS_ERR_INVALID);
	ck_assert_int_eq(ms_bt_sweep_spec_set(s, "--top", "7", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "top=1,2", err, sizeof(err)),
	    MS_ERR_INVALID);
	/* Options are kept sorted, the last value of a key wins. */
	ck_assert_int_eq(ms_bt_sweep_spec_set(s, "--hold", "14", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_spec_set(s, "top", "8", err, sizeof(err)),
	    0);
	ck_assert_uint_eq(s->nbase, 2);
	ck_assert_str_eq(s->base[0].key, "hold");
	ck_assert_str_eq(s->base[1].key, "top");
	ck_assert_str_eq(s->base[1].value, "8");
	ck_assert_int_eq(ms_bt_sweep_spec_set(s, "top", "", err, sizeof(err)),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_bt_sweep_spec_set(s, "t/p", "1", err, sizeof(err)),
	    MS_ERR_INVALID);

	/* Limits: values per axis, axes, variants. */
	ms_bt_sweep_spec_init(s);
	n = (size_t)snprintf(big, sizeof(big), "top=");
	for (int v = 1; v <= MS_BT_SWEEP_MAX_VALUES + 1; v++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%d,", v);
	big[n - 1] = '\0';
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, big, err, sizeof(err)),
	    MS_ERR_TOOBIG);
	ms_bt_sweep_spec_init(s);
	for (int a = 0; a < MS_BT_SWEEP_MAX_AXES; a++) {
		char arg[32];
		snprintf(arg, sizeof(arg), "k%d=1", a);
		ck_assert_int_eq(ms_bt_sweep_spec_axis(s, arg, err, sizeof(err)),
		    0);
	}
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "k9=1", err, sizeof(err)),
	    MS_ERR_TOOBIG);
	ms_bt_sweep_spec_init(s);
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "a=1,2,3,4,5,6,7,8,9,10",
	    err, sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "b=1,2,3,4,5,6,7,8,9,10",
	    err, sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "c=1,2,3,4,5,6,7,8,9,10",
	    err, sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "d=1,2,3,4,5,6,7,8,9,10",
	    err, sizeof(err)), 0);
	ck_assert_uint_eq(ms_bt_sweep_count(s), 10000);
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "e=1,2", err, sizeof(err)),
	    MS_ERR_TOOBIG);
	free(s);
}
END_TEST

START_TEST(test_spec_file_and_order)
{
	struct ms_bt_sweep_spec *s = malloc(sizeof(*s));
	struct ms_bt_params p;
	char path[512], err[256], *text;
	size_t len, c[MS_BT_SWEEP_MAX_AXES], seen[24] = { 0 };

	ck_assert_ptr_nonnull(s);
	ms_bt_sweep_spec_init(s);
	ck_assert_int_eq(ms_bt_sweep_read_file(tu_fixture("bt_sweep_grid.txt",
	    path, sizeof(path)), MS_BT_SWEEP_MAX_GRID_FILE, &text, &len, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_spec_file(s, text, len, err, sizeof(err)),
	    0);
	free(text);
	ck_assert_uint_eq(s->naxes, 4);
	ck_assert_str_eq(s->axes[0].key, "top");
	ck_assert_str_eq(s->axes[1].key, "hold");
	ck_assert_str_eq(s->axes[2].key, "max_market_cap");
	ck_assert_str_eq(s->axes[2].values[0], "1e7");
	ck_assert_str_eq(s->axes[3].key, "sort");
	ck_assert_str_eq(s->axes[3].values[1], "roi_30d");
	ck_assert_uint_eq(ms_bt_sweep_count(s), 24);

	/* Row-major: the last axis fastest. Variant 13 = (1, 1, 0, 1):
	 * 13 = ((1 * 2 + 1) * 2 + 0) * 2 + 1. */
	ms_bt_sweep_coords(s, 13, c);
	ck_assert_uint_eq(c[0], 1);
	ck_assert_uint_eq(c[1], 1);
	ck_assert_uint_eq(c[2], 0);
	ck_assert_uint_eq(c[3], 1);
	ck_assert_int_eq(ms_bt_sweep_params(s, 13, test_apply, &p, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(p.top, 10);
	ck_assert_int_eq(p.hold_days, 14);
	ck_assert(p.screen.max_market_cap == 1e7);
	ck_assert_int_eq(p.screen.sort, MS_SORT_ROI_30D);
	ck_assert_int_eq(ms_bt_sweep_check(s, test_apply, err, sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_params(s, 24, test_apply, &p, err,
	    sizeof(err)), MS_ERR_RANGE);

	/* Shards 1..3 of 3 cover every variant exactly once. */
	for (size_t i = 1; i <= 3; i++)
		for (size_t v = 0; v < 24; v++)
			seen[v] += (size_t)ms_bt_sweep_in_shard(v, i, 3);
	for (size_t v = 0; v < 24; v++)
		ck_assert_uint_eq(seen[v], 1);
	ck_assert(ms_bt_sweep_in_shard(4, 2, 3));
	ck_assert(!ms_bt_sweep_in_shard(4, 0, 3));
	ck_assert(!ms_bt_sweep_in_shard(4, 4, 3));

	/* A value the option rejects, and a key that is no option. */
	ck_assert_int_eq(ms_bt_sweep_spec_set(s, "bootstrap", "0", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_check(s, test_apply, err, sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_spec_set(s, "capital", "5", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_check(s, test_apply, err, sizeof(err)),
	    MS_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "capital"));
	ms_bt_sweep_spec_init(s);
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "top=5,x", err, sizeof(err)),
	    0);
	ck_assert_int_eq(ms_bt_sweep_check(s, test_apply, err, sizeof(err)),
	    MS_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "top=x"));

	/* Grid file errors name the line. */
	ms_bt_sweep_spec_init(s);
	{
		static const char bad[] = "top = 1, 2\n\n# nothing\nhold 7\n";
		ck_assert_int_eq(ms_bt_sweep_spec_file(s, bad, strlen(bad), err,
		    sizeof(err)), MS_ERR_PARSE);
	}
	ck_assert_ptr_nonnull(strstr(err, "line 4"));
	ck_assert_int_eq(ms_bt_sweep_spec_file(s, "a=1\0", 4, err,
	    sizeof(err)), MS_ERR_PARSE);
	free(s);
}
END_TEST

/* ---- merging the hand-made shards ------------------------------------- */

static char *
fixture_text(const char *name, size_t *len)
{
	char path[512], err[256], *text = NULL;

	ck_assert_msg(ms_bt_sweep_read_file(tu_fixture(name, path,
	    sizeof(path)), MS_BT_SWEEP_MAX_FILE, &text, len, err,
	    sizeof(err)) == 0, "%s", err);
	return text;
}

/* Loads the named fixtures into a new sweep; rc of the last load. */
static int
load_fixtures(struct ms_bt_sweep **out, const char *const *names, size_t n,
    char *err, size_t errsz)
{
	struct ms_bt_sweep *sw = ms_bt_sweep_new();
	int rc = 0;

	ck_assert_ptr_nonnull(sw);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t len;
		char *t = fixture_text(names[i], &len);
		rc = ms_bt_sweep_load(sw, t, len, names[i], err, errsz);
		free(t);
	}
	*out = sw;
	return rc;
}

START_TEST(test_merge_fixture)
{
	static const char *const ab[] = { "bt_sweep_shard_2of2.json",
		"bt_sweep_shard_1of2.json" };
	static const char *const twice[] = { "bt_sweep_shard_1of2.json",
		"bt_sweep_shard_1of2.json" };
	static const char *const other[] = { "bt_sweep_shard_1of2.json",
		"bt_sweep_shard_other.json" };
	struct ms_bt_sweep *sw;
	char err[512], *csv, *json, *md;

	ck_assert_int_eq(load_fixtures(&sw, ab, 2, err, sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_complete(sw, test_apply, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(sw->nvariants, 2);
	ck_assert(sw->base.screen.max_market_cap == 1e8);   /* base applied */
	ck_assert_int_eq(sw->data_version, 7);
	ck_assert_uint_eq(sw->dsr.best, 0);
	ck_assert_uint_eq(sw->dsr.T, 4);
	REL(sw->dsr.skew, 0);
	REL(sw->dsr.kurtosis, 1);
	REL(sw->dsr.variance, (2 - sqrt(3.0)) / 4);
	REL(sw->dsr.expected_max, 0.13452258189363522);
	REL(sw->dsr.dsr, 0.8974223646004547);
	REL(sw->dsr.psr, 0.9331927987311419);
	ck_assert(sw->rows[1].returns[0] == 0.03);
	ck_assert(isnan(sw->rows[0].sortino));           /* null in the file */

	csv = ms_bt_sweep_variants_csv(sw);
	ck_assert_ptr_nonnull(csv);
	ck_assert_ptr_nonnull(strstr(csv, "index,top,status,first_rebalance,"));
	ck_assert_ptr_nonnull(strstr(csv, "\n0,5,ok,2018-01-10,2018-01-10,1,1,"
	    "4,0.04039999999999999,"));
	ck_assert_ptr_nonnull(strstr(csv, ",1\n1,10,ok,"));   /* best flag */
	free(csv);
	csv = ms_bt_sweep_returns_csv(sw);
	ck_assert_str_eq(csv, "variant,date,return\n"
	    "0,2018-01-10,0.02\n0,2018-01-11,0\n0,2018-01-12,0.02\n"
	    "0,2018-01-13,0\n1,2018-01-10,0.03\n1,2018-01-11,0\n"
	    "1,2018-01-12,0\n1,2018-01-13,0\n");
	free(csv);
	json = ms_bt_sweep_json(sw);
	ck_assert_ptr_nonnull(json);
	ck_assert_ptr_nonnull(strstr(json, "\"kind\":\t\"report\""));
	ck_assert_ptr_nonnull(strstr(json, "\"dsr\":\t0.89742236460045"));
	free(json);
	md = ms_bt_sweep_markdown(sw, SIZE_MAX, SIZE_MAX);
	ck_assert_ptr_nonnull(md);
	ck_assert_ptr_nonnull(strstr(md, "DSR = 0.8974"));
	ck_assert_ptr_nonnull(strstr(md, "| 0 (best) | 5 | 16.55 |"));
	free(md);
	md = ms_bt_sweep_html(sw, SIZE_MAX, SIZE_MAX);
	ck_assert_ptr_nonnull(md);
	ck_assert_ptr_nonnull(strstr(md, "<svg"));
	free(md);
	ms_bt_sweep_free(sw);

	/* One shard: a variant is missing. */
	ck_assert_int_eq(load_fixtures(&sw, ab, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_complete(sw, test_apply, err, sizeof(err)),
	    MS_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "missing"));
	ms_bt_sweep_free(sw);
	/* The same shard twice. */
	ck_assert_int_eq(load_fixtures(&sw, twice, 2, err, sizeof(err)),
	    MS_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "two shards"));
	ms_bt_sweep_free(sw);
	/* A shard of another grid. */
	ck_assert_int_eq(load_fixtures(&sw, other, 2, err, sizeof(err)),
	    MS_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "grid"));
	ms_bt_sweep_free(sw);
}
END_TEST

START_TEST(test_load_limits)
{
	static const struct {
		const char *from, *to;   /* replaced in shard 1's text */
		int rc;
	} cases[] = {
		{ "\"schema\": \"moonscope.backtest.sweep\"",
		  "\"schema\": \"moonscope.backtest.moonshots\"", MS_ERR_INVALID },
		{ "\"schema_version\": 1", "\"schema_version\": 2",
		  MS_ERR_INVALID },
		{ "\"kind\": \"shard\"", "\"kind\": \"report\"", MS_ERR_INVALID },
		{ "\"index\": 1,\n  \"count\"", "\"index\": 3,\n  \"count\"",
		  MS_ERR_PARSE },
		{ "\"index\": 0", "\"index\": 1", MS_ERR_INVALID },
		{ "\"index\": 0", "\"index\": 2", MS_ERR_INVALID },
		{ "\"index\": 0", "\"index\": -1", MS_ERR_INVALID },
		{ "\"periods\": 4", "\"periods\": 5", MS_ERR_INVALID },
		{ "\"status\": \"ok\"", "\"status\": \"fine\"", MS_ERR_PARSE },
		{ "\"sharpe\": 16.", "\"sharpe\": \"16\", \"x\": 1", MS_ERR_PARSE },
		{ "\"variants\": 2", "\"variants\": 3", MS_ERR_INVALID },
		{ "\"first_day\": \"2018-01-10\"", "\"first_day\": \"2018-13-10\"",
		  MS_ERR_PARSE },
		{ "\"values\": [\n     \"5\"", "\"values\": [\n     \"10\"",
		  MS_ERR_INVALID },
	};
	size_t len;
	char *orig = fixture_text("bt_sweep_shard_1of2.json", &len), err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *at = strstr(orig, cases[i].from);
		size_t fl = strlen(cases[i].from), tl = strlen(cases[i].to);
		char *t = malloc(len + tl + 1);
		struct ms_bt_sweep *sw = ms_bt_sweep_new();
		int rc;

		ck_assert_msg(at != NULL, "case %zu: no '%s' in the fixture", i,
		    cases[i].from);
		memcpy(t, orig, (size_t)(at - orig));
		memcpy(t + (at - orig), cases[i].to, tl);
		memcpy(t + (at - orig) + tl, at + fl, len - (size_t)(at - orig) -
		    fl + 1);
		rc = ms_bt_sweep_load(sw, t, strlen(t), "case", err, sizeof(err));
		ck_assert_msg(rc == cases[i].rc, "case %zu: rc %d (%s)", i, rc,
		    err);
		free(t);
		ms_bt_sweep_free(sw);
	}
	{
		struct ms_bt_sweep *sw = ms_bt_sweep_new();
		ck_assert_int_eq(ms_bt_sweep_load(sw, "{} x", 4, "junk", err,
		    sizeof(err)), MS_ERR_PARSE);
		ck_assert_int_eq(ms_bt_sweep_load(sw, "[1]", 3, "junk", err,
		    sizeof(err)), MS_ERR_PARSE);
		ck_assert_int_eq(ms_bt_sweep_complete(sw, test_apply, err,
		    sizeof(err)), MS_ERR_INVALID);
		ms_bt_sweep_free(sw);
	}
	free(orig);
}
END_TEST

/* ---- runs on a store -------------------------------------------------- */

static uint64_t
lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* 20 random-walk coins over 160 days (some list late, some die). */
static void
build_store(const char *dir, char *path, size_t pathsz)
{
	struct ms_store *st = tu_open_store(dir, "sweep.db");
	sqlite3 *db = ms_store_db(st);
	uint64_t seed = 777;
	int64_t src;

	ck_assert_int_eq(ms_store_begin(st), 0);
	ck_assert_int_eq(ms_store_source(st, "rw", 10, "close at 23:59 UTC",
	    0, "random walks", &src), 0);
	for (int64_t id = 1; id <= 20; id++) {
		char slug[16], sym[8];
		int first = (int)(lcg(&seed) % 40), last = 159;
		double price = 0.01 + (double)(lcg(&seed) % 1000) / 100;
		double supply = 1e6 + (double)(lcg(&seed) % 30) * 1e6;

		if (id % 5 == 0)
			last = 70 + (int)(lcg(&seed) % 80);
		snprintf(slug, sizeof(slug), "coin-%02d", (int)id);
		snprintf(sym, sizeof(sym), "C%02d", (int)id);
		tu_insert_asset(db, id, slug, sym, slug, "");
		for (int i = first; i <= last; i++) {
			double r = ((double)(lcg(&seed) % 2001) - 1000) / 8000;
			double vol = (double)(lcg(&seed) % 100000) * price;
			price *= exp(r);
			tu_insert_bar(db, id, src, D0 + i, price, price * 1.05,
			    price * 0.95, price, vol, price * supply);
		}
	}
	for (int64_t id = 1; id <= 20; id++)
		ck_assert_int_eq(ms_store_rebuild_daily(st, id), 0);
	ck_assert_int_eq(ms_store_bump_version(st), 0);
	ck_assert_int_eq(ms_store_commit(st), 0);
	ms_store_close(st);
	snprintf(path, pathsz, "%s/sweep.db", dir);
}

/* Runs shard i/n with jobs threads; returns the shard text. */
static char *
run_shard(const struct ms_bt_sweep_spec *s, const char *db, size_t jobs,
    size_t i, size_t n)
{
	struct ms_bt_sweep_opts o;
	char err[512], *text = NULL;

	memset(&o, 0, sizeof(o));
	o.db = db;
	o.jobs = jobs;
	o.shard = i;
	o.nshards = n;
	o.apply = test_apply;
	ck_assert_msg(ms_bt_sweep_run(s, &o, &text, err, sizeof(err)) == 0,
	    "%s", err);
	return text;
}

/* The full report of the shard texts (all report files, concatenated). */
static char *
report_of(char *const *texts, size_t n)
{
	struct ms_bt_sweep *sw = ms_bt_sweep_new();
	char err[512], *part[5], *all;
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		ck_assert_msg(ms_bt_sweep_load(sw, texts[i], strlen(texts[i]),
		    "shard", err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(ms_bt_sweep_complete(sw, test_apply, err, sizeof(err)) ==
	    0, "%s", err);
	part[0] = ms_bt_sweep_json(sw);
	part[1] = ms_bt_sweep_variants_csv(sw);
	part[2] = ms_bt_sweep_returns_csv(sw);
	part[3] = ms_bt_sweep_markdown(sw, SIZE_MAX, SIZE_MAX);
	part[4] = ms_bt_sweep_html(sw, SIZE_MAX, SIZE_MAX);
	for (int i = 0; i < 5; i++) {
		ck_assert_ptr_nonnull(part[i]);
		len += strlen(part[i]);
	}
	all = malloc(len + 1);
	ck_assert_ptr_nonnull(all);
	all[0] = '\0';
	len = 0;
	for (int i = 0; i < 5; i++) {
		size_t k = strlen(part[i]);
		memcpy(all + len, part[i], k + 1);
		len += k;
		free(part[i]);
	}
	ms_bt_sweep_free(sw);
	return all;
}

START_TEST(test_run_identical)
{
	struct ms_bt_sweep_spec *s = malloc(sizeof(*s));
	struct ms_bt_sweep *sw;
	struct ms_store *st;
	char dir[64], db[128], err[512], *one[1], *three[3], *r1, *r3, *rs;
	size_t nv;

	ck_assert_ptr_nonnull(s);
	tu_tmpdir(dir, sizeof(dir), "ms_sweep");
	build_store(dir, db, sizeof(db));
	ms_bt_sweep_spec_init(s);
	ck_assert_int_eq(ms_bt_sweep_spec_set(s, "bootstrap", "0", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "top=3,6", err, sizeof(err)),
	    0);
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "hold=7,next", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_spec_axis(s, "sort=trader_grade,roi_30d",
	    err, sizeof(err)), 0);
	nv = ms_bt_sweep_count(s);
	ck_assert_uint_eq(nv, 8);

	/* --jobs 1 and --jobs 3: the same shard document, byte for byte. */
	one[0] = run_shard(s, db, 1, 1, 1);
	three[0] = run_shard(s, db, 3, 1, 1);
	ck_assert_str_eq(one[0], three[0]);
	free(three[0]);
	r1 = report_of(one, 1);

	/* Shards 1..3 of 3 (out of order) merge to the same report. */
	three[2] = run_shard(s, db, 2, 1, 3);
	three[0] = run_shard(s, db, 1, 2, 3);
	three[1] = run_shard(s, db, 2, 3, 3);
	r3 = report_of(three, 3);
	ck_assert_str_eq(r1, r3);
	for (int i = 0; i < 3; i++)
		free(three[i]);

	/* More jobs than variants in the shard. */
	three[0] = run_shard(s, db, 8, 3, 3);
	three[1] = run_shard(s, db, 1, 3, 3);
	ck_assert_str_eq(three[0], three[1]);
	free(three[0]);
	free(three[1]);

	/* Every row is a separate ms_bt_run, bit for bit. */
	sw = ms_bt_sweep_new();
	ck_assert_int_eq(ms_bt_sweep_load(sw, one[0], strlen(one[0]), "one",
	    err, sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_sweep_complete(sw, test_apply, err, sizeof(err)),
	    0);
	ck_assert_int_eq(ms_store_open(db, MS_STORE_RO, &st), 0);
	for (size_t v = 0; v < nv; v++) {
		const struct ms_bt_sweep_row *row = &sw->rows[v];
		struct ms_bt_params p;
		struct ms_bt_result *r = NULL;

		ck_assert_int_eq(ms_bt_sweep_params(s, v, test_apply, &p, err,
		    sizeof(err)), 0);
		ck_assert_int_eq(ms_bt_run(st, &p, NULL, NULL, &r), 0);
		ck_assert(row->ok);
		ck_assert_int_eq(row->from, r->params.from);
		ck_assert_int_eq(row->to, r->params.to);
		ck_assert_uint_eq(row->rebalance_dates, r->ndates);
		ck_assert_uint_eq(row->nreturns, r->nperiods);
		ck_assert_int_eq(row->first_day, r->periods[0].day);
		for (size_t t = 0; t < r->nperiods; t++)
			ck_assert(same_bits(row->returns[t], r->periods[t].ret));
		ck_assert(same_bits(row->sharpe, r->portfolio.q.sharpe));
		ck_assert(same_bits(row->cagr, r->portfolio.q.cagr));
		ck_assert(same_bits(row->total_return,
		    r->portfolio.q.total_return));
		ck_assert(same_bits(row->max_drawdown,
		    r->portfolio.q.max_drawdown.depth));
		ck_assert(same_bits(row->skew, r->portfolio.q.skew));
		ck_assert(same_bits(row->kurtosis, r->portfolio.q.kurtosis));
		ck_assert(same_bits(row->win_rate, r->pick_stats.win_rate));
		ck_assert_uint_eq(row->picks, r->npicks);
		ck_assert_uint_gt(row->picks, 0);
		ck_assert(isfinite(row->sharpe));
		ck_assert(same_bits(row->final_equity_usd, r->final_equity_usd));
		rel_at(row->sharpe_period * sqrt(365.0), row->sharpe, 1e-12,
		    __LINE__);
		ms_bt_result_free(r);
	}
	ms_store_close(st);
	ck_assert(sw->dsr.best < nv);
	ck_assert(isfinite(sw->dsr.dsr));
	ck_assert(sw->dsr.variance > 0);          /* the variants differ */
	ms_bt_sweep_free(sw);

	/* The report directory holds the same bytes. */
	{
		char rdir[128], err2[256], *t;
		size_t len;
		sw = ms_bt_sweep_new();
		ck_assert_int_eq(ms_bt_sweep_load(sw, one[0], strlen(one[0]),
		    "one", err, sizeof(err)), 0);
		ck_assert_int_eq(ms_bt_sweep_complete(sw, test_apply, err,
		    sizeof(err)), 0);
		snprintf(rdir, sizeof(rdir), "%s/report/x", dir);
		ck_assert_int_eq(ms_bt_sweep_write_report(sw, rdir, SIZE_MAX,
		    SIZE_MAX, err2, sizeof(err2)), 0);
		snprintf(rdir, sizeof(rdir), "%s/report/x/sweep.json", dir);
		ck_assert_int_eq(ms_bt_sweep_read_file(rdir, 1 << 24, &t, &len,
		    err2, sizeof(err2)), 0);
		rs = ms_bt_sweep_json(sw);
		ck_assert_str_eq(t, rs);
		ck_assert_ptr_nonnull(strstr(r1, rs));
		free(rs);
		free(t);
		ms_bt_sweep_free(sw);
	}
	free(one[0]);
	free(r1);
	free(r3);

	/* A store that cannot be opened fails the run with a reason. */
	{
		struct ms_bt_sweep_opts o;
		char *text = NULL, bad[160];
		memset(&o, 0, sizeof(o));
		snprintf(bad, sizeof(bad), "%s/missing.db", dir);
		o.db = bad;
		o.jobs = 2;
		o.shard = o.nshards = 1;
		o.apply = test_apply;
		ck_assert_int_ne(ms_bt_sweep_run(s, &o, &text, err, sizeof(err)),
		    0);
		ck_assert_ptr_null(text);
		o.db = db;
		o.shard = 3;
		o.nshards = 2;
		ck_assert_int_eq(ms_bt_sweep_run(s, &o, &text, err, sizeof(err)),
		    MS_ERR_INVALID);
	}
	free(s);
	tu_rmtree(dir);
}
END_TEST

Suite *make_bt_sweep_suite(void);

Suite *
make_bt_sweep_suite(void)
{
	Suite *s = suite_create("bt_sweep");
	TCase *core = tcase_create("core"), *lim = tcase_create("limits");

	tcase_set_timeout(core, 120);
	tcase_add_test(core, test_dsr_paper);
	tcase_add_test(core, test_dsr_hand);
	tcase_add_test(core, test_spec_file_and_order);
	tcase_add_test(core, test_merge_fixture);
	tcase_add_test(core, test_run_identical);
	tcase_add_test(lim, test_dsr_limits);
	tcase_add_test(lim, test_spec_axes);
	tcase_add_test(lim, test_load_limits);
	suite_add_tcase(s, core);
	suite_add_tcase(s, lim);
	return s;
}
