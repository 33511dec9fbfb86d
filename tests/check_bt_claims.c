/*
 * check_bt_claims.c — `backtest claims` (backtest/ms_bt_claims.h): the
 * claims file reader (CSV and JSON, and every way a file is rejected) and
 * the judging of claims against a hand-made store, with the answers worked
 * out by hand below; the probabilities are checked against /v1/target
 * itself and against a store truncated after the day each claim was made.
 *
 * The store (tests/fixtures/bt_claims/prices.csv, written by gen.py there;
 * day i = 2020-01-01 + i, last day 99 = 2020-04-09):
 *   alpha / ALP  close 10 on even days, 11 on odd days up to day 49, then
 *                12; high = low = close except day 60 (high 15) and day 70
 *                (low 8)
 *   beta / BET   close 1 on days 0..49 only, high and low unknown
 *   gamma / GAM  no bar on day 40
 * The claims (good.csv; good.json holds the same), all made on day 40
 * (2020-02-10, alpha's close 10) unless said otherwise, deadline day 80
 * (2020-03-21, alpha's close 12), window = days 41..80:
 *   line 2  alpha 14 (rise): day 60's high 15 >= 14 -> hit on 2020-03-01,
 *           20 days; best 15 (day 60), worst 8 (day 70); target / close =
 *           14 / 12 = 1.1666..; short = (14 - 12) / 14 x 100 = 14.2857..%;
 *           best / target = 15 / 14
 *   line 3  alpha 20 (rise): never (best 15) -> miss; 20 / 12; short
 *           (20 - 12) / 20 x 100 = 40 %; best / target = 0.75
 *   line 4  alpha 9 (fall, 9 < 10): day 70's low 8 <= 9 -> hit on
 *           2020-03-11, 30 days; short (12 - 9) / 9 x 100 = 33.33..%;
 *           worst / target = 8 / 9
 *   line 5  alpha 5 (fall): never (lowest 8) -> miss; short (12 - 5) / 5 x
 *           100 = 140 %; worst / target = 8 / 5 = 1.6
 *   line 6  ALP 14, deadline 2020-04-30 > the last day -> open; window
 *           days 41..99 = 59 bars; hit so far on day 60
 *   line 7  beta 2, deadline day 90: beta's last bar is day 49, more than
 *           30 days before the deadline -> ended; 9 bars (41..49); close
 *           1 on 2020-02-19
 *   line 8  BET 1 made day 45 (close 1: target = price, a rise target),
 *           deadline day 48: day 46's close 1 (no high) >= 1 -> hit, 1 day;
 *           every model gives P = 1 (a target at the price is touched)
 *   line 9  gamma: no bar on day 40 -> unpriced (no probability)
 * Judged: 3 hits of 5 -> hit rate 0.6; Brier = mean (p - y)^2 over them.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cJSON.h>

#include "ms_bt.h"
#include "ms_bt_claims.h"
#include "ms_buf.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_http.h"
#include "ms_import.h"
#include "ms_store.h"
#include "testutil.h"

extern const struct ms_route *const ms_route_v1_target;

#define DAY(i) (ms_date_from_ymd(2020, 1, 1) + (i))

static void
close_at(double got, double want, int line)
{
	double tol = 1e-12 * (fabs(want) > 1 ? fabs(want) : 1);

	ck_assert_msg(fabs(got - want) <= tol, "line %d: got %.17g, want %.17g",
	    line, got, want);
}
#define CLOSE(a, b) close_at((a), (b), __LINE__)

/* Imports the fixture prices into dir/claims.db. */
static struct ms_store *
build_store(const char *dir)
{
	struct ms_import_opts o = { NULL, -1, ms_date_from_ymd(2024, 1, 1) };
	struct ms_import_result *ir = calloc(1, sizeof(*ir));
	struct ms_store *st = tu_open_store(dir, "claims.db");
	char path[512];

	ck_assert_ptr_nonnull(ir);
	ck_assert_int_eq(ms_import_file(st, tu_fixture("bt_claims/prices.csv",
	    path, sizeof(path)), &o, ir), 0);
	ck_assert_int_eq((int)ir->inserted, 249);
	free(ir);
	return st;
}

