/*
 * The native load engine of `mayus bench` (load-engine.h; its Node-API surface is load-loop.c):
 * plain-TCP ping-pong or connect-per-message over non-blocking sockets and one epoll, run a
 * slice at a time. Every answer byte is compared with the expected answer; wrong answers,
 * connection errors and bytes are counted as the TypeScript generator counts them
 * (persistent-connection.ts, connect-loop.ts); latencies come from CLOCK_MONOTONIC.
 */

#define _GNU_SOURCE
#include "load-engine.h"

#ifdef __linux__ /* epoll; elsewhere load-loop.c says the module needs Linux */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_BYTES (64 * 1024)
/* Connections being opened at once (more would overflow the server's accept queue). */
#define OPEN_AT_ONCE 256
/* Pause after a failed connection before the connect pattern tries again (as connect-loop.ts). */
#define RECONNECT_DELAY_NS (10 * 1000 * 1000ull)

/* IDLE: open (pingpong) or closed (connect), may start a message; RETRY: waits out the delay. */
enum state { UNOPENED, CONNECTING, IDLE, SENDING, WAITING, RETRY, GONE };

struct slot {
  int fd;
  enum state state;
  bool in_flight, answer_ok;
  uint32_t watched; /* the epoll events asked for, 0 when not in the set */
  size_t sent_bytes, answer_offset;
  uint64_t sent_ns, retry_ns;
};

struct load_engine {
  int epoll_fd;
  enum load_pattern pattern;
  int count, next_to_open, connecting, opened, live, open_state;
  /* Some slot may be IDLE or RETRY: start_idle looks (else it does not scan every slot). */
  bool maybe_idle;
  struct sockaddr_storage address;
  socklen_t address_length;
  uint8_t *payload, *expected, *read_buffer;
  size_t payload_bytes, expected_bytes;
  struct slot *slots;
  long in_flight;
  /* The current slice. */
  double counters[LOAD_COUNTERS], budget;
  double *latencies;
  size_t latency_capacity, latency_count;
};

static uint64_t now_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

static void watch(struct load_engine *e, struct slot *s, uint32_t events) {
  if (s->watched == events) return;
  struct epoll_event event = {.events = events, .data.ptr = s};
  (void)epoll_ctl(e->epoll_fd, s->watched == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, s->fd, &event);
  s->watched = events;
}

static void set_idle(struct load_engine *e, struct slot *s, enum state state) {
  s->state = state;
  e->maybe_idle = true;
}

static void close_socket(struct slot *s) {
  if (s->fd >= 0) close(s->fd); /* closing also takes it out of the epoll set */
  s->fd = -1;
  s->watched = 0;
}

/* A non-blocking connect to the server; -errno if it failed at once. */
static int start_connect(struct load_engine *e, struct slot *s) {
  s->fd = socket(e->address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd < 0) return -errno;
  int one = 1;
  (void)setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(s->fd, (struct sockaddr *)&e->address, e->address_length) < 0 && errno != EINPROGRESS) {
    int failure = errno;
    close_socket(s);
    return -failure;
  }
  s->state = CONNECTING;
  watch(e, s, EPOLLOUT);
  return 0;
}

static int socket_error(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0) return errno;
  return error;
}

/* Opening: pingpong connects every connection (a few hundred at a time), connect one probe. */
static void continue_opening(struct load_engine *e) {
  int wanted = e->pattern == LOAD_PINGPONG ? e->count : 1;
  while (e->open_state == 0 && e->connecting < OPEN_AT_ONCE && e->next_to_open < wanted) {
    int result = start_connect(e, &e->slots[e->next_to_open]);
    if (result < 0) e->open_state = result;
    e->next_to_open++;
    e->connecting++;
  }
}

static void opened(struct load_engine *e, struct slot *s) {
  int error = socket_error(s->fd);
  e->connecting--;
  if (error != 0) {
    e->open_state = -error;
    return;
  }
  if (e->pattern == LOAD_CONNECT) { /* the probe: the server is there */
    close_socket(s);
    for (int i = 0; i < e->count; i++) set_idle(e, &e->slots[i], IDLE);
    e->open_state = 1;
    return;
  }
  set_idle(e, s, IDLE);
  watch(e, s, EPOLLIN);
  e->live++;
  /* One the server closed at once counts as lost (connection_lost), not as still opening. */
  if (++e->opened == e->count) e->open_state = 1;
}

static void record_answer(struct load_engine *e, struct slot *s, uint64_t now) {
  e->counters[LOAD_MESSAGES]++;
  e->counters[LOAD_BYTES_RECEIVED] += (double)e->expected_bytes;
  if (!s->answer_ok) e->counters[LOAD_WRONG_ANSWERS]++;
  if (e->latency_count < e->latency_capacity) {
    uint64_t elapsed = now - s->sent_ns;
    e->latencies[e->latency_count++] = (double)(elapsed > 0 ? elapsed : 1);
  }
  s->in_flight = false;
  e->in_flight--;
}

