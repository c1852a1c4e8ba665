/*
 * Fuzz the configuration and menu loaders: the first byte picks which
 * (even: fastops.ini in daemon mode, odd: menu.csv), the rest is the file.
 * Loading must never crash, and must either succeed or explain itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "menu.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cfg = NULL;
	struct menu	*menu = NULL;
	char		 path[] = "/tmp/config_fuzz.XXXXXX", *errors = NULL;
	FILE		*f;
	int		 fd, rc;

	if (size < 1)
		return 0;
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		abort();
	fwrite(data + 1, 1, size - 1, f);
	fclose(f);
	if (data[0] % 2 == 0) {
		rc = config_load(path, CONFIG_DAEMON, &cfg, &errors);
		if ((rc == 0) != (cfg != NULL) || (rc == -1 && errors == NULL))
			abort();
		config_free(cfg);
	} else {
		rc = menu_load(path, &menu, &errors);
		if ((rc == 0) != (menu != NULL) || (rc == -1 && errors == NULL))
			abort();
		menu_free(menu);
	}
	free(errors);
	unlink(path);
	return 0;
}
