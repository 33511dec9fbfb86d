/*
 * ms_serve.c — the serve loop: the only code that touches libfcgi, stdin,
 * stdout and the process environment.
 *
 * Under a FastCGI server (the listening socket is fd 0, as lighttpd,
 * spawn-fcgi and mod_fcgid arrange it) the loop accepts one request at a
 * time with the re-entrant FCGX_* API, lets ms_handle() build the whole
 * response in memory, serializes it into one buffer and sends it with a
 * single FCGX_PutStr(). fcgi_stdio.h is deliberately not used: its printf
 * drops everything after a %zu, and output written outside the accept loop
 * can vanish (see ../shared/WEBSERVERS.md). Run by a web server as plain
 * CGI (fd 0 is not a socket) it serves the one request in `environ` and
 * writes it to stdout with write(2).
 *
 * Per-process state is one struct ms_ctx: the store, opened read-only on
 * first use and kept open between requests. Everything allocated for a
 * request — the response, its serialization, the request's arena and
 * values — is freed before the next accept. SIGPIPE is ignored (a client
 * that went away must not kill the responder); SIGTERM, SIGINT and SIGUSR1
 * let the request in progress finish and then end the loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "ms_error.h"
#include "ms_http.h"
#include "ms_log.h"

#ifndef MS_VERSION
#define MS_VERSION "unknown"
#endif

/* Room for the largest body plus the status line and headers. */
#define SERVE_OUT_MAX (MS_BUF_DEFAULT_MAX + 64u * 1024u)

extern char **environ;

static void
on_stop(int sig)
{
	(void)sig;
	/* Only sets libfcgi's flag: async-signal-safe. */
	FCGX_ShutdownPending();
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* No SA_RESTART: a blocked accept() returns so the loop can end. */
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return MS_ERR_IO;
		p += w;
		n -= (size_t)w;
	}
	return MS_OK;
}

/*
 * Serializes res into out (reset first). A response too large to send is
 * replaced by a 500 problem, so something valid always goes out.
 */
static int
serialize(struct ms_response *res, struct ms_buf *out)
{
	int rc;

	ms_buf_reset(out);
	rc = ms_response_serialize(res, out);
	if (rc == MS_OK)
		return MS_OK;
	ms_log(MS_LOG_ERROR, ms_response_header_get(res, "X-Request-Id"),
	    "cannot serialize a %d response of %zu bytes: %s", res->status,
	    res->body.len, ms_strerror(rc));
	ms_buf_reset(&res->body);
	ms_response_problem(res, MS_PROBLEM_INTERNAL,
	    "the response could not be sent", NULL, 0, NULL);
	ms_buf_reset(out);
	return ms_response_serialize(res, out);
}

static int
print_help(const struct ms_route *route)
{
	struct ms_buf b;
	int rc;

	ms_buf_init(&b, 0);
	rc = ms_route_help(route, &b);
	if (rc == MS_OK) {
		fputs(b.data, stdout);
		fflush(stdout);
	}
	ms_buf_free(&b);
	return rc == MS_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int
serve_cgi(struct ms_ctx *ctx, const struct ms_route *route)
{
	struct ms_response res;
	struct ms_buf out;
	int rc;

	if (getenv("REQUEST_METHOD") == NULL &&
	    getenv("GATEWAY_INTERFACE") == NULL) {
		fputs("This is a FastCGI/CGI program: run it from a web server "
		    "(or set REQUEST_METHOD and REQUEST_URI), or see --help.\n",
		    stderr);
		return 2;
	}
	ms_response_init(&res);
	ms_buf_init(&out, SERVE_OUT_MAX);
	ms_handle(ctx, route, environ, &res);
	rc = serialize(&res, &out);
	if (rc == MS_OK)
		rc = write_all(STDOUT_FILENO, out.data, out.len);
	ms_buf_free(&out);
	ms_response_free(&res);
	return rc == MS_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * Reads what is left of the request's stdin (a GET has only the empty
 * FCGI_STDIN record that ends it; the routes take no body) so the socket's
 * receive queue is empty when it is closed. Returns 1 when it reached the
 * end within STDIN_DRAIN_MAX bytes, 0 otherwise.
 */
#define STDIN_DRAIN_MAX (64u * 1024u)

static int
drain_stdin(FCGX_Request *r)
{
	char junk[4096];
	size_t total = 0;
	int n;

	while ((n = FCGX_GetStr(junk, (int)sizeof(junk), r->in)) > 0) {
		total += (size_t)n;
		if (total > STDIN_DRAIN_MAX)
			return 0;
	}
	return FCGX_GetError(r->in) == 0;
}

static int
serve_fcgi(struct ms_ctx *ctx, const struct ms_route *route)
{
	FCGX_Request r;

	if (FCGX_Init() != 0) {
		ms_log(MS_LOG_ERROR, NULL, "FCGX_Init failed");
		return EXIT_FAILURE;
	}
	if (FCGX_InitRequest(&r, 0, 0) != 0) {
		ms_log(MS_LOG_ERROR, NULL, "FCGX_InitRequest failed");
		return EXIT_FAILURE;
	}
	while (FCGX_Accept_r(&r) >= 0) {
		struct ms_response res;
		struct ms_buf out;

		ms_response_init(&res);
		ms_buf_init(&out, SERVE_OUT_MAX);
		ms_handle(ctx, route, r.envp, &res);
		if (serialize(&res, &out) == MS_OK &&
		    FCGX_PutStr(out.data, (int)out.len, r.out) < 0)
			ms_log(MS_LOG_WARN,
			    ms_response_header_get(&res, "X-Request-Id"),
			    "client went away before the response was sent");
		ms_buf_free(&out);
		ms_response_free(&res);
		/*
		 * The response is complete and the request fully read: close
		 * the connection at once. Without this, libfcgi's close shuts
		 * down the write side and then waits (up to 2 s) for the web
		 * server to close its end, so a responder stays busy until
		 * the server gets round to that (lighttpd closes it only
		 * after handling other events), and the CPUs idle meanwhile.
		 * The wait guards against a TCP reset discarding the answer
		 * when unread input remains; none does after drain_stdin, so
		 * the plain close sends an orderly end of stream. With input
		 * left over (a body > 64 KiB) libfcgi's lingering close is kept.
		 */
		if (drain_stdin(&r))
			FCGX_Detach(&r);
		FCGX_Finish_r(&r);
	}
	FCGX_Free(&r, 1);
	return EXIT_SUCCESS;
}

int
ms_serve(const struct ms_route *route, int argc, char **argv)
{
	struct ms_ctx ctx;
	const char *lr;
	int rc;

	ms_log_set_prog(route->name);
	/* Options first: --help must work before libfcgi is initialised. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return print_help(route);
		if (strcmp(argv[i], "--version") == 0) {
			fputs(route->name, stdout);
			fputs(" (moonscope " MS_VERSION ")\n", stdout);
			return EXIT_SUCCESS;
		}
		fputs("usage: ", stderr);
		fputs(argv[0], stderr);
		fputs(" [--help | --version]\n", stderr);
		return 2;
	}
	install_signals();
	ms_ctx_init(&ctx);
	lr = getenv("MS_LOG_REQUESTS");
	ctx.log_requests = lr != NULL && strcmp(lr, "1") == 0;
	if (FCGX_IsCGI())
		rc = serve_cgi(&ctx, route);
	else
		rc = serve_fcgi(&ctx, route);
	ms_ctx_free(&ctx);
	return rc;
}
