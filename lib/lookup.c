/*
 * lookup.c - the contact-lookup program of the store's config (tk-config(5)):
 * for a requester tk has never seen, the program is run with the address as
 * its only argument, never through a shell, its standard input and error
 * /dev/null,
 * in a process group of its own so that what it starts is killed with it
 * when it overruns its time. It answers with one record under a '#' header
 * naming its fields (tk-records(5)): name, phone, org, tier, lang,
 * external_id. No record: it knows nothing of the address. Anything else
 * (a field tk does not know, a second record, more than 64 KiB, a bad
 * escape, invalid UTF-8) is garbage, and garbage, a missing program, one
 * that exits non-zero or is killed at its limit all fail the lookup, which
 * never fails the intake (contact.c warns once).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tk.h"

#define ANSWER_MAX 65536

static const char *const names[TK_L_N] = { "name", "phone", "org", "tier", "lang", "external_id" };

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
tk_lookup_free(tk_lookup *l)
{
	size_t i;

	for (i = 0; i < TK_L_N; i++) {
		free(l->v[i]);
		l->v[i] = NULL;
	}
}

/* The answer's text: a header and at most one record. 1, 0 or -1. */
static int
parse(const char *prog, char *text, size_t n, tk_lookup *out)
{
	int col[64];
	size_t i, j, nh = 0;
	tk_reader r;
	FILE *fp;
	int rc, records = 0, header = 0;

	if (!n)
		return 0;
	if (!(fp = fmemopen(text, n, "r")))
		return tk_error("%s: %s", prog, strerror(errno));
	tk_reader_init(&r, fp, prog);
	while ((rc = tk_reader_next(&r)) > 0) {
		if (r.header) {
			if (header++ || r.nfields > 64) {
				rc = tk_error("%s: answer line %ld: a second header", prog, r.lineno);
				break;
			}
			for (i = 0; i < r.nfields; i++) {
				for (j = 0; j < TK_L_N && strcmp(r.fields[i], names[j]); j++)
					;
				if (j == TK_L_N) {
					rc = tk_error("%s: answer line %ld: %s is no field of a lookup "
					    "(name, phone, org, tier, lang, external_id)", prog, r.lineno, r.fields[i]);
					break;
				}
				col[i] = (int)j;
			}
			if (rc < 0)
				break;
			nh = r.nfields;
			continue;
		}
		if (r.nfields == 1 && !r.lens[0])
			continue;
		if (!header) {
			rc = tk_error("%s: answer line %ld: a record before the '#' header naming its fields", prog,
			    r.lineno);
			break;
		}
		if (records++) {
			rc = tk_error("%s: answer line %ld: a second record (one is asked for)", prog, r.lineno);
			break;
		}
		if (r.nfields != nh) {
			rc = tk_error("%s: answer line %ld: %zu fields, the header names %zu", prog, r.lineno,
			    r.nfields, nh);
			break;
		}
		for (i = 0; i < nh; i++) {
			free(out->v[col[i]]);
			out->v[col[i]] = tk_xstrndup(r.fields[i], r.lens[i]);
		}
	}
	if (rc < 0 && !strstr(tk_errmsg, prog)) {
		char msg[sizeof tk_errmsg];

		snprintf(msg, sizeof msg, "%s", tk_errmsg);
		tk_error("%s: answer line %ld: %s", prog, r.lineno, msg);
	}
	tk_reader_free(&r);
	fclose(fp);
	if (rc < 0) {
		tk_lookup_free(out);
		return -1;
	}
	return records > 0;
}

int
tk_lookup_run(const char *prog, const char *addr, long ms, tk_lookup *out)
{
	int fd[2], status, killed = 0, rc;
	long deadline = now_ms() + ms;
	char *buf = tk_xmalloc(ANSWER_MAX + 1);
	size_t len = 0;
	struct pollfd pfd;
	struct stat sb;
	ssize_t n;
	pid_t pid;

	memset(out, 0, sizeof *out);
	if (stat(prog, &sb) < 0 || !S_ISREG(sb.st_mode) || access(prog, X_OK) < 0) {
		free(buf);
		return tk_error("contact-lookup %s: %s", prog, stat(prog, &sb) < 0 ? strerror(errno) :
		    !S_ISREG(sb.st_mode) ? "not a file" : "not executable");
	}
	if (pipe2(fd, O_CLOEXEC) < 0) {
		free(buf);
		return tk_error("contact-lookup %s: %s", prog, strerror(errno));
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		free(buf);
		return tk_error("contact-lookup %s: %s", prog, strerror(errno));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		/* its standard input and error /dev/null: a bulk intake's lookups
		 * say nothing but the one warning (contact.c) */
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
		dup2(fd[1], 1);
		execl(prog, prog, addr, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);	/* (also in the child: whichever runs first) */
	close(fd[1]);
	pfd.fd = fd[0];
	pfd.events = POLLIN;
	for (;;) {
		long left = deadline - now_ms();

		if (left <= 0) {
			killed = 1;
			break;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			killed = rc == 0;
			break;
		}
		n = read(fd[0], buf + len, ANSWER_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > ANSWER_MAX)
			break;
	}
	close(fd[0]);
	if (killed || len > ANSWER_MAX)
		kill(-pid, SIGKILL), kill(pid, SIGKILL);
	/* The group's leader: after its pipe closed it may still be running
	 * to its end; it gets what is left of the time limit. */
	while (!killed && len <= ANSWER_MAX) {
		rc = waitpid(pid, &status, WNOHANG);
		if (rc == pid)
			goto reaped;
		if (rc < 0 && errno != EINTR)
			break;
		if (now_ms() >= deadline) {
			killed = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		usleep(2000);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
reaped:
	if (killed) {
		free(buf);
		return tk_error("contact-lookup %s %s: no answer in %ld ms: killed", prog, addr, ms);
	}
	if (len > ANSWER_MAX) {
		free(buf);
		return tk_error("contact-lookup %s %s: an answer over %d bytes", prog, addr, ANSWER_MAX);
	}
	if (WIFSIGNALED(status)) {
		free(buf);
		return tk_error("contact-lookup %s %s: killed by signal %d", prog, addr, WTERMSIG(status));
	}
	if (WEXITSTATUS(status)) {
		free(buf);
		return tk_error("contact-lookup %s %s: exit status %d%s", prog, addr, WEXITSTATUS(status),
		    WEXITSTATUS(status) == 127 ? " (could not be run)" : "");
	}
	buf[len] = '\0';
	rc = parse(prog, buf, len, out);
	free(buf);
	for (len = 0; rc >= 0 && len < TK_L_N; len++)	/* what it did not say: "" */
		if (!out->v[len])
			out->v[len] = tk_xstrdup("");
	return rc;
}
