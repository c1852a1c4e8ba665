/*
 * src/worker/xport against real descriptors: a loopback TCP listener and a
 * pseudo-terminal behind a symlink, each played by the test as a tiny
 * printer.  Writes arrive whole, DLE EOT answers decode bit by bit,
 * silence is "sin respuesta" on time, a refused or dropped connection
 * says so, the GS ( H answer is found among other bytes.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "clock.h"
#include "config.h"
#include "render.h"
#include "xport.h"

static const uint8_t	status_req[12] = {
	0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4
};

static char	localhost[] = "127.0.0.1";

/* --- a TCP printer -------------------------------------------------------- */

enum fake_mode {
	F_RECORD,	/* keep what arrives */
	F_STATUS,	/* answer each DLE EOT 1..4 with the next answer */
	F_CLOSE,	/* hang up at once */
};

struct fake {
	int		 mode;
	int		 lfd;
	int		 port;
	const uint8_t	*hello;		/* sent once connected */
	size_t		 hellolen;
	uint8_t		(*answers)[4];
	size_t		 nanswers;
	size_t		 answer_len;	/* bytes of each answer sent: 4 */
	uint8_t		*rx;
	size_t		 rxlen;
	int		 bad_requests;
	pthread_t	 thread;
};

static size_t
read_full(int fd, uint8_t *buf, size_t n)
{
	size_t	got = 0;
	ssize_t	r;

	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static void
write_full(int fd, const uint8_t *buf, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		r = write(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		buf += r;
		n -= (size_t)r;
	}
}

static void *
fake_main(void *arg)
{
	struct fake	*f = arg;
	uint8_t		 req[12], buf[8192];
	size_t		 i;
	ssize_t		 n;
	int		 fd;

	if ((fd = accept(f->lfd, NULL, NULL)) == -1)
		return NULL;
	if (f->mode == F_CLOSE) {
		close(fd);
		return NULL;
	}
	if (f->hellolen > 0)
		write_full(fd, f->hello, f->hellolen);
	if (f->mode == F_STATUS) {
		for (i = 0; i < f->nanswers; i++) {
			if (read_full(fd, req, sizeof(req)) != sizeof(req))
				break;
			if (memcmp(req, status_req, sizeof(req)) != 0)
				f->bad_requests++;
			write_full(fd, f->answers[i], f->answer_len);
		}
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (f->mode != F_RECORD)
			continue;
		f->rx = realloc(f->rx, f->rxlen + (size_t)n);
		if (f->rx == NULL)
			abort();
		memcpy(f->rx + f->rxlen, buf, (size_t)n);
		f->rxlen += (size_t)n;
	}
	close(fd);
	return NULL;
}

/* A socket bound to 127.0.0.1 on a port of the kernel's choosing. */
static int
bound_socket(int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd != -1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
fake_start(struct fake *f, int mode)
{
	f->mode = mode;
	if (f->answer_len == 0)
		f->answer_len = 4;
	f->lfd = bound_socket(&f->port);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void
fake_join(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->lfd);
}

static struct config_printer
tcp_printer(int port)
{
	struct config_printer	p;

	memset(&p, 0, sizeof(p));
	p.uri.transport = CONFIG_TRANSPORT_TCP;
	p.uri.host = localhost;
	p.uri.port = port;
	p.width = 48;
	return p;
}

static struct xport *
tcp_open(struct fake *f)
{
	struct config_printer	 p = tcp_printer(f->port);
	struct xport		*x;
	char			 err[256] = "";

	if (xport_open(&p, 1000, &x, err, sizeof(err)) != 0)
		fail_msg("xport_open: %s", err);
	return x;
}

static uint64_t
elapsed_ms(uint64_t since)
{
	return (clock_mono_ns() - since) / NS_PER_MS;
}

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* --- TCP ------------------------------------------------------------------ */

static void
test_tcp_write(void **state)
{
	struct fake	 f;
	struct xport	*x;
	uint8_t		*big;
	size_t		 len = 512 * 1024, i;
	char		 err[256];

	memset(&f, 0, sizeof(f));
	fake_start(&f, F_RECORD);
	x = tcp_open(&f);
	big = malloc(len);
	assert_non_null(big);
	for (i = 0; i < len; i++)
		big[i] = (uint8_t)(i * 7 + i / 251);
	assert_int_equal(xport_write(x, big, len, 5000, err, sizeof(err)), 0);
	assert_int_equal(xport_write(x, "", 0, 0, err, sizeof(err)), 0);
	xport_close(x);
	fake_join(&f);
	assert_int_equal(f.rxlen, len);
	assert_memory_equal(f.rx, big, len);
	free(f.rx);
	free(big);
}

struct status_case {
	uint8_t		 b[4];
	struct prn_status want;
	const char	*problem;
};

static void
assert_status(const struct prn_status *got, const struct prn_status *want,
    size_t i)
{
	if (got->offline != want->offline ||
	    got->cover_open != want->cover_open ||
	    got->paper_out != want->paper_out ||
	    got->paper_near_end != want->paper_near_end ||
	    got->error != want->error ||
	    got->cutter_error != want->cutter_error)
		fail_msg("case %zu: got %d%d%d%d%d%d want %d%d%d%d%d%d", i,
		    got->offline, got->cover_open, got->paper_out,
		    got->paper_near_end, got->error, got->cutter_error,
		    want->offline, want->cover_open, want->paper_out,
		    want->paper_near_end, want->error, want->cutter_error);
}

/* Each documented bit alone, a few together, and the problem named. */
static const struct status_case	status_cases[] = {
	/*  n=1   n=2   n=3   n=4	 off cov pap near err cut */
	{ { 0x12, 0x12, 0x12, 0x12 }, { 0, 0, 0, 0, 0, 0 }, NULL },
	{ { 0x16, 0x12, 0x12, 0x12 }, { 0, 0, 0, 0, 0, 0 }, NULL },
	{ { 0x1a, 0x12, 0x12, 0x12 }, { 1, 0, 0, 0, 0, 0 },
	    "fuera de línea" },
	{ { 0x12, 0x16, 0x12, 0x12 }, { 0, 1, 0, 0, 0, 0 },
	    "tapa abierta" },
	{ { 0x12, 0x1a, 0x12, 0x12 }, { 0, 0, 0, 0, 0, 0 }, NULL },
	{ { 0x12, 0x32, 0x12, 0x12 }, { 0, 0, 1, 0, 0, 0 }, "sin papel" },
	{ { 0x12, 0x52, 0x12, 0x12 }, { 0, 0, 0, 0, 1, 0 },
	    "error de la impresora" },
	{ { 0x12, 0x12, 0x1a, 0x12 }, { 0, 0, 0, 0, 1, 1 },
	    "error de la cortadora" },
	{ { 0x12, 0x12, 0x32, 0x12 }, { 0, 0, 0, 0, 1, 0 },
	    "error de la impresora" },
	{ { 0x12, 0x12, 0x52, 0x12 }, { 0, 0, 0, 0, 1, 0 },
	    "error de la impresora" },
	{ { 0x12, 0x12, 0x12, 0x1e }, { 0, 0, 0, 1, 0, 0 }, NULL },
	{ { 0x12, 0x12, 0x12, 0x16 }, { 0, 0, 0, 1, 0, 0 }, NULL },
	{ { 0x12, 0x12, 0x12, 0x72 }, { 0, 0, 1, 0, 0, 0 }, "sin papel" },
	{ { 0x12, 0x12, 0x12, 0x52 }, { 0, 0, 1, 0, 0, 0 }, "sin papel" },
	{ { 0x12, 0x12, 0x12, 0x7e }, { 0, 0, 1, 1, 0, 0 }, "sin papel" },
	{ { 0x1a, 0x36, 0x12, 0x72 }, { 1, 1, 1, 0, 0, 0 },
	    "tapa abierta" },
	{ { 0x1a, 0x72, 0x7a, 0x7e }, { 1, 0, 1, 1, 1, 1 }, "sin papel" },
	{ { 0x1a, 0x12, 0x7a, 0x12 }, { 1, 0, 0, 0, 1, 1 },
	    "error de la cortadora" },
	{ { 0x10, 0x10, 0x10, 0x10 }, { 0, 0, 0, 0, 0, 0 }, NULL },
};

static void
test_tcp_status(void **state)
{
	const size_t		 n = sizeof(status_cases) /
				     sizeof(status_cases[0]);
	struct fake		 f;
	struct xport		*x;
	struct prn_status	 st;
	const char		*problem;
	char			 err[256];
	size_t			 i;

	memset(&f, 0, sizeof(f));
	f.answers = calloc(n, 4);
	assert_non_null(f.answers);
	for (i = 0; i < n; i++)
		memcpy(f.answers[i], status_cases[i].b, 4);
	f.nanswers = n;
	fake_start(&f, F_STATUS);
	x = tcp_open(&f);
	for (i = 0; i < n; i++) {
		if (xport_status(x, &st, 1000, err, sizeof(err)) != 0)
			fail_msg("case %zu: %s", i, err);
		assert_status(&st, &status_cases[i].want, i);
		problem = prn_status_problem(&st);
		if (status_cases[i].problem == NULL)
			assert_null(problem);
		else
			assert_string_equal(problem, status_cases[i].problem);
	}
	xport_close(x);
	fake_join(&f);
	assert_int_equal(f.bad_requests, 0);
	free(f.answers);
}

/*
 * Every combination of the ten meaningful bits, against a table of which
 * bit means what, written independently of the decoder.
 */
static void
test_tcp_status_all(void **state)
{
	static const struct {
		int	byte;
		uint8_t	mask;
		int	off, cov, pap, near, err, cut;
	} bits[] = {
		{ 0, 0x08, 1, 0, 0, 0, 0, 0 },
		{ 1, 0x04, 0, 1, 0, 0, 0, 0 },
		{ 1, 0x20, 0, 0, 1, 0, 0, 0 },
		{ 1, 0x40, 0, 0, 0, 0, 1, 0 },
		{ 2, 0x08, 0, 0, 0, 0, 1, 1 },
		{ 2, 0x20, 0, 0, 0, 0, 1, 0 },
		{ 2, 0x40, 0, 0, 0, 0, 1, 0 },
		{ 3, 0x0c, 0, 0, 0, 1, 0, 0 },
		{ 3, 0x60, 0, 0, 1, 0, 0, 0 },
		{ 1, 0x08, 0, 0, 0, 0, 0, 0 },	/* paper fed by button */
	};
	const size_t		 nbits = sizeof(bits) / sizeof(bits[0]);
	const size_t		 n = (size_t)1 << nbits;
	struct prn_status	*want, st;
	struct fake		 f;
	struct xport		*x;
	char			 err[256];
	size_t			 i, k;

	memset(&f, 0, sizeof(f));
	f.answers = calloc(n, 4);
	want = calloc(n, sizeof(*want));
	assert_non_null(f.answers);
	assert_non_null(want);
	for (i = 0; i < n; i++) {
		memset(f.answers[i], 0x12, 4);
		for (k = 0; k < nbits; k++) {
			if (!(i & ((size_t)1 << k)))
				continue;
			f.answers[i][bits[k].byte] |= bits[k].mask;
			want[i].offline |= bits[k].off;
			want[i].cover_open |= bits[k].cov;
			want[i].paper_out |= bits[k].pap;
			want[i].paper_near_end |= bits[k].near;
			want[i].error |= bits[k].err;
			want[i].cutter_error |= bits[k].cut;
		}
	}
	f.nanswers = n;
	fake_start(&f, F_STATUS);
	x = tcp_open(&f);
	for (i = 0; i < n; i++) {
		if (xport_status(x, &st, 1000, err, sizeof(err)) != 0)
			fail_msg("combination %zu: %s", i, err);
		assert_status(&st, &want[i], i);
	}
	xport_close(x);
	fake_join(&f);
	assert_int_equal(f.bad_requests, 0);
	free(f.answers);
	free(want);
}

/* Bytes without the fixed bits are not a status. */
static void
test_tcp_status_malformed(void **state)
{
	static const uint8_t	bad[][4] = {
		{ 0x92, 0x12, 0x12, 0x12 },	/* bit 7 set */
		{ 0x12, 0x02, 0x12, 0x12 },	/* bit 4 clear */
		{ 0x12, 0x12, 0x12, 0x00 },
		{ 0x37, 0x22, 0x30, 0x30 },	/* a GS ( H answer */
	};
	const size_t		 n = sizeof(bad) / sizeof(bad[0]);
	struct fake		 f;
	struct xport		*x;
	struct prn_status	 st;
	char			 err[256];
	size_t			 i;

	memset(&f, 0, sizeof(f));
	f.answers = calloc(n, 4);
	assert_non_null(f.answers);
	memcpy(f.answers, bad, sizeof(bad));
	f.nanswers = n;
	fake_start(&f, F_STATUS);
	x = tcp_open(&f);
	for (i = 0; i < n; i++) {
		assert_int_equal(xport_status(x, &st, 1000, err, sizeof(err)),
		    -1);
		if (!starts_with(err, "respuesta de estado no válida"))
			fail_msg("case %zu: %s", i, err);
	}
	xport_close(x);
	fake_join(&f);
	free(f.answers);
}

/* No answer: "sin respuesta", on time; half an answer says how much. */
static void
test_tcp_no_answer(void **state)
{
	uint8_t			 half[1][4] = { { 0x12, 0x12, 0, 0 } };
	struct fake		 f;
	struct xport		*x;
	struct prn_status	 st;
	char			 err[256], buf[16];
	uint64_t		 t0, ms;

	memset(&f, 0, sizeof(f));
	fake_start(&f, F_RECORD);
	x = tcp_open(&f);
	t0 = clock_mono_ns();
	assert_int_equal(xport_status(x, &st, 300, err, sizeof(err)), -1);
	ms = elapsed_ms(t0);
	assert_string_equal(err, "sin respuesta");
	assert_true(ms >= 290 && ms < 1500);

	t0 = clock_mono_ns();
	assert_int_equal(xport_read(x, buf, sizeof(buf), 200, err,
	    sizeof(err)), 0);
	ms = elapsed_ms(t0);
	assert_true(ms >= 190 && ms < 1500);
	xport_close(x);
	fake_join(&f);
	assert_int_equal(f.rxlen, 12);
	assert_memory_equal(f.rx, status_req, 12);
	free(f.rx);

	memset(&f, 0, sizeof(f));
	f.answers = half;
	f.nanswers = 1;
	f.answer_len = 2;
	fake_start(&f, F_STATUS);
	x = tcp_open(&f);
	assert_int_equal(xport_status(x, &st, 300, err, sizeof(err)), -1);
	assert_string_equal(err, "sin respuesta (2 de 4 bytes)");
	xport_close(x);
	fake_join(&f);
}

static void
test_tcp_refused(void **state)
{
	struct config_printer	 p;
	struct xport		*x = (struct xport *)(uintptr_t)1;
	char			 err[256] = "";
	int			 fd, port;

	fd = bound_socket(&port);	/* bound, not listening */
	p = tcp_printer(port);
	assert_int_equal(xport_open(&p, 1000, &x, err, sizeof(err)), -1);
	assert_null(x);
	assert_string_equal(err, "conexión rechazada");
	close(fd);

	p.uri.host = NULL;
	assert_int_equal(xport_open(&p, 1000, &x, err, sizeof(err)), -1);
	assert_string_equal(err, "dirección de impresora no válida");
}

/*
 * A listener whose accept queue is full drops new SYNs: the connection
 * neither succeeds nor fails, and the timeout must end it.
 */
static void
test_tcp_connect_timeout(void **state)
{
	struct sockaddr_in	 sin;
	struct config_printer	 p;
	struct xport		*x;
	char			 err[256] = "";
	uint64_t		 t0, ms;
	int			 lfd, port, c[4], i, rc;

	lfd = bound_socket(&port);
	assert_int_equal(listen(lfd, 0), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	for (i = 0; i < 4; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(c[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	usleep(50000);
	p = tcp_printer(port);
	t0 = clock_mono_ns();
	rc = xport_open(&p, 300, &x, err, sizeof(err));
	ms = elapsed_ms(t0);
	if (rc == 0) {
		/* Some kernels complete it anyway; then nothing to test. */
		print_message("connected despite a full accept queue: "
		    "connect timeout not tested\n");
		xport_close(x);
	} else {
		assert_string_equal(err, "sin respuesta");
		assert_true(ms >= 290 && ms < 1500);
	}
	for (i = 0; i < 4; i++)
		close(c[i]);
	close(lfd);
}

/* The printer hangs up: reads and writes say "conexión perdida". */
static void
test_tcp_peer_closes(void **state)
{
	static uint8_t		 chunk[16384];
	struct fake		 f;
	struct xport		*x;
	struct prn_status	 st;
	char			 err[256] = "", buf[16];
	int			 i, rc = 0;

	memset(&f, 0, sizeof(f));
	fake_start(&f, F_CLOSE);
	x = tcp_open(&f);
	fake_join(&f);
	assert_int_equal(xport_read(x, buf, sizeof(buf), 1000, err,
	    sizeof(err)), -1);
	assert_true(starts_with(err, "conexión perdida"));
	err[0] = '\0';
	assert_int_equal(xport_status(x, &st, 1000, err, sizeof(err)), -1);
	if (!starts_with(err, "conexión perdida"))
		fail_msg("status: %s", err);
	for (i = 0; i < 100 && rc == 0; i++)
		rc = xport_write(x, chunk, sizeof(chunk), 1000, err,
		    sizeof(err));
	assert_int_equal(rc, -1);
	if (!starts_with(err, "conexión perdida"))
		fail_msg("write: %s", err);
	xport_close(x);
}

/* A printer that does not read: the write gives up at its deadline. */
static void
test_tcp_write_timeout(void **state)
{
	struct xport	*x;
	struct fake	 f;
	uint8_t		*big;
	size_t		 len = 64 * 1024 * 1024;
	char		 err[256] = "";
	uint64_t	 t0, ms;
	int		 lfd, port, fd;

	lfd = bound_socket(&port);
	assert_int_equal(listen(lfd, 1), 0);
	memset(&f, 0, sizeof(f));
	f.port = port;
	x = tcp_open(&f);
	fd = accept(lfd, NULL, NULL);	/* accepted, never read */
	assert_true(fd != -1);
	big = calloc(1, len);
	assert_non_null(big);
	t0 = clock_mono_ns();
	assert_int_equal(xport_write(x, big, len, 300, err, sizeof(err)), -1);
	ms = elapsed_ms(t0);
	assert_true(starts_with(err, "tiempo agotado al enviar ("));
	assert_true(ms >= 290 && ms < 2000);
	free(big);
	close(fd);
	xport_close(x);
	close(lfd);
}

/* GS ( H: the right id among stale answers, other ids and noise. */
static void
test_tcp_process_id(void **state)
{
	static const uint8_t	 hello[] = {
		0x12, 0x37, 0x22, '7', '7', '7', '6', 0x00,	/* another */
		0x37, 0x37, 0x22, '7', '7', 0x37, 0x22,		/* noise */
		0x37, 0x22, '7', '7', '7', '7', 0x00,		/* ours */
		0x37, 0x22, '0', '0', '4', '2', 0x00,
	};
	struct fake		 f;
	struct xport		*x;
	char			 err[256] = "";
	uint64_t		 t0, ms;

	memset(&f, 0, sizeof(f));
	f.hello = hello;
	f.hellolen = sizeof(hello);
	fake_start(&f, F_RECORD);
	x = tcp_open(&f);
	assert_int_equal(xport_wait_process_id(x, 17777, 1000, err,
	    sizeof(err)), 0);
	assert_int_equal(xport_wait_process_id(x, 42, 1000, err,
	    sizeof(err)), 0);
	t0 = clock_mono_ns();
	assert_int_equal(xport_wait_process_id(x, 7776, 200, err,
	    sizeof(err)), -1);
	ms = elapsed_ms(t0);
	assert_string_equal(err, "sin confirmación de la impresora");
	assert_true(ms >= 190 && ms < 1500);
	xport_close(x);
	fake_join(&f);
	free(f.rx);
}

/* Stale bytes are dropped before asking. */
static void
test_tcp_drain(void **state)
{
	static const uint8_t	 hello[] = { 0x92, 0x00, 0x37, 0x22 };
	uint8_t			 answer[1][4] = { { 0x12, 0x12, 0x12, 0x1e } };
	struct fake		 f;
	struct xport		*x;
	struct prn_status	 st;
	char			 err[256] = "", c;

	memset(&f, 0, sizeof(f));
	f.hello = hello;
	f.hellolen = sizeof(hello);
	f.answers = answer;
	f.nanswers = 1;
	fake_start(&f, F_STATUS);
	x = tcp_open(&f);
	/* Wait until the stale bytes are here, without taking them. */
	assert_int_equal(xport_read(x, &c, 1, 1000, err, sizeof(err)), 1);
	usleep(50000);
	xport_drain_input(x);
	assert_int_equal(xport_status(x, &st, 1000, err, sizeof(err)), 0);
	assert_true(st.paper_near_end);
	assert_null(prn_status_problem(&st));
	xport_close(x);
	fake_join(&f);
}

/* --- a pseudo-terminal ---------------------------------------------------- */

struct pty {
	int	master;
	char	dir[64];
	char	link[128];
	char	slave[64];
};

static void
pty_open(struct pty *t)
{
	t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(t->master != -1);
	assert_int_equal(grantpt(t->master), 0);
	assert_int_equal(unlockpt(t->master), 0);
	assert_int_equal(ptsname_r(t->master, t->slave, sizeof(t->slave)), 0);
	snprintf(t->dir, sizeof(t->dir), "/tmp/xport_test.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->link, sizeof(t->link), "%s/printer", t->dir);
	assert_int_equal(symlink(t->slave, t->link), 0);
}

static void
pty_close(struct pty *t)
{
	if (t->master != -1)
		close(t->master);
	unlink(t->link);
	rmdir(t->dir);
}

static struct config_printer
serial_printer(char *device, int baud, int flow)
{
	struct config_printer	p;

	memset(&p, 0, sizeof(p));
	p.uri.transport = CONFIG_TRANSPORT_SERIAL;
	p.uri.device = device;
	p.uri.baud = baud;
	p.uri.flow = flow;
	p.width = 32;
	return p;
}

/* Read exactly n bytes from fd within timeout_ms: the count read. */
static size_t
read_within(int fd, uint8_t *buf, size_t n, int timeout_ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	uint64_t	t0 = clock_mono_ns();
	size_t		got = 0;
	ssize_t		r;

	while (got < n && (int)elapsed_ms(t0) < timeout_ms) {
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static void
test_pty_write_status(void **state)
{
	static const uint8_t	 gsh[] = { 0x37, 0x22, '0', '0', '4', '2', 0 };
	uint8_t			 all[256], got[512];
	struct config_printer	 p;
	struct xport		*x;
	struct prn_status	 st;
	struct pty		 t;
	struct termios		 tio;
	char			 err[256] = "";
	size_t			 i;
	int			 fd;

	pty_open(&t);
	p = serial_printer(t.link, 19200, CONFIG_FLOW_NONE);
	if (xport_open(&p, 1000, &x, err, sizeof(err)) != 0)
		fail_msg("xport_open %s: %s", t.link, err);

	/* Raw line: 8N1 at the speed asked, no echo, no translation. */
	fd = open(t.slave, O_RDWR | O_NOCTTY);
	assert_true(fd != -1);
	assert_int_equal(tcgetattr(fd, &tio), 0);
	close(fd);
	assert_int_equal(cfgetospeed(&tio), B19200);
	assert_int_equal(cfgetispeed(&tio), B19200);
	assert_int_equal(tio.c_cflag & CSIZE, CS8);
	assert_int_equal(tio.c_cflag & (PARENB | CSTOPB | CRTSCTS), 0);
	assert_int_equal(tio.c_lflag & (ECHO | ICANON | ISIG), 0);
	assert_int_equal(tio.c_oflag & OPOST, 0);
	assert_int_equal(tio.c_iflag & (IXON | IXOFF | ICRNL), 0);

	/* Every byte value goes through as it is. */
	for (i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)i;
	assert_int_equal(xport_write(x, all, sizeof(all), 1000, err,
	    sizeof(err)), 0);
	assert_int_equal(read_within(t.master, got, sizeof(all), 1000),
	    sizeof(all));
	assert_memory_equal(got, all, sizeof(all));

	/* The printer's answer is waiting before the question: fine. */
	write_full(t.master, (const uint8_t *)"\x1a\x16\x12\x72", 4);
	assert_int_equal(xport_status(x, &st, 1000, err, sizeof(err)), 0);
	assert_true(st.offline && st.cover_open && st.paper_out);
	assert_false(st.error || st.cutter_error || st.paper_near_end);
	assert_string_equal(prn_status_problem(&st), "tapa abierta");
	assert_int_equal(read_within(t.master, got, sizeof(got), 200), 12);
	assert_memory_equal(got, status_req, 12);

	/* Silence. */
	assert_int_equal(xport_status(x, &st, 200, err, sizeof(err)), -1);
	assert_string_equal(err, "sin respuesta");
	assert_int_equal(read_within(t.master, got, 12, 200), 12);

	/* GS ( H over the line. */
	write_full(t.master, gsh, sizeof(gsh));
	assert_int_equal(xport_wait_process_id(x, 42, 1000, err,
	    sizeof(err)), 0);

	/* Stale input, drained. */
	write_full(t.master, (const uint8_t *)"\x80\x80\x80", 3);
	usleep(50000);
	xport_drain_input(x);
	write_full(t.master, (const uint8_t *)"\x12\x12\x12\x12", 4);
	assert_int_equal(xport_status(x, &st, 1000, err, sizeof(err)), 0);
	assert_null(prn_status_problem(&st));

	xport_close(x);
	pty_close(&t);
}

static void
test_pty_flow(void **state)
{
	static const struct {
		int		flow;
		tcflag_t	cflag, iflag;
		int		baud;
		speed_t		speed;
	} cases[] = {
		{ CONFIG_FLOW_RTSCTS, CRTSCTS, 0, 9600, B9600 },
		{ CONFIG_FLOW_XONXOFF, 0, IXON | IXOFF, 115200, B115200 },
	};
	struct config_printer	 p;
	struct xport		*x;
	struct termios		 tio;
	struct pty		 t;
	char			 err[256] = "";
	size_t			 i;
	int			 fd;

	for (i = 0; i < 2; i++) {
		pty_open(&t);
		p = serial_printer(t.link, cases[i].baud, cases[i].flow);
		if (xport_open(&p, 1000, &x, err, sizeof(err)) != 0)
			fail_msg("xport_open: %s", err);
		fd = open(t.slave, O_RDWR | O_NOCTTY);
		assert_true(fd != -1);
		assert_int_equal(tcgetattr(fd, &tio), 0);
		close(fd);
		assert_int_equal(cfgetospeed(&tio), cases[i].speed);
		assert_int_equal(tio.c_cflag & CRTSCTS, cases[i].cflag);
		assert_int_equal(tio.c_iflag & (IXON | IXOFF),
		    cases[i].iflag);
		xport_close(x);
		pty_close(&t);
	}

	pty_open(&t);
	p = serial_printer(t.link, 12345, CONFIG_FLOW_NONE);
	assert_int_equal(xport_open(&p, 1000, &x, err, sizeof(err)), -1);
	assert_string_equal(err, "velocidad no admitida: 12345");
	pty_close(&t);
}

/* The terminal's other side goes away. */
static void
test_pty_hangup(void **state)
{
	struct config_printer	 p;
	struct xport		*x;
	struct pty		 t;
	char			 err[256] = "", buf[8];
	uint64_t		 t0;

	pty_open(&t);
	p = serial_printer(t.link, 19200, CONFIG_FLOW_NONE);
	if (xport_open(&p, 1000, &x, err, sizeof(err)) != 0)
		fail_msg("xport_open: %s", err);
	close(t.master);
	t.master = -1;
	t0 = clock_mono_ns();
	assert_int_equal(xport_read(x, buf, sizeof(buf), 1000, err,
	    sizeof(err)), -1);
	assert_true(elapsed_ms(t0) < 500);
	if (!starts_with(err, "conexión perdida"))
		fail_msg("read: %s", err);
	xport_close(x);
	pty_close(&t);
}

/*
 * O_NOCTTY: a session leader without a terminal that opens the printer
 * must not get it as its controlling terminal (a hangup would then kill
 * the worker).
 */
static void
test_pty_noctty(void **state)
{
	struct pty	t;
	pid_t		pid;
	int		status;

	pty_open(&t);
	if ((pid = fork()) == 0) {
		struct config_printer	 p;
		struct xport		*x;
		char			 err[256];
		int			 fd;

		if (setsid() == -1)
			_exit(2);
		p = serial_printer(t.link, 19200, CONFIG_FLOW_NONE);
		if (xport_open(&p, 1000, &x, err, sizeof(err)) != 0)
			_exit(3);
		if ((fd = open("/dev/tty", O_RDWR)) != -1)
			_exit(4);
		xport_close(x);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	pty_close(&t);
}

static void
test_serial_errors(void **state)
{
	char			 missing[] = "/nonexistent/ttyFASTOPS";
	char			 file[] = "/tmp/xport_test.file.XXXXXX";
	struct config_printer	 p;
	struct xport		*x;
	char			 err[256] = "";
	int			 fd;

	p = serial_printer(missing, 19200, CONFIG_FLOW_NONE);
	assert_int_equal(xport_open(&p, 1000, &x, err, sizeof(err)), -1);
	assert_null(x);
	assert_string_equal(err, "no se puede abrir /nonexistent/ttyFASTOPS: "
	    "No such file or directory");

	fd = mkstemp(file);
	assert_true(fd != -1);
	close(fd);
	p = serial_printer(file, 19200, CONFIG_FLOW_NONE);
	assert_int_equal(xport_open(&p, 1000, &x, err, sizeof(err)), -1);
	assert_true(starts_with(err, "no es un puerto serie: "));
	unlink(file);

	p.uri.device = NULL;
	assert_int_equal(xport_open(&p, 1000, &x, err, sizeof(err)), -1);
	assert_string_equal(err, "dirección de impresora no válida");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_tcp_write),
		cmocka_unit_test(test_tcp_status),
		cmocka_unit_test(test_tcp_status_all),
		cmocka_unit_test(test_tcp_status_malformed),
		cmocka_unit_test(test_tcp_no_answer),
		cmocka_unit_test(test_tcp_refused),
		cmocka_unit_test(test_tcp_connect_timeout),
		cmocka_unit_test(test_tcp_peer_closes),
		cmocka_unit_test(test_tcp_write_timeout),
		cmocka_unit_test(test_tcp_process_id),
		cmocka_unit_test(test_tcp_drain),
		cmocka_unit_test(test_pty_write_status),
		cmocka_unit_test(test_pty_flow),
		cmocka_unit_test(test_pty_hangup),
		cmocka_unit_test(test_pty_noctty),
		cmocka_unit_test(test_serial_errors),
	};

	/* xport must not need this; a stray SIGPIPE would show it does. */
	signal(SIGPIPE, SIG_DFL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
