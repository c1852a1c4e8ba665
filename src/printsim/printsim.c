/*
 * fastops-printsim — a simulated ESC/POS printer on a TCP port or a
 * pseudo-terminal: main, options, the poll loop and the connection.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "xmalloc.h"

#include "printsim.h"

#define DEFAULT_WIDTH	48
#define DEFAULT_BUFFER	4096
#define BUFFER_MIN	1024
#define BUFFER_MAX	(16 * 1024 * 1024)
#define WIDTH_MIN	16
#define LISTEN_BACKLOG	16

/* As in fastops-printsim(1), word for word. */
#define SYNOPSIS	"fastops-printsim (--listen tcp://host:port | " \
			"--pty path) --out file [--raw file] [--log file] " \
			"[--speed mm_per_s] [--cut-ms ms] [--width cols] " \
			"[--buffer bytes] [--fault spec ...] " \
			"[--fault-file file] [-q]"
#define SYNOPSIS2	"fastops-printsim --help | --version"

static volatile sig_atomic_t	got_term;
static volatile sig_atomic_t	got_hup;

static void	 usage(int) __attribute__((noreturn));
static int	 parse_num(const char *, unsigned long, unsigned long,
		    unsigned long *);
static unsigned long num_opt(const char *, const char *, unsigned long,
		    unsigned long);
static FILE	*open_out(const char *, const char *);
static void	 on_signal(int);
static int	 listen_tcp(const char *);
static void	 pty_open(struct sim *);
static void	 pty_unlink(struct sim *);
static void	 conn_accept(struct sim *);
static void	 conn_close(struct sim *, const char *);
static void	 conn_read(struct sim *);
static void	 conn_flush(struct sim *);
static void	 decode_input(struct sim *);
static void	 faults_apply(struct sim *, const struct faults *);
static void	 faults_reload(struct sim *);
static void	 loop(struct sim *);

static const struct option longopts[] = {
	{ "listen",	required_argument,	NULL,	'L' },
	{ "pty",	required_argument,	NULL,	'P' },
	{ "out",	required_argument,	NULL,	'o' },
	{ "raw",	required_argument,	NULL,	'r' },
	{ "log",	required_argument,	NULL,	'l' },
	{ "speed",	required_argument,	NULL,	's' },
	{ "cut-ms",	required_argument,	NULL,	'c' },
	{ "width",	required_argument,	NULL,	'w' },
	{ "buffer",	required_argument,	NULL,	'b' },
	{ "fault",	required_argument,	NULL,	'f' },
	{ "fault-file",	required_argument,	NULL,	'F' },
	{ "quiet",	no_argument,		NULL,	'q' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 }
};

static void
usage(int status)
{
	FILE	*fp = status == 0 ? stdout : stderr;

	fprintf(fp, "usage: %s\n       %s\n", SYNOPSIS, SYNOPSIS2);
	if (status == 0)
		fprintf(fp,
"\nA simulated ESC/POS receipt printer: decodes what it receives to text,\n"
"answers status requests, prints at a set speed and injects faults.\n"
"\n"
"  --listen tcp://host:port  accept one TCP connection at a time\n"
"  --pty path                create a pseudo-terminal, symlinked at path\n"
"  --out file                append tickets as text ('-': stdout)\n"
"  --raw file                append the bytes received\n"
"  --log file                append one JSON line per ticket\n"
"  --speed mm_per_s          paper speed, 0 (default) for instant\n"
"  --cut-ms ms               time per cut (default 0)\n"
"  --width cols              characters per line (default 48)\n"
"  --buffer bytes            receive buffer (default 4096)\n"
"  --fault spec              inject a fault (repeatable)\n"
"  --fault-file file         faults, one a line, re-read on SIGHUP\n"
"  -q, --quiet               only warnings and errors on stderr\n"
"\n"
"Faults: offline, paper-out, paper-low, cover-open, slow=MS, hang,\n"
"hang-after=N, drop=N, fail=N/M, none.\n"
"\n"
"See fastops-printsim(1).\n");
	exit(status);
}

