/*
 * xport — the bytes between a worker and its printer.
 *
 * Both transports end up as one non-blocking file descriptor, and every
 * read and write is a poll() against a deadline, so no call can outlive
 * its timeout whatever the printer does: a TCP printer that vanishes
 * without a FIN, a serial printer holding CTS low with its cover open.
 * The backends differ only in how the descriptor is opened and closed and
 * in how a write is made (send() with MSG_NOSIGNAL on a socket: a worker
 * must not die of SIGPIPE because a printer was switched off).
 *
 * Serial ports are opened with libserialport, which knows the quirks of
 * USB adapters and sets up the line.  libserialport only accepts what it
 * finds in sysfs, though, so a pseudo-terminal (fastops-printsim --pty,
 * or a network-to-serial bridge such as socat) is refused; for such a
 * terminal we fall back to open(2) with O_NOCTTY and termios(3), which
 * set the same line parameters.  Symlinks (/dev/serial/by-id/...) are
 * resolved first so that libserialport recognises the real device.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <libserialport.h>

#include "clock.h"
#include "config.h"
#include "render.h"
#include "xmalloc.h"
#include "xport.h"

/* What staff read as the printer's last error: Spanish, in one place. */
#define E_REFUSED	"conexión rechazada"
#define E_NOANSWER	"sin respuesta"
#define E_LOST		"conexión perdida"
#define E_SEND_TIMEOUT	"tiempo agotado al enviar"
#define E_SEND		"error al enviar"
#define E_RECV		"error al recibir"
#define E_CONNECT	"no se puede conectar"
#define E_RESOLVE	"no se encuentra"
#define E_OPEN		"no se puede abrir"
#define E_NOT_TTY	"no es un puerto serie"
#define E_BAUD		"velocidad no admitida"
#define E_SETUP		"no se puede configurar"
#define E_BAD_STATUS	"respuesta de estado no válida"
#define E_NO_CONFIRM	"sin confirmación de la impresora"
#define E_BAD_URI	"dirección de impresora no válida"

#define P_OFFLINE	"fuera de línea"
#define P_COVER		"tapa abierta"
#define P_PAPER		"sin papel"
#define P_CUTTER	"error de la cortadora"
#define P_ERROR		"error de la impresora"

/* TCP keepalive: a printer switched off mid-connection sends no FIN. */
#define KEEP_IDLE_S	10
#define KEEP_INTVL_S	5
#define KEEP_CNT	3

/* How long closing a serial port waits for its output to drain. */
#define CLOSE_DRAIN_MS	2000

#define DLE		0x10
#define EOT		0x04

struct xport;

struct xport_backend {
	const char	*name;
	int		(*open)(struct xport *, const struct config_printer *,
			    int, char *, size_t);
	void		(*close)(struct xport *);
	ssize_t		(*send)(struct xport *, const void *, size_t);
	void		(*flush_input)(struct xport *);
};

struct xport {
	const struct xport_backend	*be;
	int				 fd;
	struct sp_port			*sp;	/* serial via libserialport */
	uint8_t				 in[256]; /* read, not yet used */
	size_t				 inlen;
};

static int	 xerr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static uint64_t	 deadline_in(int);
static int	 remaining_ms(uint64_t);
static int	 wait_fd(int, short, uint64_t);
static int	 lost_errno(int);
static int	 set_nonblock(int);
static int	 tcp_connect_one(const struct addrinfo *, uint64_t);
static int	 tcp_open(struct xport *, const struct config_printer *, int,
		    char *, size_t);
static void	 tcp_close(struct xport *);
static ssize_t	 tcp_send(struct xport *, const void *, size_t);
static void	 tcp_flush_input(struct xport *);
static int	 baud_speed(int, speed_t *);
static int	 serial_open_sp(struct xport *, const char *,
		    const struct config_printer *, char *, size_t);
static int	 serial_open_tty(struct xport *, const char *,
		    const struct config_printer *, char *, size_t);
static int	 serial_open(struct xport *, const struct config_printer *,
		    int, char *, size_t);
static void	 serial_close(struct xport *);
static ssize_t	 serial_send(struct xport *, const void *, size_t);
static void	 serial_flush_input(struct xport *);
static void	 read_away(struct xport *);

static const struct xport_backend tcp_backend = {
	"tcp", tcp_open, tcp_close, tcp_send, tcp_flush_input
};

