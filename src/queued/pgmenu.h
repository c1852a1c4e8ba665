/*
 * pgmenu — [menu] source = postgres: the menu and the staff of a branch,
 * kept by the chain in the products and users tables of its database.
 *
 * The menu is fetched into <state_dir>/menu-postgres.csv, in menu.csv's
 * format, and read from there with menu_load() like any menu file: one
 * parser, one set of rules and messages whatever the source.  The file is
 * also what lets a branch open while the database is down, so it is only
 * ever replaced by a fetch that gave a menu this branch can take (written
 * to a temporary file, checked, fsynced, renamed): it always holds the
 * last good one.
 *
 * Users are merged into the journal once, at start-up: a user of the
 * branch's table that the daemon lacks, or has with another role or PIN,
 * becomes a user.put record like the one users.add writes, so it is
 * replayed and snapshotted like any other.  Users the table lacks are
 * kept: the daemon never deletes on the database's word.
 */
#ifndef FASTOPS_PGMENU_H
#define FASTOPS_PGMENU_H

#include <stddef.h>

#include "config.h"

#define PGMENU_FILE		"menu-postgres.csv"
#define PGMENU_CONNECT_TIMEOUT	"3"	/* seconds, unless conninfo says */
#define PGMENU_QUERY_TIMEOUT	"10s"	/* statement_timeout */

/* pgmenu_fetch() flags */
#define PGMENU_CHECK	0x01	/* -n: fetch into a temporary file, leave
				   state_dir alone */

struct daemon;

/*
 * Fetch the active products of [daemon] company and branch.  Returns 0
 * when path is the fresh menu (under PGMENU_CHECK a temporary file that
 * the caller unlinks); 1 when the database gave none (err says why) and
 * path is the copy of the last fetch that did; -1 when there is neither
 * (err says why).  A fetch that is not a valid menu for cfg (an unrouted
 * category, say) counts as none; its mistakes are logged here.
 */
int	 pgmenu_fetch(const struct config *cfg, int flags, char *path,
	    size_t pathlen, char *err, size_t errlen);

/*
 * Journal a user.put for each user of the branch's table that the daemon
 * lacks or has with another role or PIN hash.  Call once the journal is
 * replayed and before requests are taken.  Everything is logged here; -1
 * when the database could not be read (the daemon's users stay as they
 * are) or the journal refused a record.
 */
int	 pgmenu_users(struct daemon *);

#endif