/* A decimal number in [min, max]. */
static int
parse_num(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	unsigned long	 v;
	char		*end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static unsigned long
num_opt(const char *name, const char *arg, unsigned long min,
    unsigned long max)
{
	unsigned long	v;

	if (parse_num(arg, min, max, &v) == -1) {
		fprintf(stderr, "fastops-printsim: --%s: \"%s\" is not a "
		    "number from %lu to %lu\n", name, arg, min, max);
		exit(2);
	}
	return v;
}

static FILE *
open_out(const char *path, const char *mode)
{
	FILE	*fp;

	if (strcmp(path, "-") == 0)
		return stdout;
	if ((fp = fopen(path, mode)) == NULL)
		fatal("%s", path);
	return fp;
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

/* Listen on tcp://HOST:PORT ("*" or an empty host: every address). */
static int
listen_tcp(const char *uri)
{
	struct addrinfo		 hints, *res, *ai;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	char			 buf[256], *host, *port, *p;
	char			 nhost[NI_MAXHOST], nport[NI_MAXSERV];
	int			 fd = -1, on = 1, e;

	if (strncmp(uri, "tcp://", 6) != 0 ||
	    strlen(uri + 6) >= sizeof(buf)) {
		fprintf(stderr, "fastops-printsim: --listen: want "
		    "tcp://HOST:PORT, not \"%s\"\n", uri);
		exit(2);
	}
	strcpy(buf, uri + 6);
	if ((p = strrchr(buf, ':')) == NULL || p[1] == '\0') {
		fprintf(stderr, "fastops-printsim: --listen: no port in "
		    "\"%s\"\n", uri);
		exit(2);
	}
	*p = '\0';
	port = p + 1;
	host = buf;
	if (host[0] == '[' && (p = strchr(host, ']')) != NULL) {
		*p = '\0';
		host++;
	}
	if (*host == '\0' || strcmp(host, "*") == 0)
		host = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		fprintf(stderr, "fastops-printsim: --listen %s: %s\n", uri,
		    gai_strerror(e));
		exit(2);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, LISTEN_BACKLOG) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	freeaddrinfo(res);
	if (fd == -1)
		fatal("listen %s", uri);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0 &&
	    getnameinfo((struct sockaddr *)&ss, sslen, nhost, sizeof(nhost),
	    nport, sizeof(nport), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		log_info("listening on %s port %s", nhost, nport);
	return fd;
}

/*
 * A pseudo-terminal in raw mode, its slave linked at PATH.  We keep a
 * slave descriptor open ourselves (and never read it): the master then
 * stays usable while the client closes and reopens the device, where it
 * would otherwise read EIO and poll POLLHUP in a loop.
 */
static void
pty_open(struct sim *s)
{
	struct termios	 tio;
	struct stat	 st;
	char		 name[128], tmp[PATH_MAX];
	int		 m, sl;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		fatal("posix_openpt");
	if (grantpt(m) == -1 || unlockpt(m) == -1)
		fatal("grantpt");
	if (ptsname_r(m, name, sizeof(name)) != 0)
		fatal("ptsname");
	if ((sl = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		fatal("%s", name);
	if (tcgetattr(sl, &tio) == -1)
		fatal("tcgetattr %s", name);
	cfmakeraw(&tio);
	cfsetispeed(&tio, B19200);
	cfsetospeed(&tio, B19200);
	if (tcsetattr(sl, TCSANOW, &tio) == -1)
		fatal("tcsetattr %s", name);
	if (fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK) == -1)
		fatal("fcntl");

	/* Replace a stale link, never anything else. */
	if (lstat(s->pty_path, &st) == 0 && !S_ISLNK(st.st_mode))
		fatalx("%s exists and is not a symbolic link", s->pty_path);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", s->pty_path,
	    (long)getpid()) >= sizeof(tmp))
		fatalx("%s: path too long", s->pty_path);
	unlink(tmp);
	if (symlink(name, tmp) == -1)
		fatal("symlink %s", tmp);
	if (rename(tmp, s->pty_path) == -1) {
		unlink(tmp);
		fatal("rename %s", s->pty_path);
	}
	s->fd = m;
	s->slave = sl;
	s->pts = xstrdup(name);
	s->is_pty = 1;
	log_info("pseudo-terminal %s at %s", name, s->pty_path);
}

/* Remove our link, if it is still ours. */
static void
pty_unlink(struct sim *s)
{
	char	buf[PATH_MAX];
	ssize_t	n;

	n = readlink(s->pty_path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (strcmp(buf, s->pts) == 0 && unlink(s->pty_path) == -1)
		log_warn("unlink %s", s->pty_path);
}

/* A client: one at a time, the next waits in the listen backlog. */
static void
conn_accept(struct sim *s)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	char			 host[NI_MAXHOST], port[NI_MAXSERV];
	int			 fd, on = 1;

	fd = accept4(s->lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	s->fd = fd;
	s->gen++;
	s->inoff = s->inlen = 0;
	s->outlen = 0;
	if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host),
	    port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		log_info("connection from %s port %s", host, port);
}

static void
conn_close(struct sim *s, const char *why)
{
	if (s->is_pty)
		return;
	log_info("connection closed: %s", why);
	close(s->fd);
	s->fd = -1;
	s->gen++;
	s->inoff = s->inlen = 0;
	s->outlen = 0;
	engine_connection_lost(s);
}

/* Read what the receive buffer has room for, and decode it. */
static void
conn_read(struct sim *s)
{
	size_t	room = engine_room(s);
	ssize_t	n;

	if (room > sizeof(s->in))
		room = sizeof(s->in);
	if (room == 0)
		return;
	n = read(s->fd, s->in, room);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		conn_close(s, strerror(errno));
		return;
	}
	if (n == 0) {
		conn_close(s, "end of file");
		return;
	}
	s->n_bytes += (uint64_t)n;
	if (s->raw != NULL) {
		if (fwrite(s->in, 1, (size_t)n, s->raw) != (size_t)n ||
		    fflush(s->raw) == EOF)
			log_warn("raw");
	}
	s->inoff = 0;
	s->inlen = (size_t)n;
	s->rx_ms = clock_real_ns() / NS_PER_MS;
	decode_input(s);
}

