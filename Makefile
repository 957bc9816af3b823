# zoned — build, test, demo, bench, install.
#
#   make            release build: build/zoned, build/zonectl
#   make check      install dependencies, sanitized build, every test
#   make demo       install dependencies, build, three-zone lab, daemon
#   make demo-ha    the same for an active/standby pair (keepalived, conntrackd)
#   make bench      benchmarks (ratios against a peer run side by side)
#   make load       1,000 reloads under traffic (make check runs 100)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        build-dependencies, then build/deb/zoned_VERSION_amd64.deb
#   make golden     regenerate tests/golden/*.out from the current build
#   make fuzz       each fuzz target for FUZZ_SECONDS (tests/fuzz/fuzz.mk)

PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system
LIBEXECDIR ?= $(PREFIX)/libexec
DOCDIR  ?= $(PREFIX)/share/doc/zoned

# The version, one source of truth: the first entry of debian/changelog, for
# a package build (debian/rules passes the same value) and a `make` build
# alike.  It reaches the code as -DZONED_VERSION; build/version holds the
# value the objects were built with, so that a new version rebuilds them.
ZONED_VERSION ?= $(shell awk 'NR == 1 { gsub(/[()]/, "", $$2); print $$2; exit }' \
    debian/changelog 2>/dev/null)
ifeq ($(ZONED_VERSION),)
$(error no version: debian/changelog is missing or malformed)
endif
$(shell mkdir -p build && echo '$(ZONED_VERSION)' | cmp -s - build/version || \
    echo '$(ZONED_VERSION)' >build/version)

CC      ?= cc
PKGS    := libconfig libnftnl libmnl jansson libpcap libcap-ng libcrypto libnetfilter_queue
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Graphviz lays out the report's diagram: zonectl and the unit tests link
# it; its dot layout and core renderer (plugins) are opened from its plugin
# directory by lib/report_diagram.c (no RUNPATH to that directory).
GVC_CFLAGS  := $(shell pkg-config --cflags libgvc 2>/dev/null) \
               -DGVC_PLUGIN_DIR='"$(shell pkg-config --variable=libdir libgvc 2>/dev/null)/graphviz"'
GVC_LIBS    := $(shell pkg-config --libs libgvc 2>/dev/null)

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
DAEMON_UNIT := daemon/zoned/clock.c daemon/zoned/control.c \
               daemon/zoned/event.c daemon/zoned/ha.c daemon/zoned/log.c \
               daemon/zoned/request.c \
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

# The files that print the version, in both builds.
VERSION_SRC := daemon/zoned/zoned.c daemon/zoned/command.c \
               daemon/zonectl/zonectl.c
$(call obj,$(R),$(VERSION_SRC)) $(call obj,$(T),$(VERSION_SRC)): build/version
$(call obj,$(R),$(VERSION_SRC)) $(call obj,$(T),$(VERSION_SRC)): \
    CPPFLAGS += -DZONED_VERSION='"$(ZONED_VERSION)"'

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
	$(CC) $(OPT) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(GVC_LIBS) -lm

$(R)/lib/report_diagram.o $(T)/lib/report_diagram.o: XCFLAGS += $(GVC_CFLAGS)

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
	$(CC) $(TFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(GVC_LIBS) -lm

# Test programs find tests/common/*.h; unit suites of daemon modules find
# theirs.
$(T)/tests/%.o $(R)/bench/tests/%.o: CPPFLAGS += -Itests/common
$(T)/tests/unit/%.o: CPPFLAGS += -Itests/common -Idaemon/zoned

$(T)/unit: $(call obj,$(T),$(UNIT_SRC) $(COMMON_SRC) $(DAEMON_UNIT)) \
    $(T)/libzone.a
	$(CC) $(TFLAGS) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs check) $(PKG_LIBS) $(GVC_LIBS) -lm

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

# Examples (and the HA templates of conf/ha/, when there) go to the
# documentation, as Debian wants; the package is built from this target.
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(R)/zoned $(R)/zonectl $(DESTDIR)$(SBINDIR)/
	install -m 0644 man/zoned.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/zoned.8 man/zonectl.8 $(DESTDIR)$(MANDIR)/man8/
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/zoned
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/zoned/zoned.conf ]; then \
	  echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/zoned/zoned.conf"; \
	else install -m 0640 conf/alpha.conf $(DESTDIR)$(SYSCONFDIR)/zoned/zoned.conf; fi
	install -d $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 conf/*.conf conf/*.addresses $(DESTDIR)$(DOCDIR)/examples/
	@if [ -d conf/ha ]; then \
	  echo "cp -R conf/ha $(DESTDIR)$(DOCDIR)/examples/"; \
	  cp -R --no-preserve=ownership conf/ha $(DESTDIR)$(DOCDIR)/examples/; \
	fi
	install -d $(DESTDIR)$(LIBEXECDIR)/zoned
	sed 's|@SYSCONFDIR@|$(SYSCONFDIR)|g; s|@DOCDIR@|$(DOCDIR)|g' \
	    scripts/example-guard >$(DESTDIR)$(LIBEXECDIR)/zoned/example-guard
	chmod 0755 $(DESTDIR)$(LIBEXECDIR)/zoned/example-guard
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
	    scripts/zoned.service >$(DESTDIR)$(UNITDIR)/zoned.service
	@if [ -z "$(DESTDIR)" ]; then scripts/useradd.sh; fi

# The Debian package, built in a copy of the tree (build/deb/zoned-VERSION/)
# so that dpkg-buildpackage's clean and its files in the parent directory
# stay out of the work tree: the .deb, its .changes and lintian's verdict
# (errors fail the build) land in build/deb/.
DEB_DIR := build/deb
DEB_SRC := $(DEB_DIR)/zoned-$(ZONED_VERSION)
deb:
	@scripts/deps.sh deb
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	tar -cf - --exclude=./build --exclude=./.git . | tar -xf - -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b -Jauto
	lintian --allow-root --fail-on error $(DEB_DIR)/zoned_$(ZONED_VERSION)_*.changes
	@ls $(DEB_DIR)/zoned_$(ZONED_VERSION)_*.deb

clean:
	rm -rf build

.PHONY: all deps check demo demo-ha bench load golden install deb clean test-build

-include $(shell find build -name '*.d' 2>/dev/null)

# Benchmarks own their rules (tests/bench/bench.mk).
-include tests/bench/bench.mk
