/*
 * baseline — the seeds' print queues under loadgen's workload, for
 * baseline_bench.sh to set beside FastOps.
 *
 *	baseline pg -d CONNINFO [-c clients] [-w workers] [-n orders]
 *	    [-t seconds]
 *	baseline redis -p PORT [-c clients] [-w workers] [-n orders]
 *	    [-t seconds]
 *
 * pg: the print queue as seed 000 §15.3 designs it.  Each client thread
 * has its own libpq connection and makes each order one transaction:
 * BEGIN, INSERT the order, INSERT one print_queue row per station the
 * order touches, COMMIT.  The order is acknowledged when COMMIT returns
 * (synchronous_commit = on: the WAL is flushed).  Worker threads poll
 * the queue with SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1 and mark the
 * job completed, each job one transaction.  The program creates its own
 * minimal schema (dropping any earlier one) in the database it is given.
 *
 * redis: the queue as seed 001 designs it, a list per station.  Each
 * client sends MULTI, HSET order:<id>, LPUSH queue:<station> per station,
 * EXEC in one write and times the EXEC reply (with appendfsync always the
 * reply follows the AOF fsync).  Workers BRPOP the three lists.  RESP is
 * spoken here over a plain TCP socket.
 *
 * Orders are loadgen's: a table 1-40 and 1-4 random items of ten
 * products, routed to cocina, bar or postres.  Prints one line:
 * orders, seconds, rate, acknowledgement p50/p99/max, and the jobs the
 * workers consumed in the same time.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "clock.h"
#include "histogram.h"

#define NSTATIONS	3

static const char *products[] = { "hamburguesa", "cana", "flan", "paella",
	"croquetas", "agua", "tortilla", "helado", "cafe_solo", "pulpo" };
static const int product_station[] = { 0, 1, 2, 0, 0, 1, 0, 2, 1, 0 };
static const char *stations[NSTATIONS] = { "cocina", "bar", "postres" };

struct order {
	int	table;
	int	nitems;
	int	item[4];
	int	qty[4];
	int	touches[NSTATIONS];
	char	items_json[512];
	char	payload[NSTATIONS][512];	/* the ticket of each station */
};

struct backend {
	const char	*name;
	void		*(*client)(void *);
	void		*(*worker)(void *);
	void		 (*setup)(void);
};

static const char	*conninfo;
static int		 redis_port;
static long		 per_client = 100;
static double		 seconds;
static uint64_t		 until;
static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static struct histogram	 ack_hist;
static uint64_t		 acked, consumed;
static volatile int	 clients_done;