static struct ms_bt_claim *
read_fixture(const char *name, size_t *n)
{
	struct ms_bt_claim *v = NULL;
	struct ms_buf errs;
	char path[512];

	ms_buf_init(&errs, 0);
	ck_assert_msg(ms_bt_claims_read(tu_fixture(name, path, sizeof(path)),
	    name, &v, n, &errs) == 0, "%s", errs.data ? errs.data : "");
	ms_buf_free(&errs);
	return v;
}

START_TEST(test_read_csv_json)
{
	static const unsigned long json_lines[] = { 2, 4, 6, 8, 10, 13, 15, 17 };
	struct ms_bt_claim *c, *j;
	size_t nc = 0, nj = 0;

	c = read_fixture("bt_claims/good.csv", &nc);
	j = read_fixture("bt_claims/good.json", &nj);
	ck_assert_uint_eq(nc, 8);
	ck_assert_uint_eq(nj, 8);
	for (size_t i = 0; i < nc; i++) {
		ck_assert_uint_eq(c[i].line, i + 2);
		ck_assert_uint_eq(j[i].line, json_lines[i]);
		ck_assert_str_eq(c[i].who, j[i].who);
		ck_assert_str_eq(c[i].asset, j[i].asset);
		ck_assert_str_eq(c[i].source, j[i].source);
		ck_assert_int_eq(c[i].made, j[i].made);
		ck_assert_int_eq(c[i].deadline, j[i].deadline);
		ck_assert(c[i].target == j[i].target);
	}
	ck_assert_str_eq(c[4].who, "open, quoted");
	ck_assert_str_eq(c[4].source, "deadline after the last day, \"hit so far\"");
	ck_assert_str_eq(c[0].source, "day 60 high 15");
	ck_assert_str_eq(c[1].source, "");
	ck_assert_int_eq(c[0].made, DAY(40));
	ck_assert_int_eq(c[0].deadline, DAY(80));
	ck_assert(c[0].target == 14);
	free(c);
	free(j);
}
END_TEST

static struct ms_bt_claims_result *
judge_fixture(struct ms_store *st, const char *file)
{
	struct ms_bt_claims_result *r = NULL;
	struct ms_bt_claim *c;
	struct ms_buf errs;
	size_t n = 0;

	c = read_fixture(file, &n);
	ms_buf_init(&errs, 0);
	ck_assert_int_eq(ms_bt_claims_run(st, file, c, n, NULL, NULL, &errs,
	    &r), 0);
	ms_buf_free(&errs);
	free(c);
	return r;
}

