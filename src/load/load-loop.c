/*
 * The Node-API surface of `mayus bench`'s native load engine (load-engine.c; used by
 * native-tcp-load.ts): plain TCP ping-pong and connect-per-message driven from one epoll, so
 * a closed-loop run costs no Node event loop turn, JavaScript callback or net.Socket per
 * message. JavaScript keeps the run's timeline (warm-up, duration, budget, progress, stop)
 * and the tally: it calls run() for short slices back to back and adds up what each slice
 * reports. Built by scripts/build-native.mjs with load-engine.c; where it is not built, or
 * MAYUS_NATIVE=0, `mayus bench` runs the TypeScript generator.
 *
 * JavaScript API (see native-tcp-load.ts):
 *   open(address, port, pattern, connections, payload, expected) -> handle
 *     pattern 0 = pingpong (opens `connections` connections), 1 = connect (opens one to see
 *     the server is there, then closes it). Connecting goes on in run().
 *   run(handle, sliceMs, budget, counters, latenciesNs) -> answers whose latency was written
 *     Runs at most sliceMs; starts at most `budget` messages. counters (Float64Array(9)):
 *     0-4 this slice's messages, bytesSent, bytesReceived, wrongAnswers, connectionErrors;
 *     5 messages started this slice; 6 messages in flight; 7 connections open (pingpong);
 *     8 open state: 0 opening, 1 open, -errno when opening failed.
 *   close(handle): closes every socket (also done when the handle is collected).
 */

#include <node_api.h>

#ifndef __linux__
/* epoll is Linux's: elsewhere the module does not load (this says why), and `mayus bench` takes Node's sockets. */
NAPI_MODULE_INIT() {
  (void)exports;
  (void)napi_throw_error(env, NULL, "the native load loop needs Linux (epoll)");
  return NULL;
}
#else

#include <stdbool.h>
#include <stdlib.h>

#include "load-engine.h"

/* The handle JavaScript holds: the engine, or NULL once closed (so a late run cannot touch freed memory). */
struct holder {
  struct load_engine *engine;
};

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  struct holder *holder = data;
  if (holder->engine != NULL) load_engine_free(holder->engine);
  free(holder);
}

static napi_value throw_error(napi_env env, const char *message) {
  bool pending = false; /* a failed call's own exception says more */
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) (void)napi_throw_error(env, NULL, message);
  return NULL;
}

static bool non_empty_buffer(napi_env env, napi_value value, void **data, size_t *length) {
  return napi_get_buffer_info(env, value, data, length) == napi_ok && *length > 0;
}

static napi_value open_function(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  char address[64];
  size_t address_length = 0;
  int32_t port = 0, pattern = -1, count = 0;
  void *payload = NULL, *expected = NULL;
  size_t payload_bytes = 0, expected_bytes = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 6 ||
      napi_get_value_string_utf8(env, argv[0], address, sizeof address, &address_length) != napi_ok ||
      napi_get_value_int32(env, argv[1], &port) != napi_ok || port < 1 || port > 65535 ||
      napi_get_value_int32(env, argv[2], &pattern) != napi_ok || (pattern != LOAD_PINGPONG && pattern != LOAD_CONNECT) ||
      napi_get_value_int32(env, argv[3], &count) != napi_ok || count < 1)
    return throw_error(env, "open(address, port, pattern 0|1, connections, payload, expected)");
  if (!non_empty_buffer(env, argv[4], &payload, &payload_bytes) ||
      !non_empty_buffer(env, argv[5], &expected, &expected_bytes))
    return throw_error(env, "open: payload and expected must be non-empty Buffers");
  struct holder *holder = malloc(sizeof *holder);
  if (holder == NULL) return throw_error(env, "open: out of memory");
  const char *problem = NULL;
  holder->engine = load_engine_open(address, port, (enum load_pattern)pattern, count, payload, payload_bytes, expected,
                                    expected_bytes, &problem);
  if (holder->engine == NULL) {
    free(holder);
    return throw_error(env, problem);
  }
  napi_value handle;
  if (napi_create_external(env, holder, finalize, NULL, &handle) != napi_ok) {
    finalize(env, holder, NULL);
    return throw_error(env, "open: out of memory");
  }
  return handle;
}

static struct holder *holder_of(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok) return NULL;
  return data;
}

static double *float64_array(napi_env env, napi_value value, size_t *length) {
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &data, NULL, NULL) != napi_ok || type != napi_float64_array)
    return NULL;
  return data;
}

static napi_value run_function(napi_env env, napi_callback_info info) {
  size_t argc = 5, counters_length = 0, latency_capacity = 0;
  napi_value argv[5];
  double slice_ms = 0, budget = 0;
  struct holder *holder = NULL;
  double *counters = NULL, *latencies = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5 ||
      (holder = holder_of(env, argv[0])) == NULL || holder->engine == NULL ||
      napi_get_value_double(env, argv[1], &slice_ms) != napi_ok || !(slice_ms >= 0 && slice_ms <= 10000) ||
      napi_get_value_double(env, argv[2], &budget) != napi_ok || !(budget >= 0) ||
      (counters = float64_array(env, argv[3], &counters_length)) == NULL || counters_length < LOAD_COUNTERS ||
      (latencies = float64_array(env, argv[4], &latency_capacity)) == NULL || latency_capacity < 2 * LOAD_MAX_EVENTS)
    return throw_error(env, "run(open handle, sliceMs, budget, Float64Array(9), Float64Array(>= 512))");
  size_t recorded = load_engine_run(holder->engine, (uint64_t)(slice_ms * 1e6), budget, counters, latencies,
                                    latency_capacity);
  napi_value result;
  if (napi_create_uint32(env, (uint32_t)recorded, &result) != napi_ok) return throw_error(env, "run: out of memory");
  return result;
}

static napi_value close_function(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  struct holder *holder = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      (holder = holder_of(env, argv[0])) == NULL)
    return throw_error(env, "close(handle)");
  if (holder->engine != NULL) load_engine_free(holder->engine);
  holder->engine = NULL;
  return NULL;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor functions[] = {
      {"open", NULL, open_function, NULL, NULL, NULL, napi_default, NULL},
      {"run", NULL, run_function, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_function, NULL, NULL, NULL, napi_default, NULL},
  };
  /* NULL: the module does not load, and the loader reports the pending exception. */
  if (napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions) != napi_ok) return NULL;
  return exports;
}
#endif
