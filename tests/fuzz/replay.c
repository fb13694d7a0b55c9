/* replay.c - runs a fuzz harness without libFuzzer: feeds every file of the given directories (or
 * the given files) to LLVMFuzzerTestOneInput once, so the seed corpus and the regressions run in
 * ctest under any compiler and sanitizer. A missing directory is skipped; no input at all fails. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* The largest input replayed; libFuzzer's own default max_len is far below it. */
#define REPLAY_MAX_INPUT ((size_t)1 << 20)

/* Replays one file. Returns 0, or -1 when it cannot be read. */
static int s_replay_file(const char *path)
{
  int rc = -1;
  unsigned char *data = NULL;
  FILE *f = fopen(path, "rb");
  if(!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return -1;
  }
  data = malloc(REPLAY_MAX_INPUT);
  if(!data)
    goto cleanup;
  size_t n = fread(data, 1, REPLAY_MAX_INPUT, f);
  if(ferror(f) || !feof(f)) {
    fprintf(stderr, "replay: %s is unreadable or over %zu bytes\n", path, REPLAY_MAX_INPUT);
    goto cleanup;
  }
  fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
  LLVMFuzzerTestOneInput(data, n);
  rc = 0;
cleanup:
  free(data);
  fclose(f);
  return rc;
}

static int s_by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every regular file of dir in name order; adds their number to *count. Returns 0 or -1. */
static int s_replay_dir(const char *dir, size_t *count)
{
  int rc = -1;
  char **names = NULL;
  size_t n = 0;
  size_t cap = 0;
  DIR *d = opendir(dir);
  if(!d)
    return 0;
  struct dirent *e;
  while((e = readdir(d))) {
    if(e->d_name[0] == '.')
      continue;
    if(n == cap) {
      cap = cap ? cap * 2 : 16;
      char **grown = realloc(names, cap * sizeof *names);
      if(!grown)
        goto cleanup;
      names = grown;
    }
    if(!(names[n] = strdup(e->d_name)))
      goto cleanup;
    n++;
  }
  if(n > 1)
    qsort(names, n, sizeof *names, s_by_name);
  for(size_t i = 0; i < n; i++) {
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if(stat(path, &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    if(s_replay_file(path) != 0)
      goto cleanup;
    (*count)++;
  }
  rc = 0;
cleanup:
  for(size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  closedir(d);
  return rc;
}

int main(int argc, char **argv)
{
  size_t count = 0;
  if(LLVMFuzzerInitialize)
    LLVMFuzzerInitialize(&argc, &argv);
  for(int i = 1; i < argc; i++) {
    struct stat st;
    if(stat(argv[i], &st) == 0 && S_ISREG(st.st_mode)) {
      if(s_replay_file(argv[i]) != 0)
        return 1;
      count++;
    }
    else if(s_replay_dir(argv[i], &count) != 0) {
      return 1;
    }
  }
  if(count == 0) {
    fprintf(stderr, "replay: no input found\n");
    return 1;
  }
  fprintf(stderr, "replay: %zu inputs, no failure\n", count);
  return 0;
}
