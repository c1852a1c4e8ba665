# FastOps — GNU make.  Respects CC CFLAGS CPPFLAGS LDFLAGS PREFIX DESTDIR.
#
#   make            build everything into bin/ (objects under build/)
#   make check      build with -Werror and run every test suite
#   make DEBUG=1    the same with ASan+UBSan (objects under build/debug)
#   make bench      run the benchmarks, write tests/bench/results.md
#   make deps       install the Debian packages the project needs (root)
#   make demo       see README.md

VERSION		= 0.1.0
PREFIX		?= /usr/local
BINDIR_INST	?= $(PREFIX)/bin
SBINDIR_INST	?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
SYSCONFDIR	?= /etc
LIBDIR_SYSTEMD	?= $(PREFIX)/lib
UNITDIR		?= $(LIBDIR_SYSTEMD)/systemd/system
DATADIR		?= $(PREFIX)/share/fastops

CC		?= cc
WERROR		?= -Werror
WARNINGS	= -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes \
		  -Wshadow -Wformat=2 -Wpointer-arith -Wcast-qual \
		  -Wwrite-strings -Wvla -Wno-unused-parameter $(WERROR)

ifeq ($(DEBUG),1)
MODE		= debug
OPT		= -O1 -g -fno-omit-frame-pointer \
		  -fsanitize=address,undefined -fno-sanitize-recover=all
SANLDFLAGS	= -fsanitize=address,undefined
else
MODE		= release
OPT		= -O2 -g
SANLDFLAGS	=
endif

B		= build/$(MODE)
ifeq ($(DEBUG),1)
BIN		= $(B)/bin
else
BIN		= bin
endif

CFLAGS		?= $(OPT)
ALL_CFLAGS	= -std=c17 -D_GNU_SOURCE -pthread $(WARNINGS) $(CFLAGS) \
		  -DFASTOPS_VERSION='"$(VERSION)"'
ALL_CPPFLAGS	= -Iinclude -Isrc/common -Isrc/queue $(INIH_CFLAGS) $(CPPFLAGS)
ALL_LDFLAGS	= -pthread $(SANLDFLAGS) $(LDFLAGS)

pc_cflags	= $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs		= $(shell pkg-config --libs $(1) 2>/dev/null || echo $(2))

CMOCKA_CFLAGS	:= $(call pc_cflags,cmocka)
CMOCKA_LIBS	:= $(call pc_libs,cmocka,-lcmocka)
INIH_CFLAGS	:= $(call pc_cflags,inih)
INIH_LIBS	:= $(call pc_libs,inih,-linih)
JANSSON_LIBS	:= $(call pc_libs,jansson,-ljansson)
SODIUM_LIBS	:= $(call pc_libs,libsodium,-lsodium)
SYSTEMD_LIBS	:= $(call pc_libs,libsystemd,-lsystemd)
SERIAL_LIBS	:= $(call pc_libs,libserialport,-lserialport)
CURSES_LIBS	:= $(call pc_libs,ncursesw,-lncursesw -ltinfo)
PQ_CFLAGS	:= $(shell pkg-config --cflags libpq 2>/dev/null || \
		    echo -I/usr/include/postgresql)
PQ_LIBS		:= $(call pc_libs,libpq,-lpq)
NNG_LIBS	= -lnng
# libfastops-core: src/common + src/queue, used by every program
CORE_LIBS	= $(INIH_LIBS) -lrt
DAEMON_LIBS	= $(JANSSON_LIBS) $(SODIUM_LIBS) $(SYSTEMD_LIBS) $(NNG_LIBS) \
		  $(SERIAL_LIBS) $(PQ_LIBS)

# Debian packages: build and test dependencies of every part of FastOps.
DEB_PKGS	= build-essential pkg-config clang \
		  libncurses-dev libpq-dev libnng-dev nng-utils \
		  libserialport-dev libinih-dev libjansson-dev libsodium-dev \
		  libsystemd-dev libcmocka-dev \
		  mandoc tmux postgresql redis-server procps jq curl \
		  bsdextrautils

# --- sources ---------------------------------------------------------------

