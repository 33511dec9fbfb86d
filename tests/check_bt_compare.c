/*
 * check_bt_compare.c — which summaries the regression gate reads: every
 * backtest command's summary.json (schema moonscope.backtest.<command>),
 * never a tolerances file in their place, and never two different commands
 * against each other. (The gate's verdicts are in check_backtest.c.)
 */
#include <string.h>

#include <check.h>

#include "ms_bt_compare.h"
#include "ms_error.h"

Suite *make_bt_compare_suite(void);

static int
parse(const char *text, cJSON **out)
{
	char err[256];

	*out = NULL;
	return ms_bt_cmp_parse_summary(text, strlen(text), out, err,
	    sizeof(err));
}

START_TEST(test_schemas)
{
	static const struct {
		const char *text;
		int ok;
	} cases[] = {
		{ "{\"schema\":\"moonscope.backtest.moonshots\",\"schema_version\":1,"
		  "\"metrics\":{\"portfolio\":{\"sharpe\":1}}}", 1 },
		{ "{\"schema\":\"moonscope.backtest.forecasts\",\"schema_version\":1,"
		  "\"metrics\":{\"garch\":{\"h7\":{\"crps\":0.07}}}}", 1 },
		{ "{\"schema\":\"moonscope.backtest.tolerances\",\"schema_version\":1,"
		  "\"metrics\":{}}", 0 },
		{ "{\"schema\":\"moonscope.backtests.x\",\"schema_version\":1,"
		  "\"metrics\":{}}", 0 },
		{ "{\"schema\":\"moonscope.backtest.claims\",\"schema_version\":2,"
		  "\"metrics\":{}}", 0 },
		{ "{\"schema\":\"moonscope.backtest.claims\",\"schema_version\":1}", 0 },
		{ "{\"schema\":7,\"schema_version\":1,\"metrics\":{}}", 0 },
		{ "[1,2]", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *doc;
		int rc = parse(cases[i].text, &doc);

		ck_assert_msg((rc == 0) == cases[i].ok, "case %zu: rc %d", i, rc);
		cJSON_Delete(doc);
	}
}
END_TEST

START_TEST(test_same_schema)
{
	cJSON *a, *b, *c;
	char err[256];

	ck_assert_int_eq(parse("{\"schema\":\"moonscope.backtest.forecasts\","
	    "\"schema_version\":1,\"metrics\":{}}", &a), 0);
	ck_assert_int_eq(parse("{\"schema\":\"moonscope.backtest.forecasts\","
	    "\"schema_version\":1,\"metrics\":{\"x\":1}}", &b), 0);
	ck_assert_int_eq(parse("{\"schema\":\"moonscope.backtest.moonshots\","
	    "\"schema_version\":1,\"metrics\":{}}", &c), 0);
	ck_assert_int_eq(ms_bt_cmp_same_schema(a, b, err, sizeof(err)), 0);
	ck_assert_int_eq(ms_bt_cmp_same_schema(a, c, err, sizeof(err)),
	    MS_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "moonscope.backtest.moonshots"));
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}
END_TEST

/*
 * Metrics repeated per model or series take their direction from the last
 * part of the name: a CRPS that rose and an IC that fell both degrade; a
 * metric with no known direction only moves.
 */
START_TEST(test_directions_by_last_part)
{
	cJSON *a, *b;
	struct ms_bt_cmp_opts o;
	struct ms_bt_cmp_result res;

	ck_assert_int_eq(parse("{\"schema\":\"moonscope.backtest.forecasts\","
	    "\"schema_version\":1,\"metrics\":{\"garch\":{\"h7\":{"
	    "\"crps\":0.07,\"skill_crps\":0.01,\"judged\":40}},"
	    "\"trader\":{\"mean_ic\":0.05}}}", &a), 0);
	ck_assert_int_eq(parse("{\"schema\":\"moonscope.backtest.forecasts\","
	    "\"schema_version\":1,\"metrics\":{\"garch\":{\"h7\":{"
	    "\"crps\":0.08,\"skill_crps\":0.02,\"judged\":41}},"
	    "\"trader\":{\"mean_ic\":0.04}}}", &b), 0);
	ms_bt_cmp_opts_init(&o);
	ck_assert_int_eq(ms_bt_cmp_run(a, b, &o, &res), 0);
	ck_assert_uint_eq(res.degraded, 2);   /* crps up, mean_ic down */
	ck_assert_uint_eq(res.gated, 3);      /* judged has no direction */
	ms_bt_cmp_result_free(&res);
	ms_bt_cmp_opts_free(&o);
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

Suite *
make_bt_compare_suite(void)
{
	Suite *s = suite_create("bt_compare");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_schemas);
	tcase_add_test(tc, test_same_schema);
	tcase_add_test(tc, test_directions_by_last_part);
	suite_add_tcase(s, tc);
	return s;
}
