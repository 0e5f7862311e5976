/*
 * The lesson's recv for every accepted TCP socket of a thread, one call into JavaScript per
 * turn of the event loop instead of one per read: the native half of BatchedReads
 * (batched-reads.ts). Node reads each socket by its own handle and calls JavaScript for every
 * read (a callback scope, async hooks, the stream's bookkeeping), which on a ping-pong over
 * many connections is most of the server's own CPU. Here the sockets are watched by an epoll
 * instance of this module's own, itself watched by libuv (one uv_poll_t): when any is
 * readable, one read() per readable socket lands in one memory, and JavaScript gets the list
 * of reads in one call. Node's handle of each socket stays its owner for everything else
 * (sends, shutdown, close): it only never reads (the socket was accepted paused and is never
 * resumed through Node; one Node built reading, handed over by a cluster primary, is stopped
 * first: stopNodeReading in src/node-internals/tcp-handle.ts).
 *
 * JavaScript API (see batched-reads.ts):
 *   openReadLoop(memory, deliveries, onReads) -> the loop (an external). Reads land in
 *     `memory` (a Buffer), each at most MAX_READ_BYTES (less when many sockets share a turn:
 *     MIN_READ_BYTES at least), and are described in `deliveries` (an
 *     Int32Array) as triples [fd, offset in memory, result]: result > 0 bytes read, 0 the end
 *     of the stream, < 0 -errno. `onReads(count)` is called with the number of triples, through
 *     node_api's make_callback (so process.nextTick and promises run after it, as after Node's
 *     own reads). A socket whose read ended or failed is no longer watched.
 *   watch(loop, fd) -> 0 or -errno: reads of fd from now on.
 *   unwatch(loop, fd) -> 0 or -errno: no more reads of fd (a pause; or before its close).
 *   keepAlive(loop, on): whether the loop keeps the process alive (while sockets are watched).
 *   onlyWatched(loop, fd): fd is the only socket watched (-1: none, or several). When the
 *     epoll is readable, fd is read first, without epoll_wait() (one connection saves a system
 *     call per read); only if it had nothing does epoll say which socket is readable.
 * Closed with the environment (an async cleanup hook). Linux only (epoll).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

/* As large as Node's own reads of a stream, so that bulk transfers read as much at once. */
#define MAX_READ_BYTES (64 * 1024)
/*
 * The least room a read is given when many sockets are readable at once: the memory is shared
 * out between them, so every socket epoll reports is read in the turn it is reported (one
 * left out would be reported first again, and read last again, for good).
 */
#define MIN_READ_BYTES (4 * 1024)
/* Sockets read per turn at most (and memory / MIN_READ_BYTES): the rest stay readable for the next. */
#define MAX_EVENTS 256

typedef struct {
  napi_env env;
  uv_poll_t poll;
  int epoll_fd;
  uint8_t *memory;
  size_t memory_bytes;
  int32_t *deliveries;
  size_t max_deliveries;
  napi_ref memory_ref;
  napi_ref deliveries_ref;
  napi_ref on_reads_ref;
  napi_async_context async_context;
  napi_async_cleanup_hook_handle cleanup;
  /* The one socket watched, when only one is (else -1): read without asking epoll which. */
  int32_t only_fd;
} read_loop;

static void throw_unless_pending(napi_env env, const char *message) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) (void)napi_throw_error(env, NULL, message);
}

/* Calls JavaScript with the count of reads; an exception it throws goes where Node's own would. */
static void deliver(read_loop *loop, int32_t count) {
  napi_env env = loop->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value on_reads, receiver, argument, result;
  if (napi_get_reference_value(env, loop->on_reads_ref, &on_reads) == napi_ok &&
      napi_get_global(env, &receiver) == napi_ok && napi_create_int32(env, count, &argument) == napi_ok) {
    napi_status status = napi_make_callback(env, loop->async_context, receiver, on_reads, 1, &argument, &result);
    if (status == napi_pending_exception) {
      napi_value error;
      if (napi_get_and_clear_last_exception(env, &error) == napi_ok) (void)napi_fatal_exception(env, error);
    }
  }
  (void)napi_close_handle_scope(env, scope);
}

