/*
 * ms_bt_compare.h — the backtest regression gate: compares the metrics of
 * two summary.json files of the same backtest command (schema
 * moonscope.backtest.<command>: moonshots, picks, forecasts, claims,
 * grades, sweep) with per-metric tolerances and says what moved and what
 * degraded.
 *
 * Metrics are the numeric leaves under "metrics", named by their dotted
 * path ("portfolio.sharpe", "picks.win_rate"). Each has a direction:
 * higher_better, lower_better, or ignore (reported when it moves, never a
 * failure). A built-in table gives the directions of the headline metrics
 * (docs/backtesting.md lists it); a tolerances file may change any.
 *
 * With worse = baseline - current (higher_better) or current - baseline
 * (lower_better) and allowed = max(abs, rel * |baseline|), a metric is
 *   unchanged  bit-identical (null = null);
 *   improved   worse < 0;
 *   within     0 < worse <= allowed;
 *   degraded   worse > allowed, or a known baseline became null, or the
 *              metric is missing from the current file.
 * A metric new in the current file, or null in the baseline only, is
 * "new" and passes. The gate fails when any gated metric degraded.
 *
 * Tolerances file (JSON, at most 1 MiB):
 *   { "schema": "moonscope.backtest.tolerances", "schema_version": 1,
 *     "default": { "abs": 1e-9, "rel": 1e-9 },
 *     "metrics": { "portfolio.sharpe": { "direction": "higher_better",
 *                                        "abs": 0.05, "rel": 0.1 } } }
 * Every key is optional except "schema"; unknown keys are errors.
 */
#ifndef MS_BT_COMPARE_H
#define MS_BT_COMPARE_H

#include <stddef.h>

#include <cJSON.h>

#define MS_BT_CMP_SCHEMA "moonscope.backtest.tolerances"
#define MS_BT_CMP_SUMMARY_PREFIX "moonscope.backtest."
#define MS_BT_CMP_NAME_MAX 128       /* dotted metric name, with NUL */
#define MS_BT_CMP_MAX_METRICS 1000
#define MS_BT_CMP_MAX_FILE (16u * 1024u * 1024u)
#define MS_BT_CMP_MAX_TOL_FILE (1024u * 1024u)
#define MS_BT_CMP_DEFAULT_ABS 1e-9
#define MS_BT_CMP_DEFAULT_REL 1e-9

enum ms_bt_cmp_dir { MS_BT_CMP_IGNORE, MS_BT_CMP_HIGHER, MS_BT_CMP_LOWER };

enum ms_bt_cmp_status {
	MS_BT_CMP_UNCHANGED, MS_BT_CMP_IMPROVED, MS_BT_CMP_WITHIN,
	MS_BT_CMP_DEGRADED, MS_BT_CMP_NEW, MS_BT_CMP_MOVED /* ignored metric */
};

/* "ignore", "higher_better", "lower_better". */
const char *ms_bt_cmp_dir_name(enum ms_bt_cmp_dir d);
/* "unchanged", "improved", "within", "degraded", "new", "moved". */
const char *ms_bt_cmp_status_name(enum ms_bt_cmp_status s);

struct ms_bt_cmp_tol {
	char name[MS_BT_CMP_NAME_MAX];
	int has_dir, has_abs, has_rel;
	enum ms_bt_cmp_dir dir;
	double abs, rel;
};

struct ms_bt_cmp_opts {
	double abs, rel;                /* defaults for every metric */
	struct ms_bt_cmp_tol *tol;      /* per-metric overrides, owned */
	size_t ntol;
};

/* Defaults: abs = rel = 1e-9, no overrides. */
void ms_bt_cmp_opts_init(struct ms_bt_cmp_opts *o);
void ms_bt_cmp_opts_free(struct ms_bt_cmp_opts *o);

/*
 * Parses a tolerances document of len bytes into o (its default replaces
 * o->abs/o->rel; overrides are added). Returns 0, or MS_ERR_PARSE /
 * MS_ERR_INVALID / MS_ERR_TOOBIG with a reason in err.
 */
int ms_bt_cmp_parse_tolerances(const char *text, size_t len,
    struct ms_bt_cmp_opts *o, char *err, size_t errsz);

/*
 * Reads a whole file of at most max bytes (NUL-terminated, caller frees).
 */
int ms_bt_cmp_read_file(const char *path, size_t max, char **out,
    size_t *len, char *err, size_t errsz);

/*
 * Parses a summary.json text and checks its schema (any
 * moonscope.backtest.<command> but the tolerances schema), its version (1)
 * and that it has a "metrics" object. *out is the document (cJSON_Delete).
 */
int ms_bt_cmp_parse_summary(const char *text, size_t len, cJSON **out,
    char *err, size_t errsz);

/*
 * 0 when both summaries have the same schema (the same command), else
 * MS_ERR_INVALID with the two names in err.
 */
int ms_bt_cmp_same_schema(const cJSON *base, const cJSON *cur, char *err,
    size_t errsz);

struct ms_bt_cmp_row {
	char name[MS_BT_CMP_NAME_MAX];
	enum ms_bt_cmp_dir dir;
	double base, cur;             /* NaN = null or missing */
	int in_base, in_cur;
	double allowed;               /* NaN for ignored metrics */
	enum ms_bt_cmp_status status;
};

struct ms_bt_cmp_result {
	struct ms_bt_cmp_row *rows;   /* baseline order, then new metrics */
	size_t n;
	size_t gated, moved, degraded;
	char param_diff[512];         /* parameters that differ, "" if none */
};

/* Compares base and cur. Fills *out (free with ms_bt_cmp_result_free). */
int ms_bt_cmp_run(const cJSON *base, const cJSON *cur,
    const struct ms_bt_cmp_opts *o, struct ms_bt_cmp_result *out);
void ms_bt_cmp_result_free(struct ms_bt_cmp_result *r);

/*
 * The Markdown report (the rows that moved) and the JUnit XML document
 * (one test case per gated metric). malloc'd; the caller frees. NULL on
 * allocation failure. The labels name the two inputs.
 */
char *ms_bt_cmp_markdown(const struct ms_bt_cmp_result *r,
    const char *base_label, const char *cur_label);
char *ms_bt_cmp_junit(const struct ms_bt_cmp_result *r);

#endif
