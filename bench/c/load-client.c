/*
 * The load generator of `npm run bench`: one thread, non-blocking sockets, every answer byte
 * checked against the answer a correct server gives. It is in C so that the client is not
 * what limits a server (a Node client caps 50-connection ping-pong well below a C server).
 *
 *   load-client --port PORT [--host 127.0.0.1] [--pattern stream|pingpong|connect|udp]
 *               [--connections N] [--size BYTES] [--text ascii|spanish]
 *               [--answer ascii|unicode|echo] [--duration SECONDS] [--warmup SECONDS]
 *               [--total-bytes BYTES] [--window BYTES] [--udp-timeout-ms MS]
 *
 * stream (W1): one connection writes SIZE-byte blocks while the socket takes them and reads
 *   256 KiB at a time, concurrently; no window unless --window (then at most WINDOW bytes
 *   unanswered). Ends when TOTAL bytes after the warm-up are answered, or at the duration.
 * pingpong (W2, W3): N connections, each sends SIZE bytes and waits for the whole answer.
 * connect (W5): N at once, each connects, sends SIZE bytes, reads the answer, closes.
 * udp (W4): one socket, stop and wait; a datagram unanswered after the timeout is counted
 *   and the next one sent (an 8-digit sequence number first, so late answers are known).
 *
 * --answer says what the server does: ascii uppercases a-z only (the C server, `mayus serve
 * --mode ascii`), unicode also accented Latin letters (mayus's unicode mode, toUpperCase),
 * echo nothing (the physical-limit server). The text is the one `mayus bench` sends.
 *
 * Prints one JSON object in the shape of `mayus bench --json` (src/load/options.ts) and
 * exits 0; 1 when an answer was wrong (reported in errors.wrongAnswers), 2 on bad usage.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_BYTES (256 * 1024)
#define MAX_EVENTS 256
#define SEQUENCE_DIGITS 8

static const char *SENTENCES[] = {
    "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\n",
    "el ping\xc3\xbcino y la cig\xc3\xbc"
    "e\xc3\xb1"
    "a com\xc3\xad"
    "an pi\xc3\xb1"
    "as en el \xc3\xa1rbol; \xc2\xa1qu\xc3\xa9 \xc3\xbatil es el \xc3\xad"
    "ndice del \xc3\xb1"
    "and\xc3\xba!\n",
};

static struct {
  const char *host, *pattern, *text, *answer;
  int port, connections, size, udp_timeout_ms;
  double duration, warmup;
  long long total_bytes, window;
} options = {"127.0.0.1", "pingpong", "ascii", "unicode", 0, 1, 512, 1000, 10, 0, 0, 0};

static struct {
  long long messages, bytes_sent, bytes_received, wrong, connection_errors, timeouts, late;
  long long unanswered, warmup_bytes_received;
} tally;

static uint64_t *latencies;
static size_t latency_count, latency_capacity;
static uint64_t start_ns, mark_ns, end_ns; /* start, end of warm-up, end of measuring */
static struct sockaddr_storage server_address;
static socklen_t server_length;
static char address_text[INET6_ADDRSTRLEN];

static uint64_t now_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static int measuring(uint64_t now) { return now >= mark_ns; }

