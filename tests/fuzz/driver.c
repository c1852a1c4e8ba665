/*
 * Stand-in for libFuzzer's main: feeds each file named on the command line
 * to LLVMFuzzerTestOneInput once.  Lets the corpora run as regression tests
 * under gcc and the sanitizers; `make fuzz` links the real libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	main(int, char **);

int
main(int argc, char **argv)
{
	FILE	*f;
	uint8_t	*buf;
	long	 n;
	int	 i;

	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 1;
		}
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		if ((buf = malloc(n > 0 ? (size_t)n : 1)) == NULL)
			return 1;
		if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			perror(argv[i]);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)n);
		free(buf);
	}
	return 0;
}