START_TEST(test_judge)
{
	static const enum ms_bt_claim_status want[] = { MS_BT_CLAIM_HIT,
		MS_BT_CLAIM_MISS, MS_BT_CLAIM_HIT, MS_BT_CLAIM_MISS,
		MS_BT_CLAIM_OPEN, MS_BT_CLAIM_ENDED, MS_BT_CLAIM_HIT,
		MS_BT_CLAIM_UNPRICED };
	struct ms_bt_claims_result *r;
	const struct ms_bt_claim_result *v;
	struct ms_store *st;
	char dir[64];

	tu_tmpdir(dir, sizeof(dir), "ms_btc");
	st = build_store(dir);
	r = judge_fixture(st, "bt_claims/good.csv");
	v = r->v;
	ck_assert_uint_eq(r->n, 8);
	for (size_t i = 0; i < 8; i++)
		ck_assert_msg(v[i].status == want[i], "claim %zu: %s", i,
		    ms_bt_claim_status_name(v[i].status));
	ck_assert_str_eq(v[0].asset.slug, "alpha");
	ck_assert_str_eq(v[4].asset.slug, "alpha");     /* by symbol */
	ck_assert_str_eq(v[6].asset.slug, "beta");
	ck_assert_int_eq(r->data_last, DAY(99));

	/* line 2: rise, hit on day 60. */
	ck_assert_int_eq(v[0].rise, 1);
	ck_assert_int_eq(v[0].horizon, 40);
	CLOSE(v[0].price_made, 10);
	CLOSE(v[0].required_multiple, 1.4);
	ck_assert_uint_eq(v[0].bars, 40);
	ck_assert_int_eq(v[0].first_hit, DAY(60));
	CLOSE(v[0].first_hit_price, 15);
	CLOSE(v[0].best_price, 15);
	ck_assert_int_eq(v[0].best_day, DAY(60));
	CLOSE(v[0].worst_price, 8);
	ck_assert_int_eq(v[0].worst_day, DAY(70));
	CLOSE(v[0].deadline_close, 12);
	ck_assert_int_eq(v[0].deadline_close_day, DAY(80));
	CLOSE(v[0].target_over_close, 14.0 / 12.0);
	CLOSE(v[0].short_pct, 100.0 * 2.0 / 14.0);
	CLOSE(v[0].best_vs_target, 15.0 / 14.0);
	/* line 3: rise, miss. */
	ck_assert_int_eq(v[1].first_hit, -1);
	ck_assert(isnan(v[1].first_hit_price));
	CLOSE(v[1].target_over_close, 20.0 / 12.0);
	CLOSE(v[1].short_pct, 40);
	CLOSE(v[1].best_vs_target, 0.75);
	/* line 4: fall, hit on day 70. */
	ck_assert_int_eq(v[2].rise, 0);
	ck_assert_int_eq(v[2].first_hit, DAY(70));
	CLOSE(v[2].first_hit_price, 8);
	CLOSE(v[2].short_pct, 100.0 * 3.0 / 9.0);
	CLOSE(v[2].best_vs_target, 8.0 / 9.0);
	/* line 5: fall, miss. */
	ck_assert_int_eq(v[3].first_hit, -1);
	CLOSE(v[3].short_pct, 140);
	CLOSE(v[3].best_vs_target, 1.6);
	/* line 6: open, hit so far. */
	ck_assert_int_eq(v[4].window_end, DAY(99));
	ck_assert_uint_eq(v[4].bars, 59);
	ck_assert_int_eq(v[4].first_hit, DAY(60));
	ck_assert_int_eq(v[4].deadline_close_day, DAY(99));
	/* line 7: ended. */
	ck_assert_uint_eq(v[5].bars, 9);
	ck_assert_int_eq(v[5].deadline_close_day, DAY(49));
	CLOSE(v[5].deadline_close, 1);
	/* line 8: target = price, touched on day 46 by the close. */
	ck_assert_int_eq(v[6].rise, 1);
	ck_assert_int_eq(v[6].first_hit, DAY(46));
	CLOSE(v[6].first_hit_price, 1);
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		ck_assert(v[6].prob[m].known);
		CLOSE(v[6].prob[m].touch, 1);
		ck_assert(v[0].prob[m].known);
		ck_assert(v[0].prob[m].touch > 0 && v[0].prob[m].touch < 1);
	}
	/* line 9: unpriced, nothing known. */
	ck_assert_int_eq(v[7].rise, -1);
	ck_assert(isnan(v[7].price_made));
	ck_assert_uint_eq(v[7].bars, 0);
	for (int m = 0; m < MS_FORECAST_NMODELS; m++)
		ck_assert(!v[7].prob[m].known && isnan(v[7].prob[m].touch));

	/* Counts, hit rate and the Brier score recomputed here. */
	ck_assert_uint_eq(r->count[MS_BT_CLAIM_HIT], 3);
	ck_assert_uint_eq(r->count[MS_BT_CLAIM_MISS], 2);
	ck_assert_uint_eq(r->count[MS_BT_CLAIM_OPEN], 1);
	ck_assert_uint_eq(r->count[MS_BT_CLAIM_ENDED], 1);
	ck_assert_uint_eq(r->count[MS_BT_CLAIM_UNPRICED], 1);
	ck_assert_uint_eq(r->judged, 5);
	CLOSE(r->hit_rate, 0.6);
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		static const int judged[] = { 0, 1, 2, 3, 6 };
		double se = 0, sp = 0;
		for (size_t k = 0; k < 5; k++) {
			double p = v[judged[k]].prob[m].touch;
			double y = v[judged[k]].status == MS_BT_CLAIM_HIT;
			se += (p - y) * (p - y);
			sp += p;
		}
		ck_assert_uint_eq(r->brier[m].n, 5);
		CLOSE(r->brier[m].brier, se / 5);
		CLOSE(r->brier[m].mean_prob, sp / 5);
		CLOSE(r->brier[m].hit_rate, 0.6);
	}

	/* The JSON file judges the same. */
	{
		struct ms_bt_claims_result *rj = judge_fixture(st,
		    "bt_claims/good.json");
		for (size_t i = 0; i < 8; i++) {
			ck_assert(rj->v[i].status == v[i].status);
			ck_assert_int_eq(rj->v[i].first_hit, v[i].first_hit);
			for (int m = 0; m < MS_FORECAST_NMODELS; m++)
				ck_assert(memcmp(&rj->v[i].prob[m].touch,
				    &v[i].prob[m].touch, sizeof(double)) == 0);
		}
		ms_bt_claims_result_free(rj);
	}
	ms_bt_claims_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* Each model's probability is what GET /v1/target answers, bit for bit. */