static void	 die(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
static void	 make_order(struct order *, unsigned *);
static int	 client_more(long);
static void	 client_record(const struct histogram *, uint64_t);
static PGconn	*pg_connect(void);
static void	 pg_exec(PGconn *, const char *);
static void	 pg_setup(void);
static void	*pg_client(void *);
static void	*pg_worker(void *);
static int	 redis_connect(void);
static void	 redis_write(int, const char *, size_t);
static void	 redis_skip(int, char *, size_t *, size_t *);
static void	 redis_setup(void);
static void	*redis_client(void *);
static void	*redis_worker(void *);
static void	 usage(void);

static const struct backend backends[] = {
	{ "pg", pg_client, pg_worker, pg_setup },
	{ "redis", redis_client, redis_worker, redis_setup },
};

static void
die(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fprintf(stderr, "baseline: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

/* One order as loadgen makes it, with its tickets per station. */
static void
make_order(struct order *o, unsigned *seed)
{
	int	k, s, len, plen[NSTATIONS] = { 0 };

	memset(o->touches, 0, sizeof(o->touches));
	o->table = (int)(rand_r(seed) % 40) + 1;
	o->nitems = (int)(rand_r(seed) % 4) + 1;
	len = snprintf(o->items_json, sizeof(o->items_json), "[");
	for (k = 0; k < o->nitems; k++) {
		o->item[k] = (int)(rand_r(seed) % 10);
		o->qty[k] = (int)(rand_r(seed) % 3) + 1;
		len += snprintf(o->items_json + len, sizeof(o->items_json) -
		    (size_t)len, "%s{\"product\":\"%s\",\"qty\":%d,"
		    "\"notes\":\"sin sal\"}", k ? "," : "",
		    products[o->item[k]], o->qty[k]);
		s = product_station[o->item[k]];
		if (!o->touches[s])
			plen[s] = snprintf(o->payload[s], sizeof(o->payload[s]),
			    "{\"table\":%d,\"items\":[", o->table);
		plen[s] += snprintf(o->payload[s] + plen[s],
		    sizeof(o->payload[s]) - (size_t)plen[s],
		    "%s{\"product\":\"%s\",\"qty\":%d}", o->touches[s] ? "," :
		    "", products[o->item[k]], o->qty[k]);
		o->touches[s] = 1;
	}
	snprintf(o->items_json + len, sizeof(o->items_json) - (size_t)len, "]");
	for (s = 0; s < NSTATIONS; s++)
		if (o->touches[s])
			snprintf(o->payload[s] + plen[s],
			    sizeof(o->payload[s]) - (size_t)plen[s], "]}");
}

/* Whether a client sends its i-th order: -n orders each, or -t seconds. */
static int
client_more(long i)
{
	if (seconds > 0)
		return clock_mono_ns() < until;
	return i < per_client;
}

static void
client_record(const struct histogram *h, uint64_t n)
{
	pthread_mutex_lock(&mtx);
	hist_merge(&ack_hist, h);
	acked += n;
	pthread_mutex_unlock(&mtx);
}

/* --- PostgreSQL, SELECT ... FOR UPDATE SKIP LOCKED ----------------------- */

static PGconn *
pg_connect(void)
{
	PGconn	*c;

	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		die("%s", PQerrorMessage(c));
	return c;
}

static void
pg_exec(PGconn *c, const char *sql)
{
	PGresult	*r;

	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		die("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/*
 * The seed's tables cut to what the queue needs: no companies or
 * branches to refer to.  The index serves the workers' poll; a partial
 * index (status = 'pending') would be kinder to PostgreSQL than the
 * seed's, but the seed's shape is what is measured.
 */
static void
pg_setup(void)
{
	PGconn	*c = pg_connect();

	pg_exec(c, "SET client_min_messages = warning");
	pg_exec(c, "DROP TABLE IF EXISTS print_queue, orders");
	pg_exec(c, "CREATE TABLE orders ("
	    " id BIGSERIAL PRIMARY KEY,"
	    " table_no INTEGER NOT NULL,"
	    " items JSONB NOT NULL,"
	    " created_at TIMESTAMP NOT NULL DEFAULT now())");
	pg_exec(c, "CREATE TABLE print_queue ("
	    " id BIGSERIAL PRIMARY KEY,"
	    " order_id BIGINT NOT NULL REFERENCES orders(id),"
	    " priority SMALLINT NOT NULL,"
	    " status VARCHAR(20) NOT NULL,"
	    " attempts INTEGER NOT NULL DEFAULT 0,"
	    " printer_id VARCHAR(50) NOT NULL,"
	    " payload JSONB NOT NULL,"
	    " created_at TIMESTAMP NOT NULL DEFAULT now(),"
	    " completed_at TIMESTAMP)");
	pg_exec(c, "CREATE INDEX print_queue_status ON print_queue"
	    " (status, priority, created_at)");
	PQfinish(c);
}

/* Each order one transaction; acknowledged when COMMIT returns. */
static void *
pg_client(void *arg)
{
	PGconn		*c = pg_connect();
	PGresult	*r;
	struct histogram h;
	struct order	 o;
	unsigned	 seed = (unsigned)(uintptr_t)arg * 7919 + 1;
	const char	*p[3];
	char		 table[16], oid[32];
	uint64_t	 t0, n = 0;
	long		 i;
	int		 s;

	hist_init(&h);
	for (i = 0; client_more(i); i++) {
		make_order(&o, &seed);
		snprintf(table, sizeof(table), "%d", o.table);
		t0 = clock_mono_ns();
		pg_exec(c, "BEGIN");
		p[0] = table;
		p[1] = o.items_json;
		r = PQexecParams(c, "INSERT INTO orders (table_no, items)"
		    " VALUES ($1, $2) RETURNING id", 2, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			die("insert order: %s", PQerrorMessage(c));
		snprintf(oid, sizeof(oid), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		for (s = 0; s < NSTATIONS; s++) {
			if (!o.touches[s])
				continue;
			p[0] = oid;
			p[1] = stations[s];
			p[2] = o.payload[s];
			r = PQexecParams(c, "INSERT INTO print_queue (order_id,"
			    " priority, status, printer_id, payload)"
			    " VALUES ($1, 2, 'pending', $2, $3)", 3, NULL, p,
			    NULL, NULL, 0);
			if (PQresultStatus(r) != PGRES_COMMAND_OK)
				die("insert job: %s", PQerrorMessage(c));
			PQclear(r);
		}
		pg_exec(c, "COMMIT");
		hist_record(&h, clock_mono_ns() - t0);
		n++;
	}
	client_record(&h, n);
	PQfinish(c);
	return NULL;
}

/* Poll for the next job, print it (instantly), complete it. */
static void *
pg_worker(void *arg)
{
	PGconn		*c = pg_connect();
	PGresult	*r;
	const char	*p[1];
	char		 id[32];
	uint64_t	 n = 0;

	(void)arg;
	while (!clients_done) {
		pg_exec(c, "BEGIN");
		r = PQexec(c, "SELECT id, payload FROM print_queue"
		    " WHERE status = 'pending' ORDER BY priority, created_at"
		    " FOR UPDATE SKIP LOCKED LIMIT 1");
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			die("poll: %s", PQerrorMessage(c));
		if (PQntuples(r) == 0) {
			PQclear(r);
			pg_exec(c, "COMMIT");
			usleep(10000);	/* the seed polls; 10 ms here */
			continue;
		}
		snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		p[0] = id;
		r = PQexecParams(c, "UPDATE print_queue SET status = 'completed',"
		    " completed_at = now() WHERE id = $1", 1, NULL, p, NULL,
		    NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			die("complete: %s", PQerrorMessage(c));
		PQclear(r);
		pg_exec(c, "COMMIT");
		n++;
	}
	pthread_mutex_lock(&mtx);
	consumed += n;
	pthread_mutex_unlock(&mtx);
	PQfinish(c);
	return NULL;
}

/* --- Redis lists, RESP over TCP ------------------------------------------ */

static int
redis_connect(void)
{
	struct sockaddr_in	sin;
	int			fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket: %s", strerror(errno));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)redis_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("connect 127.0.0.1:%d: %s", redis_port, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void
redis_write(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			die("redis write: %s", strerror(errno));
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* The next byte of the reply stream; buf holds bytes [*pos, *len). */
static int
redis_byte(int fd, char *buf, size_t *pos, size_t *len)
{
	ssize_t	n;

	if (*pos == *len) {
		do
			n = read(fd, buf, 4096);
		while (n == -1 && errno == EINTR);
		if (n <= 0)
			die("redis read: %s", n ? strerror(errno) : "closed");
		*pos = 0;
		*len = (size_t)n;
	}
	return (unsigned char)buf[(*pos)++];
}

/* Read one line (without CRLF) into line. */
static void
redis_line(int fd, char *buf, size_t *pos, size_t *len, char *line,
    size_t size)
{
	size_t	i = 0;
	int	ch;

	while ((ch = redis_byte(fd, buf, pos, len)) != '\n')
		if (ch != '\r' && i + 1 < size)
			line[i++] = (char)ch;
	line[i] = '\0';
}

/*
 * Read one whole reply and discard it; die on an error reply (the
 * benchmark's commands never fail).  buf must hold 4096 bytes.
 */
static void
redis_skip(int fd, char *buf, size_t *pos, size_t *len)
{
	char	line[512];
	long	n, i;

	redis_line(fd, buf, pos, len, line, sizeof(line));
	switch (line[0]) {
	case '+':
	case ':':
		return;
	case '-':
		die("redis: %s", line + 1);
	case '$':
		n = atol(line + 1);
		for (i = 0; n >= 0 && i < n + 2; i++)
			redis_byte(fd, buf, pos, len);
		return;
	case '*':
		n = atol(line + 1);
		for (i = 0; i < n; i++)
			redis_skip(fd, buf, pos, len);
		return;
	default:
		die("redis: bad reply '%s'", line);
	}
}

/* Append one command in RESP: an array of bulk strings. */
static size_t
redis_cmd(char *out, size_t size, int argc, const char **argv)
{
	size_t	len;
	int	i;

	len = (size_t)snprintf(out, size, "*%d\r\n", argc);
	for (i = 0; i < argc && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "$%zu\r\n%s\r\n",
		    strlen(argv[i]), argv[i]);
	if (len >= size)
		die("redis command too long");
	return len;
}

static void
redis_setup(void)
{
	char	 buf[4096], cmd[64];
	size_t	 pos = 0, len = 0;
	int	 fd = redis_connect();

	redis_write(fd, cmd, redis_cmd(cmd, sizeof(cmd), 1,
	    (const char *[]){ "FLUSHALL" }));
	redis_skip(fd, buf, &pos, &len);
	close(fd);
}

/* MULTI, HSET, LPUSH per station, EXEC: one write, acknowledged by EXEC. */
static void *
redis_client(void *arg)
{
	struct histogram h;
	struct order	 o;
	unsigned	 seed = (unsigned)(uintptr_t)arg * 7919 + 1;
	char		 out[4096], buf[4096], key[64], table[16];
	const char	*argv[8];
	size_t		 pos = 0, len = 0, n;
	uint64_t	 t0, acks = 0;
	long		 i;
	int		 fd = redis_connect(), s, k, replies;

	hist_init(&h);
	for (i = 0; client_more(i); i++) {
		make_order(&o, &seed);
		snprintf(key, sizeof(key), "order:%lu:%ld",
		    (unsigned long)(uintptr_t)arg, i);
		snprintf(table, sizeof(table), "%d", o.table);
		n = redis_cmd(out, sizeof(out), 1, (const char *[]){ "MULTI" });
		argv[0] = "HSET";
		argv[1] = key;
		argv[2] = "table";
		argv[3] = table;
		argv[4] = "items";
		argv[5] = o.items_json;
		n += redis_cmd(out + n, sizeof(out) - n, 6, argv);
		replies = 2;
		for (s = 0; s < NSTATIONS; s++) {
			if (!o.touches[s])
				continue;
			snprintf(buf, sizeof(buf), "queue:%s", stations[s]);
			argv[0] = "LPUSH";
			argv[1] = buf;
			argv[2] = o.payload[s];
			n += redis_cmd(out + n, sizeof(out) - n, 3, argv);
			replies++;
		}
		n += redis_cmd(out + n, sizeof(out) - n, 1,
		    (const char *[]){ "EXEC" });
		t0 = clock_mono_ns();
		redis_write(fd, out, n);
		for (k = 0; k <= replies; k++)	/* +OK, +QUEUED..., EXEC */
			redis_skip(fd, buf, &pos, &len);
		hist_record(&h, clock_mono_ns() - t0);
		acks++;
	}
	client_record(&h, acks);
	close(fd);
	return NULL;
}

/* BRPOP the three stations' lists; a 1 s timeout to notice the end. */
static void *
redis_worker(void *arg)
{
	char		 out[256], buf[4096], line[64];
	size_t		 pos = 0, len = 0, n;
	uint64_t	 jobs = 0;
	int		 fd = redis_connect();

	(void)arg;
	n = redis_cmd(out, sizeof(out), 5, (const char *[]){ "BRPOP",
	    "queue:cocina", "queue:bar", "queue:postres", "1" });
	while (!clients_done) {
		redis_write(fd, out, n);
		/* *2 (list, job) or *-1 on timeout */
		redis_line(fd, buf, &pos, &len, line, sizeof(line));
		if (line[0] != '*')
			die("redis BRPOP: %s", line);
		if (atol(line + 1) == 2) {
			redis_skip(fd, buf, &pos, &len);
			redis_skip(fd, buf, &pos, &len);
			jobs++;
		}
	}
	pthread_mutex_lock(&mtx);
	consumed += jobs;
	pthread_mutex_unlock(&mtx);
	close(fd);
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: baseline pg -d conninfo [-c clients] "
	    "[-w workers] [-n orders] [-t seconds]\n"
	    "       baseline redis -p port [-c clients] [-w workers] "
	    "[-n orders] [-t seconds]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const struct backend *b = NULL;
	pthread_t	*t, *w;
	uint64_t	 t0, t1;
	double		 secs;
	size_t		 i;
	int		 ch, clients = 1, workers = 0;

	if (argc < 2)
		usage();
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(argv[1], backends[i].name) == 0)
			b = &backends[i];
	if (b == NULL)
		usage();
	optind = 2;
	while ((ch = getopt(argc, argv, "c:d:n:p:t:w:")) != -1) {
		switch (ch) {
		case 'c':
			clients = atoi(optarg);
			break;
		case 'd':
			conninfo = optarg;
			break;
		case 'n':
			per_client = atol(optarg);
			break;
		case 'p':
			redis_port = atoi(optarg);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'w':
			workers = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (clients < 1 || workers < 0 || (b->setup == pg_setup &&
	    conninfo == NULL) || (b->setup == redis_setup && redis_port <= 0))
		usage();

	hist_init(&ack_hist);
	b->setup();
	t = calloc((size_t)clients, sizeof(*t));
	w = calloc((size_t)workers + 1, sizeof(*w));
	if (t == NULL || w == NULL)
		die("calloc");
	t0 = clock_mono_ns();
	until = t0 + (uint64_t)(seconds * 1e9);
	for (i = 0; i < (size_t)workers; i++)
		pthread_create(&w[i], NULL, b->worker, NULL);
	for (i = 0; i < (size_t)clients; i++)
		pthread_create(&t[i], NULL, b->client, (void *)(i + 1));
	for (i = 0; i < (size_t)clients; i++)
		pthread_join(t[i], NULL);
	t1 = clock_mono_ns();
	clients_done = 1;
	for (i = 0; i < (size_t)workers; i++)
		pthread_join(w[i], NULL);
	secs = (double)(t1 - t0) / 1e9;
	printf("orders=%llu seconds=%.3f rate=%.0f p50_us=%.0f p99_us=%.0f "
	    "max_us=%.0f consumed=%llu consumed_rate=%.0f\n",
	    (unsigned long long)acked, secs, (double)acked / secs,
	    hist_quantile(&ack_hist, 0.5) / 1e3,
	    hist_quantile(&ack_hist, 0.99) / 1e3,
	    (double)ack_hist.max / 1e3, (unsigned long long)consumed,
	    (double)consumed / secs);
	free(t);
	free(w);
	return 0;
}
