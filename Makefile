# Moonscope — one non-recursive Makefile.
#
# The shared library (shared/ and ingest/) builds once into build/libmoonscope.a.
# Every functions/<route>.c becomes its own FastCGI/CGI executable in
# build/fn/<route> by one pattern rule, so a new endpoint is a new file.
# The moonscope CLI (cli/) and the Check test runner (tests/) link the same
# objects that ship.

PREFIX   ?= /usr/local
DESTDIR  ?=
PORT     ?= 8080
DATA     ?=
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

CC       ?= cc
BUILD    ?= build
PKGS     := fcgi libcjson sqlite3 zlib gsl libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wwrite-strings -Wpointer-arith -Wcast-qual \
            -Wformat=2 -Wundef -Wvla -Wno-missing-field-initializers
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT      ?= -O2 -g
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DMS_VERSION='"$(VERSION)"' \
            -Ishared -Iingest -Ibacktest
CFLAGS   += $(OPT) $(WARN) $(HARDEN) $(SAN) $(PKG_CFLAGS) -MMD -MP
LDFLAGS  += -pie -Wl,-z,relro,-z,now $(SAN)
LDLIBS   += $(PKG_LIBS) -lm

LIB_SRC  := $(sort $(wildcard shared/*.c ingest/*.c backtest/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libmoonscope.a

FN_SRC   := $(sort $(wildcard functions/*.c))
FN_BIN   := $(FN_SRC:functions/%.c=$(BUILD)/fn/%)

CLI_SRC  := $(sort $(wildcard cli/*.c))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
CLI      := $(BUILD)/moonscope

TEST_SRC := $(sort $(wildcard tests/check_*.c))
# Route files compiled again for the tests, exporting their route instead of main().
TEST_FN_OBJ := $(FN_SRC:functions/%.c=$(BUILD)/test-fn/%.o)
SUITES_H := $(BUILD)/tests/suites.h
# Helpers shared by the suites (not a suite: it defines no make_*_suite).
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/testutil.o
TEST_BIN := $(BUILD)/check_moonscope

HTTP_SRC := tests/http/httpcheck.c
HTTP_BIN := $(BUILD)/httpcheck

# Fuzz harnesses (tests/fuzz/fuzz_<name>.c). Each links twice: with
# tests/fuzz/replay.c into $(BUILD)/fuzz-replay/ (any compiler; `make
# check` replays tests/fuzz/corpus/<harness>/), and with libFuzzer into
# build-fuzz/fuzz/ (`make fuzz`, clang with ASan and UBSan).
FUZZ_NAMES   := fuzz_request fuzz_csv fuzz_param
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   ?=
FUZZ_COMMON  := $(BUILD)/tests/fuzz/fuzzutil.o
FUZZ_OBJ     := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/%.o) $(FUZZ_COMMON) \
                $(BUILD)/tests/fuzz/replay.o
FUZZ_REPLAY  := $(FUZZ_NAMES:%=$(BUILD)/fuzz-replay/%)
FUZZ_BIN     := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)

DEPS     := $(LIB_OBJ:.o=.d) $(FN_SRC:functions/%.c=$(BUILD)/functions/%.d) \
            $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(TEST_FN_OBJ:.o=.d) $(BUILD)/tests/http/httpcheck.d \
            $(FUZZ_OBJ:.o=.d)

.PHONY: all deps check unit integration realdata ingest-test backtest-test sdk-test run stop install uninstall \
        clean bench asan valgrind lint format fuzz fuzz-bins fuzz-replay

all: $(LIB) $(FN_BIN) $(CLI) $(TEST_BIN) $(HTTP_BIN)

# Installs missing Debian packages (as root), or prints the apt-get line.
deps:
	@infra/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/fn/%: $(BUILD)/functions/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(CLI): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $(CLI_OBJ) $(LIB) $(LDLIBS) -o $@

# The runner's list of suites, generated from the make_*_suite definitions.
$(SUITES_H): $(TEST_SRC)
	@mkdir -p $(@D)
	@grep -ho '^make_[a-z0-9_]*_suite(void)' $(TEST_SRC) | \
	  sed 's/(void)//; s/.*/MS_SUITE(&)/' > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/check_main.o: $(SUITES_H)
$(BUILD)/tests/check_main.o: CPPFLAGS += -I$(BUILD)/tests

$(BUILD)/test-fn/%.o: functions/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DMS_ROUTE_TEST $(CFLAGS) -c $< -o $@

$(TEST_BIN): $(TEST_OBJ) $(TEST_FN_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $(TEST_OBJ) $(TEST_FN_OBJ) $(LIB) $(LDLIBS) $(CHECK_LIBS) -o $@

$(HTTP_BIN): $(BUILD)/tests/http/httpcheck.o $(LIB)
	$(CC) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/fuzz-replay/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/replay.o \
    $(FUZZ_COMMON) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $(filter %.o,$^) $(LIB) $(LDLIBS) -o $@

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(FUZZ_COMMON) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer $(filter %.o,$^) $(LIB) $(LDLIBS) -o $@

# Everything, as CI runs it: dependencies, build, unit tests (plain and under
# valgrind), the fuzz corpus replay, integration tests against real lighttpd
# and Apache, real data, and the CoinGecko SDK test when node and npm exist.
check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz-replay
	@$(MAKE) --no-print-directory valgrind
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory realdata
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory sdk-test; \
	else \
	  echo "SKIP sdk-test: node and npm are not installed"; \
	fi
	@$(MAKE) --no-print-directory ingest-test
	@$(MAKE) --no-print-directory backtest-test

unit: $(TEST_BIN)
	MS_TEST_FIXTURES=tests/fixtures $(TEST_BIN)

valgrind: $(TEST_BIN)
	CK_FORK=no MS_TEST_FIXTURES=tests/fixtures valgrind -q --error-exitcode=1 \
	  --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  $(TEST_BIN)

# Every saved fuzz input (seeds and past crashes) through its harness, plain
# and under valgrind: a regression test that needs no clang.
fuzz-replay: $(FUZZ_REPLAY)
	@for h in $(FUZZ_NAMES); do \
	  printf '%s: ' "$$h"; \
	  $(BUILD)/fuzz-replay/$$h tests/fuzz/corpus/$$h || exit 1; \
	  printf '%s (valgrind): ' "$$h"; \
	  valgrind -q --error-exitcode=1 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect \
	    $(BUILD)/fuzz-replay/$$h tests/fuzz/corpus/$$h || exit 1; \
	done

# libFuzzer with ASan and UBSan (clang, its own tree build-fuzz/): runs each
# harness FUZZ_SECONDS seconds, starting from tests/fuzz/corpus/<harness>/
# (with the dictionary tests/fuzz/<harness>.dict) and keeping what it
# learns in build-fuzz/corpus/<harness>/. A crash is saved as
# build-fuzz/crashes/<harness>-crash-*; fix it, then copy the input into
# tests/fuzz/corpus/<harness>/ so that `make check` replays it.
fuzz:
	@infra/install-deps.sh --fuzz
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT="-O1 -g" \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  fuzz-bins
	@for h in $(FUZZ_NAMES); do \
	  mkdir -p build-fuzz/corpus/$$h build-fuzz/crashes || exit 1; \
	  echo "fuzz: $$h for $(FUZZ_SECONDS) s"; \
	  build-fuzz/fuzz/$$h -max_total_time=$(FUZZ_SECONDS) -timeout=20 \
	    -print_final_stats=1 -artifact_prefix=build-fuzz/crashes/$$h- \
	    -dict=tests/fuzz/$$h.dict $(FUZZ_FLAGS) \
	    build-fuzz/corpus/$$h tests/fuzz/corpus/$$h || exit 1; \
	done

fuzz-bins: $(FUZZ_BIN)

# Unit tests built with AddressSanitizer and UBSan in a separate tree.
asan:
	$(MAKE) --no-print-directory BUILD=build-asan \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  OPT="-O1 -g" unit

integration: all
	tests/integration/run.sh

realdata: all
	tests/realdata/run.sh

# /api/v3 through CoinGecko's official TypeScript SDK (npm, pinned in
# tests/sdk/package.json) against a lighttpd serving the fixture.
sdk-test: all
	tests/sdk/run.sh

# `moonscope ingest` against a fault-injecting loopback upstream (faults,
# retries, atomicity, request budget), then the closed loop: one Moonscope
# serving /api/v3 to another's ingest (skipped until those routes exist).
ingest-test: all
	tests/ingest/run.sh
	tests/ingest/closed_loop.sh

# The backtester end to end on real data and fixtures, with independent
# (numpy) recomputation of its metrics: tests/backtest/t_*.sh.
backtest-test: all
	tests/backtest/run.sh

run: deps
	@$(MAKE) --no-print-directory all
	@PORT=$(PORT) DATA="$(DATA)" OFFLINE="$(OFFLINE)" infra/run.sh

stop:
	@infra/stop.sh

bench:
	@infra/install-deps.sh --bench
	@$(MAKE) --no-print-directory all
	bench/run.sh

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	  --suppress=missingIncludeSystem -Ishared -Iingest -Ibacktest shared ingest backtest cli functions

format:
	clang-format -i $(LIB_SRC) $(FN_SRC) $(CLI_SRC) $(TEST_SRC) shared/*.h ingest/*.h

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/moonscope \
	  $(DESTDIR)$(PREFIX)/share/moonscope/infra
	install -m 0755 $(CLI) $(DESTDIR)$(PREFIX)/bin/moonscope
	install -m 0755 $(FN_BIN) $(DESTDIR)$(PREFIX)/libexec/moonscope/
	install -m 0644 infra/*.conf infra/routes.txt $(DESTDIR)$(PREFIX)/share/moonscope/infra/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/moonscope
	rm -rf $(DESTDIR)$(PREFIX)/libexec/moonscope $(DESTDIR)$(PREFIX)/share/moonscope

clean:
	rm -rf build build-asan build-fuzz

-include $(DEPS)