START_TEST(test_same_as_route)
{
	static const char *const uris[] = {
		"/v1/target?id=alpha&price=14&horizons=40&as_of=2020-02-10",
		"/v1/target?id=alpha&price=9&horizons=40&as_of=2020-02-10",
		"/v1/target?id=ALP&price=14&horizons=80&as_of=2020-02-10",
	};
	static const size_t claim[] = { 0, 2, 4 };
	struct ms_bt_claims_result *r;
	struct ms_store *st;
	char dir[64], path[128];

	tu_tmpdir(dir, sizeof(dir), "ms_btc");
	st = build_store(dir);
	r = judge_fixture(st, "bt_claims/good.csv");
	snprintf(path, sizeof(path), "%s/claims.db", dir);
	setenv(MS_STORE_ENV, path, 1);
	for (size_t k = 0; k < sizeof(uris) / sizeof(uris[0]); k++) {
		char e_uri[200], e_qs[200];
		char *envp[] = { (char *)(uintptr_t)"REQUEST_METHOD=GET", e_uri,
			e_qs, NULL };
		const struct ms_bt_claim_result *c = &r->v[claim[k]];
		struct ms_response res;
		struct ms_ctx ctx;
		const cJSON *probs, *it;
		cJSON *json;
		int m = 0;

		snprintf(e_uri, sizeof(e_uri), "REQUEST_URI=%s", uris[k]);
		snprintf(e_qs, sizeof(e_qs), "QUERY_STRING=%s",
		    strchr(uris[k], '?') + 1);
		ms_ctx_init(&ctx);
		ms_response_init(&res);
		ms_handle(&ctx, ms_route_v1_target, envp, &res);
		ck_assert_int_eq(res.status, 200);
		json = cJSON_ParseWithLength(res.body.data, res.body.len);
		ms_response_free(&res);
		ms_ctx_free(&ctx);
		ck_assert_ptr_nonnull(json);
		probs = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(json, "data"),
		    "probabilities");
		ck_assert_int_eq(cJSON_GetArraySize(probs), MS_FORECAST_NMODELS);
		cJSON_ArrayForEach(it, probs) {
			const cJSON *h = cJSON_GetArrayItem(
			    cJSON_GetObjectItemCaseSensitive(it, "horizons"), 0);
			double touch = cJSON_GetObjectItemCaseSensitive(h,
			    "touch")->valuedouble;
			double above = cJSON_GetObjectItemCaseSensitive(h,
			    "end_above")->valuedouble;
			ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(h,
			    "days")->valueint, c->horizon);
			ck_assert_msg(touch == c->prob[m].touch, "uri %zu model %d: "
			    "route %.17g, claims %.17g", k, m, touch,
			    c->prob[m].touch);
			ck_assert(above == c->prob[m].end_above);
			ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(it,
			    "used")->valuestring,
			    ms_forecast_model_name(c->prob[m].used));
			m++;
		}
		cJSON_Delete(json);
	}
	unsetenv(MS_STORE_ENV);
	ms_bt_claims_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/*
 * The probability reads nothing after the day made: judged again on a copy
 * of the store truncated after that day, every claim made on day 40 gets
 * bit-identical probabilities (and is open there).
 */
