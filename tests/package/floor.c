/* floor.c - the cold-start floor: a static C program that only speaks the Lambda Runtime API (coldstart.py). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Sends request on a new connection to host (dotted IPv4):port and reads until the server closes or the headers and
 * Content-Length body are in. Returns 0 and the response (NUL-terminated) in out, -1 on any failure. */
static int s_exchange(const char *host, const char *port, const char *request, char *out, size_t cap)
{
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
  if(inet_pton(AF_INET, host, &addr.sin_addr) != 1)
    return -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int rc = -1;
  if(fd < 0 || connect(fd, (const struct sockaddr *)&addr, sizeof(addr)) != 0)
    goto cleanup;
  size_t len = strlen(request);
  for(size_t sent = 0; sent < len;) {
    ssize_t n = write(fd, request + sent, len - sent);
    if(n <= 0)
      goto cleanup;
    sent += (size_t)n;
  }
  size_t got = 0;
  for(;;) {
    ssize_t n = read(fd, out + got, cap - 1 - got);
    if(n <= 0)
      break;
    got += (size_t)n;
    out[got] = '\0';
    const char *end = strstr(out, "\r\n\r\n");
    const char *cl = strcasestr(out, "\r\ncontent-length:");
    if(end && cl && got >= (size_t)(end + 4 - out) + strtoul(cl + 17, NULL, 10))
      break;
    if(got + 1 >= cap)
      break;
  }
  out[got] = '\0';
  rc = got > 0 ? 0 : -1;

cleanup:
  if(fd >= 0)
    close(fd);
  return rc;
}

int main(void)
{
  static char response[1 << 16];
  const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
  const char *colon = api ? strrchr(api, ':') : NULL;
  if(!colon)
    return 2;
  char host[64];
  snprintf(host, sizeof(host), "%.*s", (int)(colon - api), api);
  const char *port = colon + 1;
  char request[512];
  snprintf(request, sizeof(request),
           "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", api);
  if(s_exchange(host, port, request, response, sizeof(response)))
    return 1;
  const char *id = strcasestr(response, "\r\nLambda-Runtime-Aws-Request-Id:");
  if(!id)
    return 1;
  id += strlen("\r\nLambda-Runtime-Aws-Request-Id:");
  id += strspn(id, " ");
  int id_len = (int)strcspn(id, "\r\n");
  static const char body[] = "{\"statusCode\":200,\"headers\":{\"content-type\":\"application/json\"},"
                             "\"body\":\"{\\\"status\\\":\\\"ok\\\"}\",\"isBase64Encoded\":false}";
  snprintf(request, sizeof(request),
           "POST /2018-06-01/runtime/invocation/%.*s/response HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n"
           "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
           id_len, id, api, strlen(body), body);
  if(s_exchange(host, port, request, response, sizeof(response)))
    return 1;
  /* Wait for the next event, as a Lambda runtime does; coldstart.py kills the process here. */
  snprintf(request, sizeof(request),
           "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", api);
  return s_exchange(host, port, request, response, sizeof(response)) ? 1 : 0;
}
