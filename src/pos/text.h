/*
 * What the waiter reads, in one place so it can be translated.  Spanish,
 * UTF-8; the ui_* functions transliterate it on terminals without UTF-8.
 * Strings with % are printf formats: keep their conversions in order.
 */
#ifndef FASTOPS_POS_TEXT_H
#define FASTOPS_POS_TEXT_H

#define T_TITLE			"FastOps TPV"
#define T_TITLE_USER		"FastOps TPV — %s"

/* login */
#define T_LOGIN_HEAD		"Entrar"
#define T_LOGIN_USER		"Usuario:"
#define T_LOGIN_PIN		"PIN:"
#define T_LOGIN_HINT		"Tab cambia de campo · Enter entra"
#define T_LOGIN_HINTS		"Enter entrar  Tab campo  F1/? ayuda  F12 salir"
#define T_LOGIN_NO_USER		"Escriba su nombre de usuario"
#define T_LOGIN_BAD_PIN		"El PIN son de 4 a 12 cifras"
#define T_LOGIN_WRONG		"Usuario o PIN incorrecto"
#define T_LOGIN_BUSY		"Demasiados intentos fallidos: espere un poco"
#define T_LOGIN_ROLE		"El usuario «%s» no puede tomar pedidos"
#define T_LOGIN_NOMENU		"No se pudo leer la carta: %s"
#define T_LOGIN_BADMENU		"La carta recibida no es válida"
#define T_LOGIN_EXPIRED		"Sesión caducada: vuelva a entrar"
#define T_LOGIN_HELLO		"Hola, %s"

/* connection and refusals */
#define T_OFFLINE		"Sin conexión con el servidor: inténtelo al " \
				"reconectar"
#define T_NOREPLY		"El servidor no respondió: inténtelo de nuevo"
#define T_RECONNECTED		"Conexión recuperada"
#define T_REFUSED		"%s: %s"
#define T_E_EINVAL		"Datos no válidos"
#define T_E_ENOENT		"No existe"
#define T_E_EPERM		"No permitido"
#define T_E_EAUTH		"Sin permiso"
#define T_E_EBUSY		"No es posible ahora"
#define T_E_EFULL		"Cola llena"
#define T_E_ESTORAGE		"Error de almacenamiento en el servidor"
#define T_E_ESHUTDOWN		"El servidor se está deteniendo"
#define T_E_OTHER		"Rechazado"

/* order types */
#define T_MESA			"Mesa"
#define T_LLEVAR		"Para llevar"
#define T_DOMICILIO		"A domicilio"
#define T_NO_TABLE_YET		"Mesa ?"
#define T_TYPE			"Tipo:"

/* editor */
#define T_NEW_ORDER		"Pedido nuevo"
#define T_MODIFYING		"Modificando %s"
#define T_CATEGORIES		"Carta"
#define T_SEARCH		"Buscar: "
#define T_SEARCH_ALL		"Búsqueda"
#define T_NO_PRODUCTS		"(ningún producto)"
#define T_DRAFT_EMPTY		"(vacío: Enter añade el producto)"
#define T_TOTAL			"Total"
#define T_NOTE_ORDER		"Nota: %s"
#define T_REMOVE		"(quitar)"
#define T_SENT			"(enviado)"
#define T_PENDING		"Pendiente de envío: se enviará al reconectar"
#define T_PENDING_MAYBE		"Enviado sin respuesta: se reenviará " \
				"(sin duplicar)"
#define T_EDIT_HINTS		"? ayuda  Enter añadir  +/- cant  n nota  " \
				"/ buscar  F2 mesa  F10 enviar  F3 pedidos"
#define T_SEARCH_HINTS		"Escriba para buscar  Enter añadir  " \
				"Arriba/Abajo elegir  Esc salir"
#define T_MOD_HINTS		"? ayuda  Enter añadir  +/- cant  n nota  " \
				"/ buscar  F10 enviar  Esc volver"
#define T_ASK_TABLE		"Mesa nº: "
#define T_ASK_NOTE		"Nota: "
#define T_ASK_ORDER_NOTE	"Nota del pedido: "
#define T_ASK_CLEAR		"¿Vaciar el pedido en curso?"
#define T_ASK_QUIT		"¿Salir del TPV?"
#define T_EMPTY			"El pedido está vacío: añada algún producto"
#define T_NO_TABLE		"Falta el número de mesa: pulse F2 o m"
#define T_BAD_TABLE		"Mesa no válida: %s"
#define T_BAD_NOTE		"Nota no válida: sin saltos de línea, hasta " \
				"140 bytes"
