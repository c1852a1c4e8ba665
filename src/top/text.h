/*
 * Everything fastops-top says on screen, in one place so it can be
 * translated.  Staff read Spanish.
 */
#ifndef FASTOPS_TOP_TEXT_H
#define FASTOPS_TOP_TEXT_H

#define T_TITLE		"FastOps top — %s/%s"
#define T_SHM_BANNER	"MEMORIA COMPARTIDA (solo lectura)"
#define T_SHM_ONLY	"sin daemon (--shm): /fastops.%s"
#define T_SHM_FALLBACK	"fastops-queued no responde; reintentando"
#define T_NO_ANSWER	"fastops-queued no responde en %s"
#define T_REFUSED	"fastops-queued rechaza el panel: %s"
#define T_NO_SHM	"sin memoria compartida /fastops.%s: %s"
#define T_SHM_ENOENT	"no existe (¿fastops-queued parado?)"
#define T_SHM_EACCES	"sin permiso de lectura"
#define T_SHM_EAGAIN	"aún no está lista"
#define T_WAITING	"esperando datos de fastops-queued…"

/* summary: long and short labels */
#define T_ORDERS	"pedidos"
#define T_PRINTED	"impresos"
#define T_QUEUED	"en cola"
#define T_FAILED	"fallidos"
#define T_FALLBACK	"respaldo en pantalla"
#define T_FALLBACK_S	"respaldo"
#define T_TURBO		"turbo"
#define T_TURBO_ON	"SÍ"
#define T_TURBO_OFF	"no"
#define T_AUTO		"auto"
#define T_MANUAL	"manual"
#define T_UPTIME	"activo"

#define T_QUEUE		"cola"
#define T_URGENT	"urgente"
#define T_NORMAL	"normal"
#define T_LOW		"baja"
#define T_PROCESSING	"imprimiendo"
#define T_RETRIED	"reintentos"
#define T_FREE		"huecos libres"
#define T_STATIONS	"por estación (urg/norm/baja):"
#define T_JOURNAL_RO	"DIARIO EN SOLO LECTURA"
#define T_DB		"BD"
#define T_DB_OK		"al día"
#define T_DB_BEHIND	"%.0f s atrás"
#define T_DB_DOWN	"SIN CONEXIÓN %.0f s"

#define T_WORKERS	"trabajadores %d activos (mín %d, máx %d, objetivo %d)"
#define T_WORKERS_MORE	" · %d ocupados · %d en reserva"
#define T_WORKERS_BAD	" · %lld caídos · %lld atascados"
#define T_WORKERS_NONE	"trabajadores: sin datos (solo el daemon los conoce)"

#define T_PRINTERS	"IMPRESORA"
#define T_STATION	"ESTACIÓN"
#define T_CIRCUIT	"CIRCUITO"
#define T_STATE		"ESTADO"
#define T_UTIL		"UTIL."
#define T_NPRINTED	"IMPRESOS"
#define T_NFAILED	"FALLOS"
#define T_LASTERR	"ÚLTIMO ERROR"
#define T_CLOSED	"cerrado"
#define T_OPEN		"abierto"
#define T_HALF_OPEN	"semiabierto"
#define T_PAUSED	"en pausa"
#define T_BUSY		"imprime"
#define T_IDLE		"libre"
#define T_NOPRINTERS	"sin impresoras"

#define T_LATENCY	"LATENCIA"
#define T_SAMPLES	"muestras"
#define T_MAX		"máx"
#define T_LAT_WAIT	"espera"
#define T_LAT_PRINT	"impresión"
#define T_LAT_TOTAL	"total"
#define T_LAT_ACK	"acuse"
#define T_TARGET_OK	"objetivo p99 < 5 s: cumplido"
#define T_TARGET_BAD	"objetivo p99 < 5 s: SUPERADO"
#define T_TARGET_OK_S	"< 5 s"
#define T_TARGET_BAD_S	"> 5 s"
#define T_NODATA	"—"

#define T_CHART		"TICKETS IMPRESOS POR HORA (24 h)"
#define T_CHART_MAX	"máx %u/h · total %u"
#define T_CHART_SPAN	"hace 24 h %s ahora"

#define T_ALERTS	"ALERTAS"
#define T_ALERTS_NONE	"ALERTAS: ninguna"
#define T_ALERTS_NA	"ALERTAS: solo el daemon las conoce"

#define T_KEYS_WIDE	"F1/? ayuda  F2/t turbo  F3/+ F4/- trabajadores  " \
			"F5/r reintentar  F6/c limpiar fallidos  " \
			"F7/p pausar impresora  %s elegir  F10/q salir"
#define T_KEYS		"?:ayuda t:turbo +/-:trabajadores r:reintentar " \
			"c:limpiar p:pausa q:salir"
#define T_KEYS_SHM	"?:ayuda %s:elegir q:salir   (solo lectura)"
#define T_ARROWS	"↑↓"
#define T_ARROWS_ASCII	"flechas"

#define T_HELP_TITLE	"fastops-top — ayuda"

/* actions */
#define T_NEED_DAEMON	"Necesita fastops-queued: en memoria compartida " \
			"solo se puede mirar"
#define T_NOT_ANSWERING	"fastops-queued no responde: inténtelo luego"
#define T_BUSY_QUEUE	"Demasiadas órdenes pendientes: espere"
#define T_ASK_RETRY	"¿Reintentar los %u trabajos fallidos?"
#define T_ASK_CLEAR	"¿Borrar los %u trabajos fallidos? No se imprimirán."
#define T_NO_FAILED	"No hay trabajos fallidos"
#define T_NO_PRINTER	"No hay impresora elegida"
#define T_CANCELLED	"Cancelado"
#define T_SENT		"%s…"
#define T_DONE		"%s: hecho"
#define T_FAILED_ACT	"%s: %s"
#define T_DO_TURBO_ON	"Activar turbo"
#define T_DO_TURBO_OFF	"Desactivar turbo"
#define T_DO_TURBO_AUTO	"Turbo automático"
#define T_DO_UP		"Más trabajadores"
#define T_DO_DOWN	"Menos trabajadores"
#define T_DO_RETRY	"Reintentar fallidos"
#define T_DO_CLEAR	"Limpiar fallidos"
#define T_DO_PAUSE	"Pausar %s"
#define T_DO_RESUME	"Reanudar %s"
#define T_RES_TURBO	"turbo %s (%s)"
#define T_RES_WORKERS	"objetivo %d trabajadores (mín %d, máx %d)"
#define T_RES_JOBS	"%lld trabajos"

#endif
