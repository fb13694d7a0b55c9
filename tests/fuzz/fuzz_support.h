/* fuzz_support.h - shared by the fuzz harnesses: one input split into NUL-separated text parts. */
#ifndef MYNT_TESTS_FUZZ_SUPPORT_H
#define MYNT_TESTS_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_PARTS 10

/* The parts of one input: part[i] is NUL-terminated text of len[i] bytes, or NULL when the
 * input had fewer parts (the last part wanted keeps every byte after it, NULs included). */
typedef struct {
  char *copy;
  const char *part[FUZZ_MAX_PARTS];
  size_t len[FUZZ_MAX_PARTS];
  size_t count;
} fuzz_parts;

/* Splits data[0..size) into at most want (1..FUZZ_MAX_PARTS) parts at NUL bytes. Returns 0, or -1
 * when memory ran out (nothing to free then). Release with fuzz_parts_free. */
static inline int fuzz_split(const uint8_t *data, size_t size, size_t want, fuzz_parts *out)
{
  memset(out, 0, sizeof *out);
  out->copy = malloc(size + 1);
  if(!out->copy)
    return -1;
  if(size)
    memcpy(out->copy, data, size);
  out->copy[size] = '\0';
  size_t start = 0;
  while(out->count < want) {
    size_t end = start;
    if(out->count + 1 < want)
      while(end < size && out->copy[end] != '\0')
        end++;
    else
      end = size;
    out->part[out->count] = out->copy + start;
    out->len[out->count] = end - start;
    out->count++;
    if(end >= size)
      break;
    start = end + 1;
  }
  return 0;
}

static inline void fuzz_parts_free(fuzz_parts *p)
{
  free(p->copy);
  memset(p, 0, sizeof *p);
}

/* Stops the run with a message: a property the harness checks did not hold (libFuzzer and the
 * replay runner both report the abort with the input that caused it). */
#define FUZZ_CHECK(cond)                                                                                               \
  do {                                                                                                                 \
    if(!(cond)) {                                                                                                      \
      fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond);                                 \
      abort();                                                                                                         \
    }                                                                                                                  \
  } while(0)

/* Defines LLVMFuzzerInitialize for a harness that reads JSON (include <jansson.h> first): jansson's hash seed is
 * fixed, so one input always takes one path and a crash replays; then, when fixture_text is not NULL, it is parsed
 * into *fixture_out (json_t **), and the run aborts when it does not parse (the fixture is the harness's own). */
#define FUZZ_JSON_INITIALIZE(fixture_text, fixture_out)                                                                \
  int LLVMFuzzerInitialize(int *argc, char ***argv)                                                                    \
  {                                                                                                                    \
    const char *fuzz_text = (fixture_text);                                                                            \
    json_t **fuzz_out = (fixture_out);                                                                                 \
    (void)argc;                                                                                                        \
    (void)argv;                                                                                                        \
    json_object_seed(1);                                                                                               \
    if(fuzz_text && !(*fuzz_out = json_loads(fuzz_text, 0, NULL)))                                                     \
      abort();                                                                                                         \
    return 0;                                                                                                          \
  }

#endif