/* Reads at most `room` bytes of fd into the memory at *offset and describes it; false if it had nothing (EAGAIN). */
static bool read_socket(read_loop *loop, int fd, size_t room, size_t *offset, int32_t *delivered) {
  ssize_t bytes;
  do {
    bytes = read(fd, loop->memory + *offset, room);
  } while (bytes < 0 && errno == EINTR);
  if (bytes < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
  int32_t result = bytes < 0 ? -errno : (int32_t)bytes;
  /* Nothing more will come (end of stream, or an error): no longer watched, or it stays readable. */
  if (bytes <= 0) (void)epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
  int32_t *delivery = loop->deliveries + 3 * *delivered;
  delivery[0] = fd;
  delivery[1] = (int32_t)*offset;
  delivery[2] = result;
  (*delivered)++;
  if (bytes > 0) *offset += (size_t)bytes;
  return true;
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  read_loop *loop = poll->data;
  if (status < 0) {
    /* The epoll descriptor itself failed (it cannot, short of a kernel bug): stop, not spin. */
    (void)uv_poll_stop(poll);
    return;
  }
  int32_t delivered = 0;
  size_t offset = 0;
  /* One socket watched: it is the readable one, and one epoll_wait() per read is saved. */
  if (loop->only_fd >= 0 && read_socket(loop, loop->only_fd, MAX_READ_BYTES, &offset, &delivered)) {
    deliver(loop, delivered);
    return;
  }
  struct epoll_event ready[MAX_EVENTS];
  size_t limit = loop->memory_bytes / MIN_READ_BYTES;
  if (limit > loop->max_deliveries) limit = loop->max_deliveries;
  if (limit > MAX_EVENTS) limit = MAX_EVENTS;
  int count;
  do {
    count = epoll_wait(loop->epoll_fd, ready, (int)limit, 0);
  } while (count < 0 && errno == EINTR);
  for (int index = 0; index < count; index++) {
    /* Each socket reported gets its share of the room left (MIN_READ_BYTES at least), up to a whole read. */
    size_t share = (loop->memory_bytes - offset) / (size_t)(count - index);
    (void)read_socket(loop, ready[index].data.fd, share < MAX_READ_BYTES ? share : MAX_READ_BYTES, &offset,
                      &delivered);
  }
  if (delivered > 0) deliver(loop, delivered);
}

/* The poll handle is closed: the rest goes (whatever of it was made: a failed open closes it too). */
static void on_poll_closed(uv_handle_t *handle) {
  read_loop *loop = handle->data;
  (void)close(loop->epoll_fd);
  napi_env env = loop->env;
  if (loop->memory_ref != NULL) (void)napi_delete_reference(env, loop->memory_ref);
  if (loop->deliveries_ref != NULL) (void)napi_delete_reference(env, loop->deliveries_ref);
  if (loop->on_reads_ref != NULL) (void)napi_delete_reference(env, loop->on_reads_ref);
  if (loop->async_context != NULL) (void)napi_async_destroy(env, loop->async_context);
  napi_async_cleanup_hook_handle cleanup = loop->cleanup;
  free(loop);
  if (cleanup != NULL) (void)napi_remove_async_cleanup_hook(cleanup);
}

/* The environment ends (the process, or a worker thread): the poll handle is closed, then the rest. */
static void on_environment_end(napi_async_cleanup_hook_handle handle, void *data) {
  (void)handle;
  read_loop *loop = data;
  (void)uv_poll_stop(&loop->poll);
  uv_close((uv_handle_t *)&loop->poll, on_poll_closed);
}

static napi_value open_read_loop_function(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *memory = NULL;
  size_t memory_bytes = 0;
  napi_typedarray_type type;
  size_t elements = 0;
  void *deliveries = NULL;
  napi_valuetype callback_type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3 ||
      napi_get_buffer_info(env, argv[0], &memory, &memory_bytes) != napi_ok || memory_bytes < MAX_READ_BYTES ||
      napi_get_typedarray_info(env, argv[1], &type, &elements, &deliveries, NULL, NULL) != napi_ok ||
      type != napi_int32_array || elements < 3 || napi_typeof(env, argv[2], &callback_type) != napi_ok ||
      callback_type != napi_function) {
    throw_unless_pending(env, "openReadLoop(memory, deliveries, onReads): a Buffer of 64 KiB or more, an "
                              "Int32Array of 3 or more, and a function");
    return NULL;
  }
  uv_loop_t *uv_loop;
  if (napi_get_uv_event_loop(env, &uv_loop) != napi_ok) {
    throw_unless_pending(env, "openReadLoop: no event loop");
    return NULL;
  }
  read_loop *loop = calloc(1, sizeof *loop);
  if (loop == NULL) {
    throw_unless_pending(env, "openReadLoop: out of memory");
    return NULL;
  }
  loop->env = env;
  loop->memory = memory;
  loop->memory_bytes = memory_bytes;
  loop->deliveries = deliveries;
  loop->max_deliveries = elements / 3;
  loop->only_fd = -1;
  loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (loop->epoll_fd < 0) {
    int error = errno;
    free(loop);
    (void)napi_throw_error(env, NULL, strerror(error));
    return NULL;
  }
  int polling = uv_poll_init(uv_loop, &loop->poll, loop->epoll_fd);
  if (polling != 0) {
    (void)close(loop->epoll_fd);
    free(loop);
    throw_unless_pending(env, uv_strerror(polling));
    return NULL;
  }
  loop->poll.data = loop;
  uv_unref((uv_handle_t *)&loop->poll); /* until a socket is watched: keepAlive */
  napi_value name;
  if (napi_create_reference(env, argv[0], 1, &loop->memory_ref) != napi_ok ||
      napi_create_reference(env, argv[1], 1, &loop->deliveries_ref) != napi_ok ||
      napi_create_reference(env, argv[2], 1, &loop->on_reads_ref) != napi_ok ||
      napi_create_string_utf8(env, "mayus:reads", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &loop->async_context) != napi_ok ||
      uv_poll_start(&loop->poll, UV_READABLE, on_readable) != 0 ||
      napi_add_async_cleanup_hook(env, on_environment_end, loop, &loop->cleanup) != napi_ok) {
    /* Out of memory in practice: the handle is closed, and with it what was made (on_poll_closed). */
    throw_unless_pending(env, "openReadLoop: out of memory");
    (void)uv_poll_stop(&loop->poll);
    uv_close((uv_handle_t *)&loop->poll, on_poll_closed);
    return NULL;
  }
  napi_value external;
  if (napi_create_external(env, loop, NULL, NULL, &external) != napi_ok) return NULL;
  return external;
}