/* Compares `length` bytes read with the answer from the slot's offset on; returns how many belonged to it. */
static size_t consume_answer(struct load_engine *e, struct slot *s, const uint8_t *bytes, size_t length) {
  size_t take = e->expected_bytes - s->answer_offset;
  if (take > length) take = length;
  if (s->answer_ok && memcmp(bytes, e->expected + s->answer_offset, take) != 0) s->answer_ok = false;
  s->answer_offset += take;
  return take;
}

/* A failed attempt (connect pattern): counted once; the next one after a pause, or at once. */
static void attempt_failed(struct load_engine *e, struct slot *s, bool pause, uint64_t now) {
  e->counters[LOAD_CONNECTION_ERRORS]++;
  if (s->in_flight) e->in_flight--;
  s->in_flight = false;
  close_socket(s);
  set_idle(e, s, pause ? RETRY : IDLE);
  s->retry_ns = now + RECONNECT_DELAY_NS;
}

/* A persistent connection closed or reset by the server: counted once, and gone. */
static void connection_lost(struct load_engine *e, struct slot *s) {
  e->counters[LOAD_CONNECTION_ERRORS]++;
  if (s->in_flight) e->in_flight--;
  s->in_flight = false;
  close_socket(s);
  s->state = GONE;
  e->live--;
}

static void fail(struct load_engine *e, struct slot *s, uint64_t now) {
  if (e->pattern == LOAD_PINGPONG) connection_lost(e, s);
  else attempt_failed(e, s, true, now);
}

/* Sends what is left of the message; once all is sent, waits for the answer. */
static void send_rest(struct load_engine *e, struct slot *s, uint64_t now) {
  ssize_t sent;
  do {
    sent = send(s->fd, e->payload + s->sent_bytes, e->payload_bytes - s->sent_bytes, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0 && errno != EAGAIN) return fail(e, s, now);
  if (sent > 0) s->sent_bytes += (size_t)sent;
  s->state = s->sent_bytes < e->payload_bytes ? SENDING : WAITING;
  watch(e, s, s->state == SENDING ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

/* One message from the budget: sent at once on a persistent connection, after connecting otherwise. */
static void start_message(struct load_engine *e, struct slot *s, uint64_t now) {
  e->counters[LOAD_STARTED]++;
  e->counters[LOAD_BYTES_SENT] += (double)e->payload_bytes;
  e->in_flight++;
  s->in_flight = true;
  s->answer_ok = true;
  s->answer_offset = 0;
  s->sent_bytes = 0;
  s->sent_ns = now;
  if (e->pattern == LOAD_PINGPONG) {
    s->state = WAITING; /* EPOLLIN is watched already */
    return send_rest(e, s, now);
  }
  if (start_connect(e, s) < 0) attempt_failed(e, s, true, now);
}

static bool budget_left(const struct load_engine *e) { return e->counters[LOAD_STARTED] < e->budget; }

static void start_idle(struct load_engine *e, uint64_t now) {
  if (!e->maybe_idle || !budget_left(e)) return;
  e->maybe_idle = false;
  for (int i = 0; i < e->count; i++) {
    struct slot *s = &e->slots[i];
    if (s->state == RETRY && now >= s->retry_ns) s->state = IDLE;
    if (s->state == IDLE && budget_left(e)) start_message(e, s, now);
    if (s->state == IDLE || s->state == RETRY) e->maybe_idle = true;
  }
}

static void readable(struct load_engine *e, struct slot *s, uint64_t now) {
  ssize_t got;
  do {
    got = recv(s->fd, e->read_buffer, READ_BYTES, 0);
  } while (got < 0 && errno == EINTR);
  if (got < 0 && errno == EAGAIN) return;
  if (got < 0) return fail(e, s, now);
  if (got == 0) { /* the server closed: a persistent connection is gone; an attempt closed before its answer */
    if (e->pattern == LOAD_PINGPONG) return connection_lost(e, s);
    return attempt_failed(e, s, false, now);
  }
  size_t length = (size_t)got, offset = 0;
  if (e->pattern == LOAD_CONNECT) {
    offset = consume_answer(e, s, e->read_buffer, length);
    if (s->answer_offset < e->expected_bytes) return;
    if (offset < length) s->answer_ok = false; /* more than the answer */
    record_answer(e, s, now);
    close_socket(s);
    if (budget_left(e)) start_message(e, s, now);
    else set_idle(e, s, IDLE);
    return;
  }
  while (offset < length) {
    if (!s->in_flight) {
      e->counters[LOAD_WRONG_ANSWERS]++; /* bytes nobody asked for */
      break;
    }
    offset += consume_answer(e, s, e->read_buffer + offset, length - offset);
    if (s->answer_offset == e->expected_bytes) {
      record_answer(e, s, now);
      s->state = IDLE;
    }
  }
  if (s->state != IDLE) return;
  if (budget_left(e)) start_message(e, s, now);
  else set_idle(e, s, IDLE);
}

static void handle_event(struct load_engine *e, struct slot *s, uint32_t events, uint64_t now) {
  if (s->fd < 0) return;
  if (e->open_state == 0 && s->state == CONNECTING) return opened(e, s);
  if (s->state == CONNECTING) {
    int error = socket_error(s->fd);
    if (error != 0) return attempt_failed(e, s, true, now);
    return send_rest(e, s, now);
  }
  if (s->state == SENDING && (events & EPOLLOUT)) send_rest(e, s, now);
  if (s->fd >= 0 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP))) readable(e, s, now);
}

static bool slice_over(const struct load_engine *e) {
  if (e->open_state != 1) return e->open_state < 0;
  if (e->latency_capacity - e->latency_count < LOAD_MAX_EVENTS) return true; /* room for every answer of one wait */
  if (!budget_left(e) && e->in_flight == 0) return true;
  return e->pattern == LOAD_PINGPONG && e->live == 0;
}

static void run_slice(struct load_engine *e, uint64_t slice_ns) {
  uint64_t now = now_ns(), deadline = now + slice_ns;
  bool was_opening = e->open_state == 0;
  struct epoll_event events[LOAD_MAX_EVENTS];
  for (;;) {
    if (e->open_state == 0) continue_opening(e);
    else if (e->open_state == 1) start_idle(e, now);
    if ((was_opening && e->open_state != 0) || slice_over(e) || now >= deadline) return;
    int timeout_ms = (int)((deadline - now + 999999) / 1000000);
    if (e->maybe_idle && timeout_ms > 1) timeout_ms = 1; /* attempts waiting out their pause */
    int ready = epoll_wait(e->epoll_fd, events, LOAD_MAX_EVENTS, timeout_ms);
    now = now_ns();
    for (int i = 0; i < ready; i++) handle_event(e, events[i].data.ptr, events[i].events, now);
  }
}

void load_engine_free(struct load_engine *e) {
  if (e->slots != NULL)
    for (int i = 0; i < e->count; i++) close_socket(&e->slots[i]);
  if (e->epoll_fd >= 0) close(e->epoll_fd);
  free(e->slots);
  free(e->payload);
  free(e->expected);
  free(e->read_buffer);
  free(e);
}

static bool parse_address(struct load_engine *e, const char *text, int32_t port) {
  memset(&e->address, 0, sizeof e->address);
  struct sockaddr_in *v4 = (struct sockaddr_in *)&e->address;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&e->address;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    e->address_length = sizeof *v4;
    return true;
  }
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    e->address_length = sizeof *v6;
    return true;
  }
  return false;
}