static void die(const char *what) {
  fprintf(stderr, "load-client: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void record_latency(uint64_t sent_ns, uint64_t now) {
  if (!measuring(sent_ns)) return;
  if (latency_count == latency_capacity) {
    latency_capacity = latency_capacity ? latency_capacity * 2 : 1 << 16;
    latencies = realloc(latencies, latency_capacity * sizeof *latencies);
    if (latencies == NULL) die("realloc");
  }
  latencies[latency_count++] = now - sent_ns;
}

/* SIZE bytes of the chosen text cut at a character boundary, padded with 'x' (payload.ts). */
static void build_message(unsigned char *message, int size, int prefix) {
  const char *sentence = strcmp(options.text, "spanish") == 0 ? SENTENCES[1] : SENTENCES[0];
  size_t length = strlen(sentence), index = 0;
  memset(message, 'x', (size_t)size);
  memset(message, '0', (size_t)(prefix < size ? prefix : size));
  for (int offset = prefix; offset < size;) {
    size_t bytes = 1;
    while (index + bytes < length && (sentence[index + bytes] & 0xc0) == 0x80) bytes++;
    if (offset + (int)bytes > size) break;
    memcpy(message + offset, sentence + index, bytes);
    offset += (int)bytes;
    index = (index + bytes) % length;
  }
}

/* What the server answers: a-z uppercased; in unicode mode also U+00E0-U+00FE (not U+00F7),
   the only other lowercase letters the texts hold, whose uppercase keeps the length. */
static void answer_of(const unsigned char *message, unsigned char *answer, int size) {
  int echo = strcmp(options.answer, "echo") == 0, unicode = strcmp(options.answer, "unicode") == 0;
  for (int i = 0; i < size; i++) {
    unsigned char byte = message[i];
    if (!echo && byte >= 'a' && byte <= 'z') byte -= 32;
    else if (unicode && i > 0 && message[i - 1] == 0xc3 && byte >= 0xa0 && byte <= 0xbe && byte != 0xb7) byte -= 32;
    answer[i] = byte;
  }
}

static void wrong_answer(const char *where, long long offset) {
  if (tally.wrong++ == 0) fprintf(stderr, "load-client: wrong answer (%s, byte %lld)\n", where, offset);
}

static int tcp_socket(void) {
  int fd = socket(server_address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr *)&server_address, server_length) < 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

/* W1: write while the socket takes bytes, read what comes, compare every byte. */
static void run_stream(void) {
  int size = options.size;
  long long period = size, copies = READ_BYTES / size + 2;
  unsigned char *outgoing = malloc((size_t)size * 2), *expected = malloc((size_t)(size * copies));
  unsigned char *incoming = malloc(READ_BYTES);
  if (!outgoing || !expected || !incoming) die("malloc");
  build_message(outgoing, size, 0);
  answer_of(outgoing, expected, size);
  memcpy(outgoing + size, outgoing, (size_t)size);
  for (long long copy = 1; copy < copies; copy++) memcpy(expected + copy * size, expected, (size_t)size);

  int fd = tcp_socket();
  if (fd < 0) die("connect");
  long long sent = 0, received = 0, received_at_mark = -1, sent_at_mark = 0, send_limit = -1;
  struct pollfd poller = {.fd = fd, .events = POLLIN | POLLOUT};
  for (;;) {
    uint64_t now = now_ns();
    if (received_at_mark < 0 && measuring(now)) {
      received_at_mark = received;
      if (options.total_bytes > 0) send_limit = received + options.total_bytes;
      sent_at_mark = sent;
    }
    if (now >= end_ns || (send_limit >= 0 && received >= send_limit)) break;
    int can_send = (send_limit < 0 || sent < send_limit) && (options.window <= 0 || sent - received < options.window);
    poller.events = POLLIN | (can_send ? POLLOUT : 0);
    if (poll(&poller, 1, 100) < 0 && errno != EINTR) die("poll");
    if (poller.revents & POLLOUT) {
      for (;;) {
        long long length = size, offset = sent % period;
        if (send_limit >= 0 && send_limit - sent < length) length = send_limit - sent;
        if (options.window > 0 && options.window - (sent - received) < length) length = options.window - (sent - received);
        if (length <= 0) break;
        ssize_t written = send(fd, outgoing + offset, (size_t)length, MSG_NOSIGNAL);
        if (written <= 0) {
          if (written < 0 && errno != EAGAIN && errno != EINTR) goto failed;
          break;
        }
        sent += written;
        if (written < length) break;
      }
    }
    if (poller.revents & (POLLIN | POLLERR | POLLHUP)) {
      ssize_t count = recv(fd, incoming, READ_BYTES, 0);
      if (count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR)) goto failed;
      if (count > 0) {
        if (received + count > sent) wrong_answer("more bytes than were sent", sent);
        else if (memcmp(incoming, expected + received % period, (size_t)count) != 0) {
          for (long long i = 0; i < count; i++) {
            if (incoming[i] != expected[(received + i) % period]) {
              wrong_answer("stream", received + i);
              break;
            }
          }
        }
        if (tally.wrong > 0) break;
        received += count;
      }
    }
  }
  goto done;
failed:
  tally.connection_errors++;
  fprintf(stderr, "load-client: the server closed or failed after %lld bytes\n", received);
done:
  end_ns = now_ns();
  if (received_at_mark < 0) received_at_mark = received;
  if (sent_at_mark == 0) sent_at_mark = received_at_mark;
  tally.bytes_sent = sent - sent_at_mark;
  tally.bytes_received = received - received_at_mark;
  tally.warmup_bytes_received = received_at_mark;
  tally.messages = tally.bytes_received / size;
  tally.unanswered = (sent - received + size - 1) / size;
  close(fd);
}