/* The loop and the descriptor (or `extra`, the second argument) of a call; false and an exception if not. */
static bool loop_and_fd(napi_env env, napi_callback_info info, read_loop **loop, int32_t *fd, napi_value *extra) {
  size_t argc = 3;
  napi_value argv[3];
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_typeof(env, argv[0], &type) != napi_ok || type != napi_external ||
      napi_get_value_external(env, argv[0], (void **)loop) != napi_ok ||
      (fd != NULL && (napi_get_value_int32(env, argv[1], fd) != napi_ok || *fd < 0))) {
    throw_unless_pending(env, "a read loop from openReadLoop, and a descriptor");
    return false;
  }
  if (extra != NULL) *extra = argv[1];
  return true;
}

static napi_value errno_result(napi_env env, int outcome) {
  napi_value result;
  if (napi_create_int32(env, outcome == 0 ? 0 : -errno, &result) != napi_ok) return NULL;
  return result;
}

static napi_value watch_function(napi_env env, napi_callback_info info) {
  read_loop *loop;
  int32_t fd;
  if (!loop_and_fd(env, info, &loop, &fd, NULL)) return NULL;
  struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
  int outcome = epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &event);
  /* Watched already (a watch without an unwatch between): the same, so not an error. */
  if (outcome != 0 && errno == EEXIST) outcome = epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, fd, &event);
  return errno_result(env, outcome);
}

static napi_value unwatch_function(napi_env env, napi_callback_info info) {
  read_loop *loop;
  int32_t fd;
  if (!loop_and_fd(env, info, &loop, &fd, NULL)) return NULL;
  return errno_result(env, epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, fd, NULL));
}

static napi_value keep_alive_function(napi_env env, napi_callback_info info) {
  read_loop *loop;
  napi_value on;
  bool keep = false;
  if (!loop_and_fd(env, info, &loop, NULL, &on) || napi_get_value_bool(env, on, &keep) != napi_ok) {
    throw_unless_pending(env, "keepAlive(loop, on): a read loop and a boolean");
    return NULL;
  }
  if (keep) uv_ref((uv_handle_t *)&loop->poll);
  else uv_unref((uv_handle_t *)&loop->poll);
  return NULL;
}

static napi_value only_watched_function(napi_env env, napi_callback_info info) {
  read_loop *loop;
  napi_value fd_value;
  int32_t fd = -1;
  if (!loop_and_fd(env, info, &loop, NULL, &fd_value) || napi_get_value_int32(env, fd_value, &fd) != napi_ok) {
    throw_unless_pending(env, "onlyWatched(loop, fd): a read loop and a descriptor, or -1");
    return NULL;
  }
  loop->only_fd = fd < 0 ? -1 : fd;
  return NULL;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor functions[] = {
      {"openReadLoop", NULL, open_read_loop_function, NULL, NULL, NULL, napi_default, NULL},
      {"watch", NULL, watch_function, NULL, NULL, NULL, napi_default, NULL},
      {"unwatch", NULL, unwatch_function, NULL, NULL, NULL, napi_default, NULL},
      {"keepAlive", NULL, keep_alive_function, NULL, NULL, NULL, napi_default, NULL},
      {"onlyWatched", NULL, only_watched_function, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions) != napi_ok) return NULL;
  return exports;
}