struct load_engine *load_engine_open(const char *address, int port, enum load_pattern pattern, int connections,
                                     const uint8_t *payload, size_t payload_bytes, const uint8_t *expected,
                                     size_t expected_bytes, const char **problem) {
  struct load_engine *e = calloc(1, sizeof *e);
  if (e == NULL) {
    *problem = "open: out of memory";
    return NULL;
  }
  e->epoll_fd = -1;
  e->pattern = pattern;
  e->count = connections;
  e->slots = calloc((size_t)connections, sizeof *e->slots);
  e->read_buffer = malloc(READ_BYTES);
  e->payload = malloc(payload_bytes);
  e->expected = malloc(expected_bytes);
  *problem = NULL;
  if (e->slots == NULL || e->read_buffer == NULL || e->payload == NULL || e->expected == NULL)
    *problem = "open: out of memory";
  else if (!parse_address(e, address, port))
    *problem = "open: the address is not a numeric IPv4 or IPv6 address";
  else if ((e->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0)
    *problem = "open: epoll_create1 failed";
  if (*problem != NULL) {
    load_engine_free(e);
    return NULL;
  }
  memcpy(e->payload, payload, payload_bytes);
  memcpy(e->expected, expected, expected_bytes);
  e->payload_bytes = payload_bytes;
  e->expected_bytes = expected_bytes;
  for (int i = 0; i < connections; i++) e->slots[i] = (struct slot){.fd = -1, .state = UNOPENED};
  return e;
}

size_t load_engine_run(struct load_engine *e, uint64_t slice_ns, double budget, double counters[LOAD_COUNTERS],
                       double *latencies_ns, size_t latency_capacity) {
  memset(e->counters, 0, sizeof e->counters);
  e->budget = budget;
  e->latencies = latencies_ns;
  e->latency_capacity = latency_capacity;
  e->latency_count = 0;
  run_slice(e, slice_ns);
  e->counters[LOAD_IN_FLIGHT] = (double)e->in_flight;
  e->counters[LOAD_LIVE] = e->live;
  e->counters[LOAD_OPEN_STATE] = e->open_state;
  memcpy(counters, e->counters, sizeof e->counters);
  e->latencies = NULL;
  return e->latency_count;
}

#endif
