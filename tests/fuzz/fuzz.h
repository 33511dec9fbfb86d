/*
 * fuzz.h — what the fuzz harnesses in tests/fuzz/ share.
 *
 * Every harness (fuzz_<name>.c) defines the libFuzzer entry point
 * LLVMFuzzerTestOneInput. The same object links two ways: with clang's
 * -fsanitize=fuzzer for `make fuzz`, and with replay.c (any compiler, no
 * libFuzzer) for the corpus replay that `make check` runs. A harness
 * checks its invariants with FUZZ_ASSERT, which aborts: a failed invariant
 * is a finding just like a crash.
 */
#ifndef MS_FUZZ_H
#define MS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "ms_param.h"

/* Runs one input; returns 0 (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "fuzz invariant failed: what (file:line)" and aborts. */
void fuzz_fail(const char *what, const char *file, int line)
	__attribute__((noreturn));

#define FUZZ_ASSERT(cond) \
	((cond) ? (void)0 : fuzz_fail(#cond, __FILE__, __LINE__))

/*
 * Checks what a validated value of spec must satisfy: the bounds of its
 * type, text that re-validates to the same value, list items that join
 * back into the text. v must be present (given or defaulted).
 */
void fuzz_check_value(const struct ms_param_spec *spec,
    const struct ms_param_value *v);

#endif
