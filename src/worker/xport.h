/*
 * xport — talking to one printer: TCP (port 9100) or serial (libserialport),
 * real-time status (DLE EOT n) and the process-id round trip (GS ( H).
 *
 * Every call is bounded by a timeout in milliseconds; nothing blocks
 * forever.  Errors are returned as -1 with a short message in Spanish in
 * err (it is shown to staff as the printer's last error), e.g.
 * "conexión rechazada", "sin respuesta", "conexión perdida",
 * "no se puede abrir /dev/ttyUSB0: ...".
 */
#ifndef FASTOPS_XPORT_H
#define FASTOPS_XPORT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct xport;

/* What DLE EOT 1..4 said. */
struct prn_status {
	int	offline;	/* n=1 bit 3 */
	int	cover_open;	/* n=2 bit 2 */
	int	paper_out;	/* n=2 bit 5 or n=4 bits 5,6 */
	int	paper_near_end;	/* n=4 bits 2,3 */
	int	error;		/* n=2 bit 6, or n=3 bits 3,5,6 */
	int	cutter_error;	/* n=3 bit 3 */
};

/*
 * Open the printer's uri: tcp:// connects (TCP_NODELAY, keepalive) within
 * timeout_ms; serial: opens the device with libserialport (O_NOCTTY, no
 * controlling terminal), sets baud, 8N1 and flow control.
 */
int	 xport_open(const struct config_printer *, int timeout_ms,
	    struct xport **, char *err, size_t errlen);
void	 xport_close(struct xport *);
/* Write all of buf within timeout_ms (for the whole write). */
int	 xport_write(struct xport *, const void *buf, size_t len,
	    int timeout_ms, char *err, size_t errlen);
/*
 * Read what is there, waiting up to timeout_ms for the first byte.
 * Returns bytes read (> 0), 0 on timeout, -1 on error or EOF (err set).
 */
ssize_t	 xport_read(struct xport *, void *buf, size_t len, int timeout_ms,
	    char *err, size_t errlen);
/* Discard any bytes waiting to be read (stale answers), a bounded amount. */
void	 xport_drain_input(struct xport *);

/*
 * Ask DLE EOT 1, 2, 3, 4 (in one write) and read the four answers within
 * timeout_ms.  -1 when the printer does not answer in time ("sin
 * respuesta") or the answers are malformed (each byte must have bit 4 set
 * and bit 7 clear: "respuesta de estado no válida").  The next four bytes
 * are taken as the answer, so drain stale input first (xport_drain_input)
 * when an earlier exchange may have left some.
 */
int	 xport_status(struct xport *, struct prn_status *, int timeout_ms,
	    char *err, size_t errlen);
/*
 * A status that forbids printing, in Spanish ("sin papel", "tapa
 * abierta", "fuera de línea", "error de la cortadora", "error de la
 * impresora"), or NULL when the printer can print.  Paper near its end
 * does not forbid printing.
 */
const char *prn_status_problem(const struct prn_status *);

/*
 * Wait for the GS ( H answer 0x37 0x22 d1 d2 d3 d4 0x00 carrying the
 * process id sent after a ticket (see render_process_id()), skipping any
 * other bytes, within timeout_ms.  0 when it came, -1 otherwise ("sin
 * confirmación de la impresora" on timeout).  Bytes that arrived after
 * the answer are kept for the next read, so a batch of tickets can be
 * confirmed one id after the other.
 */
int	 xport_wait_process_id(struct xport *, uint32_t process_id,
	    int timeout_ms, char *err, size_t errlen);

#endif