/* Decode the bytes read, unless hung; the drop fault closes here. */
static void
decode_input(struct sim *s)
{
	size_t	used;

	if (s->has_replay && !s->hung) {
		s->has_replay = 0;
		s->rx_ms = clock_real_ns() / NS_PER_MS;
		engine_event(s, &s->replay);
	}
	while (s->inoff < s->inlen && !s->hung && !s->drop_now) {
		used = escpos_feed(&s->dec, s->in + s->inoff,
		    s->inlen - s->inoff);
		s->inoff += used;
	}
	if (s->drop_now) {
		s->drop_now = 0;
		conn_close(s, "fault: drop");
		return;
	}
	if (s->inoff == s->inlen)
		s->inoff = s->inlen = 0;
}

/* Queue bytes for the client; answers are small, a stuck client loses. */
void
sim_answer(struct sim *s, const uint8_t *b, size_t len)
{
	if (s->fd == -1 || s->hung)
		return;
	if (s->outlen + len > sizeof(s->outb)) {
		log_warnx("client not reading: answer dropped");
		return;
	}
	memcpy(s->outb + s->outlen, b, len);
	s->outlen += len;
	conn_flush(s);
}

static void
conn_flush(struct sim *s)
{
	ssize_t	n;

	while (s->outlen > 0) {
		if (s->is_pty)
			n = write(s->fd, s->outb, s->outlen);
		else
			n = send(s->fd, s->outb, s->outlen,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				s->outlen = 0;	/* reading will tell */
			return;
		}
		memmove(s->outb, s->outb + n, s->outlen - (size_t)n);
		s->outlen -= (size_t)n;
	}
}

/* Bytes received or receivable that the decoder has not finished. */
int
sim_input_pending(const struct sim *s)
{
	int	n = 0;

	if (s->inoff < s->inlen || escpos_partial(&s->dec) != 0)
		return 1;
	if (s->fd == -1 || ioctl(s->fd, FIONREAD, &n) == -1)
		return 0;
	return n > 0;
}

void
sim_set_hung(struct sim *s, int on)
{
	uint64_t	now = clock_mono_ns();

	if (on && !s->hung) {
		s->hung = 1;
		engine_freeze(s, now);
		log_info("fault: hung");
	} else if (!on && s->hung) {
		s->hung = 0;
		engine_thaw(s, now);
		log_info("fault: no longer hung");
	}
}

static void
faults_apply(struct sim *s, const struct faults *f)
{
	s->f = *f;
	s->fault_base = s->seq;
	s->drop_done = 0;
	sim_set_hung(s, f->hang);
}

static void
faults_reload(struct sim *s)
{
	struct faults	f;
	char		err[512];

	if (s->fault_file == NULL) {
		log_info("SIGHUP without --fault-file: nothing to do");
		return;
	}
	f = s->f;
	if (fault_load(&f, s->fault_file, err, sizeof(err)) == -1) {
		log_warnx("%s; faults unchanged", err);
		return;
	}
	faults_apply(s, &f);
	log_info("faults reloaded from %s", s->fault_file);
}

