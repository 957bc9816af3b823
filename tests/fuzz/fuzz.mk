# tests/fuzz/fuzz.mk — the fuzz targets (included by the Makefile).
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="policy pkt"]
#        each target under libFuzzer (clang, ASan+UBSan) for FUZZ_SECONDS,
#        from its seed corpus (tests/fuzz/corpus/T) into build/fuzz/corpus/T;
#        a crash is kept in build/fuzz/crashes/T/ (copy it to
#        tests/fuzz/regress/T/ with its fix)
#   build/test/fuzz/fuzz_T  the same target with the replay driver (gcc,
#        ASan+UBSan), built by `make test-build`: `make check` replays every
#        corpus file and every past crash through it (tests/fuzz/run.sh)
#
# A target is tests/fuzz/fuzz_T.c, fuzz_common.c and libzone; the control
# target also links the daemon's modules but main and the engine, whose
# kernel work stub_engine.c answers.

FUZZ_ALL     := policy pkt audit control
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang

# The daemon's modules in the control target: all but main and the engine.
FUZZ_DAEMON  := $(filter-out daemon/zoned/zoned.c daemon/zoned/engine.c,$(ZONED_SRC))
fuzz_extra    = $(if $(filter control,$(1)),$(FUZZ_DAEMON) tests/fuzz/stub_engine.c)
fuzz_src      = tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz_common.c $(call fuzz_extra,$(1))

FUZZ_CPPFLAGS := -Idaemon/zoned -Itests/fuzz -DFUZZ_SRCDIR='"$(CURDIR)"'

# --- replay (gcc, the test build's flags) ---------------------------------
$(T)/tests/fuzz/%.o: CPPFLAGS += $(FUZZ_CPPFLAGS)
FUZZ_REPLAY := $(patsubst %,$(T)/fuzz/fuzz_%,$(FUZZ_ALL))

define fuzz_replay_rule
$(T)/fuzz/fuzz_$(1): $(call obj,$(T),$(call fuzz_src,$(1)) tests/fuzz/replay.c) $(T)/libzone.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(TFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS) -lm
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_replay_rule,$(t))))

# --- libFuzzer (clang) -------------------------------------------------------
F := build/fuzz
FFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
          -fno-omit-frame-pointer -DZONED_TESTING
FUZZ_LIB_OBJ := $(call obj,$(F)/obj,$(LIB_SRC))

$(F)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC [f]  $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CPPFLAGS) $(XCFLAGS) $(FFLAGS) \
	    -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(F)/obj/lib/report_diagram.o: XCFLAGS += $(GVC_CFLAGS)
$(call obj,$(F)/obj,$(VERSION_SRC)): CPPFLAGS += -DZONED_VERSION='"$(ZONED_VERSION)"'

define fuzz_rule
$(F)/fuzz_$(1): $(call obj,$(F)/obj,$(call fuzz_src,$(1))) $(FUZZ_LIB_OBJ)
	$$(FUZZ_CC) $$(FFLAGS) -fsanitize=fuzzer $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS) $$(GVC_LIBS) -lm
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_rule,$(t))))

fuzz-build: $(patsubst %,$(F)/fuzz_%,$(FUZZ_TARGETS))

fuzz:
	@scripts/deps.sh fuzz
	$(MAKE) fuzz-build FUZZ_TARGETS="$(FUZZ_TARGETS)"
	tests/fuzz/run.sh fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-build