COMMON_SRCS	= $(wildcard src/common/*.c)
QUEUE_SRCS	= $(wildcard src/queue/*.c)
CORE_OBJS	= $(COMMON_SRCS:%.c=$(B)/%.o) $(QUEUE_SRCS:%.c=$(B)/%.o)
CORE_LIB	= $(B)/libfastops-core.a

UNIT_SRCS	= $(wildcard tests/unit/*_test.c)
UNIT_BINS	= $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

BENCH_SRCS	= $(wildcard tests/bench/*_bench.c)
BENCH_BINS	= $(BENCH_SRCS:tests/bench/%.c=$(B)/tests/%)

TOOLS		= $(B)/tests/loadgen $(B)/tests/baseline

FUZZ_SRCS	= $(wildcard tests/fuzz/*_fuzz.c)
FUZZ_BINS	= $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/tests/%)

QUEUED_SRCS	= $(wildcard src/queued/*.c)
QUEUED_OBJS	= $(QUEUED_SRCS:%.c=$(B)/%.o)

# the printer worker: rendering, transports, its main loop.  Linked into
# fastops-queued, which spawns itself as `fastops-queued --worker ...`.
WORKER_SRCS	= $(wildcard src/worker/*.c)
WORKER_OBJS	= $(WORKER_SRCS:%.c=$(B)/%.o)
WORKER_LIB	= $(B)/libfastops-worker.a

PRINTSIM_SRCS	= $(wildcard src/printsim/*.c)
PRINTSIM_OBJS	= $(PRINTSIM_SRCS:%.c=$(B)/%.o)

# the curses front-ends: src/ui (shared) and one directory each
UI_SRCS		= $(wildcard src/ui/*.c)
UI_OBJS		= $(UI_SRCS:%.c=$(B)/%.o)
UI_LIB		= $(B)/libfastops-ui.a
UI_PROGS	= $(foreach p,pos kds top,$(if $(wildcard src/$(p)/*.c),fastops-$(p)))
UI_LIBS		= $(CURSES_LIBS) $(JANSSON_LIBS) $(NNG_LIBS)

CTL_SRCS	= $(wildcard src/ctl/*.c)
CTL_OBJS	= $(CTL_SRCS:%.c=$(B)/%.o)
CTL_LIBS	= $(JANSSON_LIBS) $(NNG_LIBS) $(PQ_LIBS) $(SODIUM_LIBS)

PROGS		= fastops-queued fastops-ctl fastops-printsim $(UI_PROGS)

MANPAGES	= $(wildcard man/*.[1-8])

# the schema, its migrations and the report queries (DESIGN.md section 11)
SQL_MIGRATIONS	= $(wildcard sql/migrations/*.sql)
SQL_QUERIES	= $(wildcard sql/queries/*.sql)

.SECONDARY:

.PHONY: all check check-unit check-fuzz check-man check-regress check-ui \
	check-pg datadir-stamp \
	unit bench \
	deps demo \
	install uninstall clean fuzz

all: $(CORE_LIB) $(addprefix $(BIN)/,$(PROGS)) $(UNIT_BINS) $(BENCH_BINS) \
	$(FUZZ_BINS) $(TOOLS)

# --- compilation -----------------------------------------------------------

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(CORE_LIB): $(CORE_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(WORKER_LIB): $(WORKER_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(QUEUED_OBJS): ALL_CPPFLAGS += -Isrc/worker $(PQ_CFLAGS)

$(BIN)/fastops-queued: $(QUEUED_OBJS) $(WORKER_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(QUEUED_OBJS) $(WORKER_LIB) $(CORE_LIB) \
	    $(DAEMON_LIBS) $(CORE_LIBS)

$(UI_LIB): $(UI_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/src/ui/%.o $(B)/src/pos/%.o $(B)/src/kds/%.o $(B)/src/top/%.o: \
    ALL_CPPFLAGS += -Isrc/ui

$(BIN)/fastops-pos: $(patsubst %.c,$(B)/%.o,$(wildcard src/pos/*.c)) \
    $(UI_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(UI_LIBS) $(CORE_LIBS)
$(BIN)/fastops-kds: $(patsubst %.c,$(B)/%.o,$(wildcard src/kds/*.c)) \
    $(UI_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(UI_LIBS) $(CORE_LIBS)
$(BIN)/fastops-top: $(patsubst %.c,$(B)/%.o,$(wildcard src/top/*.c)) \
    $(UI_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(UI_LIBS) $(CORE_LIBS)

$(BIN)/fastops-printsim: $(PRINTSIM_OBJS) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(PRINTSIM_OBJS) $(CORE_LIB) $(CORE_LIBS) \
	    -lutil

# cmd-journal.c names the daemon's journal record types (src/queued/orders.h);
# the db, menu and report commands use libpq
$(CTL_OBJS): ALL_CPPFLAGS += -Isrc/queued $(PQ_CFLAGS)

# db migrate|status: libpq, and where `make install` puts sql/.  The stamp
# holds $(DATADIR), so that another PREFIX rebuilds cmd-db.o.
$(B)/src/ctl/cmd-db.o: ALL_CPPFLAGS += -DFASTOPS_DATADIR='"$(DATADIR)"'
$(B)/src/ctl/cmd-db.o: $(B)/datadir.stamp
$(B)/datadir.stamp: datadir-stamp
	@mkdir -p $(@D)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@

$(BIN)/fastops-ctl: $(CTL_OBJS) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CTL_OBJS) $(CORE_LIB) $(CTL_LIBS) \
	    $(CORE_LIBS)

$(B)/tests/%_test: $(B)/tests/unit/%_test.o $(WORKER_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(WORKER_LIB) $(CORE_LIB) $(CMOCKA_LIBS) \
	    $(JANSSON_LIBS) $(NNG_LIBS) $(SERIAL_LIBS) $(CORE_LIBS)

$(B)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Isrc/worker $(CMOCKA_CFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/%_bench: $(B)/tests/bench/%_bench.o $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(CORE_LIB) $(CORE_LIBS) -lm

$(B)/tests/loadgen: $(B)/tests/bench/loadgen.o $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(CORE_LIB) $(JANSSON_LIBS) $(NNG_LIBS) \
	    $(CORE_LIBS)

# the seeds' queues (PostgreSQL SKIP LOCKED, Redis lists) for baseline_bench.sh
$(B)/tests/bench/baseline.o: ALL_CPPFLAGS += $(PQ_CFLAGS)
$(B)/tests/baseline: $(B)/tests/bench/baseline.o $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(CORE_LIB) $(PQ_LIBS) $(CORE_LIBS)

# Fuzz targets: built here with a small driver that replays the corpus
# (tests/fuzz/driver.c), so `make check` runs them with gcc; `make fuzz`
# builds real libFuzzer binaries with clang.
$(B)/tests/%_fuzz: $(B)/tests/fuzz/%_fuzz.o $(B)/tests/fuzz/driver.o \
    $(WORKER_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(JANSSON_LIBS) $(SERIAL_LIBS) $(CORE_LIBS)

# the printsim's decoder has a fuzz target of its own
$(B)/tests/escpos_fuzz: $(B)/tests/fuzz/escpos_fuzz.o $(B)/tests/fuzz/driver.o \
    $(B)/src/printsim/escpos_decode.o $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CORE_LIBS)

$(B)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Isrc/worker -Isrc/printsim $(ALL_CFLAGS) -MMD -MP \
	    -c -o $@ $<

-include $(shell find build -name '*.d' 2>/dev/null)

# --- tests -----------------------------------------------------------------

check: all check-unit check-fuzz check-regress check-ui check-pg check-man
	@echo "make check: all suites passed ($(MODE))"

check-regress: $(addprefix $(BIN)/,$(PROGS)) $(TOOLS)
	@sh tests/run-suite.sh regress tests/regress $(BIN) $(B)/tests

# the curses programs in tmux: send-keys, capture-pane
check-ui: $(addprefix $(BIN)/,$(PROGS)) $(TOOLS)
	@sh tests/run-suite.sh ui tests/ui $(BIN) $(B)/tests

# PostgreSQL: each test starts its own server in a temporary directory
check-pg: $(addprefix $(BIN)/,$(PROGS)) $(TOOLS)
	@sh tests/run-suite.sh pg tests/pg $(BIN) $(B)/tests

unit check-unit: $(UNIT_BINS)
	@sh tests/run-unit.sh $(UNIT_BINS)

check-fuzz: $(FUZZ_BINS)
	@sh tests/run-fuzz.sh $(FUZZ_BINS)

check-man: $(BIN)/fastops-ctl
	@out=$$(mandoc -Tlint -Wwarning $(MANPAGES) 2>&1); \
	if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; \
	echo "man: $(words $(MANPAGES)) pages lint clean"
	@sh tests/mancheck.sh $(BIN)/fastops-ctl man/fastops-ctl.1

bench: $(BENCH_BINS)
	@sh tests/bench/run.sh $(B)/tests

fuzz:
	@mkdir -p build/fuzz
	@for f in $(FUZZ_SRCS); do \
		n=$$(basename $$f .c); \
		echo "clang -fsanitize=fuzzer $$f -> build/fuzz/$$n"; \
		clang -std=c17 -D_GNU_SOURCE -g -O1 \
		    -fsanitize=fuzzer,address,undefined $(ALL_CPPFLAGS) \
		    -Isrc/worker -Isrc/printsim -o build/fuzz/$$n $$f \
		    $(COMMON_SRCS) $(QUEUE_SRCS) $(WORKER_SRCS) \
		    src/printsim/escpos_decode.c -pthread $(JANSSON_LIBS) \
		    $(NNG_LIBS) $(SERIAL_LIBS) $(CORE_LIBS) || exit 1; \
	done

# --- installation ----------------------------------------------------------

deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		    grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all installed"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "deps: missing:$$missing"; \
		echo "run as root: apt-get install -y$$missing"; exit 1; \
	fi; \
	echo "deps: installing$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -q && apt-get install -y -q --no-install-recommends $$missing

# Programs, manuals, the systemd unit, sysusers/tmpfiles snippets and the
# example configuration (under $(DATADIR): /etc is the admin's, see INSTALL).
install: all
	install -d $(DESTDIR)$(BINDIR_INST) $(DESTDIR)$(SBINDIR_INST) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(LIBDIR_SYSTEMD)/sysusers.d \
	    $(DESTDIR)$(LIBDIR_SYSTEMD)/tmpfiles.d $(DESTDIR)$(DATADIR)
	install -m 755 $(BIN)/fastops-queued $(DESTDIR)$(SBINDIR_INST)/
	install -m 755 $(addprefix $(BIN)/,fastops-ctl fastops-printsim \
	    $(UI_PROGS)) $(DESTDIR)$(BINDIR_INST)/
	@for m in $(MANPAGES); do \
		s=$${m##*.}; \
		echo install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	done
	sed -e 's|/usr/local/sbin|$(SBINDIR_INST)|g' \
	    -e 's|/usr/local/bin|$(BINDIR_INST)|g' \
	    etc/fastops-queued.service >$(DESTDIR)$(UNITDIR)/fastops-queued.service
	chmod 644 $(DESTDIR)$(UNITDIR)/fastops-queued.service
	install -m 644 etc/fastops.sysusers \
	    $(DESTDIR)$(LIBDIR_SYSTEMD)/sysusers.d/fastops.conf
	install -m 644 etc/fastops.tmpfiles \
	    $(DESTDIR)$(LIBDIR_SYSTEMD)/tmpfiles.d/fastops.conf
	install -m 644 etc/fastops.ini etc/menu.csv $(DESTDIR)$(DATADIR)/
	install -d $(DESTDIR)$(DATADIR)/sql/migrations \
	    $(DESTDIR)$(DATADIR)/sql/queries
	install -m 644 sql/schema.sql $(DESTDIR)$(DATADIR)/sql/
	install -m 644 $(SQL_MIGRATIONS) $(DESTDIR)$(DATADIR)/sql/migrations/
	install -m 644 $(SQL_QUERIES) $(DESTDIR)$(DATADIR)/sql/queries/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR_INST)/fastops-queued \
	    $(DESTDIR)$(BINDIR_INST)/fastops-ctl \
	    $(DESTDIR)$(BINDIR_INST)/fastops-printsim \
	    $(DESTDIR)$(BINDIR_INST)/fastops-pos \
	    $(DESTDIR)$(BINDIR_INST)/fastops-kds \
	    $(DESTDIR)$(BINDIR_INST)/fastops-top \
	    $(DESTDIR)$(UNITDIR)/fastops-queued.service \
	    $(DESTDIR)$(LIBDIR_SYSTEMD)/sysusers.d/fastops.conf \
	    $(DESTDIR)$(LIBDIR_SYSTEMD)/tmpfiles.d/fastops.conf \
	    $(DESTDIR)$(DATADIR)/fastops.ini $(DESTDIR)$(DATADIR)/menu.csv
	rm -f $(DESTDIR)$(DATADIR)/sql/schema.sql \
	    $(addprefix $(DESTDIR)$(DATADIR)/sql/,$(SQL_MIGRATIONS:sql/%=%) \
	    $(SQL_QUERIES:sql/%=%))
	-rmdir $(DESTDIR)$(DATADIR)/sql/migrations \
	    $(DESTDIR)$(DATADIR)/sql/queries $(DESTDIR)$(DATADIR)/sql 2>/dev/null
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null
	@for m in $(MANPAGES); do \
		s=$${m##*.}; b=$$(basename $$m); \
		rm -f $(DESTDIR)$(MANDIR)/man$$s/$$b; \
	done

demo: deps all
	@sh tests/demo.sh $(BIN)

clean:
	rm -rf build bin/*
