/*
 * args.c — the argument parsers every `moonscope` subcommand shares: a
 * bounded number, a bounded count, a date, a choice from a list, and the
 * options of the moonshot replay (`backtest moonshots`, `picks`, `sweep`
 * take the same cost, delisting and screen options); and the printing of a
 * backtest summary every `backtest` command shares.
 *
 * Every parser checks the whole string (nothing may follow the value) and
 * its range; none of them prints anything: the caller names the option.
 */
#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cli.h"
#include "ms_bt.h"
#include "ms_date.h"

int
ms_cli_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0' || *s == ' ' || strlen(s) > 64)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
ms_cli_count(const char *s, unsigned long long lo, unsigned long long hi,
    unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 20)
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
ms_cli_day(const char *s, int32_t *out)
{
	return s == NULL || ms_date_parse(s, strlen(s), out) != 0 ||
	    *out < MS_DATE_MIN || *out > MS_DATE_MAX ? -1 : 0;
}

int
ms_cli_choice(const char *s, const char *const *list)
{
	for (int i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return i;
	return -1;
}

/* Copies a into buf (bufsz bytes) when it is 1..bufsz-1 bytes long. */
static int
copy_name(char *buf, size_t bufsz, const char *a)
{
	size_t n = strlen(a);

	if (n == 0 || n >= bufsz)
		return -1;
	memcpy(buf, a, n + 1);
	return 0;
}

int
ms_cli_bt_option(const char *o, const char *a, struct ms_bt_params *p,
    const char **why)
{
	static const char *const rebal[] = { "daily", "weekly", "monthly",
		NULL };
	static const char *const sorts[] = { "trader_grade", "investor_grade",
		"roi_7d", "roi_30d", "roi_90d", "market_cap", "volume", NULL };
	static const char *const orders[] = { "asc", "desc", NULL };
	unsigned long long u;
	int k;

	/* --rebalance snapshots, --left-rule, --snapshot-source. */
	if ((k = ms_bt_snapshot_option(o, a, p, why)) != 0)
		return k;
#define BAD(msg) do { *why = (msg); return -1; } while (0)
	if (strcmp(o, "--from") == 0) {
		if (ms_cli_day(a, &p->from))
			BAD("needs a date YYYY-MM-DD");
	} else if (strcmp(o, "--to") == 0) {
		if (ms_cli_day(a, &p->to))
			BAD("needs a date YYYY-MM-DD");
	} else if (strcmp(o, "--rebalance") == 0) {
		if ((k = ms_cli_choice(a, rebal)) < 0)
			BAD("needs daily, weekly or monthly");
		p->rebalance = (enum ms_bt_rebalance)k;
	} else if (strcmp(o, "--hold") == 0) {
		if (strcmp(a, "next") == 0)
			p->hold_days = MS_BT_HOLD_NEXT;
		else if (ms_cli_count(a, 1, MS_BT_MAX_HOLD, &u))
			BAD("needs 1..730 days or next");
		else
			p->hold_days = (int)u;
	} else if (strcmp(o, "--top") == 0) {
		if (ms_cli_count(a, 1, MS_BT_MAX_TOP, &u))
			BAD("needs 1..500");
		p->top = (size_t)u;
	} else if (strcmp(o, "--sort") == 0) {
		if ((k = ms_cli_choice(a, sorts)) < 0)
			BAD("needs a sort key (see usage)");
		p->screen.sort = (enum ms_screen_sort)k;
	} else if (strcmp(o, "--order") == 0) {
		if ((k = ms_cli_choice(a, orders)) < 0)
			BAD("needs asc or desc");
		p->screen.descending = k == 1;
	} else if (strcmp(o, "--max-market-cap") == 0) {
		if (ms_cli_num(a, 1, 1e15, &p->screen.max_market_cap))
			BAD("needs a number 1..1e15");
	} else if (strcmp(o, "--min-market-cap") == 0) {
		if (ms_cli_num(a, 0, 1e15, &p->screen.min_market_cap))
			BAD("needs a number 0..1e15");
	} else if (strcmp(o, "--min-volume") == 0) {
		if (ms_cli_num(a, 0, 1e15, &p->screen.min_volume))
			BAD("needs a number 0..1e15");
	} else if (strcmp(o, "--category") == 0) {
		if (copy_name(p->category, sizeof(p->category), a))
			BAD("needs a name of 1..64 bytes");
		p->screen.category = p->category;
	} else if (strcmp(o, "--capital") == 0) {
		if (ms_cli_num(a, 1, MS_BT_MAX_CAPITAL, &p->capital))
			BAD("needs a number 1..1e12");
	} else if (strcmp(o, "--spread-bps") == 0) {
		if (ms_cli_num(a, 0, 10000, &p->spread_bps))
			BAD("needs a number 0..10000");
	} else if (strcmp(o, "--impact") == 0) {
		if (ms_cli_num(a, 0, 100, &p->impact))
			BAD("needs a number 0..100");
	} else if (strcmp(o, "--max-volume-share") == 0) {
		if (ms_cli_num(a, 1e-9, 1, &p->max_volume_share))
			BAD("needs a number above 0, at most 1");
	} else if (strcmp(o, "--delist-haircut") == 0) {
		if (ms_cli_num(a, 0, 1, &p->delist_haircut))
			BAD("needs a number 0..1");
	} else if (strcmp(o, "--delist-days") == 0) {
		if (ms_cli_count(a, 1, MS_BT_MAX_DELIST_DAYS, &u))
			BAD("needs 1..365 days");
		p->delist_days = (int)u;
	} else if (strcmp(o, "--benchmark") == 0) {
		if (copy_name(p->benchmark, sizeof(p->benchmark), a))
			BAD("needs an asset id or symbol");
	} else if (strcmp(o, "--seed") == 0) {
		if (ms_cli_count(a, 0, UINT32_MAX, &u))
			BAD("needs an integer 0..4294967295");
		p->seed = u;
	} else if (strcmp(o, "--bootstrap") == 0) {
		if (ms_cli_count(a, 0, MS_BT_MAX_BOOTSTRAP, &u))
			BAD("needs 0..1000000");
		p->bootstrap = (size_t)u;
	} else {
		return 0;
	}
#undef BAD
	return 1;
}

int
ms_cli_print_summary(int json, struct cJSON *doc, char *md,
    const char *report, const char *files)
{
	int rc = -1;

	if (json) {
		char *txt = doc != NULL ? cJSON_Print(doc) : NULL;

		if (txt != NULL) {
			puts(txt);
			rc = 0;
		}
		cJSON_free(txt);
	} else if (md != NULL) {
		fputs(md, stdout);
		if (report != NULL)
			printf("\nReport: %s/{%s}\n", report, files);
		rc = 0;
	}
	cJSON_Delete(doc);
	free(md);
	return rc;
}