#define T_UNKNOWN_PRODUCT	"Producto desconocido: «%s»"
#define T_NO_LINE		"Elija antes una línea del pedido"
#define T_TOO_MANY_LINES	"Un pedido tiene como mucho 50 líneas"
#define T_QTY_MAX		"Cantidad máxima: 999"
#define T_LINE_REMOVED		"Quitado: %s"
#define T_ADDED			"Añadido: %s"
#define T_LOCKED		"El pedido se está enviando: espere a la " \
				"respuesta del servidor"
#define T_SENT_NOTE		"Lo ya enviado no cambia de nota: añada una " \
				"línea nueva"
#define T_SENT_TYPE		"Un pedido enviado no cambia de tipo ni de mesa"
#define T_NO_CHANGES		"No hay cambios que enviar"
#define T_CLEARED		"Pedido vaciado"
#define T_SENDING_OFFLINE	"Sin conexión: el pedido se enviará solo al " \
				"reconectar"
#define T_SENDING_NOREPLY	"Sin respuesta: se reenviará solo, sin " \
				"duplicar el pedido"
#define T_ACK			"Recibido %s — En cola: %d de %d — ~%d s"
#define T_ACK_DONE		"Recibido %s — %s"
#define T_ACK_STATE		"Estado: %s"
#define T_ACK_KEY		"(pulse una tecla)"
#define T_MODIFIED		"Cambios de %s enviados"
#define T_DRAFT_BAD		"Borrador guardado ilegible: descartado"
#define T_DRAFT_SAVE		"No se pudo guardar el borrador: %s"
#define T_DRAFT_RESTORED	"Borrador recuperado"

/* "Mis pedidos" */
#define T_MINE			"Mis pedidos"
#define T_MINE_HEAD		"Número   Mesa        Estado                    " \
				"Hora    Total"
#define T_MINE_EMPTY		"(ningún pedido todavía)"
#define T_MINE_HINTS		"?ayuda u urgente r reimprimir m modificar " \
				"x cancelar Esc volver"
#define T_ASK_CANCEL		"¿Cancelar el pedido %s?"
#define T_URGENT_OK		"%s marcado URGENTE"
#define T_REPRINT_OK		"Reimpresión de %s pedida"
#define T_CANCEL_OK		"%s cancelado"
#define T_NOT_CANCELLED		"No se ha cancelado nada"
#define T_CANNOT_MODIFY		"%s está %s: ya no se puede modificar"
#define T_NO_ORDER		"No hay ningún pedido elegido"
#define T_ITEMS			"Platos"
#define T_TICKETS		"Tickets"
#define T_URGENT		"URGENTE"
#define T_FALLBACK_TAG		"¡EN PANTALLA!"
#define T_FALLBACK		"¡Ticket de %s de %s en PANTALLA, no impreso!"
#define T_FALLBACK_SEE		"  (F3: mis pedidos)"
#define T_PRINTED		"Impreso: %s (%s)"
#define T_IN_QUEUE		"en cola %d de %d ~%d s"

/* order states (fastops(7)) */
#define T_ST_RECIBIDO		"recibido"
#define T_ST_EN_COLA		"en cola"
#define T_ST_IMPRIMIENDO	"imprimiendo"
#define T_ST_IMPRESO		"impreso"
#define T_ST_EN_PREPARACION	"en preparación"
#define T_ST_LISTO		"listo"
#define T_ST_CANCELADO		"cancelado"

/* job statuses */
#define T_JOB_PENDING		"en cola"
#define T_JOB_PROCESSING	"imprimiendo"
#define T_JOB_COMPLETED		"impreso"
#define T_JOB_FAILED		"fallo, reintentando"
#define T_JOB_FALLBACK		"EN PANTALLA, no impreso"
#define T_JOB_CANCELLED		"anulado"
#define T_KIND_MODIFY		"modificación"
#define T_KIND_CANCEL		"cancelación"
#define T_KIND_REPRINT		"reimpresión"

/* help */
#define T_HELP_TITLE		"Ayuda — FastOps TPV"

#endif
