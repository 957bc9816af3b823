# tests/bench/bench.mk — the benchmark programs (included by the Makefile).
#
#   build/bench/classbench   the classifier on ClassBench sets, against the
#                            linear reference and, where libdpdk-dev is
#                            installed, DPDK rte_acl in the same process
#
# Objects are built by the Makefile's $(R)/bench/%.o rule (BFLAGS,
# -march=native); the library sources the benchmark needs are compiled again
# there so that the measured code has the benchmark's flags.  DPDK is a
# benchmark-only dependency: only classbench.o and the link see it.

BENCH_DPDK := $(shell pkg-config --exists libdpdk 2>/dev/null && echo on || echo off)

ifeq ($(BENCH_DPDK),on)
# System include dirs (their headers are not ours to keep warning-free) and no
# -march from DPDK: BFLAGS has -march=native.
DPDK_CFLAGS := -DHAVE_DPDK -DALLOW_EXPERIMENTAL_API $(patsubst -I%,-isystem %,$(filter-out -march=% -mtune=%,$(shell pkg-config --cflags libdpdk)))
DPDK_LIBS   := $(shell pkg-config --libs libdpdk)
endif

CB_LIB_SRC := $(sort $(wildcard lib/acl*.c)) lib/classbench.c
CB_OBJ     := $(R)/bench/tests/bench/classbench.o $(call obj,$(R)/bench,$(CB_LIB_SRC))

# Rebuild classbench.o when DPDK appears or goes away.
CB_STAMP := $(R)/bench/.dpdk-$(BENCH_DPDK)
$(CB_STAMP):
	@mkdir -p $(dir $@)
	@rm -f $(R)/bench/.dpdk-*
	@touch $@

$(R)/bench/tests/bench/classbench.o: BENCH_CFLAGS += $(DPDK_CFLAGS)
$(R)/bench/tests/bench/classbench.o: $(CB_STAMP)

$(R)/bench/classbench: $(CB_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BFLAGS) $(LDFLAGS) -o $@ $^ $(DPDK_LIBS) -lm

bench-build: $(R)/bench/classbench

.PHONY: bench-build

# A gateway-shaped policy of N flows (apply and frame-path benchmarks).
$(R)/bench/genpolicy: $(R)/bench/tests/bench/genpolicy.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BFLAGS) $(LDFLAGS) -o $@ $^

bench-build: $(R)/bench/genpolicy

# The audit benchmark: a capture generator and the bare libpcap read loop;
# the monitor's frame path on a gateway-shaped policy.  These link the
# release library (the code under measurement as it ships); their frames
# come from the tests' one builder, tests/common/frames.c, by traffic.c.
$(R)/bench/genpcap: $(R)/bench/tests/bench/genpcap.o $(R)/bench/tests/bench/traffic.o $(R)/bench/tests/common/frames.o $(R)/libzone.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(R)/bench/pcapread: $(R)/bench/tests/bench/pcapread.o $(R)/libzone.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(R)/bench/framepath: $(R)/bench/tests/bench/framepath.o $(R)/bench/tests/bench/traffic.o $(R)/bench/tests/common/frames.o $(R)/libzone.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

bench-build: $(R)/bench/genpcap $(R)/bench/pcapread $(R)/bench/framepath

# New connections across the gateway, dual against kernel mode.
$(R)/bench/connrate: $(R)/bench/tests/bench/connrate.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BFLAGS) $(LDFLAGS) -o $@ $^

bench-build: $(R)/bench/connrate
