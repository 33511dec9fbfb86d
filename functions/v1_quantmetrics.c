/*
 * GET /v1/quantmetrics — risk and return statistics of one asset's daily
 * returns over a period: Sharpe, Sortino, drawdown, CAGR, Calmar,
 * volatility, VaR/CVaR, tail ratio, skew, kurtosis, beta and alpha.
 *
 * Methods: GET, HEAD.
 * Parameters:
 *   id          required: asset id or symbol
 *   benchmark   id or symbol for beta/alpha (default bitcoin)
 *   from        date (default as_of - 365 days); returns from the day
 *               after `from` to as_of
 *   risk_free   annual risk-free rate, -0.5..0.5 (default 0), turned into
 *               a daily rate (1 + rf)^(1/365) - 1
 *   cutoff      VaR/CVaR tail probability 0.001..0.5 (default 0.05)
 *   as_of       date
 * Daily simple returns between consecutive known closes (a missing day
 * makes one return span the gap; `observations` and `gaps` say how many);
 * annualised with 365 periods a year. Definitions follow empyrical
 * (docs/models/quant.md).
 * 200: data {id, symbol, name, benchmark, from, to, periods_per_year,
 *      observations, gaps, metrics {total_return, cagr, annual_volatility,
 *      sharpe, sortino, downside_risk, max_drawdown {depth, peak_date,
 *      trough_date, recovery_date, duration_days}, calmar, var, cvar,
 *      tail_ratio, skew, kurtosis, beta, alpha, benchmark_pairs}}
 * Problems: 400 invalid-parameters, 404 asset-not-found, 404 no-data (fewer
 *           than 2 returns), 405, 503.
 */
#include <math.h>
#include <stdlib.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"
#include "ms_quant.h"

static const struct ms_param_spec params[] = {
	{ .name = "id", .type = MS_PARAM_SLUG, .required = 1, .max_len = 80,
	  .doc = "asset id or symbol" },
	{ .name = "benchmark", .type = MS_PARAM_SLUG, .max_len = 80,
	  .def = "bitcoin", .doc = "benchmark asset for beta and alpha" },
	{ .name = "from", .type = MS_PARAM_DATE,
	  .doc = "start of the period (default as_of - 365)" },
	{ .name = "risk_free", .type = MS_PARAM_NUMBER, .min_d = -0.5,
	  .max_d = 0.5, .def = "0", .doc = "annual risk-free rate" },
	{ .name = "cutoff", .type = MS_PARAM_NUMBER, .min_d = 0.001,
	  .max_d = 0.5, .def = "0.05", .doc = "VaR/CVaR tail probability" },
	MS_PARAM_AS_OF,
};

/*
 * Returns between consecutive known closes of c[0..n): r[k] with its day
 * index idx[k]; dense[i] holds the return ending on day i (NaN where none),
 * for pairing with a benchmark. Returns the count; *gaps counts returns
 * spanning more than one day.
 */
