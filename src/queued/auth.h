/*
 * auth — staff users, PINs and session tokens.
 *
 * PINs are stored only as libsodium crypto_pwhash_str() strings.  Tokens
 * are stateless: "v1.<user>.<role>.<company>.<branch>.<expiry>.<mac>", the
 * MAC keyed by a secret kept in <state_dir>/token.key, so they survive a
 * daemon restart (a waiter's terminal keeps working through one) and need
 * no storage.  A token names its tenant; the daemon refuses tokens of
 * another company or branch, and tokens of users since deleted or whose
 * role changed.  Logout revokes a token until it expires (in memory).
 *
 * Wrong PINs are rate-limited per user: after AUTH_MAX_FAILURES in a row
 * the user is locked for AUTH_LOCK_S seconds.  Four digits are too few to
 * survive unlimited guessing.
 */
#ifndef FASTOPS_AUTH_H
#define FASTOPS_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "fastops/protocol.h"

#define AUTH_KEY_LEN		32
#define AUTH_HASH_MAX		128
#define AUTH_TOKEN_MAX		256
#define AUTH_TOKEN_TTL_S	(16 * 3600)	/* one long shift */
#define AUTH_MAX_FAILURES	5
#define AUTH_LOCK_S		30
#define AUTH_MAX_USERS		1000

enum auth_role {
	AUTH_WAITER = 0,
	AUTH_KITCHEN = 1,
	AUTH_ADMIN = 2,
};

struct auth_user {
	char		name[FO_NAME_MAX + 1];
	enum auth_role	role;
	char		hash[AUTH_HASH_MAX];
};

/* Who is asking: from a token, or a trusted local peer. */
struct auth_session {
	char		user[FO_NAME_MAX + 1];
	enum auth_role	role;
	int		local;		/* same-uid or admin_uids peer */
	int		bad_token;	/* a token was given and refused */
};

struct auth;

/* Load <state_dir>/token.key, creating it (0600, fsynced) if missing. */
int	 auth_key_load(const char *state_dir, unsigned char key[AUTH_KEY_LEN]);
struct auth *auth_new(const char *company, const char *branch,
	    const unsigned char key[AUTH_KEY_LEN]);
void	 auth_free(struct auth *);

/* Name of a role, and back (-1 if unknown). */
const char *auth_role_name(enum auth_role);
int	 auth_role_parse(const char *);
/* Validate a user name / PIN; NULL if fine, else why not. */
const char *auth_check_name(const char *);
const char *auth_check_pin(const char *);
/* Hash a PIN (slow on purpose: ~tens of ms). */
int	 auth_hash_pin(const char *pin, char out[AUTH_HASH_MAX]);

/* The user table, changed only by journal records (add replaces). */
int	 auth_user_put(struct auth *, const struct auth_user *);
int	 auth_user_del(struct auth *, const char *name);
const struct auth_user *auth_user_get(const struct auth *, const char *name);
size_t	 auth_user_count(const struct auth *);
const struct auth_user *auth_user_at(const struct auth *, size_t i);

/*
 * Check a user's PIN and issue a token.  -1 with *code FO_EAUTH (unknown
 * user or wrong PIN: the same answer for both) or FO_EBUSY (locked after
 * too many failures).
 */
int	 auth_login(struct auth *, const char *name, const char *pin,
	    char token[AUTH_TOKEN_MAX], uint64_t *expires, const char **code);
/* Validate a token into a session.  -1 if it is not good here and now. */
int	 auth_token_check(struct auth *, const char *token,
	    struct auth_session *);
void	 auth_logout(struct auth *, const char *token);

#endif
