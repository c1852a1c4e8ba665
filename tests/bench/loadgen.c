/*
 * loadgen — concurrent waiters for tests and benchmarks.
 *
 *	loadgen run -u URL [-c clients] [-n orders] [-t seconds]
 *	    [-R orders-per-second] [-a ackfile] [-r]
 *	loadgen verify -u URL ackfile
 *	loadgen events -u URL -e EVENTS-URL -p TOPIC-PREFIX [-n orders]
 *
 * run: each client thread has its own REQ socket and sends order.create
 * requests one after another.  A request that gets no answer (the daemon
 * was killed) is sent again with the SAME uuid until it is answered, as a
 * real terminal does: idempotency makes that safe.  Every acknowledged
 * order is appended to ackfile as "uuid id number" (write(2) of one line:
 * the file survives whatever happens to the daemon).  -R paces the clients
 * to that many orders a second in all (each starts its orders at even
 * intervals; a late one does not hurry).  Prints one summary
 * line: orders, seconds, orders/s, acknowledgement p50/p99.
 *
 * run -r: each client speaks the SP protocol over the ipc socket itself (a
 * blocking write and read per request) instead of through an nng REQ
 * socket.  For benchmarks on a small machine: nng's client side costs about
 * 100 µs of CPU per request in its own threads — two thirds of what the
 * daemon spends on the order — and that CPU is taken from the daemon being
 * measured.  The daemon sees the same bytes either way.
 *
 * A request answered ESHUTDOWN (a daemon stopping) or EFULL (its queue
 * full: tickets arrive faster than printers take them) is sent again after
 * 20 ms; any other refusal ends the run.  "retries" counts them all, "full"
 * the EFULL ones.
 *
 * events: one client, one subscriber in the same process; for each order,
 * the time from its acknowledgement (the reply) to receiving its
 * order.created event.  The event may even come first: then it counts 0.
 *
 * verify: every line of ackfile must come back from order.get with the same
 * uuid and number; and across all orders no number repeats.  Exit 0 if so.
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/protocol/reqrep0/req.h>

#include "clock.h"
#include "histogram.h"

static const char *products[] = { "hamburguesa", "cana", "flan", "paella",
	"croquetas", "agua", "tortilla", "helado", "cafe_solo", "pulpo" };

#define GRACE_NS	(20 * 1000000000ULL)

static const char	*url;
static int		 raw;		/* -r */
static long		 per_client = 100;
static double		 seconds = 0;
static double		 rate = 0;	/* -R: orders/s in all; 0: flat out */
static int		 nclients = 1;
static int		 ackfd = -1;
static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static struct histogram	 ack_hist;
static uint64_t		 acked, retries, full;	/* full: EFULL answers */
static volatile int	 done;

static void
die(const char *what, int rv)
{
	fprintf(stderr, "loadgen: %s: %s\n", what, rv ? nng_strerror(rv) :
	    strerror(errno));
	exit(2);
}

static void
make_uuid(char out[37])
{
	unsigned char	b[16];
	int		fd, i;
	char		*p = out;

	if ((fd = open("/dev/urandom", O_RDONLY)) == -1 ||
	    read(fd, b, sizeof(b)) != sizeof(b))
		die("urandom", 0);
	close(fd);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		p += sprintf(p, "%02x", b[i]);
	}
}

/* --- -r: SP over ipc without nng ------------------------------------------ */

#define SP_REQ0		0x30	/* protocol numbers of the SP handshake */
#define SP_REP0		0x31

struct raw {
	int		 fd;
	uint32_t	 id;		/* last request id */
	char		*buf;		/* last reply */
	size_t		 cap;
};

