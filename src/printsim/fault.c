/*
 * Faults: parsing the --fault specs and the --fault-file, and the status
 * bytes a faulty printer answers to DLE EOT n (Epson TM-T88 values).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printsim.h"

#define STATUS_BASE		0x12	/* bits 1 and 4 are always set */
#define ST1_OFFLINE		0x08
#define ST2_COVER_OPEN		0x04
#define ST2_PAPER_STOP		0x20
#define ST3_UNRECOVERABLE	0x20
#define ST4_NEAR_END		0x0c
#define ST4_PAPER_END		0x60

#define FAULT_FILE_MAX		(64 * 1024)

static int	parse_uint(const char *, unsigned, unsigned, unsigned *);

/* A decimal number in [min, max], nothing else. */
static int
parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long	 v;
	char		*end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/*
 * Add one SPEC to f ("none" clears f).  On error, -1 with a message in
 * err.
 */
int
fault_parse(struct faults *f, const char *spec, char *err, size_t errlen)
{
	const char	*v;
	char		 num[32];
	size_t		 klen;
	unsigned	 n, m;

	if ((v = strchr(spec, '=')) != NULL) {
		klen = (size_t)(v - spec);
		v++;
	} else
		klen = strlen(spec);

#define IS(name)	(klen == strlen(name) && strncmp(spec, name, klen) == 0)
	if (v == NULL) {
		if (IS("none"))
			memset(f, 0, sizeof(*f));
		else if (IS("offline"))
			f->offline = 1;
		else if (IS("paper-out"))
			f->paper_out = 1;
		else if (IS("paper-low"))
			f->paper_low = 1;
		else if (IS("cover-open"))
			f->cover_open = 1;
		else if (IS("hang"))
			f->hang = 1;
		else
			goto unknown;
		return 0;
	}
	if (IS("slow")) {
		if (parse_uint(v, 0, 600000, &f->slow_ms) == -1)
			goto bad;
	} else if (IS("hang-after")) {
		if (parse_uint(v, 0, 1000000000, &f->hang_after) == -1)
			goto bad;
		f->hang_after++;	/* 0 means unset */
	} else if (IS("drop")) {
		if (parse_uint(v, 1, 1000000000, &f->drop) == -1)
			goto bad;
	} else if (IS("fail")) {
		const char	*slash = strchr(v, '/');

		if (slash == NULL || (size_t)(slash - v) >= sizeof(num))
			goto bad;
		memcpy(num, v, (size_t)(slash - v));
		num[slash - v] = '\0';
		if (parse_uint(num, 0, 1000000, &n) == -1 ||
		    parse_uint(slash + 1, 1, 1000000, &m) == -1 || n > m)
			goto bad;
		f->fail_n = n;
		f->fail_m = m;
	} else
		goto unknown;
#undef IS
	return 0;

unknown:
	snprintf(err, errlen, "unknown fault \"%s\" (offline, paper-out, "
	    "paper-low, cover-open, slow=MS, hang, hang-after=N, drop=N, "
	    "fail=N/M, none)", spec);
	return -1;
bad:
	snprintf(err, errlen, "bad fault \"%s\": %s", spec,
	    klen == 4 && strncmp(spec, "fail", 4) == 0 ?
	    "want fail=N/M with 0 <= N <= M, M >= 1" :
	    klen == 4 && strncmp(spec, "drop", 4) == 0 ?
	    "want drop=N with N >= 1" : "want a number");
	return -1;
}

/*
 * Read the fault file: one SPEC a line, '#' comments and blank lines
 * ignored, a "none" line clearing what came before.  A missing file means
 * no faults.  f is replaced only if the whole file is good.
 */
int
fault_load(struct faults *f, const char *path, char *err, size_t errlen)
{
	struct faults	 nf;
	FILE		*fp;
	char		 line[256], *p, *e;
	char		 msg[256];
	unsigned	 lineno = 0;
	size_t		 total = 0;

	memset(&nf, 0, sizeof(nf));
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT) {
			*f = nf;
			return 0;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		total += strlen(line);
		if (total > FAULT_FILE_MAX || (strchr(line, '\n') == NULL &&
		    !feof(fp))) {
			snprintf(err, errlen, "%s:%u: line or file too long",
			    path, lineno);
			fclose(fp);
			return -1;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		for (e = p + strlen(p); e > p && isspace((unsigned char)e[-1]);
		    e--)
			;
		*e = '\0';
		if (*p == '\0')
			continue;
		if (fault_parse(&nf, p, msg, sizeof(msg)) == -1) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
			fclose(fp);
			return -1;
		}
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	*f = nf;
	return 0;
}

/* Why the printer is offline ("paper-out", ...), or NULL. */
const char *
fault_offline(const struct faults *f)
{
	if (f->cover_open)
		return "cover-open";
	if (f->paper_out)
		return "paper-out";
	if (f->offline)
		return "offline";
	return NULL;
}

/*
 * The answer to DLE EOT n.  Reading the error cause (n = 3) clears the
 * error a failed ticket left, as recovering from it would.
 */
uint8_t
fault_status(struct sim *s, int n)
{
	const struct faults	*f = &s->f;
	uint8_t			 b = STATUS_BASE;

	switch (n) {
	case 1:
		if (fault_offline(f) != NULL)
			b |= ST1_OFFLINE;
		break;
	case 2:
		if (f->cover_open)
			b |= ST2_COVER_OPEN;
		if (f->paper_out)
			b |= ST2_PAPER_STOP;
		break;
	case 3:
		if (s->error_pending)
			b |= ST3_UNRECOVERABLE;
		s->error_pending = 0;
		break;
	case 4:
		if (f->paper_low)
			b |= ST4_NEAR_END;
		if (f->paper_out)
			b |= ST4_PAPER_END;
		break;
	}
	return b;
}