static const struct xport_backend serial_backend = {
	"serial", serial_open, serial_close, serial_send, serial_flush_input
};

/* --- helpers -------------------------------------------------------------- */

static int
xerr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint64_t
deadline_in(int timeout_ms)
{
	return clock_mono_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) *
	    NS_PER_MS;
}

/* Milliseconds left until deadline, rounded up; 0 once it has passed. */
static int
remaining_ms(uint64_t deadline)
{
	uint64_t	now = clock_mono_ns(), ms;

	if (now >= deadline)
		return 0;
	ms = (deadline - now + NS_PER_MS - 1) / NS_PER_MS;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * Wait until fd is ready for events or the deadline passes: 1 ready (or
 * in error or hung up: the next read or write says which), 0 timeout,
 * -1 poll failed.
 */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd	pfd;
	int		r;

	for (;;) {
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, remaining_ms(deadline));
		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* The errors that mean the printer is gone rather than a local fault. */
static int
lost_errno(int e)
{
	switch (e) {
	case EPIPE:
	case ECONNRESET:
	case ECONNABORTED:
	case ENOTCONN:
	case ESHUTDOWN:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EIO:
	case ENXIO:
	case ENODEV:
		return 1;
	}
	return 0;
}

static int
set_nonblock(int fd)
{
	int	fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	if ((fl = fcntl(fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return -1;
	return 0;
}

/* Read and throw away what is waiting, a bounded amount. */
static void
read_away(struct xport *x)
{
	uint8_t	buf[512];
	ssize_t	n;
	int	i;

	for (i = 0; i < 128; i++) {
		n = read(x->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
	}
}

/* --- tcp ------------------------------------------------------------------ */

/* A connected non-blocking socket to ai by deadline, or -1 with errno. */
static int
tcp_connect_one(const struct addrinfo *ai, uint64_t deadline)
{
	socklen_t	len;
	int		fd, r, soerr, saved;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS && errno != EINTR)
		goto fail;
	if ((r = wait_fd(fd, POLLOUT, deadline)) <= 0) {
		if (r == 0)
			errno = ETIMEDOUT;
		goto fail;
	}
	len = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		goto fail;
	if (soerr != 0) {
		errno = soerr;
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * Name resolution is getaddrinfo(3), which the timeout does not bound; a
 * printer is normally configured by address, which resolves at once.
 */
static int
tcp_open(struct xport *x, const struct config_printer *p, int timeout_ms,
    char *err, size_t errlen)
{
	struct addrinfo	 hints, *res, *ai;
	uint64_t	 deadline = deadline_in(timeout_ms);
	char		 port[16];
	int		 fd = -1, r, one = 1, v, last = ECONNREFUSED;

	if (p->uri.host == NULL || *p->uri.host == '\0' ||
	    p->uri.port <= 0 || p->uri.port > 65535)
		return xerr(err, errlen, "%s", E_BAD_URI);
	snprintf(port, sizeof(port), "%d", p->uri.port);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((r = getaddrinfo(p->uri.host, port, &hints, &res)) != 0)
		return xerr(err, errlen, "%s %s: %s", E_RESOLVE, p->uri.host,
		    gai_strerror(r));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = tcp_connect_one(ai, deadline)) != -1)
			break;
		last = errno;
		if (remaining_ms(deadline) == 0)
			break;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		if (last == ECONNREFUSED)
			return xerr(err, errlen, "%s", E_REFUSED);
		if (last == ETIMEDOUT)
			return xerr(err, errlen, "%s", E_NOANSWER);
		return xerr(err, errlen, "%s: %s", E_CONNECT, strerror(last));
	}

	/*
	 * Tickets are written whole, status requests are tiny and want an
	 * answer now: no Nagle.  Keepalive finds a printer that lost power
	 * while the connection sat idle between tickets.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	v = KEEP_IDLE_S;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v));
	v = KEEP_INTVL_S;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof(v));
	v = KEEP_CNT;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v));
	x->fd = fd;
	return 0;
}

/*
 * Closing a socket with unread input sends RST instead of FIN, and a
 * printer may then drop the end of a ticket still in its receive buffer:
 * read what is waiting first, then say we are done.
 */
static void
tcp_close(struct xport *x)
{
	read_away(x);
	shutdown(x->fd, SHUT_WR);
	close(x->fd);
}

static ssize_t
tcp_send(struct xport *x, const void *buf, size_t len)
{
	return send(x->fd, buf, len, MSG_NOSIGNAL);
}

static void
tcp_flush_input(struct xport *x)
{
	read_away(x);
}

/* --- serial --------------------------------------------------------------- */

static int
baud_speed(int baud, speed_t *sp)
{
	static const struct {
		int	baud;
		speed_t	speed;
	} t[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 },
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
		{ 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
	};
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].baud == baud) {
			*sp = t[i].speed;
			return 0;
		}
	}
	return -1;
}

/*
 * libserialport: 1 the port is open, 0 libserialport does not know this
 * device (try the terminal way), -1 error (err set).
 */
static int
serial_open_sp(struct xport *x, const char *dev,
    const struct config_printer *p, char *err, size_t errlen)
{
	struct sp_port		*sp;
	enum sp_flowcontrol	 flow;
	char			*msg;
	int			 fd;

	if (sp_get_port_by_name(dev, &sp) != SP_OK)
		return 0;
	if (sp_open(sp, SP_MODE_READ_WRITE) != SP_OK) {
		msg = sp_last_error_message();
		xerr(err, errlen, "%s %s: %s", E_OPEN, p->uri.device,
		    msg != NULL ? msg : "?");
		sp_free_error_message(msg);
		sp_free_port(sp);
		return -1;
	}
	switch (p->uri.flow) {
	case CONFIG_FLOW_RTSCTS:
		flow = SP_FLOWCONTROL_RTSCTS;
		break;
	case CONFIG_FLOW_XONXOFF:
		flow = SP_FLOWCONTROL_XONXOFF;
		break;
	default:
		flow = SP_FLOWCONTROL_NONE;
		break;
	}
	if (sp_set_baudrate(sp, p->uri.baud) != SP_OK ||
	    sp_set_bits(sp, 8) != SP_OK ||
	    sp_set_parity(sp, SP_PARITY_NONE) != SP_OK ||
	    sp_set_stopbits(sp, 1) != SP_OK ||
	    sp_set_flowcontrol(sp, flow) != SP_OK ||
	    sp_get_port_handle(sp, &fd) != SP_OK || set_nonblock(fd) == -1) {
		msg = sp_last_error_message();
		xerr(err, errlen, "%s %s: %s", E_SETUP, p->uri.device,
		    msg != NULL ? msg : strerror(errno));
		sp_free_error_message(msg);
		sp_close(sp);
		sp_free_port(sp);
		return -1;
	}
	x->sp = sp;
	x->fd = fd;
	return 1;
}

/* A terminal libserialport does not list: open(2) and termios(3). */
static int
serial_open_tty(struct xport *x, const char *dev,
    const struct config_printer *p, char *err, size_t errlen)
{
	struct termios	tio;
	speed_t		speed;
	int		fd, saved;

	if (baud_speed(p->uri.baud, &speed) == -1)
		return xerr(err, errlen, "%s: %d", E_BAUD, p->uri.baud);
	fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return xerr(err, errlen, "%s %s: %s", E_OPEN, p->uri.device,
		    strerror(errno));
	if (!isatty(fd)) {
		close(fd);
		return xerr(err, errlen, "%s: %s", E_NOT_TTY, p->uri.device);
	}
	if (tcgetattr(fd, &tio) == -1)
		goto fail;
	cfmakeraw(&tio);
	tio.c_cflag &= ~(CSIZE | PARENB | CSTOPB | CRTSCTS);
	tio.c_cflag |= CS8 | CREAD | CLOCAL;
	tio.c_iflag &= ~(IXON | IXOFF | IXANY);
	if (p->uri.flow == CONFIG_FLOW_RTSCTS)
		tio.c_cflag |= CRTSCTS;
	else if (p->uri.flow == CONFIG_FLOW_XONXOFF)
		tio.c_iflag |= IXON | IXOFF;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (cfsetispeed(&tio, speed) == -1 || cfsetospeed(&tio, speed) == -1 ||
	    tcsetattr(fd, TCSANOW, &tio) == -1)
		goto fail;
	tcflush(fd, TCIFLUSH);	/* stale answers */
	x->fd = fd;
	return 0;
fail:
	saved = errno;
	close(fd);
	return xerr(err, errlen, "%s %s: %s", E_SETUP, p->uri.device,
	    strerror(saved));
}

static int
serial_open(struct xport *x, const struct config_printer *p, int timeout_ms,
    char *err, size_t errlen)
{
	char	real[PATH_MAX];
	int	r;

	if (p->uri.device == NULL || *p->uri.device == '\0')
		return xerr(err, errlen, "%s", E_BAD_URI);
	if (realpath(p->uri.device, real) == NULL)
		return xerr(err, errlen, "%s %s: %s", E_OPEN, p->uri.device,
		    strerror(errno));
	if ((r = serial_open_sp(x, real, p, err, errlen)) != 0)
		return r == 1 ? 0 : -1;
	return serial_open_tty(x, real, p, err, errlen);
}

/*
 * close(2) on a serial port waits for the output to drain, for 30 s by
 * default, and forever with flow control stuck: wait a bounded time, then
 * throw away what the printer would not take.  Only then: on a
 * pseudo-terminal TIOCOUTQ says 0 while the other side has not read
 * everything yet, and TCOFLUSH would throw that away.
 */
static void
serial_close(struct xport *x)
{
	uint64_t	deadline = deadline_in(CLOSE_DRAIN_MS);
	int		queued = 0;

	while (ioctl(x->fd, TIOCOUTQ, &queued) == 0 && queued > 0 &&
	    remaining_ms(deadline) > 0)
		usleep(10000);
	if (queued > 0)
		tcflush(x->fd, TCOFLUSH);
	if (x->sp != NULL) {
		sp_close(x->sp);
		sp_free_port(x->sp);
	} else
		close(x->fd);
}

static ssize_t
serial_send(struct xport *x, const void *buf, size_t len)
{
	return write(x->fd, buf, len);
}

static void
serial_flush_input(struct xport *x)
{
	tcflush(x->fd, TCIFLUSH);
	read_away(x);
}

/* --- the interface -------------------------------------------------------- */

int
xport_open(const struct config_printer *p, int timeout_ms, struct xport **xp,
    char *err, size_t errlen)
{
	struct xport	*x;

	*xp = NULL;
	x = xcalloc(1, sizeof(*x));
	x->fd = -1;
	switch (p->uri.transport) {
	case CONFIG_TRANSPORT_TCP:
		x->be = &tcp_backend;
		break;
	case CONFIG_TRANSPORT_SERIAL:
		x->be = &serial_backend;
		break;
	default:
		free(x);
		return xerr(err, errlen, "%s", E_BAD_URI);
	}
	if (x->be->open(x, p, timeout_ms, err, errlen) == -1) {
		free(x);
		return -1;
	}
	*xp = x;
	return 0;
}

void
xport_close(struct xport *x)
{
	if (x == NULL)
		return;
	if (x->fd != -1)
		x->be->close(x);
	free(x);
}

int
xport_write(struct xport *x, const void *buf, size_t len, int timeout_ms,
    char *err, size_t errlen)
{
	const uint8_t	*p = buf;
	uint64_t	 deadline = deadline_in(timeout_ms);
	size_t		 off = 0;
	ssize_t		 n;
	int		 r;

	while (off < len) {
		n = x->be->send(x, p + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			if (lost_errno(errno))
				return xerr(err, errlen, "%s: %s", E_LOST,
				    strerror(errno));
			return xerr(err, errlen, "%s: %s", E_SEND,
			    strerror(errno));
		}
		if ((r = wait_fd(x->fd, POLLOUT, deadline)) == 0)
			return xerr(err, errlen, "%s (%zu de %zu bytes)",
			    E_SEND_TIMEOUT, off, len);
		if (r == -1)
			return xerr(err, errlen, "%s: %s", E_SEND,
			    strerror(errno));
	}
	return 0;
}

ssize_t
xport_read(struct xport *x, void *buf, size_t len, int timeout_ms,
    char *err, size_t errlen)
{
	uint64_t	deadline = deadline_in(timeout_ms);
	ssize_t		n;
	int		r;

	if (len == 0)
		return 0;
	if (x->inlen > 0) {
		n = (ssize_t)(len < x->inlen ? len : x->inlen);
		memcpy(buf, x->in, (size_t)n);
		memmove(x->in, x->in + n, x->inlen - (size_t)n);
		x->inlen -= (size_t)n;
		return n;
	}
	for (;;) {
		n = read(x->fd, buf, len);
		if (n > 0)
			return n;
		if (n == 0)
			return xerr(err, errlen, "%s", E_LOST);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			if (lost_errno(errno))
				return xerr(err, errlen, "%s: %s", E_LOST,
				    strerror(errno));
			return xerr(err, errlen, "%s: %s", E_RECV,
			    strerror(errno));
		}
		if ((r = wait_fd(x->fd, POLLIN, deadline)) == 0)
			return 0;
		if (r == -1)
			return xerr(err, errlen, "%s: %s", E_RECV,
			    strerror(errno));
	}
}

