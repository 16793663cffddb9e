/* libFuzzer targets (clang -fsanitize=fuzzer); the same files, linked with
 * replay.c instead, replay the regression corpus in make test. */
#ifndef TD_FUZZ_H
#define TD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* The input as a file path (a memfd), for the entry points that read files. */
const char *td_fuzz_path(const uint8_t *data, size_t size);

#endif
