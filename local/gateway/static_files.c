/* static_files.c - serving the single-page app's files from a web root, safely. */
#include "local/gateway/static_files.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local/gateway/routes.h"

static const struct {
  const char *ext;
  const char *type;
} s_types[] = {
  {"html", "text/html; charset=utf-8"},
  {"htm", "text/html; charset=utf-8"},
  {"css", "text/css; charset=utf-8"},
  {"js", "text/javascript; charset=utf-8"},
  {"mjs", "text/javascript; charset=utf-8"},
  {"json", "application/json"},
  {"map", "application/json"},
  {"webmanifest", "application/manifest+json"},
  {"svg", "image/svg+xml"},
  {"png", "image/png"},
  {"jpg", "image/jpeg"},
  {"jpeg", "image/jpeg"},
  {"gif", "image/gif"},
  {"webp", "image/webp"},
  {"ico", "image/x-icon"},
  {"txt", "text/plain; charset=utf-8"},
  {"woff2", "font/woff2"},
  {"woff", "font/woff"},
};

const char *static_files_content_type(const char *name)
{
  const char *slash = strrchr(name, '/');
  const char *dot = strrchr(slash ? slash : name, '.');
  if(dot) {
    for(size_t i = 0; i < sizeof(s_types) / sizeof(s_types[0]); i++)
      if(strcasecmp(dot + 1, s_types[i].ext) == 0)
        return s_types[i].type;
  }
  return "application/octet-stream";
}

/* Returns true when a '/'-separated segment of the string p is ".." (or ".", when single_dot). */
static bool s_has_dot_segment(const char *p, bool single_dot)
{
  while(*p) {
    while(*p == '/')
      p++;
    size_t n = strcspn(p, "/");
    if((single_dot && n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
      return true;
    p += n;
  }
  return false;
}

/* Returns true when the decoded path (of length len) is acceptable to look up. */
static bool s_path_ok(const char *path, size_t len)
{
  if(len == 0 || strlen(path) != len || path[0] != '/' || strchr(path, '\\'))
    return false;
  return !s_has_dot_segment(path, false);
}

mynt_status static_files_open(const char *root_real, const char *raw_path, int *out_fd, off_t *out_size,
                              const char **out_type)
{
  *out_fd = -1;
  *out_size = 0;
  *out_type = NULL;
  size_t raw_len = strlen(raw_path);
  size_t decoded_len = 0;
  char *decoded = routes_percent_decode(raw_path, raw_len, 0, &decoded_len);
  if(!decoded)
    return MYNT_NOMEM;
  mynt_status st = MYNT_NOT_FOUND;
  char *joined = NULL;
  char *real = NULL;
  int fd = -1;
  if(!s_path_ok(decoded, decoded_len))
    goto cleanup;
  const char *index = decoded[decoded_len - 1] == '/' ? "index.html" : "";
  if(asprintf(&joined, "%s%s%s", root_real, decoded, index) < 0) {
    joined = NULL;
    st = MYNT_NOMEM;
    goto cleanup;
  }
  real = realpath(joined, NULL);
  size_t root_len = strlen(root_real);
  if(!real || strncmp(real, root_real, root_len) != 0 || real[root_len] != '/')
    goto cleanup;
  fd = open(real, O_RDONLY | O_CLOEXEC);
  struct stat sb;
  if(fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
    goto cleanup;
  *out_fd = fd;
  *out_size = sb.st_size;
  *out_type = static_files_content_type(real);
  fd = -1;
  st = MYNT_OK;
cleanup:
  if(fd >= 0)
    close(fd);
  free(real);
  free(joined);
  free(decoded);
  return st;
}

/* Returns true when prefix (its first len bytes) is an acceptable mount prefix (see
 * static_files_mount_parse). The dot-segment check reads on to the end of the string. */
static bool s_prefix_ok(const char *prefix, size_t len)
{
  if(len < 3 || prefix[0] != '/' || prefix[len - 1] != '/')
    return false;
  for(size_t i = 0; i < len; i++) {
    char ch = prefix[i];
    bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                 ch == '.' || ch == '_' || ch == '~' || ch == '/';
    if(!plain)
      return false;
  }
  return !s_has_dot_segment(prefix, true);
}

mynt_status static_files_mount_parse(const char *spec, static_files_mount *out, mynt_detail *detail)
{
  out->prefix = NULL;
  out->root_real = NULL;
  const char *eq = spec ? strchr(spec, '=') : NULL;
  if(!eq || !eq[1]) {
    return mynt_fail(detail, MYNT_BAD_REQUEST, "a mount is PREFIX=DIR, e.g. /plaid/=local/plaid_sim/link");
  }
  size_t prefix_len = (size_t)(eq - spec);
  if(!s_prefix_ok(spec, prefix_len)) {
    return mynt_fail(detail, MYNT_BAD_REQUEST,
                     "a mount prefix starts and ends with '/' and holds only letters, digits, - . _ ~ "
                     "without . or .. segments");
  }
  mynt_status st = MYNT_NOMEM;
  char *prefix = strndup(spec, prefix_len);
  char *real = NULL;
  if(!prefix)
    goto cleanup;
  real = realpath(eq + 1, NULL);
  struct stat sb;
  if(!real || stat(real, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    st = mynt_fail(detail, MYNT_BAD_REQUEST, "the mount directory %s is not a directory", eq + 1);
    goto cleanup;
  }
  out->prefix = prefix;
  out->root_real = real;
  prefix = NULL;
  real = NULL;
  st = MYNT_OK;
cleanup:
  free(prefix);
  free(real);
  return st;
}

void static_files_mount_free(static_files_mount *m)
{
  free(m->prefix);
  free(m->root_real);
  m->prefix = NULL;
  m->root_real = NULL;
}

mynt_status static_files_mount_open(const static_files_mount *m, const char *raw_path, int *out_fd, off_t *out_size,
                                    const char **out_type)
{
  *out_fd = -1;
  *out_size = 0;
  *out_type = NULL;
  size_t prefix_len = strlen(m->prefix);
  if(strncmp(raw_path, m->prefix, prefix_len) != 0)
    return MYNT_NOT_FOUND;
  /* Keep the prefix's final '/' so the rest is a rooted path inside the mount. */
  return static_files_open(m->root_real, raw_path + prefix_len - 1, out_fd, out_size, out_type);
}