START_TEST(test_lookahead)
{
	struct ms_bt_claims_result *full, *cut;
	struct ms_store *st, *tst;
	struct ms_bt_claim *c;
	struct ms_buf errs;
	char dir[64], path[128];
	size_t n = 0;

	tu_tmpdir(dir, sizeof(dir), "ms_btc");
	st = build_store(dir);
	full = judge_fixture(st, "bt_claims/good.csv");
	snprintf(path, sizeof(path), "%s/cut.db", dir);
	ck_assert_int_eq(ms_bt_truncated_copy(st, DAY(40), path), 0);
	ck_assert_int_eq(ms_store_open(path, MS_STORE_RO, &tst), 0);
	c = read_fixture("bt_claims/good.csv", &n);
	ms_buf_init(&errs, 0);
	ck_assert_int_eq(ms_bt_claims_run(tst, "cut", c, n, NULL, NULL, &errs,
	    &cut), 0);
	for (size_t i = 0; i < n; i++) {
		if (c[i].made != DAY(40))
			continue;
		ck_assert(cut->v[i].status == MS_BT_CLAIM_OPEN ||
		    cut->v[i].status == MS_BT_CLAIM_UNPRICED);
		for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
			ck_assert_int_eq(cut->v[i].prob[m].known,
			    full->v[i].prob[m].known);
			ck_assert(memcmp(&cut->v[i].prob[m].touch,
			    &full->v[i].prob[m].touch, sizeof(double)) == 0);
			ck_assert(memcmp(&cut->v[i].prob[m].end_above,
			    &full->v[i].prob[m].end_above, sizeof(double)) == 0);
		}
	}
	ms_buf_free(&errs);
	free(c);
	ms_bt_claims_result_free(cut);
	ms_bt_claims_result_free(full);
	ms_store_close(tst);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* The report: summary.json's schema and counts, claims.csv's rows. */