static size_t
returns_of(const double *c, size_t n, double *r, size_t *idx, double *dense,
    size_t *gaps)
{
	size_t k = 0, prev = n;

	*gaps = 0;
	for (size_t i = 0; i < n; i++) {
		dense[i] = NAN;
		if (!(c[i] > 0))
			continue;
		if (prev < n) {
			r[k] = c[i] / c[prev] - 1;
			idx[k] = i;
			dense[i] = r[k];
			*gaps += i - prev > 1;
			k++;
		}
		prev = i;
	}
	return k;
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *id = ms_request_param(req, "id");
	const struct ms_param_value *pb = ms_request_param(req, "benchmark");
	const struct ms_param_value *pfrom = ms_request_param(req, "from");
	double rf_annual = ms_request_param(req, "risk_free")->d;
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_source_set sources = { .n = 0 };
	struct ms_quant_params qp;
	struct ms_quant_summary qs;
	struct ms_resolution how, bhow;
	struct ms_asset a, b;
	double *c = NULL, *bc = NULL, *r = NULL, *dense = NULL, *bdense = NULL,
	    *br = NULL, *work = NULL;
	size_t *idx = NULL, *bidx = NULL, n, k, bk, gaps, bgaps, npairs = 0;
	double alpha = NAN, beta = NAN;
	int32_t as_of, from;
	int rc;
	cJSON *data = NULL, *m, *dd;

	if (st == NULL)
		return 0;
	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	from = pfrom->present ? pfrom->day : as_of - 365;
	if (from >= as_of) {
		struct ms_invalid_param ip = { "from", "must be before as_of" };
		return ms_response_problem(res, MS_PROBLEM_INVALID_PARAMS,
		    "the period is empty", &ip, 1, req);
	}
	if ((rc = ms_api_resolve(st, req, res, "id", id->s, as_of, &a, &how)) != 0)
		return rc == MS_ERR_NOTFOUND ? 0 : rc;
	if ((rc = ms_api_resolve(st, req, res, "benchmark", pb->s, as_of, &b,
	    &bhow)) != 0)
		return rc == MS_ERR_NOTFOUND ? 0 : rc;
	n = (size_t)(as_of - from + 1);
	if ((rc = ms_market_closes(st, a.id, as_of, n, &c)) != 0 ||
	    (rc = ms_market_closes(st, b.id, as_of, n, &bc)) != 0)
		goto done;
	r = malloc(n * sizeof(*r));
	br = malloc(n * sizeof(*br));
	dense = malloc(n * sizeof(*dense));
	bdense = malloc(n * sizeof(*bdense));
	work = malloc(n * sizeof(*work));
	idx = malloc(n * sizeof(*idx));
	bidx = malloc(n * sizeof(*bidx));
	if (!r || !br || !dense || !bdense || !work || !idx || !bidx) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	k = returns_of(c, n, r, idx, dense, &gaps);
	bk = returns_of(bc, n, br, bidx, bdense, &bgaps);
	if (k < 2) {
		rc = ms_response_problem(res, MS_PROBLEM_NO_DATA,
		    "fewer than two daily returns in the period", NULL, 0, req);
		goto done;
	}
	ms_quant_params_default(&qp);
	qp.risk_free = pow(1 + rf_annual, 1.0 / qp.periods_per_year) - 1;
	qp.cutoff = ms_request_param(req, "cutoff")->d;
	if ((rc = ms_quant_summary(r, NULL, k, &qp, work, &qs)) != 0)
		goto done;
	if (bk >= 2 && (rc = ms_quant_alpha_beta(dense, bdense, n, qp.risk_free,
	    qp.periods_per_year, &alpha, &beta, &npairs)) != 0)
		goto done;

	if ((data = cJSON_CreateObject()) == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	ms_api_asset_fields(data, &a);
	ms_api_resolution_fields(data, &how);
	ms_json_str(data, "benchmark", b.slug);
	ms_json_date(data, "from", from);
	ms_json_date(data, "to", as_of);
	ms_json_num(data, "periods_per_year", qp.periods_per_year);
	ms_json_int(data, "observations", (int64_t)k);
	ms_json_int(data, "gaps", (int64_t)gaps);
	if ((m = cJSON_AddObjectToObject(data, "metrics")) != NULL) {
		ms_json_num(m, "total_return", qs.total_return);
		ms_json_num(m, "cagr", qs.cagr);
		ms_json_num(m, "annual_volatility", qs.annual_volatility);
		ms_json_num(m, "sharpe", qs.sharpe);
		ms_json_num(m, "sortino", qs.sortino);
		ms_json_num(m, "downside_risk", qs.downside_risk);
		if ((dd = cJSON_AddObjectToObject(m, "max_drawdown")) != NULL) {
			/*
			 * Wealth index j is the value after return j - 1 (index
			 * 0 is the start, the day before the first return).
			 */
			const struct ms_quant_drawdown *q = &qs.max_drawdown;
			int32_t d0 = from + (int32_t)idx[0] - 1;
#define WDAY(j) ((j) == 0 ? d0 : from + (int32_t)idx[(j) - 1])
			ms_json_num(dd, "depth", q->depth);
			ms_json_date(dd, "peak_date", isnan(q->depth) || q->depth == 0 ? -1 : WDAY(q->peak));
			ms_json_date(dd, "trough_date", isnan(q->depth) || q->depth == 0 ? -1 : WDAY(q->trough));
			ms_json_date(dd, "recovery_date", q->recovered && q->depth < 0 ? WDAY(q->recovery) : -1);
			ms_json_int(dd, "duration_days", (int64_t)q->duration);
#undef WDAY
		}
		ms_json_num(m, "calmar", qs.calmar);
		ms_json_num(m, "var", qs.var);
		ms_json_num(m, "cvar", qs.cvar);
		ms_json_num(m, "tail_ratio", qs.tail_ratio);
		ms_json_num(m, "skew", qs.skew);
		ms_json_num(m, "kurtosis", qs.kurtosis);
		ms_json_num(m, "beta", beta);
		ms_json_num(m, "alpha", alpha);
		ms_json_int(m, "benchmark_pairs", (int64_t)npairs);
	}
	if ((rc = ms_market_sources_between(st, as_of, (int32_t)n, &sources)) == 0)
		rc = ms_api_send(st, req, res, data, as_of, &sources, 0, 0, 0);
	else
		cJSON_Delete(data);
	data = NULL;
done:
	cJSON_Delete(data);
	free(c);
	free(bc);
	free(r);
	free(br);
	free(dense);
	free(bdense);
	free(work);
	free(idx);
	free(bidx);
	return rc;
}

static const struct ms_route route = {
	.name = "v1_quantmetrics",
	.pattern = "/v1/quantmetrics",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "Sharpe, Sortino, drawdown, VaR and other statistics of an asset's returns",
};

MS_FUNCTION(route, v1_quantmetrics)
