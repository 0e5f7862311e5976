/*
 * A stop-and-wait client for `npm run bench:instructions`: sends a message, waits for its
 * whole answer, checks it, sends the next. It is in C so that it costs the server's core as
 * little as possible and runs the same for every server.
 *
 *   pingpong-client tcp|udp|connect PORT MESSAGES SIZE
 *
 * The message is lowercase ASCII letters; every server the suite runs answers it in
 * uppercase, so a wrong answer is found (exit 1). UDP waits at most a second for an answer
 * and sends again (exit 1 after 100 losses). `connect` opens a TCP connection per message
 * (connect, send, read the answer, close: W5, what a server pays per connection). Prints
 * "done MESSAGES" at the end.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void die(const char *what) {
  perror(what);
  exit(1);
}

/* Reads exactly `size` bytes (TCP may deliver an answer in pieces). */
static void read_answer(int fd, char *answer, int size) {
  int got = 0;
  while (got < size) {
    ssize_t count = recv(fd, answer + got, (size_t)(size - got), 0);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) die("recv: the server closed or failed");
    got += (int)count;
  }
}

/* A socket connected to the server (TCP without Nagle's delay). */
static int open_socket(int udp, const struct sockaddr_in *server) {
  int fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (const struct sockaddr *)server, sizeof *server) < 0) die("connect");
  int one = 1;
  if (!udp) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: pingpong-client tcp|udp|connect PORT MESSAGES SIZE\n");
    return 2;
  }
  int udp = strcmp(argv[1], "udp") == 0;
  int connect_each = strcmp(argv[1], "connect") == 0;
  int port = atoi(argv[2]);
  long messages = atol(argv[3]);
  int size = atoi(argv[4]);
  if (port <= 0 || messages <= 0 || size <= 0 || size > 65000) {
    fprintf(stderr, "pingpong-client: PORT, MESSAGES and SIZE must be positive (SIZE up to 65000)\n");
    return 2;
  }
  char *message = malloc((size_t)size), *answer = malloc((size_t)size), *expected = malloc((size_t)size);
  for (int index = 0; index < size; index++) {
    message[index] = (char)('a' + index % 26);
    expected[index] = (char)('A' + index % 26);
  }

  struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  int fd = open_socket(udp, &server);
  struct timeval second = {.tv_sec = 1};
  if (udp) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &second, sizeof second);

  int losses = 0;
  for (long sent = 0; sent < messages; sent++) {
    if (send(fd, message, (size_t)size, 0) != size) die("send");
    if (udp) {
      ssize_t count = recv(fd, answer, (size_t)size, 0);
      if (count < 0 && (errno == EAGAIN || errno == EINTR) && ++losses <= 100) {
        sent--; /* lost or late: send it again */
        continue;
      }
      if (count != size) die("recv: no answer, or an answer of another size");
    } else {
      read_answer(fd, answer, size);
    }
    if (connect_each && sent + 1 < messages) {
      close(fd);
      fd = open_socket(udp, &server);
    }
    if (memcmp(answer, expected, (size_t)size) != 0) {
      fprintf(stderr, "pingpong-client: wrong answer to message %ld\n", sent);
      return 1;
    }
  }
  printf("done %ld\n", messages);
  return 0;
}
