/*
 * ms_progress.c — the progress report of long batch runs (backtests,
 * sweeps, walk-forward evaluations) on stderr (contract: ms_progress.h).
 *
 * On a terminal a bar is redrawn in place, at most ten times a second so
 * that a fast loop does not spend its time writing; in a log (a systemd
 * journal, a cron mail, a CI job) carriage returns would pile up into one
 * unreadable line, so there it prints one plain line per 10 % instead.
 * Nothing here allocates; a NULL stream turns every call into a no-op.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ms_progress.h"

#define BAR_WIDTH 24
#define WHAT_MAX 40
#define REDRAW_NS 100000000LL   /* 0.1 s */

static long long
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* what, cut to WHAT_MAX bytes, control bytes as '?'; "" for NULL. */
static void
clean_what(char out[WHAT_MAX + 1], const char *what)
{
	size_t n = 0;

	if (what != NULL)
		for (; n < WHAT_MAX && what[n] != '\0'; n++) {
			unsigned char c = (unsigned char)what[n];
			out[n] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		}
	out[n] = '\0';
}

void
ms_progress_init(struct ms_progress *pg, FILE *f, const char *label,
    size_t total)
{
	memset(pg, 0, sizeof(*pg));
	pg->f = f;
	pg->label = label != NULL ? label : "progress";
	pg->total = total;
	pg->tty = f != NULL && isatty(fileno(f));
	pg->start_ns = now_ns();
}

static void
draw_bar(struct ms_progress *pg, const char *what, long long now)
{
	char bar[BAR_WIDTH + 1], w[WHAT_MAX + 1], eta[32] = "";
	size_t fill = pg->total ? pg->done * BAR_WIDTH / pg->total : 0;
	unsigned pct = pg->total ? (unsigned)(pg->done * 100 / pg->total) : 0;

	for (size_t i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	clean_what(w, what);
	if (pg->done > 0 && pg->done < pg->total) {
		double el = (double)(now - pg->start_ns) / 1e9;
		double left = el * (double)(pg->total - pg->done) /
		    (double)pg->done;
		snprintf(eta, sizeof(eta), "  ETA %.0f s", left);
	}
	/* \033[K clears what a longer previous line left behind. */
	fprintf(pg->f, "\r%s [%s] %3u %% %zu/%zu%s%s%s\033[K", pg->label, bar,
	    pct, pg->done, pg->total, w[0] ? " " : "", w, eta);
	fflush(pg->f);
	pg->open = 1;
	pg->last_ns = now;
}

void
ms_progress_step(struct ms_progress *pg, size_t done, const char *what)
{
	if (pg == NULL || pg->f == NULL)
		return;
	if (done > pg->total)
		done = pg->total;
	pg->done = done;
	if (pg->total == 0)
		return;
	if (pg->tty) {
		long long now = now_ns();
		if (pg->open && done < pg->total &&
		    now - pg->last_ns < REDRAW_NS)
			return;
		draw_bar(pg, what, now);
		return;
	}
	{
		int decile = (int)(done * 10 / pg->total);
		char w[WHAT_MAX + 1];
		if (decile <= pg->last_decile)
			return;
		pg->last_decile = decile;
		clean_what(w, what);
		fprintf(pg->f, "%s: %d %% (%zu/%zu)%s%s\n", pg->label, decile * 10,
		    done, pg->total, w[0] ? " " : "", w);
		fflush(pg->f);
	}
}

void
ms_progress_done(struct ms_progress *pg)
{
	double el;

	if (pg == NULL || pg->f == NULL)
		return;
	el = (double)(now_ns() - pg->start_ns) / 1e9;
	if (pg->tty) {
		/* The final state, then the elapsed time on the same line. */
		draw_bar(pg, NULL, now_ns());
		fprintf(pg->f, " done in %.1f s\n", el);
		pg->open = 0;
	} else {
		fprintf(pg->f, "%s: done, %zu of %zu in %.1f s\n", pg->label,
		    pg->done, pg->total, el);
	}
	fflush(pg->f);
}