void
xport_drain_input(struct xport *x)
{
	if (x == NULL || x->fd == -1)
		return;
	x->inlen = 0;
	x->be->flush_input(x);
}

/*
 * The four real-time status bytes each have bit 4 set and bit 7 clear;
 * anything else is not an answer to DLE EOT (a stale GS ( H reply, line
 * noise) and is reported rather than decoded into nonsense.
 */
int
xport_status(struct xport *x, struct prn_status *st, int timeout_ms,
    char *err, size_t errlen)
{
	static const uint8_t	req[] = {
		DLE, EOT, 1, DLE, EOT, 2, DLE, EOT, 3, DLE, EOT, 4
	};
	uint64_t		deadline = deadline_in(timeout_ms);
	uint8_t			b[4];
	size_t			got = 0;
	ssize_t			n;
	int			i;

	memset(st, 0, sizeof(*st));
	if (xport_write(x, req, sizeof(req), timeout_ms, err, errlen) == -1)
		return -1;
	while (got < sizeof(b)) {
		n = xport_read(x, b + got, sizeof(b) - got,
		    remaining_ms(deadline), err, errlen);
		if (n == -1)
			return -1;
		if (n == 0) {
			if (got == 0)
				return xerr(err, errlen, "%s", E_NOANSWER);
			return xerr(err, errlen, "%s (%zu de 4 bytes)",
			    E_NOANSWER, got);
		}
		got += (size_t)n;
	}
	for (i = 0; i < 4; i++) {
		if ((b[i] & 0x90) != 0x10)
			return xerr(err, errlen,
			    "%s (%02x %02x %02x %02x)", E_BAD_STATUS,
			    b[0], b[1], b[2], b[3]);
	}
	st->offline = (b[0] & 0x08) != 0;
	st->cover_open = (b[1] & 0x04) != 0;
	st->paper_out = (b[1] & 0x20) != 0 || (b[3] & 0x60) != 0;
	st->paper_near_end = (b[3] & 0x0c) != 0;
	st->error = (b[1] & 0x40) != 0 || (b[2] & 0x68) != 0;
	st->cutter_error = (b[2] & 0x08) != 0;
	return 0;
}

