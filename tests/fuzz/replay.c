/*
 * replay.c — runs a fuzz harness over saved inputs without libFuzzer, so
 * `make check` replays the corpus (seeds and every crash found so far, as
 * regression inputs) with the ordinary compiler, and under valgrind.
 *
 *   replay PATH...
 *
 * Each PATH is a file, or a directory whose regular files (not hidden, in
 * name order) are each one input. Every input is read whole into a buffer
 * of exactly its size and passed to LLVMFuzzerTestOneInput; a harness
 * reports a failed invariant by aborting. Prints "replay: N inputs" and
 * exits 0, or 1 when a path cannot be read (an empty corpus is an error
 * too: it would test nothing).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_INPUT_MAX (4u << 20)   /* bytes of one input */

/* Reads path whole into a new exact-size buffer; NULL on failure. */
static unsigned char *
read_input(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	struct stat sb;
	size_t n;

	if (f == NULL)
		return NULL;
	if (fstat(fileno(f), &sb) != 0 || sb.st_size < 0 ||
	    (unsigned long long)sb.st_size > REPLAY_INPUT_MAX)
		goto out;
	n = (size_t)sb.st_size;
	/* At least one byte so that malloc(0) cannot be mistaken for ENOMEM. */
	if ((buf = malloc(n > 0 ? n : 1)) == NULL)
		goto out;
	if (fread(buf, 1, n, f) != n) {
		free(buf);
		buf = NULL;
		goto out;
	}
	*len = n;
out:
	fclose(f);
	return buf;
}

static int
run_file(const char *path)
{
	unsigned char *buf;
	size_t len = 0;

	if ((buf = read_input(path, &len)) == NULL) {
		fprintf(stderr, "replay: %s: cannot read: %s\n", path,
		    strerror(errno));
		return -1;
	}
	(void)LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Runs every input under path; returns how many, or -1. */
static long
run_path(const char *path)
{
	struct dirent **ents;
	struct stat sb;
	char file[4096];
	long n = 0;
	int k;

	if (stat(path, &sb) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode))
		return run_file(path) == 0 ? 1 : -1;
	if ((k = scandir(path, &ents, not_hidden, by_name)) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < k; i++) {
		int w = snprintf(file, sizeof(file), "%s/%s", path,
		    ents[i]->d_name);

		if (n >= 0 && w > 0 && (size_t)w < sizeof(file) &&
		    stat(file, &sb) == 0 && S_ISREG(sb.st_mode))
			n = run_file(file) == 0 ? n + 1 : -1;
		free(ents[i]);
	}
	free(ents);
	return n;
}

int
main(int argc, char **argv)
{
	long total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		long n = run_path(argv[i]);

		if (n < 0)
			return 1;
		total += n;
	}
	printf("replay: %ld inputs\n", total);
	return total > 0 ? 0 : 1;
}
