/*
 * ms_progress.h — progress of a long batch run on stderr: a bar redrawn in
 * place on a terminal, or a plain line every 10 % (and at the end)
 * otherwise, so logs of scheduled runs stay readable.
 *
 *     struct ms_progress pg;
 *     ms_progress_init(&pg, stderr, "backtest", total);
 *     for (...) ms_progress_step(&pg, done, "2018-03-04");
 *     ms_progress_done(&pg);
 *
 * f NULL disables it. The terminal test is isatty(fileno(f)), overridable
 * with tty = 0/1 after init (tests). Rate-limited: a terminal bar is redrawn
 * at most 10 times a second (and always when done reaches total).
 *
 * Lines mode prints "label: 30 % (6/18) what" once for each 10 % step
 * reached (a jump over several steps prints the last one), and done prints
 * "label: done, 18 of 18 in 1.2 s". Terminal mode redraws
 * "\rlabel [#####.....]  45 % 123/456 what  ETA 12 s" in place, and done
 * ends the line with the elapsed time. what is cut to 40 bytes and control
 * bytes in it are shown as '?'. total 0 prints nothing until done.
 */
#ifndef MS_PROGRESS_H
#define MS_PROGRESS_H

#include <stdio.h>
#include <stddef.h>

struct ms_progress {
	FILE *f;
	const char *label;
	size_t total;
	int tty;
	int last_decile;          /* lines mode: last 10 % step printed */
	long long last_ns;        /* tty mode: time of the last redraw */
	long long start_ns;
	int open;                 /* a bar line awaits its newline */
	size_t done;              /* the last done passed to step */
};

void ms_progress_init(struct ms_progress *pg, FILE *f, const char *label,
    size_t total);
/* done of total; what (may be NULL) names the current item. */
void ms_progress_step(struct ms_progress *pg, size_t done, const char *what);
/* Ends the bar line with the elapsed time. */
void ms_progress_done(struct ms_progress *pg);

#endif