/* The cause first: an open cover or no paper also puts it offline. */
const char *
prn_status_problem(const struct prn_status *st)
{
	if (st->cover_open)
		return P_COVER;
	if (st->paper_out)
		return P_PAPER;
	if (st->cutter_error)
		return P_CUTTER;
	if (st->error)
		return P_ERROR;
	if (st->offline)
		return P_OFFLINE;
	return NULL;
}

/*
 * The answer is matched through a sliding window rather than by a simple
 * state machine: the digits may themselves contain 0x37 ('7'), the first
 * byte of the header.  Bytes read past the match are kept for the next
 * read: in a batch the next ticket's answer may come in the same segment.
 */
int
xport_wait_process_id(struct xport *x, uint32_t process_id, int timeout_ms,
    char *err, size_t errlen)
{
	uint64_t	deadline = deadline_in(timeout_ms);
	uint8_t		want[7], win[7], buf[256];
	size_t		have = 0;
	ssize_t		n, i;

	_Static_assert(sizeof(buf) <= sizeof(x->in), "pushback too small");
	want[0] = 0x37;
	want[1] = 0x22;
	render_process_id(process_id, want + 2);
	want[6] = 0x00;
	for (;;) {
		n = xport_read(x, buf, sizeof(buf), remaining_ms(deadline),
		    err, errlen);
		if (n == -1)
			return -1;
		if (n == 0)
			return xerr(err, errlen, "%s", E_NO_CONFIRM);
		for (i = 0; i < n; i++) {
			if (have == sizeof(win)) {
				memmove(win, win + 1, sizeof(win) - 1);
				have--;
			}
			win[have++] = buf[i];
			if (have == sizeof(win) &&
			    memcmp(win, want, sizeof(win)) == 0) {
				x->inlen = (size_t)(n - i - 1);
				memcpy(x->in, buf + i + 1, x->inlen);
				return 0;
			}
		}
	}
}
