/* floor.c - the cold-start floor of make bench: a static program that only asks the Runtime API for its next event. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Connects to AWS_LAMBDA_RUNTIME_API ("127.0.0.1:port", as the bench's Runtime API is), sends one
 * GET /runtime/invocation/next and reads until the server closes. Nothing else: no libc start-up
 * beyond a static binary's, no DNS, no TLS. Returns 0 once the request is sent, 1 on any failure. */
int main(void)
{
  const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
  const char *colon = api ? strrchr(api, ':') : NULL;
  char host[64];
  if(!colon || (size_t)(colon - api) >= sizeof(host)) {
    fputs("floor: AWS_LAMBDA_RUNTIME_API must be host:port\n", stderr);
    return 1;
  }
  memcpy(host, api, (size_t)(colon - api));
  host[colon - api] = '\0';
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
  if(inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fputs("floor: AWS_LAMBDA_RUNTIME_API must name an IPv4 address\n", stderr);
    return 1;
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if(fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
    perror("floor: connect");
    return 1;
  }
  char request[160];
  int len =
    snprintf(request, sizeof(request), "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", api);
  if(len < 0 || (size_t)len >= sizeof(request) || write(fd, request, (size_t)len) != len) {
    perror("floor: write");
    close(fd);
    return 1;
  }
  char scratch[4096];
  while(read(fd, scratch, sizeof(scratch)) > 0) {
  }
  close(fd);
  return 0;
}
