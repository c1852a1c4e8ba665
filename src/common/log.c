/*
 * Logging, in the manner of OpenBSD daemons: log_warn appends strerror(errno),
 * log_warnx does not; fatal/fatalx log and exit(1).  fatal is for start-up
 * failures and broken invariants only, never for a peer misbehaving.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static const char	*log_progname = "fastops";
static int		 log_verbose;
static int		 log_prefix;	/* "<N>" priorities for journald */
static int		 log_syslog;	/* detached: stderr is gone */

void
log_init(const char *progname, int verbose)
{
	if (progname != NULL) {
		const char *p = strrchr(progname, '/');
		log_progname = p != NULL ? p + 1 : progname;
	}
	log_verbose = verbose;
	log_prefix = getenv("JOURNAL_STREAM") != NULL;
}

void
log_to_syslog(void)
{
	openlog(log_progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = 1;
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	msg[2048];
	int	saved = errno;

	if (pri == LOG_LVL_DEBUG && log_verbose < 2)
		return;
	if (pri == LOG_LVL_INFO && log_verbose < 1)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog)
		syslog(pri, "%s", msg);
	else if (log_prefix)
		fprintf(stderr, "<%d>%s\n", pri, msg);
	else
		fprintf(stderr, "%s: %s\n", log_progname, msg);
	errno = saved;
}

static void
vlog_errno(int pri, const char *fmt, va_list ap)
{
	char	buf[2048];
	int	saved = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	errno = saved;
	if (log_syslog)
		syslog(pri, "%s: %s", buf, strerror(saved));
	else if (log_prefix)
		fprintf(stderr, "<%d>%s: %s\n", pri, buf, strerror(saved));
	else
		fprintf(stderr, "%s: %s: %s\n", log_progname, buf,
		    strerror(saved));
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog_errno(LOG_LVL_WARN, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog_errno(LOG_LVL_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
