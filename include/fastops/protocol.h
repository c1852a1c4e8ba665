/*
 * The FastOps wire protocol: constants shared by the daemon and every
 * client.  Plain JSON text over nng, so any nng client (nngcat) can speak it.
 *
 * Requests go over REQ/REP to <runtime_dir>/control.ipc (and the optional
 * [daemon] listen address):
 *
 *	{"op": "order.create", "token": "...", ...fields}
 *
 * Replies:
 *
 *	{"ok": true, ...}
 *	{"ok": false, "error": {"code": "EINVAL", "message": "..."}}
 *
 * A reply is sent only after the journal record of every change it reports
 * is durable under the configured fsync policy.  A request that fails
 * changes nothing.
 *
 * Events go out on PUB at <runtime_dir>/events.ipc.  Each message is
 *
 *	<topic> SP <JSON array of event objects>
 *
 * with topic "fastops.<company>.<branch>.<kind>", so a subscriber filters
 * by prefix (its branch, or one kind).  Events of one kind raised within a
 * short window travel in one message.
 *
 * The operations, their fields and replies are documented in fastops(7).
 */
#ifndef FASTOPS_PROTOCOL_H
#define FASTOPS_PROTOCOL_H

#define FO_PROTOCOL_VERSION	1

#define FO_CONTROL_SOCKET	"control.ipc"
#define FO_EVENTS_SOCKET	"events.ipc"

/* Requests larger than this are answered E2BIG; the transport itself
 * drops anything past FO_TRANSPORT_MAX. */
#define FO_REQUEST_MAX		(64 * 1024)
#define FO_TRANSPORT_MAX	(1024 * 1024)

/* Field bounds, validated by the daemon, shown by the clients. */
#define FO_UUID_LEN		36	/* canonical 8-4-4-4-12 form */
#define FO_TABLE_MAX		16	/* bytes of a table label */
#define FO_NOTES_MAX		140	/* bytes of an item's or order's note */
#define FO_ITEMS_MAX		50	/* lines per order */
#define FO_QTY_MIN		1
#define FO_QTY_MAX		999
#define FO_NAME_MAX		32	/* user names */
#define FO_PIN_MIN		4
#define FO_PIN_MAX		12
#define FO_PER_PAGE_MAX		100
#define FO_PER_PAGE_DEFAULT	20

/* Error codes: stable strings, never renamed. */
#define FO_EINVAL	"EINVAL"	/* a field is missing, mistyped, out of range */
#define FO_ENOSYS	"ENOSYS"	/* unknown op */
#define FO_ENOENT	"ENOENT"	/* no such order, job, user, product */
#define FO_EPERM	"EPERM"		/* the role or tenant does not allow it */
#define FO_EAUTH	"EAUTH"		/* no valid token, wrong PIN */
#define FO_EBUSY	"EBUSY"		/* the object's state does not allow it */
#define FO_E2BIG	"E2BIG"		/* request too large */
#define FO_EFULL	"EFULL"		/* the queue has no free slot */
#define FO_ESTORAGE	"ESTORAGE"	/* the journal failed: read-only */
#define FO_ESHUTDOWN	"ESHUTDOWN"	/* the daemon is stopping */

/* Roles. */
#define FO_ROLE_WAITER	"waiter"
#define FO_ROLE_KITCHEN	"kitchen"
#define FO_ROLE_ADMIN	"admin"

/* Order types and their number prefixes (M-0042, L-0007, D-0003). */
#define FO_TYPE_MESA		"mesa"
#define FO_TYPE_LLEVAR		"llevar"
#define FO_TYPE_DOMICILIO	"domicilio"

/* Order states, as staff read them. */
#define FO_ORDER_RECIBIDO	"recibido"
#define FO_ORDER_EN_COLA	"en_cola"
#define FO_ORDER_IMPRIMIENDO	"imprimiendo"
#define FO_ORDER_IMPRESO	"impreso"
#define FO_ORDER_EN_PREPARACION	"en_preparacion"
#define FO_ORDER_LISTO		"listo"
#define FO_ORDER_CANCELADO	"cancelado"

/* Job states and priorities on the wire. */
#define FO_JOB_PENDING		"pending"
#define FO_JOB_PROCESSING	"processing"
#define FO_JOB_COMPLETED	"completed"
#define FO_JOB_FAILED		"failed"
#define FO_JOB_FALLBACK		"fallback"
#define FO_JOB_CANCELLED	"cancelled"

#define FO_PRIO_URGENT		"urgent"
#define FO_PRIO_NORMAL		"normal"
#define FO_PRIO_LOW		"low"

/* Ticket kinds (the banner printed on top). */
#define FO_KIND_NEW		"new"
#define FO_KIND_MODIFY		"modify"	/* MODIFICACIÓN */
#define FO_KIND_CANCEL		"cancel"	/* CANCELACIÓN */
#define FO_KIND_REPRINT		"reprint"	/* REIMPRESIÓN n */

/* Event kinds: the last part of the topic. */
#define FO_EV_ORDER_CREATED	"order.created"
#define FO_EV_ORDER_UPDATED	"order.updated"
#define FO_EV_JOB_QUEUED	"job.queued"
#define FO_EV_JOB_PRINTING	"job.printing"
#define FO_EV_JOB_PRINTED	"job.printed"
#define FO_EV_JOB_FAILED	"job.failed"
#define FO_EV_JOB_FALLBACK	"job.fallback"
#define FO_EV_PRINTER_STATE	"printer.state"
#define FO_EV_ALERT		"alert"
#define FO_EV_TURBO		"turbo"
#define FO_EV_WORKERS		"workers"
#define FO_EV_STATS		"stats"

#endif
