/*
 * The native load engine (load-engine.c) as its Node-API surface (load-loop.c) calls it: one
 * epoll driving plain-TCP ping-pong or connect-per-message, a slice at a time.
 */

#ifndef MAYUS_LOAD_ENGINE_H
#define MAYUS_LOAD_ENGINE_H

#include <stddef.h>
#include <stdint.h>

enum load_pattern { LOAD_PINGPONG = 0, LOAD_CONNECT = 1 };

/* What one run reports (its Float64Array's layout; native-tcp-load.ts, Counter): this slice's
 * counts first, then the engine's state. */
enum load_counter {
  LOAD_MESSAGES,
  LOAD_BYTES_SENT,
  LOAD_BYTES_RECEIVED,
  LOAD_WRONG_ANSWERS,
  LOAD_CONNECTION_ERRORS,
  LOAD_STARTED,    /* messages taken from the budget */
  LOAD_IN_FLIGHT,  /* messages sent and not answered */
  LOAD_LIVE,       /* persistent connections open */
  LOAD_OPEN_STATE, /* 0 opening, 1 open, -errno when opening failed */
  LOAD_COUNTERS
};

/* Latencies one wait can record: a run stops before it has less room than this. */
#define LOAD_MAX_EVENTS 256

struct load_engine;

/* Starts opening (every connection for ping-pong, one probe for connect); copies what it is
 * given. NULL with `*problem` set when the address is not numeric or memory runs out. */
struct load_engine *load_engine_open(const char *address, int port, enum load_pattern pattern, int connections,
                                     const uint8_t *payload, size_t payload_bytes, const uint8_t *expected,
                                     size_t expected_bytes, const char **problem);

/* Runs at most `slice_ns`, starting at most `budget` messages; returns how many latencies (in
 * nanoseconds) it wrote to `latencies_ns`, and fills `counters`. */
size_t load_engine_run(struct load_engine *engine, uint64_t slice_ns, double budget, double counters[LOAD_COUNTERS],
                       double *latencies_ns, size_t latency_capacity);

/* Closes every socket and frees the engine. */
void load_engine_free(struct load_engine *engine);

#endif
