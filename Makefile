# tlsdiag: a plain Makefile (see README "Why make"). Targets:
#   make            build build/tlsdiag
#   make demo       install what is missing, build, run on the captures in the repo
#   make test       install what is missing, build (normal + ASan/UBSan), run every test
#   make check T=NAME [CASE=GLOB] [ASAN=1]   one test alone (README "Tests")
#   make format-check [FILES="a.c b.h"]      C files clang-format would change
#   make install PREFIX=/usr/local
PREFIX ?= /usr/local
CC ?= cc
PKGS = openssl libpcap
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lssl -lcrypto -lpcap)
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc -I$(B)/gen $(PKG_CFLAGS)
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

B ?= build
# Parallel jobs for make test / make check (builds and suites).
J ?= $(shell nproc 2>/dev/null || echo 2)
LIB_SRCS := $(sort $(wildcard src/base/*.c src/crypto/*.c src/capture/*.c src/reasm/*.c src/tls/*.c src/cert/*.c src/lab/*.c src/probe/*.c src/diag/*.c src/config/*.c src/report/*.c src/engine/*.c src/analyse/*.c src/log/*.c))
CLI_SRCS := $(sort $(wildcard src/cli/*.c))
GEN_SRC := $(B)/gen/names_gen.c
GEN_HDR := $(B)/gen/iana.h
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o) $(B)/gen/names_gen.o
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/*/*_test.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
TESTLIB_SRCS := $(sort $(wildcard tests/lib/*.c))
TESTLIB_OBJS := $(TESTLIB_SRCS:%.c=$(B)/%.o)
FUZZ_TARGETS := pcap tls hello cert probe preamble config log
REPLAY_BINS := $(FUZZ_TARGETS:%=$(B)/replay/%)
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined

.SECONDARY:
.PHONY: all deps deps-test demo test check unit unit-bins asan integration install clean check-layers format-check fuzz memcheck replay
all: $(B)/tlsdiag

$(B)/gen/names_gen.c: tools/gen_names.sh $(wildcard data/iana/*.csv)
	@mkdir -p $(@D)
	sh tools/gen_names.sh data/iana > $@.tmp && mv $@.tmp $@

$(B)/gen/iana.h: tools/gen_names.sh $(wildcard data/iana/*.csv)
	@mkdir -p $(@D)
	sh tools/gen_names.sh data/iana h > $@.tmp && mv $@.tmp $@

$(B)/%.o: %.c $(GEN_SRC) $(GEN_HDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/tests/lib/%.o: tests/lib/%.c $(GEN_SRC) $(GEN_HDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/lib -MMD -MP -c $< -o $@

$(B)/gen/names_gen.o: $(GEN_SRC) $(GEN_HDR)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libtlsdiag.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(B)/tlsdiag: $(CLI_OBJS) $(B)/libtlsdiag.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libtlsdiag.a $(TESTLIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/lib -MMD -MP -MT $@ -MF $(@D)/.$(@F).d $(LDFLAGS) -o $@ $< $(TESTLIB_OBJS) $(B)/libtlsdiag.a $(PKG_LIBS) -lcmocka

# The fuzz targets linked with a replay driver instead of libFuzzer (gcc, no clang):
# make test runs the regression corpus through them, normal and sanitizer builds.
$(B)/replay/%: tests/fuzz/fuzz_%.c tests/fuzz/common.c tests/fuzz/replay.c $(B)/libtlsdiag.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -MMD -MP -MT $@ -MF $(@D)/.$(@F).d $(LDFLAGS) -o $@ $(filter %.c,$^) $(B)/libtlsdiag.a $(PKG_LIBS) -lpthread

# libFuzzer: make fuzz FUZZ_SECONDS=N runs each target N seconds from the
# regression corpus and seeds made by tlsdiag lab; crashes land in
# build/fuzz/crashes/ and make fails.
fuzz:
	@sh tools/install-deps.sh fuzz
	$(MAKE) B=build/fuzz CC=clang CFLAGS="$(FUZZ_FLAGS)" build/fuzz/libtlsdiag.a all
	sh tools/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The integration tests with the binary under valgrind: no error, no definite leak.
memcheck:
	@sh tools/install-deps.sh memcheck
	$(MAKE) -j$(J) all build/replay/pcap
	sh tools/memcheck.sh

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do ./$$t || fail=1; done; exit $$fail

deps:
	@sh tools/install-deps.sh build
deps-test:
	@sh tools/install-deps.sh test

# The same tree built with AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(MAKE) B=build/asan CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" all $(patsubst build/%,build/asan/%,$(UNIT_BINS) $(REPLAY_BINS))

demo: deps
	$(MAKE) -j$(J) all
	sh tools/demo.sh build/tlsdiag

# Both trees at once, then every test (tests/run.sh: the layer and format
# checks, units and corpus replays of both builds, the integration suites
# against both binaries), J jobs at once.
test: deps-test
	$(MAKE) -j$(J) all unit-bins asan
	bash tests/run.sh -j $(J)

# One test alone: make check T=diag/rules_test, T=t1700, T=t1700-cert,
# T=pcap (a fuzz target's corpus), T=unit, T=lint; several: T="t1000 t1100".
# CASE=GLOB: only the unit test cases (cmocka, whole name) or the suite's checks
# (anywhere in the description) that match. Against build/tlsdiag; ASAN=1 adds
# the sanitizer build. Without T, every test against that build.
check: deps-test
	$(MAKE) -j$(J) all unit-bins $(if $(ASAN),asan)
	$(if $(CASE),TD_TEST='$(CASE)' TD_CASE='$(CASE)') TLSDIAGS="build/tlsdiag$(if $(ASAN), build/asan/tlsdiag)" \
	  bash tests/run.sh -j $(J) $(T)

unit-bins: $(UNIT_BINS) $(REPLAY_BINS)

install: $(B)/tlsdiag
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(B)/tlsdiag $(DESTDIR)$(PREFIX)/bin/tlsdiag
	install -m 644 man/tlsdiag.1 $(DESTDIR)$(PREFIX)/share/man/man1/tlsdiag.1

check-layers:
	sh tools/check_layers.sh

# make format-check FILES="src/tls/conn.c ...": only those; from a shell, a branch's files:
#   make format-check FILES="$(git diff --name-only main)"
format-check:
	sh tools/format-check.sh $(FILES)

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(TESTLIB_OBJS:.o=.d) \
  $(foreach b,$(UNIT_BINS) $(REPLAY_BINS),$(dir $(b)).$(notdir $(b)).d)