struct connection {
  int fd, state; /* 0 connecting, 1 sending, 2 receiving */
  int offset;
  uint64_t sent_ns;
  unsigned char *answer;
};

static int epoll_fd;

/* Opens a connection and queues its message (sent once connected; the clock starts here). */
static int open_connection(struct connection *c) {
  c->fd = tcp_socket();
  if (c->fd < 0) return -1;
  c->state = 1;
  c->offset = 0;
  c->sent_ns = now_ns();
  struct epoll_event event = {.events = EPOLLOUT, .data.ptr = c};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &event) < 0) die("epoll_ctl");
  return 0;
}

/* W2, W3 (stay connected) and W5 (connect for each message). */
static void run_tcp_messages(int connect_each) {
  int size = options.size, count = options.connections;
  unsigned char *message = malloc((size_t)size), *expected = malloc((size_t)size);
  struct connection *connections = calloc((size_t)count, sizeof *connections);
  if (!message || !expected || !connections) die("malloc");
  build_message(message, size, 0);
  answer_of(message, expected, size);
  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) die("epoll_create1");
  for (int i = 0; i < count; i++) {
    connections[i].answer = malloc((size_t)size);
    if (!connections[i].answer) die("malloc");
    while (open_connection(&connections[i]) < 0) tally.connection_errors++;
  }
  int busy = 1;
  struct epoll_event events[MAX_EVENTS];
  while (busy) {
    uint64_t now = now_ns();
    if (now >= end_ns) {
      end_ns = now;
      for (int i = 0; i < count; i++) {
        if (connections[i].fd >= 0 && measuring(connections[i].sent_ns)) tally.unanswered++;
      }
      break;
    }
    int ready = epoll_wait(epoll_fd, events, MAX_EVENTS, 100);
    if (ready < 0 && errno != EINTR) die("epoll_wait");
    for (int e = 0; e < ready; e++) {
      struct connection *c = events[e].data.ptr;
      if (c->fd < 0) continue;
      if (c->state == 1) {
        ssize_t written = send(c->fd, message + c->offset, (size_t)(size - c->offset), MSG_NOSIGNAL);
        if (written < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (written < 0) goto broken;
        c->offset += (int)written;
        if (c->offset < size) continue;
        c->state = 2;
        c->offset = 0;
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
        continue;
      }
      ssize_t got = recv(c->fd, c->answer + c->offset, (size_t)(size - c->offset), 0);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got <= 0) goto broken;
      c->offset += (int)got;
      if (c->offset < size) continue;
      now = now_ns();
      if (memcmp(c->answer, expected, (size_t)size) != 0) {
        for (int i = 0; i < size; i++) {
          if (c->answer[i] != expected[i]) {
            wrong_answer(connect_each ? "connect" : "pingpong", i);
            break;
          }
        }
        busy = 0;
        break;
      }
      if (measuring(c->sent_ns)) {
        tally.messages++;
        record_latency(c->sent_ns, now);
      }
      if (connect_each) {
        close(c->fd);
        while (open_connection(c) < 0) tally.connection_errors++;
        continue;
      }
      c->state = 1;
      c->offset = 0;
      c->sent_ns = now;
      ssize_t written = send(c->fd, message, (size_t)size, MSG_NOSIGNAL);
      if (written == size) {
        c->state = 2;
        continue; /* still waiting for EPOLLIN */
      }
      if (written > 0) c->offset = (int)written;
      struct epoll_event event = {.events = EPOLLOUT, .data.ptr = c};
      epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
      continue;
    broken:
      tally.connection_errors++;
      close(c->fd);
      c->fd = -1;
      if (connect_each && open_connection(c) == 0) continue;
      fprintf(stderr, "load-client: a connection was closed or failed\n");
      busy = 0;
      break;
    }
  }
  if (now_ns() < end_ns) end_ns = now_ns();
  for (int i = 0; i < count; i++) {
    if (connections[i].fd >= 0) close(connections[i].fd);
    free(connections[i].answer);
  }
  tally.bytes_sent = tally.bytes_received = tally.messages * size;
  close(epoll_fd);
}

