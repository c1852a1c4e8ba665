/*
 * Logging for every FastOps program.
 *
 * Messages go to stderr.  When stderr is the systemd journal (JOURNAL_STREAM
 * names it) or when asked with log_init(LOG_TO_JOURNAL), each line carries a
 * "<N>" syslog priority prefix so journald files it at the right level.
 */
#ifndef FASTOPS_LOG_H
#define FASTOPS_LOG_H

#include <stdarg.h>

#define LOG_LVL_ERR	3
#define LOG_LVL_WARN	4
#define LOG_LVL_INFO	6
#define LOG_LVL_DEBUG	7

void	log_init(const char *progname, int verbose);
void	log_to_syslog(void);
void	log_setverbose(int);
int	log_getverbose(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	vlog(int, const char *, va_list) __attribute__((format(printf, 2, 0)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