static void
loop(struct sim *s)
{
	struct pollfd	 pfd[2];
	struct timespec	 ts;
	sigset_t	 empty;
	uint64_t	 now;
	int64_t		 wait;
	int		 n, il, ic;
	short		 ev;

	sigemptyset(&empty);
	while (!got_term) {
		if (got_hup) {
			got_hup = 0;
			faults_reload(s);
		}
		if (s->fd != -1 && !s->hung &&
		    (s->has_replay || s->inoff < s->inlen))
			decode_input(s);
		now = clock_mono_ns();
		engine_run(s, now);

		n = 0;
		il = ic = -1;
		if (s->lfd != -1 && s->fd == -1) {
			pfd[n].fd = s->lfd;
			pfd[n].events = POLLIN;
			il = n++;
		}
		if (s->fd != -1 && !s->hung) {
			ev = 0;
			if (s->inoff == s->inlen && engine_room(s) > 0)
				ev |= POLLIN;
			if (s->outlen > 0)
				ev |= POLLOUT;
			if (ev != 0) {
				pfd[n].fd = s->fd;
				pfd[n].events = ev;
				ic = n++;
			}
		}
		wait = engine_timeout_ns(s, now);
		if (wait >= 0)
			ts = clock_ns_to_ts((uint64_t)wait);
		if (ppoll(pfd, (nfds_t)n, wait >= 0 ? &ts : NULL, &empty) ==
		    -1) {
			if (errno == EINTR)
				continue;
			fatal("ppoll");
		}
		if (il != -1 && (pfd[il].revents & POLLIN))
			conn_accept(s);
		if (ic != -1 && pfd[ic].revents != 0) {
			if (pfd[ic].revents & POLLOUT)
				conn_flush(s);
			if (pfd[ic].revents & (POLLIN | POLLHUP | POLLERR)) {
				if (pfd[ic].events & POLLIN)
					conn_read(s);
				else
					s->outlen = 0;	/* peer gone */
			}
		}
	}
}

int
main(int argc, char *argv[])
{
	struct sim		 sim, *s = &sim;
	struct faults		 f;
	struct sigaction	 sa;
	sigset_t		 mask;
	const char		*out = NULL, *raw = NULL, *logp = NULL;
	char			 err[512];
	int			 ch;

	memset(s, 0, sizeof(*s));
	memset(&f, 0, sizeof(f));
	s->width = DEFAULT_WIDTH;
	s->buffer = DEFAULT_BUFFER;
	s->lfd = s->fd = s->slave = -1;

	while ((ch = getopt_long(argc, argv, "qhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'L':
			s->listen = optarg;
			break;
		case 'P':
			s->pty_path = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'r':
			raw = optarg;
			break;
		case 'l':
			logp = optarg;
			break;
		case 's':
			s->speed = (unsigned)num_opt("speed", optarg, 0, 10000);
			break;
		case 'c':
			s->cut_ms = (unsigned)num_opt("cut-ms", optarg, 0,
			    60000);
			break;
		case 'w':
			s->width = (int)num_opt("width", optarg, WIDTH_MIN,
			    PRINTSIM_WIDTH_MAX);
			break;
		case 'b':
			s->buffer = num_opt("buffer", optarg, BUFFER_MIN,
			    BUFFER_MAX);
			break;
		case 'f':
			if (fault_parse(&f, optarg, err, sizeof(err)) == -1) {
				fprintf(stderr, "fastops-printsim: --fault: "
				    "%s\n", err);
				exit(2);
			}
			break;
		case 'F':
			s->fault_file = optarg;
			break;
		case 'q':
			s->quiet = 1;
			break;
		case 'h':
			usage(0);
		case 'V':
			printf("fastops-printsim %s\n", FASTOPS_VERSION);
			exit(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if ((s->listen == NULL) == (s->pty_path == NULL)) {
		fprintf(stderr, "fastops-printsim: give one of --listen and "
		    "--pty\n");
		usage(2);
	}
	if (out == NULL) {
		fprintf(stderr, "fastops-printsim: --out is required\n");
		usage(2);
	}
	if (s->fault_file != NULL &&
	    fault_load(&f, s->fault_file, err, sizeof(err)) == -1) {
		fprintf(stderr, "fastops-printsim: --fault-file: %s\n", err);
		exit(2);
	}
	log_init(argv[0], s->quiet ? 0 : 1);

	s->out = open_out(out, "a");
	if (raw != NULL)
		s->raw = open_out(raw, "ab");
	if (logp != NULL)
		s->log = open_out(logp, "a");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	engine_init(s);
	if (s->listen != NULL)
		s->lfd = listen_tcp(s->listen);
	else
		pty_open(s);
	faults_apply(s, &f);

	loop(s);

	engine_finish(s);
	if (s->fd != -1)
		close(s->fd);
	if (s->lfd != -1)
		close(s->lfd);
	if (s->is_pty) {
		pty_unlink(s);
		close(s->slave);
		free(s->pts);
	}
	log_info("%llu printed, %llu discarded, %llu incomplete, "
	    "%llu bytes received", (unsigned long long)s->n_printed,
	    (unsigned long long)s->n_discarded,
	    (unsigned long long)s->n_incomplete,
	    (unsigned long long)s->n_bytes);
	if (s->raw != NULL && s->raw != stdout)
		fclose(s->raw);
	if (s->log != NULL && s->log != stdout)
		fclose(s->log);
	if (fflush(s->out) == EOF)
		log_warn("out");
	if (s->out != stdout)
		fclose(s->out);
	return 0;
}