/* W4: stop and wait on one UDP socket. */
static void run_udp(void) {
  int size = options.size;
  if (size < SEQUENCE_DIGITS) size = options.size = SEQUENCE_DIGITS;
  unsigned char *message = malloc((size_t)size), *expected = malloc((size_t)size), *answer = malloc(65536);
  if (!message || !expected || !answer) die("malloc");
  build_message(message, size, SEQUENCE_DIGITS);
  int fd = socket(server_address.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)&server_address, server_length) < 0) die("connect");
  unsigned sequence = 0;
  for (;;) {
    uint64_t sent_ns = now_ns();
    if (sent_ns >= end_ns) break;
    char digits[SEQUENCE_DIGITS + 1];
    snprintf(digits, sizeof digits, "%0*u", SEQUENCE_DIGITS, ++sequence % 100000000u);
    memcpy(message, digits, SEQUENCE_DIGITS);
    answer_of(message, expected, size);
    if (send(fd, message, (size_t)size, 0) != size) die("send");
    for (;;) {
      uint64_t waited_ms = (now_ns() - sent_ns) / 1000000u;
      struct pollfd poller = {.fd = fd, .events = POLLIN};
      int ready = waited_ms >= (uint64_t)options.udp_timeout_ms ? 0 : poll(&poller, 1, options.udp_timeout_ms - (int)waited_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) {
        if (measuring(sent_ns)) tally.timeouts++;
        break;
      }
      ssize_t got = recv(fd, answer, 65536, 0);
      if (got < 0 && errno == ECONNREFUSED) {
        tally.connection_errors++;
        break;
      }
      if (got < 0) continue;
      if (got >= SEQUENCE_DIGITS && memcmp(answer, digits, SEQUENCE_DIGITS) != 0) {
        tally.late++; /* the answer to a datagram that had timed out */
        continue;
      }
      uint64_t now = now_ns();
      if (got != size || memcmp(answer, expected, (size_t)size) != 0) wrong_answer("udp", 0);
      else if (measuring(sent_ns)) {
        tally.messages++;
        record_latency(sent_ns, now);
      }
      break;
    }
    if (tally.wrong > 0) break;
  }
  if (now_ns() < end_ns) end_ns = now_ns();
  tally.bytes_sent = tally.bytes_received = tally.messages * size;
  close(fd);
}