static int
full_read(int fd, void *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		if ((r = read(fd, p, n)) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			return -1;
		}
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

static int
full_writev(int fd, struct iovec *iov, int n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = writev(fd, iov, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Connect and exchange the SP headers: "\0SP\0", protocol, two zeros. */
static void
raw_open(struct raw *r)
{
	struct sockaddr_un	 sa;
	unsigned char		 hdr[8] = { 0, 'S', 'P', 0, 0, SP_REQ0, 0, 0 };
	unsigned char		 peer[8];
	struct iovec		 iov = { hdr, sizeof(hdr) };

	memset(r, 0, sizeof(*r));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strncmp(url, "ipc://", 6) != 0 || strlen(url + 6) >=
	    sizeof(sa.sun_path)) {
		fprintf(stderr, "loadgen: -r needs an ipc:// URL\n");
		exit(2);
	}
	strcpy(sa.sun_path, url + 6);
	if ((r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(r->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    full_writev(r->fd, &iov, 1) == -1 ||
	    full_read(r->fd, peer, sizeof(peer)) == -1)
		die(url, 0);
	if (memcmp(peer, "\0SP\0", 4) != 0 || peer[4] != 0 ||
	    peer[5] != SP_REP0) {
		fprintf(stderr, "loadgen: %s: not a REP socket\n", url);
		exit(2);
	}
}

/*
 * One request, one reply: message type 1, the length (64 bits, big
 * endian), then the request id (high bit set) the REP side echoes, then
 * the body.  The reply's body is left in r->buf.
 */
static int
raw_call(struct raw *r, const char *body, size_t *lenp)
{
	unsigned char	 hdr[13], rh[9];
	struct iovec	 iov[2];
	uint64_t	 len = 4 + strlen(body);
	uint32_t	 id = ++r->id | 0x80000000u;
	int		 i;

	hdr[0] = 1;
	for (i = 0; i < 8; i++)
		hdr[1 + i] = (unsigned char)(len >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		hdr[9 + i] = (unsigned char)(id >> (24 - 8 * i));
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)body;
	iov[1].iov_len = len - 4;
	if (full_writev(r->fd, iov, 2) == -1 ||
	    full_read(r->fd, rh, sizeof(rh)) == -1 || rh[0] != 1)
		return -1;
	for (len = 0, i = 0; i < 8; i++)
		len = len << 8 | rh[1 + i];
	if (len < 4 || len > 1 << 20)
		return -1;
	if (len > r->cap) {
		free(r->buf);
		if ((r->buf = malloc(len)) == NULL)
			die("malloc", 0);
		r->cap = len;
	}
	if (full_read(r->fd, r->buf, len) == -1 ||
	    ((uint32_t)(unsigned char)r->buf[0] << 24 |
	    (uint32_t)(unsigned char)r->buf[1] << 16 |
	    (uint32_t)(unsigned char)r->buf[2] << 8 |
	    (unsigned char)r->buf[3]) != id)
		return -1;
	*lenp = len - 4;
	return 0;
}

/*
 * A reply, read only as far as a terminal needs: ok?, id, number.  Keeps
 * the load generator light, so the machine's cores measure the daemon.
 * Returns 1 ok, 0 refused (code copied), -1 nothing came back.
 */
static int
call_light(nng_socket s, struct raw *r, const char *body, long long *id,
    char *number, size_t numlen, char *code, size_t codelen)
{
	char	*buf = NULL, *p, *q;
	size_t	 len;
	int	 rc = 0;

	if (r != NULL) {
		if (raw_call(r, body, &len) == -1)
			die("request (-r)", 0);
		buf = r->buf + 4;
	} else if (nng_send(s, (void *)(uintptr_t)body, strlen(body), 0) !=
	    0 || nng_recv(s, &buf, &len, NNG_FLAG_ALLOC) != 0)
		return -1;
	if (len > 10 && memcmp(buf, "{\"ok\":true", 10) == 0 &&
	    (p = memmem(buf, len, "\"order\":{\"id\":", 14)) != NULL &&
	    (q = memmem(buf, len, "\"number\":\"", 10)) != NULL) {
		*id = strtoll(p + 14, NULL, 10);
		q += 10;
		snprintf(number, numlen, "%.*s", (int)strcspn(q, "\""), q);
		rc = 1;
	} else if ((p = memmem(buf, len, "\"code\":\"", 8)) != NULL)
		snprintf(code, codelen, "%.*s", (int)strcspn(p + 8, "\""),
		    p + 8);
	else
		snprintf(code, codelen, "?");
	if (r == NULL)
		nng_free(buf, len);
	return rc;
}

/* One request, one reply; NULL when nothing came back in time. */
static json_t *
call(nng_socket s, const char *body)
{
	json_error_t	 err;
	char		*buf = NULL;
	size_t		 len;
	json_t		*r;
	int		 rv;

	if ((rv = nng_send(s, (void *)(uintptr_t)body, strlen(body), 0)) != 0)
		return NULL;
	if ((rv = nng_recv(s, &buf, &len, NNG_FLAG_ALLOC)) != 0)
		return NULL;
	r = json_loadb(buf, len, 0, &err);
	nng_free(buf, len);
	return r;
}

static nng_socket
req_open(void)
{
	nng_socket	s;
	int		rv;

	if ((rv = nng_req0_open(&s)) != 0)
		die("nng_req0_open", rv);
	nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 3000);
	nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, 3000);
	nng_socket_set_ms(s, NNG_OPT_RECONNMINT, 10);
	nng_socket_set_ms(s, NNG_OPT_RECONNMAXT, 100);
	nng_socket_set_ms(s, NNG_OPT_REQ_RESENDTIME, 60000);
	if ((rv = nng_dial(s, url, NULL, NNG_FLAG_NONBLOCK)) != 0)
		die(url, rv);
	return s;
}

static void *
client_main(void *arg)
{
	nng_socket	 s = NNG_SOCKET_INITIALIZER;
	struct raw	 r;
	uint64_t	 t0, t1, until = 0, next = 0, gap = 0;
	unsigned	 seed = (unsigned)(uintptr_t)arg * 7919 + 1;
	char		 uuid[37], body[1024], line[128], number[32], code[32];
	long long	 id;
	long		 i;
	int		 n, k, len, rc, fails;

	if (raw)
		raw_open(&r);
	else
		s = req_open();
	if (seconds > 0)
		until = clock_mono_ns() + (uint64_t)(seconds * 1e9);
	if (rate > 0) {
		gap = (uint64_t)((double)nclients / rate * 1e9);
		/* spread the clients over one gap */
		next = clock_mono_ns() + gap * ((uintptr_t)arg - 1) /
		    (uint64_t)nclients;
	}
	for (i = 0; (seconds > 0 || i < per_client) && !done; i++) {
		if (gap != 0) {
			t0 = clock_mono_ns();
			if (next > t0) {
				struct timespec ts = clock_ns_to_ts(next - t0);

				nanosleep(&ts, NULL);
			}
			next += gap;
		}
		if (until && clock_mono_ns() >= until)
			break;
		make_uuid(uuid);
		len = snprintf(body, sizeof(body), "{\"op\":\"order.create\","
		    "\"uuid\":\"%s\",\"type\":\"mesa\",\"table\":\"%d\","
		    "\"items\":[", uuid, (int)(rand_r(&seed) % 40) + 1);
		n = (int)(rand_r(&seed) % 4) + 1;
		for (k = 0; k < n; k++)
			len += snprintf(body + len, sizeof(body) - (size_t)len,
			    "%s{\"product\":\"%s\",\"qty\":%d,\"notes\":"
			    "\"sin sal\"}", k ? "," : "",
			    products[rand_r(&seed) % 10],
			    (int)(rand_r(&seed) % 3) + 1);
		snprintf(body + len, sizeof(body) - (size_t)len, "]}");
		t0 = clock_mono_ns();
		/* the same request until it is answered */
		fails = 0;
		while ((rc = call_light(s, raw ? &r : NULL, body, &id, number,
		    sizeof(number), code, sizeof(code))) != 1) {
			/* a daemon stopping, or gone: retry; else give up */
			if (rc == 0 && strcmp(code, "ESHUTDOWN") != 0 &&
			    strcmp(code, "EFULL") != 0) {
				fprintf(stderr, "loadgen: refused: %s\n", code);
				exit(2);
			}
			pthread_mutex_lock(&mtx);
			retries++;
			if (rc == 0 && strcmp(code, "EFULL") == 0)
				full++;
			pthread_mutex_unlock(&mtx);
			/* past the end (and a grace period): stop trying;
			 * the order was never acknowledged */
			if (done || (until && clock_mono_ns() > until +
			    GRACE_NS))
				goto out;
			/* nng 1.5.2 dialers can get stuck after the peer
			 * died mid-handshake: start afresh */
			if (rc == -1 && ++fails % 2 == 0) {
				nng_close(s);
				s = req_open();
			}
			usleep(20000);
		}
		t1 = clock_mono_ns();
		len = snprintf(line, sizeof(line), "%s %lld %s\n", uuid, id,
		    number);
		pthread_mutex_lock(&mtx);
		hist_record(&ack_hist, t1 - t0);
		acked++;
		if (ackfd != -1 && write(ackfd, line, (size_t)len) != len)
			die("ackfile", 0);
		pthread_mutex_unlock(&mtx);
	}
out:
	if (raw) {
		close(r.fd);
		free(r.buf);
	} else
		nng_close(s);
	return NULL;
}

static int
run(int argc, char **argv)
{
	pthread_t	*t;
	uint64_t	 t0, t1;
	double		 secs;
	int		 ch, clients = 1, i;

	while ((ch = getopt(argc, argv, "a:c:n:R:rt:u:")) != -1) {
		switch (ch) {
		case 'a':
			if ((ackfd = open(optarg, O_WRONLY | O_CREAT |
			    O_APPEND, 0644)) == -1)
				die(optarg, 0);
			break;
		case 'c':
			clients = nclients = atoi(optarg);
			break;
		case 'n':
			per_client = atol(optarg);
			break;
		case 'r':
			raw = 1;
			break;
		case 'R':
			rate = atof(optarg);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'u':
			url = optarg;
			break;
		default:
			return 2;
		}
	}
	if (url == NULL || clients < 1)
		return 2;
	hist_init(&ack_hist);
	t = calloc((size_t)clients, sizeof(*t));
	t0 = clock_mono_ns();
	for (i = 0; i < clients; i++)
		pthread_create(&t[i], NULL, client_main,
		    (void *)(uintptr_t)(i + 1));
	for (i = 0; i < clients; i++)
		pthread_join(t[i], NULL);
	t1 = clock_mono_ns();
	secs = (double)(t1 - t0) / 1e9;
	printf("orders=%llu seconds=%.3f rate=%.0f p50_us=%.0f p99_us=%.0f "
	    "max_us=%.0f retries=%llu full=%llu\n", (unsigned long long)acked,
	    secs,
	    (double)acked / secs, hist_quantile(&ack_hist, 0.5) / 1e3,
	    hist_quantile(&ack_hist, 0.99) / 1e3, (double)ack_hist.max / 1e3,
	    (unsigned long long)retries, (unsigned long long)full);
	free(t);
	return 0;
}

static int
verify(int argc, char **argv)
{
	nng_socket	 s;
	json_t		*r, *o;
	FILE		*f;
	char		 uuid[64], number[32], body[256], *seen;
	long long	 id, total, page;
	long		 lines = 0, bad = 0;
	int		 ch;
	size_t		 k, maxid = 1 << 20;

	while ((ch = getopt(argc, argv, "u:")) != -1) {
		if (ch != 'u')
			return 2;
		url = optarg;
	}
	if (url == NULL || optind != argc - 1)
		return 2;
	if ((f = fopen(argv[optind], "r")) == NULL)
		die(argv[optind], 0);
	s = req_open();
	while (fscanf(f, "%63s %lld %31s", uuid, &id, number) == 3) {
		lines++;
		snprintf(body, sizeof(body), "{\"op\":\"order.get\",\"id\":%lld}",
		    id);
		if ((r = call(s, body)) == NULL)
			die("order.get: no answer", 0);
		o = json_object_get(r, "order");
		if (o == NULL || strcmp(json_string_value(json_object_get(o,
		    "uuid")) ?: "", uuid) != 0 || strcmp(json_string_value(
		    json_object_get(o, "number")) ?: "", number) != 0) {
			printf("LOST or CHANGED: %s %lld %s\n", uuid, id,
			    number);
			bad++;
		}
		json_decref(r);
	}
	fclose(f);

	/* no number handed out twice: walk every order */
	seen = calloc(maxid, 1);
	for (page = 1, total = 1; (page - 1) * 100 < total; page++) {
		snprintf(body, sizeof(body), "{\"op\":\"order.list\",\"page\":"
		    "%lld,\"per_page\":100}", page);
		if ((r = call(s, body)) == NULL)
			die("order.list: no answer", 0);
		total = json_integer_value(json_object_get(r, "total"));
		json_array_foreach(json_object_get(r, "orders"), k, o) {
			const char *n = json_string_value(json_object_get(o,
			    "number"));
			long v;

			if (n == NULL || strlen(n) < 3 || n[0] != 'M')
				continue;
			v = atol(n + 2);
			if (v < 0 || (size_t)v >= maxid || seen[v]++) {
				printf("NUMBER TWICE: %s\n", n);
				bad++;
			}
		}
		json_decref(r);
	}
	printf("verified=%ld orders=%lld bad=%ld\n", lines, total, bad);
	free(seen);
	nng_close(s);
	return bad == 0 ? 0 : 1;
}

static int
events(int argc, char **argv)
{
	struct histogram	 h;
	nng_socket		 req, sub;
	json_t			*r, *ev, *e;
	const char		*eurl = NULL, *prefix = NULL;
	char			 uuid[37], body[512], *buf, *sp;
	uint64_t		 t0;
	size_t			 len, k;
	long			 n = 1000, i;
	int			 ch, rv, found;

	while ((ch = getopt(argc, argv, "e:n:p:u:")) != -1) {
		switch (ch) {
		case 'e':
			eurl = optarg;
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'p':
			prefix = optarg;
			break;
		case 'u':
			url = optarg;
			break;
		default:
			return 2;
		}
	}
	if (url == NULL || eurl == NULL || prefix == NULL)
		return 2;
	hist_init(&h);
	req = req_open();
	if ((rv = nng_sub0_open(&sub)) != 0)
		die("nng_sub0_open", rv);
	nng_socket_set(sub, NNG_OPT_SUB_SUBSCRIBE, prefix, strlen(prefix));
	nng_socket_set_ms(sub, NNG_OPT_RECVTIMEO, 3000);
	if ((rv = nng_dial(sub, eurl, NULL, 0)) != 0)
		die(eurl, rv);
	usleep(200000);		/* let the subscription reach the daemon */
	for (i = 0; i < n; i++) {
		make_uuid(uuid);
		snprintf(body, sizeof(body), "{\"op\":\"order.create\","
		    "\"uuid\":\"%s\",\"type\":\"llevar\",\"items\":"
		    "[{\"product\":\"paella\"}]}", uuid);
		if ((r = call(req, body)) == NULL)
			die("order.create: no answer", 0);
		json_decref(r);
		t0 = clock_mono_ns();
		for (found = 0; !found;) {
			if ((rv = nng_recv(sub, &buf, &len, NNG_FLAG_ALLOC)) != 0)
				die("event", rv);
			if ((sp = memchr(buf, ' ', len)) != NULL &&
			    (ev = json_loadb(sp + 1, len - (size_t)(sp + 1 -
			    buf), 0, NULL)) != NULL) {
				json_array_foreach(ev, k, e)
					if (strcmp(json_string_value(
					    json_object_get(json_object_get(e,
					    "order"), "uuid")) ?: "", uuid) == 0)
						found = 1;
				json_decref(ev);
			}
			nng_free(buf, len);
		}
		hist_record(&h, clock_mono_ns() - t0);
	}
	printf("events=%llu p50_us=%.0f p99_us=%.0f max_us=%.0f\n",
	    (unsigned long long)h.count, hist_quantile(&h, 0.5) / 1e3,
	    hist_quantile(&h, 0.99) / 1e3, (double)h.max / 1e3);
	nng_close(sub);
	nng_close(req);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return run(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return verify(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "events") == 0)
		return events(argc - 1, argv + 1);
	fprintf(stderr, "usage: loadgen run -u URL [-c clients] [-n orders] "
	    "[-t seconds] [-R rate] [-a ackfile] [-r]\n       loadgen verify -u URL "
	    "ackfile\n");
	return 2;
}
