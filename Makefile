# zoned — build, test, demo, bench, install.
#
#   make            release build: build/zoned, build/zonectl
#   make check      install dependencies, sanitized build, every test
#   make demo       install dependencies, build, three-zone lab, daemon
#   make demo-ha    the same for an active/standby pair (keepalived, conntrackd)
#   make bench      benchmarks (ratios against a peer run side by side)
#   make load       1,000 reloads under traffic (make check runs 100)
#   make install    PREFIX=/usr/local DESTDIR=
#   make golden     regenerate tests/golden/*.out from the current build
#   make fuzz       each fuzz target for FUZZ_SECONDS (tests/fuzz/fuzz.mk)

PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system

CC      ?= cc
PKGS    := libconfig libnftnl libmnl jansson libpcap libcap-ng libcrypto libnetfilter_queue
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT      ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wformat=2 \
            -Wmissing-prototypes -Wstrict-prototypes
CPPFLAGS += -D_GNU_SOURCE -Ilib
XCFLAGS  := -std=gnu11 $(WARN) $(PKG_CFLAGS)
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
            -fno-omit-frame-pointer

LIB_SRC     := $(sort $(wildcard lib/*.c))
ZONED_SRC   := $(sort $(wildcard daemon/zoned/*.c))
ZONECTL_SRC := $(sort $(wildcard daemon/zonectl/*.c))
UNIT_SRC    := $(sort $(wildcard tests/unit/*.c))
# Daemon modules that run without root or the daemon, with unit suites.
DAEMON_UNIT := daemon/zoned/control.c daemon/zoned/event.c daemon/zoned/ha.c \
               daemon/zoned/log.c daemon/zoned/request.c \
               daemon/zoned/restart.c
NETNS_SRC   := $(sort $(wildcard tests/netns/*.c))
BENCH_SRC   := $(sort $(wildcard tests/bench/*.c))
# What every test program shares (the frame builder): linked into the unit
# binary, the netns helpers and the benchmarks that build frames.
COMMON_SRC  := $(sort $(wildcard tests/common/*.c))

# Release objects in build/, sanitized test objects in build/test/.
R := build
T := build/test

obj = $(patsubst %.c,$(1)/%.o,$(2))

all: $(R)/zoned $(R)/zonectl

# --- release -------------------------------------------------------------
# V=1 shows the commands.
Q := $(if $(V),,@)

$(R)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(XCFLAGS) $(OPT) $(CFLAGS) -MMD -MP -c -o $@ $<

$(R)/libzone.a: $(call obj,$(R),$(LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

$(R)/zoned: $(call obj,$(R),$(ZONED_SRC)) $(R)/libzone.a
	$(CC) $(OPT) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(R)/zonectl: $(call obj,$(R),$(ZONECTL_SRC)) $(R)/libzone.a
	$(CC) $(OPT) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# --- sanitized test build ------------------------------------------------
TFLAGS := -O1 -g $(SAN) -DZONED_TESTING

$(T)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC [t]  $<")
	$(Q)$(CC) $(CPPFLAGS) $(XCFLAGS) $(TFLAGS) -MMD -MP -c -o $@ $<

$(T)/libzone.a: $(call obj,$(T),$(LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

$(T)/zoned: $(call obj,$(T),$(ZONED_SRC)) $(T)/libzone.a
	$(CC) $(TFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(T)/zonectl: $(call obj,$(T),$(ZONECTL_SRC)) $(T)/libzone.a
	$(CC) $(TFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# Test programs find tests/common/*.h; unit suites of daemon modules find
# theirs.
$(T)/tests/%.o $(R)/bench/tests/%.o: CPPFLAGS += -Itests/common
$(T)/tests/unit/%.o: CPPFLAGS += -Itests/common -Idaemon/zoned

$(T)/unit: $(call obj,$(T),$(UNIT_SRC) $(COMMON_SRC) $(DAEMON_UNIT)) \
    $(T)/libzone.a
	$(CC) $(TFLAGS) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs check) $(PKG_LIBS) -lm

# Small helper programs of the netns tests (traffic probes), one per file.
$(T)/netns/%: $(T)/tests/netns/%.o $(call obj,$(T),$(COMMON_SRC)) \
    $(T)/libzone.a
	@mkdir -p $(dir $@)
	$(CC) $(TFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

NETNS_BINS := $(patsubst tests/netns/%.c,$(T)/netns/%,$(NETNS_SRC))

# The fuzz targets, and their replay in the test build (tests/fuzz/fuzz.mk).
include tests/fuzz/fuzz.mk

test-build: $(T)/zoned $(T)/zonectl $(T)/unit $(NETNS_BINS) $(FUZZ_REPLAY)

# --- benchmarks (release flags, -march=native allowed) --------------------
BFLAGS := -O3 -g -march=native
$(R)/bench/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(XCFLAGS) $(BFLAGS) $(BENCH_CFLAGS) -MMD -MP -c -o $@ $<

# --- targets ---------------------------------------------------------------
deps:
	@scripts/deps.sh

check: deps
	$(MAKE) test-build
	tests/run.sh

demo: deps
	$(MAKE) all
	scripts/demo.sh

demo-ha: deps
	$(MAKE) all
	scripts/demo-ha.sh

bench: deps
	$(MAKE) all
	tests/bench/run.sh

# 1,000 reloads under traffic (make check runs 100): tests/netns/t-load.sh
load: deps
	$(MAKE) test-build
	LOAD_RELOADS=1000 bash tests/netns/t-load.sh

golden: $(T)/zoned $(T)/zonectl
	tests/golden/run.sh --regen

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(R)/zoned $(R)/zonectl $(DESTDIR)$(SBINDIR)/
	install -m 0644 man/zoned.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/zoned.8 man/zonectl.8 $(DESTDIR)$(MANDIR)/man8/
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/zoned
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/zoned/zoned.conf ]; then \
	  echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/zoned/zoned.conf"; \
	else install -m 0640 conf/alpha.conf $(DESTDIR)$(SYSCONFDIR)/zoned/zoned.conf; fi
	install -d $(DESTDIR)$(SYSCONFDIR)/zoned/examples
	install -m 0644 conf/*.conf conf/*.addresses $(DESTDIR)$(SYSCONFDIR)/zoned/examples/
	install -d $(DESTDIR)$(SYSCONFDIR)/zoned/examples/ha
	install -m 0644 conf/ha/keepalived.conf conf/ha/conntrackd.conf $(DESTDIR)$(SYSCONFDIR)/zoned/examples/ha/
	install -m 0755 conf/ha/zoned-ha-notify conf/ha/zoned-ha-check $(DESTDIR)$(SYSCONFDIR)/zoned/examples/ha/
	@if [ -f scripts/zoned.service ]; then \
	  install -d $(DESTDIR)$(UNITDIR); \
	  sed 's|@SBINDIR@|$(SBINDIR)|g' scripts/zoned.service > $(DESTDIR)$(UNITDIR)/zoned.service; \
	fi
	@if [ -z "$(DESTDIR)" ]; then scripts/useradd.sh; fi

clean:
	rm -rf build

.PHONY: all deps check demo demo-ha bench load golden install clean test-build

-include $(shell find build -name '*.d' 2>/dev/null)

# Benchmarks own their rules (tests/bench/bench.mk).
-include tests/bench/bench.mk
