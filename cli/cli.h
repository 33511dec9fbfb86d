/*
 * cli.h — subcommands of the moonscope tool that live in their own files.
 * Each returns the process exit status.
 */
#ifndef MS_CLI_H
#define MS_CLI_H

#define MS_CLI_USAGE 2

int ms_cli_daily(const char *db, int argc, char **argv);
/* `moonscope backtest` (cli/backtest.c). */
int ms_cli_backtest(const char *db, int argc, char **argv);
/* `moonscope ingest` (cli/ingest.c). */
int ms_cli_ingest(const char *db, int argc, char **argv);

#endif