START_TEST(test_report)
{
	struct ms_bt_claims_result *r;
	struct ms_store *st;
	char dir[64], out[128], err[256], *text = NULL;
	cJSON *doc, *m;
	FILE *f;
	long len;

	tu_tmpdir(dir, sizeof(dir), "ms_btc");
	st = build_store(dir);
	r = judge_fixture(st, "bt_claims/good.csv");
	snprintf(out, sizeof(out), "%s/rep/a", dir);
	ck_assert_int_eq(ms_bt_claims_write_report(r, out, err, sizeof(err)), 0);

	snprintf(out, sizeof(out), "%s/rep/a/summary.json", dir);
	ck_assert_ptr_nonnull(f = fopen(out, "r"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	ck_assert_ptr_nonnull(text = malloc((size_t)len + 1));
	ck_assert_int_eq((long)fread(text, 1, (size_t)len, f), len);
	text[len] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(doc = cJSON_Parse(text));
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(doc,
	    "schema")->valuestring, MS_BT_CLAIMS_SCHEMA);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(doc,
	    "schema_version")->valueint, 1);
	m = cJSON_GetObjectItemCaseSensitive(doc, "metrics");
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(m, "hit")->valueint, 3);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(m, "open")->valueint,
	    1);
	ck_assert(cJSON_GetObjectItemCaseSensitive(m, "hit_rate")->valuedouble
	    == 0.6);
	ck_assert(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(m, "models"), "naive"),
	    "brier")->valuedouble == r->brier[0].brier);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc,
	    "claims")), 8);
	cJSON_Delete(doc);
	free(text);

	snprintf(out, sizeof(out), "%s/rep/a/claims.csv", dir);
	ck_assert_ptr_nonnull(f = fopen(out, "r"));
	{
		char line[2048];
		int rows = 0;
		while (fgets(line, sizeof(line), f) != NULL)
			rows++;
		ck_assert_int_eq(rows, 9);
	}
	fclose(f);
	snprintf(out, sizeof(out), "%s/rep/a/summary.md", dir);
	ck_assert_int_eq(access(out, R_OK), 0);
	snprintf(out, sizeof(out), "%s/rep/a/report.html", dir);
	ck_assert_int_eq(access(out, R_OK), 0);
	ms_bt_claims_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* Bad files: each rejected whole, naming the file, line and reason. */
START_TEST(test_bad_files)
{
	static const struct {
		const char *name, *text, *want;
	} cases[] = {
		{ "empty.csv", "", "empty.csv: the file is empty" },
		{ "hdr.csv", "who,made,asset,price,deadline\n",
		  "hdr.csv:1: the header must be" },
		{ "none.csv", "who,made,asset,target,deadline\n",
		  "none.csv: no claims" },
		{ "date.csv", "who,made,asset,target,deadline\n"
		  "a,2023-02-30,XRP,33,2023-12-31\n",
		  "date.csv:2: made '2023-02-30' is not a date" },
		{ "order.csv", "who,made,asset,target,deadline\n"
		  "a,2023-08-01,XRP,33,2023-12-31\n"
		  "b,2023-08-01,XRP,33,2023-08-01\n",
		  "order.csv:3: deadline is not after made" },
		{ "long.csv", "who,made,asset,target,deadline\n"
		  "a,2010-01-01,BTC,1e6,2020-12-31\n",
		  "long.csv:2: deadline is 4017 days after made" },
		{ "dollar.csv", "who,made,asset,target,deadline\n"
		  "a,2023-08-01,XRP,$33,2023-12-31\n",
		  "dollar.csv:2: target is not a plain number" },
		{ "zero.csv", "who,made,asset,target,deadline\n"
		  "a,2023-08-01,XRP,0,2023-12-31\n",
		  "zero.csv:2: target must be a price in USD" },
		{ "inf.csv", "who,made,asset,target,deadline\n"
		  "a,2023-08-01,XRP,1e999,2023-12-31\n",
		  "inf.csv:2: target is not a number" },
		{ "who.csv", "who,made,asset,target,deadline\n"
		  ",2023-08-01,XRP,33,2023-12-31\n", "who.csv:2: who is empty" },
		{ "space.csv", "who,made,asset,target,deadline\n"
		  "a,2023-08-01,X RP,33,2023-12-31\n",
		  "space.csv:2: asset holds a space" },
		{ "fields.csv", "who,made,asset,target,deadline,source\n"
		  "a,2023-08-01,XRP,33,2023-12-31\n",
		  "fields.csv:2: 5 fields, the header has 6" },
		{ "quote.csv", "who,made,asset,target,deadline\n"
		  "\"a,2023-08-01,XRP,33,2023-12-31\n", "quote.csv:2: " },
		{ "syntax.json", "[\n {\"who\": \"a\",\n  \"made\": 2023}\n x]\n",
		  "syntax.json:4: not valid JSON" },
		{ "trail.json", "[]\n]", "trail.json:2: not valid JSON" },
		{ "emptyarr.json", "[ ]", "emptyarr.json: no claims" },
		{ "key.json", "[{\"who\":\"a\",\"made\":\"2023-08-01\","
		  "\"asset\":\"XRP\",\"target\":33,\"deadline\":\"2023-12-31\","
		  "\"price\":1}]", "key.json:1: unknown key 'price'" },
		{ "dup.json", "[\n{\"who\":\"a\",\"made\":\"2023-08-01\","
		  "\"asset\":\"XRP\",\"target\":33,\"deadline\":\"2023-12-31\"},\n"
		  "{\"who\":\"a\",\"who\":\"b\",\"made\":\"2023-08-01\","
		  "\"asset\":\"XRP\",\"target\":33,\"deadline\":\"2023-12-31\"}]",
		  "dup.json:3: key 'who' repeated" },
		{ "type.json", "[{\"who\":\"a\",\"made\":\"2023-08-01\","
		  "\"asset\":\"XRP\",\"target\":\"33\",\"deadline\":\"2023-12-31\"}]",
		  "type.json:1: target must be a number" },
		{ "miss.json", "[{\"who\":\"a\",\"made\":\"2023-08-01\","
		  "\"asset\":\"XRP\",\"target\":33}]",
		  "miss.json:1: deadline is missing" },
		{ "elem.json", "[\n{\"who\":\"a\",\"made\":\"2023-08-01\","
		  "\"asset\":\"XRP\",\"target\":33,\"deadline\":\"2023-12-31\"},\n"
		  "  \"[x]\"]", "elem.json:3: a claim must be an object" },
	};
	char dir[64], path[256];

	tu_tmpdir(dir, sizeof(dir), "ms_btc");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ms_bt_claim *v = NULL;
		struct ms_buf errs;
		size_t n = 0;
		int rc;

		tu_write_file(dir, cases[i].name, cases[i].text,
		    strlen(cases[i].text), 0, path, sizeof(path));
		ms_buf_init(&errs, 0);
		rc = ms_bt_claims_read(path, cases[i].name, &v, &n, &errs);
		ck_assert_msg(rc != 0, "%s: accepted", cases[i].name);
		ck_assert_ptr_null(v);
		ck_assert_msg(errs.data != NULL && strstr(errs.data,
		    cases[i].want) != NULL, "%s: got '%s', want '%s'",
		    cases[i].name, errs.data ? errs.data : "", cases[i].want);
		ms_buf_free(&errs);
	}
	tu_rmtree(dir);
}
END_TEST

