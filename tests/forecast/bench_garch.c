/*
 * bench_garch.c — times a GARCH(1,1) fit plus forecast on 1,000 daily
 * returns, the benchmark, and the Monte Carlo parts around it.
 * Not part of `make unit`; build and run from the repository root:
 *
 *   make build/libmoonscope.a
 *   cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ishared \
 *      tests/forecast/bench_garch.c build/libmoonscope.a \
 *      $(pkg-config --libs gsl) -lm -o build/bench_garch
 *   build/bench_garch [closes.txt]
 *
 * Without an argument it uses the 1,001 deterministic closes of
 * tests/forecast/msref.h; with one it reads one close per line (oldest
 * first) and uses the last 1,001. Each step is repeated and the median
 * wall time is printed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ms_forecast.h"
#include "ms_garch.h"
#include "ms_target.h"
#include "msref.h"

#define NCLOSE 1001
#define MAXREAD 200000
#define REPS 21

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

static int
read_closes(const char *path, double *c)
{
	static double buf[MAXREAD];
	char line[128];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	while (n < MAXREAD && fgets(line, sizeof(line), f) != NULL) {
		char *end;

		errno = 0;
		buf[n] = strtod(line, &end);
		if (end != line && errno == 0)
			n++;
	}
	fclose(f);
	if (n < NCLOSE)
		return -1;
	memcpy(c, buf + n - NCLOSE, NCLOSE * sizeof(*c));
	return 0;
}

int
main(int argc, char **argv)
{
	double c[NCLOSE], r[NCLOSE], t[REPS];
	struct ms_forecast_params p;
	struct ms_forecast_fit fit;
	struct ms_forecast fc;
	struct ms_target_prob tp[3];
	const int years[3] = { 365, 1825, 3650 };
	double target;

	if (argc > 1) {
		if (read_closes(argv[1], c) != 0) {
			fprintf(stderr, "bench_garch: need %d closes in %s\n",
			    NCLOSE, argv[1]);
			return 1;
		}
	} else {
		msref_prices(MSREF_SEED, NCLOSE - 1, r, c);
	}
	target = 2.0 * c[NCLOSE - 1];
	ms_forecast_params_default(MS_FORECAST_GARCH, &p);

	for (int i = 0; i < REPS; i++) {
		double t0 = now();

		if (ms_forecast_fit(c, NCLOSE, &p, &fit) != 0)
			return 1;
		t[i] = now() - t0;
	}
	printf("garch fit, %zu returns: %.3f ms (%d simplex iterations, "
	    "converged %d, used %s)\n", fit.nobs, median(t, REPS) * 1e3,
	    fit.garch.iterations, fit.garch.converged,
	    ms_forecast_model_name(fit.used));

	p.paths = 0;
	p.horizon = 30;
	for (int i = 0; i < REPS; i++) {
		double t0 = now();

		if (ms_forecast_run(c, NCLOSE, &p, &target, 1, &fc) != 0)
			return 1;
		t[i] = now() - t0;
	}
	printf("garch fit + 30-day forecast, closed form: %.3f ms\n",
	    median(t, REPS) * 1e3);

	p.paths = MS_FORECAST_DEFAULT_PATHS;
	for (int h = 30; h <= 365; h += 335) {
		p.horizon = h;
		for (int i = 0; i < 5; i++) {
			double t0 = now();

			if (ms_forecast_run(c, NCLOSE, &p, &target, 1, &fc) != 0)
				return 1;
			t[i] = now() - t0;
		}
		printf("garch fit + %d-day forecast, Monte Carlo %zu paths: "
		    "%.1f ms\n", h, p.paths, median(t, 5) * 1e3);
	}

	for (int i = 0; i < 3; i++) {
		double t0 = now();

		if (ms_target_probs(&fit, &p, target, years, 3, tp) != 0)
			return 1;
		t[i] = now() - t0;
	}
	printf("garch touch/end-above at 1, 5, 10 years, Monte Carlo %zu "
	    "paths x 3650 days: %.1f ms\n", p.paths, median(t, 3) * 1e3);
	return 0;
}
