/*
 * cli.h — subcommands of the moonscope tool that live in their own files.
 * Each returns the process exit status.
 */
#ifndef MS_CLI_H
#define MS_CLI_H

#include <stdint.h>

#define MS_CLI_USAGE 2

struct ms_bt_params;

/*
 * Argument parsers (cli/args.c). Each returns 0 and stores the value, or
 * -1 when s is NULL, malformed, followed by anything, or out of range.
 */
int ms_cli_num(const char *s, double lo, double hi, double *out);
int ms_cli_count(const char *s, unsigned long long lo, unsigned long long hi,
    unsigned long long *out);
int ms_cli_day(const char *s, int32_t *out);     /* YYYY-MM-DD */
/* Index of s in the NULL-terminated list, or -1. */
int ms_cli_choice(const char *s, const char *const *list);

/*
 * Prints a backtest's summary: doc as indented JSON when json is set, else
 * the Markdown md followed, when report is not NULL, by a line naming the
 * files written there (files: "a,b,c"). Takes ownership of doc and md
 * (either may be NULL: its builder ran out of memory). 0, or -1 when there
 * was nothing to print.
 */
struct cJSON;
int ms_cli_print_summary(int json, struct cJSON *doc, char *md,
    const char *report, const char *files);

/*
 * One option of the moonshot replay (--from .. --bootstrap and the
 * snapshot-universe options of ms_bt_snapshot_option, see `moonscope
 * backtest help`) with its value a, stored into p. Returns 1 when o is such
 * an option and a is valid, 0 when o is not one of them (p untouched), -1
 * when a is invalid (*why says what the option needs).
 */
int ms_cli_bt_option(const char *o, const char *a, struct ms_bt_params *p,
    const char **why);

int ms_cli_daily(const char *db, int argc, char **argv);
/* `moonscope backtest` (cli/backtest.c). */
int ms_cli_backtest(const char *db, int argc, char **argv);
/*
 * The other `moonscope backtest` commands, one file each: argv[0] is the
 * first argument after the command's name.
 */
int ms_cli_bt_picks(const char *db, int argc, char **argv);      /* bt_picks.c */
int ms_cli_bt_forecasts(const char *db, int argc, char **argv);  /* bt_forecasts.c */
int ms_cli_bt_claims(const char *db, int argc, char **argv);     /* bt_claims.c */
int ms_cli_bt_grades(const char *db, int argc, char **argv);     /* bt_grades.c */
int ms_cli_bt_sweep(const char *db, int argc, char **argv);      /* bt_sweep.c */
int ms_cli_bt_merge(const char *db, int argc, char **argv);      /* bt_sweep.c */
/* `moonscope ingest` (cli/ingest.c). */
int ms_cli_ingest(const char *db, int argc, char **argv);

#endif
