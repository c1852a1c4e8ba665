/*
 * auth — users, PIN hashes, stateless session tokens.  See auth.h.
 *
 * The user table is small (a restaurant's staff): a sorted array searched
 * linearly is plenty.  The revocation list holds logged-out tokens until
 * they expire; it is pruned as it is consulted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "log.h"
#include "xmalloc.h"

#define AUTH_PWHASH_MEM	(16 * 1024 * 1024)

struct auth_fail {
	uint32_t	count;
	time_t		locked_until;
};

struct revoked {
	char		token[AUTH_TOKEN_MAX];
	time_t		expires;
};

struct auth {
	pthread_mutex_t	 lock;
	char		 company[64];
	char		 branch[64];
	unsigned char	 key[AUTH_KEY_LEN];
	struct auth_user *users;
	struct auth_fail *fails;	/* parallel to users */
	size_t		 nusers;
	struct revoked	*revoked;
	size_t		 nrevoked;
};

static const char *role_names[] = { "waiter", "kitchen", "admin" };

static int	 find_user(const struct auth *, const char *);
static void	 token_mac(const struct auth *, const char *, size_t,
		    char *, size_t);

int
auth_key_load(const char *state_dir, unsigned char key[AUTH_KEY_LEN])
{
	char	 path[PATH_MAX];
	ssize_t	 n;
	int	 fd, dfd;

	if (sodium_init() < 0) {
		errno = EIO;
		return -1;
	}
	if (snprintf(path, sizeof(path), "%s/token.key", state_dir) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, key, AUTH_KEY_LEN);
		close(fd);
		if (n != AUTH_KEY_LEN) {
			log_warnx("%s: short key file", path);
			errno = EINVAL;
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT)
		return -1;
	randombytes_buf(key, AUTH_KEY_LEN);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if (write(fd, key, AUTH_KEY_LEN) != AUTH_KEY_LEN || fsync(fd) == -1) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	if ((dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

struct auth *
auth_new(const char *company, const char *branch,
    const unsigned char key[AUTH_KEY_LEN])
{
	struct auth	*a;

	if (sodium_init() < 0)
		fatalx("sodium_init failed");
	a = xcalloc(1, sizeof(*a));
	pthread_mutex_init(&a->lock, NULL);
	snprintf(a->company, sizeof(a->company), "%s", company);
	snprintf(a->branch, sizeof(a->branch), "%s", branch);
	memcpy(a->key, key, AUTH_KEY_LEN);
	return a;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	sodium_memzero(a->key, sizeof(a->key));
	free(a->users);
	free(a->fails);
	free(a->revoked);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

const char *
auth_role_name(enum auth_role r)
{
	return (unsigned)r < 3 ? role_names[r] : "unknown";
}

int
auth_role_parse(const char *s)
{
	int	i;

	for (i = 0; i < 3; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return -1;
}

const char *
auth_check_name(const char *s)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > FO_NAME_MAX)
		return "user name must be 1 to 32 characters";
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return "user name may hold only a-z, 0-9, _ and -";
	return NULL;
}

const char *
auth_check_pin(const char *s)
{
	size_t	i, n = strlen(s);

	if (n < FO_PIN_MIN || n > FO_PIN_MAX)
		return "PIN must be 4 to 12 digits";
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return "PIN must be digits only";
	return NULL;
}

int
auth_hash_pin(const char *pin, char out[AUTH_HASH_MAX])
{
	char	h[crypto_pwhash_STRBYTES];

	if (auth_check_pin(pin) != NULL) {
		errno = EINVAL;
		return -1;
	}
	if (crypto_pwhash_str(h, pin, strlen(pin),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, AUTH_PWHASH_MEM) != 0) {
		errno = ENOMEM;
		return -1;
	}
	snprintf(out, AUTH_HASH_MAX, "%s", h);
	return 0;
}

static int
find_user(const struct auth *a, const char *name)
{
	size_t	i;

	for (i = 0; i < a->nusers; i++)
		if (strcmp(a->users[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
auth_user_put(struct auth *a, const struct auth_user *u)
{
	int	i;

	if (auth_check_name(u->name) != NULL || (unsigned)u->role > 2 ||
	    strncmp(u->hash, "$argon2", 7) != 0) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&a->lock);
	if ((i = find_user(a, u->name)) == -1) {
		if (a->nusers >= AUTH_MAX_USERS) {
			pthread_mutex_unlock(&a->lock);
			errno = ENOSPC;
			return -1;
		}
		a->users = xreallocarray(a->users, a->nusers + 1,
		    sizeof(*a->users));
		a->fails = xreallocarray(a->fails, a->nusers + 1,
		    sizeof(*a->fails));
		i = (int)a->nusers++;
	}
	a->users[i] = *u;
	memset(&a->fails[i], 0, sizeof(a->fails[i]));
	pthread_mutex_unlock(&a->lock);
	return 0;
}

int
auth_user_del(struct auth *a, const char *name)
{
	int	i;

	pthread_mutex_lock(&a->lock);
	if ((i = find_user(a, name)) == -1) {
		pthread_mutex_unlock(&a->lock);
		errno = ENOENT;
		return -1;
	}
	a->nusers--;
	a->users[i] = a->users[a->nusers];
	a->fails[i] = a->fails[a->nusers];
	pthread_mutex_unlock(&a->lock);
	return 0;
}

/* The user table is changed only from the daemon's journal-apply path,
 * which holds the daemon lock; readers below hold it too. */
const struct auth_user *
auth_user_get(const struct auth *a, const char *name)
{
	int	i = find_user(a, name);

	return i == -1 ? NULL : &a->users[i];
}

size_t
auth_user_count(const struct auth *a)
{
	return a->nusers;
}

const struct auth_user *
auth_user_at(const struct auth *a, size_t i)
{
	return i < a->nusers ? &a->users[i] : NULL;
}

static void
token_mac(const struct auth *a, const char *msg, size_t len, char *out,
    size_t outlen)
{
	unsigned char	mac[crypto_auth_BYTES];

	crypto_auth(mac, (const unsigned char *)msg, len, a->key);
	sodium_bin2base64(out, outlen, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
auth_login(struct auth *a, const char *name, const char *pin,
    char token[AUTH_TOKEN_MAX], uint64_t *expires, const char **code)
{
	char			 hash[AUTH_HASH_MAX], body[200];
	char			 mac[sodium_base64_ENCODED_LEN(crypto_auth_BYTES,
				    sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	enum auth_role		 role;
	time_t			 now = time(NULL), exp;
	int			 i, ok, n;

	*code = FO_EAUTH;
	pthread_mutex_lock(&a->lock);
	if ((i = find_user(a, name)) == -1) {
		pthread_mutex_unlock(&a->lock);
		/* burn the same time as a real check: no user probing */
		(void)auth_hash_pin("0000", hash);
		errno = EACCES;
		return -1;
	}
	if (a->fails[i].locked_until > now) {
		pthread_mutex_unlock(&a->lock);
		*code = FO_EBUSY;
		errno = EBUSY;
		return -1;
	}
	snprintf(hash, sizeof(hash), "%s", a->users[i].hash);
	role = a->users[i].role;
	pthread_mutex_unlock(&a->lock);

	/* the slow part runs unlocked */
	ok = auth_check_pin(pin) == NULL &&
	    crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;

	pthread_mutex_lock(&a->lock);
	if ((i = find_user(a, name)) != -1) {
		if (ok)
			a->fails[i].count = 0;
		else if (++a->fails[i].count >= AUTH_MAX_FAILURES) {
			a->fails[i].count = 0;
			a->fails[i].locked_until = now + AUTH_LOCK_S;
		}
	}
	pthread_mutex_unlock(&a->lock);
	if (!ok || i == -1) {
		errno = EACCES;
		return -1;
	}

	exp = now + AUTH_TOKEN_TTL_S;
	n = snprintf(body, sizeof(body), "v1.%s.%s.%s.%s.%lld", name,
	    auth_role_name(role), a->company, a->branch, (long long)exp);
	token_mac(a, body, (size_t)n, mac, sizeof(mac));
	snprintf(token, AUTH_TOKEN_MAX, "%s.%s", body, mac);
	*expires = (uint64_t)exp;
	*code = NULL;
	return 0;
}

int
auth_token_check(struct auth *a, const char *token, struct auth_session *s)
{
	char		 body[AUTH_TOKEN_MAX], *f[7], *p, *end;
	char		 mac[sodium_base64_ENCODED_LEN(crypto_auth_BYTES,
			    sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	const char	*dot;
	long long	 exp;
	time_t		 now = time(NULL);
	size_t		 i, k;
	int		 n = 0, role, u;

	if (strlen(token) >= sizeof(body) || (dot = strrchr(token, '.')) ==
	    NULL)
		goto bad;
	token_mac(a, token, (size_t)(dot - token), mac, sizeof(mac));
	if (strlen(dot + 1) != strlen(mac) ||
	    sodium_memcmp(mac, dot + 1, strlen(mac)) != 0)
		goto bad;
	memcpy(body, token, (size_t)(dot - token));
	body[dot - token] = '\0';
	for (p = body; n < 7 && (f[n] = strsep(&p, ".")) != NULL; n++)
		;
	if (n != 6 || p != NULL || strcmp(f[0], "v1") != 0)
		goto bad;
	if (strcmp(f[3], a->company) != 0 || strcmp(f[4], a->branch) != 0)
		goto bad;
	errno = 0;
	exp = strtoll(f[5], &end, 10);
	if (errno != 0 || *end != '\0' || exp <= now)
		goto bad;
	if ((role = auth_role_parse(f[2])) == -1)
		goto bad;

	pthread_mutex_lock(&a->lock);
	u = find_user(a, f[1]);
	if (u == -1 || (int)a->users[u].role != role) {
		pthread_mutex_unlock(&a->lock);
		goto bad;
	}
	for (i = k = 0; i < a->nrevoked; i++) {
		if (a->revoked[i].expires <= now)
			continue;	/* prune as we go */
		if (strcmp(a->revoked[i].token, token) == 0) {
			pthread_mutex_unlock(&a->lock);
			goto bad;
		}
		a->revoked[k++] = a->revoked[i];
	}
	a->nrevoked = k;
	pthread_mutex_unlock(&a->lock);

	snprintf(s->user, sizeof(s->user), "%s", f[1]);
	s->role = (enum auth_role)role;
	s->local = 0;
	return 0;
bad:
	errno = EACCES;
	return -1;
}

void
auth_logout(struct auth *a, const char *token)
{
	struct auth_session	s;
	const char		*p;

	if (auth_token_check(a, token, &s) == -1)
		return;
	p = strrchr(token, '.');
	while (p > token && *--p != '.')
		;
	pthread_mutex_lock(&a->lock);
	a->revoked = xreallocarray(a->revoked, a->nrevoked + 1,
	    sizeof(*a->revoked));
	snprintf(a->revoked[a->nrevoked].token, AUTH_TOKEN_MAX, "%s", token);
	a->revoked[a->nrevoked].expires = (time_t)strtoll(p + 1, NULL, 10);
	a->nrevoked++;
	pthread_mutex_unlock(&a->lock);
}