static int by_value(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static double percentile_us(double fraction) {
  if (latency_count == 0) return 0;
  size_t index = (size_t)(fraction * (double)(latency_count - 1) + 0.5);
  return (double)latencies[index] / 1000.0;
}

static void print_result(void) {
  double elapsed = mark_ns < end_ns ? (double)(end_ns - mark_ns) / 1e9 : 0;
  double mean = 0;
  qsort(latencies, latency_count, sizeof *latencies, by_value);
  for (size_t i = 0; i < latency_count; i++) mean += (double)latencies[i];
  mean = latency_count ? mean / (double)latency_count / 1000.0 : 0;
  int udp = strcmp(options.pattern, "udp") == 0;
  const char *pattern = udp ? "pingpong" : options.pattern;
  printf("{\"client\":\"c\",\"protocol\":\"%s\",\"host\":\"%s\",\"address\":\"%s\",\"port\":%d,", udp ? "udp" : "tcp",
         options.host, address_text, options.port);
  printf("\"pattern\":\"%s\",\"mode\":\"%s\",\"text\":\"%s\",\"connections\":%d,\"sizeBytes\":%d,\"answerBytes\":%d,",
         pattern, options.answer, options.text, options.connections, options.size, options.size);
  printf("\"ratePerSecond\":null,\"workers\":1,\"durationSeconds\":%g,\"warmupSeconds\":%g,\"elapsedSeconds\":%.6f,",
         options.duration, options.warmup, elapsed);
  printf("\"messages\":%lld,\"bytesSent\":%lld,\"bytesReceived\":%lld,\"messagesPerSecond\":%.3f,"
         "\"megabytesPerSecond\":%.3f,",
         tally.messages, tally.bytes_sent, tally.bytes_received, elapsed > 0 ? (double)tally.messages / elapsed : 0,
         elapsed > 0 ? (double)tally.bytes_received / elapsed / 1e6 : 0);
  printf("\"latency\":{\"recordedIn\":\"nanoseconds\",\"unit\":\"microseconds\",\"samples\":%zu,\"min\":%.3f,"
         "\"mean\":%.3f,\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f},",
         latency_count, percentile_us(0), mean, percentile_us(0.5), percentile_us(0.9), percentile_us(0.99),
         percentile_us(0.999), percentile_us(1));
  long long errors = tally.wrong + tally.connection_errors + tally.timeouts;
  printf("\"errors\":{\"total\":%lld,\"wrongAnswers\":%lld,\"connection\":%lld,\"timeouts\":%lld},", errors, tally.wrong,
         tally.connection_errors, tally.timeouts);
  printf("\"unanswered\":%lld,\"lateReplies\":%lld,\"warmupBytesReceived\":%lld}\n", tally.unanswered, tally.late,
         tally.warmup_bytes_received);
}

static void usage(const char *problem) {
  fprintf(stderr, "load-client: %s\nusage: load-client --port PORT [--host H] [--pattern stream|pingpong|connect|udp] "
                  "[--connections N] [--size BYTES] [--text ascii|spanish] [--answer ascii|unicode|echo] "
                  "[--duration S] [--warmup S] [--total-bytes BYTES] [--window BYTES] [--udp-timeout-ms MS]\n",
          problem);
  exit(2);
}

static int one_of(const char *value, const char *a, const char *b, const char *c, const char *d) {
  return strcmp(value, a) == 0 || strcmp(value, b) == 0 || strcmp(value, c) == 0 || (d && strcmp(value, d) == 0);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i += 2) {
    const char *name = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (value == NULL) usage("every option takes a value");
    if (!strcmp(name, "--port")) options.port = atoi(value);
    else if (!strcmp(name, "--host")) options.host = value;
    else if (!strcmp(name, "--pattern")) options.pattern = value;
    else if (!strcmp(name, "--connections")) options.connections = atoi(value);
    else if (!strcmp(name, "--size")) options.size = atoi(value);
    else if (!strcmp(name, "--text")) options.text = value;
    else if (!strcmp(name, "--answer")) options.answer = value;
    else if (!strcmp(name, "--duration")) options.duration = atof(value);
    else if (!strcmp(name, "--warmup")) options.warmup = atof(value);
    else if (!strcmp(name, "--total-bytes")) options.total_bytes = atoll(value);
    else if (!strcmp(name, "--window")) options.window = atoll(value);
    else if (!strcmp(name, "--udp-timeout-ms")) options.udp_timeout_ms = atoi(value);
    else usage("unknown option");
  }
  if (options.port <= 0 || options.port > 65535) usage("--port takes a port from 1 to 65535");
  if (options.connections < 1 || options.size < 1 || options.size > (1 << 20)) usage("--connections and --size (up to 1 MiB) must be positive");
  if (strcmp(options.pattern, "udp") == 0 && options.size > 65507) usage("--size of a UDP datagram is at most 65507 bytes");
  if (options.duration <= 0 || options.warmup < 0 || options.udp_timeout_ms < 1) usage("--duration must be positive, --warmup not negative");
  if (!one_of(options.pattern, "stream", "pingpong", "connect", "udp")) usage("--pattern is stream, pingpong, connect or udp");
  if (!one_of(options.text, "ascii", "spanish", "ascii", NULL)) usage("--text is ascii or spanish");
  if (!one_of(options.answer, "ascii", "unicode", "echo", NULL)) usage("--answer is ascii, unicode or echo");
  if (strcmp(options.pattern, "udp") == 0 && options.connections != 1) usage("--pattern udp runs one socket");

  struct addrinfo hints = {.ai_flags = AI_NUMERICSERV}, *found;
  char port_text[8];
  snprintf(port_text, sizeof port_text, "%d", options.port);
  if (getaddrinfo(options.host, port_text, &hints, &found) != 0) usage("--host: no such host");
  memcpy(&server_address, found->ai_addr, found->ai_addrlen);
  server_length = found->ai_addrlen;
  freeaddrinfo(found);
  const void *raw = server_address.ss_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)&server_address)->sin6_addr
                                                         : (void *)&((struct sockaddr_in *)&server_address)->sin_addr;
  inet_ntop(server_address.ss_family, raw, address_text, sizeof address_text);

  start_ns = now_ns();
  mark_ns = start_ns + (uint64_t)(options.warmup * 1e9);
  end_ns = mark_ns + (uint64_t)(options.duration * 1e9);
  if (!strcmp(options.pattern, "stream")) run_stream();
  else if (!strcmp(options.pattern, "udp")) run_udp();
  else run_tcp_messages(!strcmp(options.pattern, "connect"));
  print_result();
  return tally.wrong > 0 ? 1 : 0;
}