/*
 * Limits: more than MS_BT_CLAIMS_MAX_ERRORS bad lines are counted, not
 * listed; a file over MS_BT_CLAIMS_MAX_FILE bytes and one over
 * MS_BT_CLAIMS_MAX claims are refused; gzip reads like plain; an asset
 * the store does not know rejects the file with its line; an empty store
 * is MS_ERR_NODATA.
 */
START_TEST(test_limits)
{
	struct ms_bt_claims_result *r = NULL;
	struct ms_bt_claim *v = NULL;
	struct ms_store *st;
	struct ms_buf b, errs;
	char dir[64], path[256];
	size_t n = 0;
	char *big;

	tu_tmpdir(dir, sizeof(dir), "ms_btc");

	/* 25 bad lines: 20 listed, then "... and 5 more". */
	ms_buf_init(&b, 0);
	ms_buf_puts(&b, "who,made,asset,target,deadline\n");
	for (int i = 0; i < 25; i++)
		ms_buf_puts(&b, "a,2023-08-01,XRP,-1,2023-12-31\n");
	tu_write_file(dir, "many.csv", b.data, b.len, 0, path, sizeof(path));
	ms_buf_free(&b);
	ms_buf_init(&errs, 0);
	ck_assert_int_eq(ms_bt_claims_read(path, "many.csv", &v, &n, &errs),
	    MS_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(errs.data, "many.csv:21: target"));
	ck_assert_ptr_null(strstr(errs.data, "many.csv:22:"));
	ck_assert_ptr_nonnull(strstr(errs.data, "... and 5 more bad lines"));
	ms_buf_free(&errs);

	/* Too many claims. */
	ms_buf_init(&b, 0);
	ms_buf_puts(&b, "who,made,asset,target,deadline\n");
	for (int i = 0; i <= MS_BT_CLAIMS_MAX; i++)
		ms_buf_puts(&b, "a,2023-08-01,XRP,33,2023-12-31\n");
	tu_write_file(dir, "lots.csv", b.data, b.len, 1, path, sizeof(path));
	ms_buf_free(&b);
	ms_buf_init(&errs, 0);
	ck_assert_int_eq(ms_bt_claims_read(path, "lots.csv", &v, &n, &errs),
	    MS_ERR_TOOBIG);
	ck_assert_ptr_nonnull(strstr(errs.data, "lots.csv:10002: more than"));
	ms_buf_free(&errs);

	/* Too large a file (gzip: the limit is on the bytes read). */
	ck_assert_ptr_nonnull(big = malloc(MS_BT_CLAIMS_MAX_FILE + 1));
	memset(big, ' ', MS_BT_CLAIMS_MAX_FILE + 1);
	tu_write_file(dir, "big.csv.gz", big, MS_BT_CLAIMS_MAX_FILE + 1, 1,
	    path, sizeof(path));
	free(big);
	ms_buf_init(&errs, 0);
	ck_assert_int_eq(ms_bt_claims_read(path, "big.csv.gz", &v, &n, &errs),
	    MS_ERR_TOOBIG);
	ms_buf_free(&errs);

	/* Missing file. */
	ms_buf_init(&errs, 0);
	ck_assert_int_eq(ms_bt_claims_read("/nonexistent/claims.csv", NULL, &v,
	    &n, &errs), MS_ERR_IO);
	ck_assert_ptr_nonnull(strstr(errs.data, "/nonexistent/claims.csv: "));
	ms_buf_free(&errs);

	/* gzip reads like plain; an unknown asset rejects the file. */
	{
		static const char text[] = "who,made,asset,target,deadline\n"
		    "a,2020-02-10,alpha,14,2020-03-21\n"
		    "b,2020-02-10,zzz,14,2020-03-21\n";
		tu_write_file(dir, "u.csv.gz", text, sizeof(text) - 1, 1, path,
		    sizeof(path));
	}
	ms_buf_init(&errs, 0);
	ck_assert_int_eq(ms_bt_claims_read(path, "u.csv.gz", &v, &n, &errs), 0);
	ck_assert_uint_eq(n, 2);
	st = build_store(dir);
	ck_assert_int_eq(ms_bt_claims_run(st, "u.csv.gz", v, n, NULL, NULL,
	    &errs, &r), MS_ERR_INVALID);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(errs.data, "u.csv.gz:3: asset 'zzz': no "
	    "asset"));
	ms_buf_free(&errs);
	ms_store_close(st);

	/* An empty store. */
	st = tu_open_store(dir, "empty.db");
	ms_buf_init(&errs, 0);
	ck_assert_int_eq(ms_bt_claims_run(st, "u", v, 1, NULL, NULL, &errs,
	    &r), MS_ERR_NODATA);
	ms_buf_free(&errs);
	ms_store_close(st);
	free(v);
	ms_bt_claims_result_free(NULL);
	tu_rmtree(dir);
}
END_TEST

Suite *make_bt_claims_suite(void);

Suite *
make_bt_claims_suite(void)
{
	Suite *s = suite_create("bt_claims");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_set_timeout(core, 60);
	tcase_set_timeout(limits, 120);
	tcase_add_test(core, test_read_csv_json);
	tcase_add_test(core, test_judge);
	tcase_add_test(core, test_same_as_route);
	tcase_add_test(core, test_lookahead);
	tcase_add_test(core, test_report);
	tcase_add_test(limits, test_bad_files);
	tcase_add_test(limits, test_limits);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
