/*
 * recvfrom and sendto for a bound UDP socket, called straight from Node's event loop: the
 * native half of DatagramIO (datagram-io.ts). Node's own UDP handle allocates 64 KiB per
 * datagram, builds a Buffer and an address object for it and runs its callback machinery,
 * many times a C server's CPU per datagram (`npm run bench -- --only W4` shows both, and
 * `npm run bench:instructions -- --only W4` counts them; docs/performance.md); this file reads every
 * datagram into one buffer that JavaScript shares and sends each reply to its sender with one
 * sendto. Everything else (uppercase, the reflection guard, rate limits, tracing) stays in
 * JavaScript. Built by scripts/build-native.mjs with the headers Node installs; where it is
 * not built, DatagramIO uses Node's handle as before.
 *
 * JavaScript API (see datagram-io.ts):
 *   open(fd, onDatagram) -> { input: Buffer, datagram: Int32Array, receiver: External }
 *     watches a duplicate of `fd`; for each datagram writes [length, port, family (4 or 6)]
 *     into `datagram` and calls onDatagram(address) with the bytes in `input[0..length)`;
 *     when recvfrom (or the poll) fails, writes [-errno] and calls onDatagram(). `address` is
 *     undefined when it is the previous datagram's (a client's datagrams then cost no
 *     formatting and no string). The numbers go through `datagram`, not as arguments: four
 *     fewer values to make per datagram.
 *   reply(receiver, buffer, length) -> bytes sent, or -errno (-EAGAIN: the socket is full)
 *     sends to the source of the datagram being handled (only inside onDatagram).
 *   replyFromInput(receiver, length) -> the same, for a reply in `input[0..length)` (one
 *     uppercased in place): no buffer to look into.
 *   close(receiver): stops watching and closes the duplicate; safe to call twice.
 */

#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

/* Larger than any UDP payload (65,527 bytes over IPv6): a datagram is never cut. */
#define INPUT_BYTES 65536
/* Datagrams read per wakeup before the event loop gets a turn (libuv's own UDP reads 32). */
#define READS_PER_WAKEUP 32
/* The slots of the `datagram` Int32Array (the numbers of the datagram being handled). */
enum { DATAGRAM_LENGTH, DATAGRAM_PORT, DATAGRAM_FAMILY, DATAGRAM_SLOTS };

struct Receiver;

/*
 * The libuv handle, apart from the receiver: libuv holds it until its close callback, which
 * may come after JavaScript has let the receiver go (and after a worker thread's environment
 * has begun to end, which waits for the cleanup hook to be removed in that callback).
 */
typedef struct {
  uv_poll_t poll; /* first: libuv hands back this pointer; its data is the receiver */
  napi_async_cleanup_hook_handle cleanup_hook;
  struct Receiver *receiver; /* NULL once the receiver is closed */
} Watch;

typedef struct Receiver {
  Watch *watch;
  int fd;         /* a dup() of the dgram socket's descriptor, owned here */
  int closed;
  napi_env env;
  napi_ref on_datagram;
  napi_ref input_ref;
  napi_ref datagram_ref;
  napi_async_context async_context;
  uint8_t *input;
  int32_t *datagram; /* DATAGRAM_SLOTS numbers JavaScript reads */
  /* The source of the datagram being handled (reply's destination); length 0 outside onDatagram. */
  struct sockaddr_storage source;
  socklen_t source_length;
  /* The last source address handed to JavaScript (without its port), if `has_named`. */
  struct sockaddr_storage named;
  int has_named;
} Receiver;

static int same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b) {
  if (a->ss_family != b->ss_family) return 0;
  if (a->ss_family == AF_INET)
    return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
  const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a, *b6 = (const struct sockaddr_in6 *)b;
  return memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof a6->sin6_addr) == 0 && a6->sin6_scope_id == b6->sin6_scope_id;
}

/*
 * The source's address as Node writes it in a RemoteInfo (libuv's formatting) into `value`, or
 * NULL if unchanged. 0 if the string could not be made (JavaScript cannot run any more).
 */
static int address_string(Receiver *receiver, napi_value *value) {
  napi_env env = receiver->env;
  *value = NULL;
  if (receiver->has_named && same_address(&receiver->source, &receiver->named)) return 1;
  char text[64 + UV_IF_NAMESIZE];
  if (receiver->source.ss_family == AF_INET) {
    uv_ip4_name((const struct sockaddr_in *)&receiver->source, text, sizeof text);
  } else {
    const struct sockaddr_in6 *source6 = (const struct sockaddr_in6 *)&receiver->source;
    uv_ip6_name(source6, text, sizeof text);
    /* A link-local source names its interface, as Node writes it ("fe80::1%eth0"). */
    if (source6->sin6_scope_id != 0) {
      size_t used = strlen(text);
      size_t room = sizeof text - used - 1;
      text[used] = '%';
      if (uv_if_indextoiid(source6->sin6_scope_id, text + used + 1, &room) != 0) text[used] = '\0';
    }
  }
  if (napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, value) != napi_ok) {
    *value = NULL;
    return 0;
  }
  receiver->named = receiver->source;
  receiver->has_named = 1;
  return 1;
}

static int source_port(const Receiver *receiver) {
  const struct sockaddr_storage *source = &receiver->source;
  return ntohs(source->ss_family == AF_INET ? ((const struct sockaddr_in *)source)->sin_port
                                            : ((const struct sockaddr_in6 *)source)->sin6_port);
}

/* Calls onDatagram as Node calls its own callbacks (async context, then ticks and microtasks). */
static int call_on_datagram(Receiver *receiver, size_t argc, napi_value *argv) {
  napi_env env = receiver->env;
  napi_value callback = NULL, global, result;
  /* Either fails only when JavaScript cannot run any more (its environment is ending): stop reading. */
  if (napi_get_reference_value(env, receiver->on_datagram, &callback) != napi_ok || callback == NULL ||
      napi_get_global(env, &global) != napi_ok)
    return 0;
  if (napi_make_callback(env, receiver->async_context, global, callback, argc, argv, &result) == napi_ok) return 1;
  bool thrown = false;
  if (napi_is_exception_pending(env, &thrown) != napi_ok || !thrown) return 0; /* as above */
  /* Thrown in onDatagram: the process's uncaughtException, as for any event handler. */
  napi_value error;
  if (napi_get_and_clear_last_exception(env, &error) != napi_ok) return 0;
  /* Node exits or runs its handlers; should even that fail, there is nobody left to tell. */
  (void)napi_fatal_exception(env, error);
  return 1;
}

static void on_readable(uv_poll_t *poll, int status, int events);

/*
 * libuv reports an error on the descriptor (POLLERR) as UV_EBADF and stops the poll. The socket's
 * own error (SO_ERROR, which reading it clears) is what happened: reported, then polling goes on.
 * A descriptor that is really bad stays stopped, reported once.
 */
static void poll_failed(Receiver *receiver, int status) {
  int error = 0;
  socklen_t size = sizeof error;
  int socket_readable = getsockopt(receiver->fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0;
  receiver->datagram[DATAGRAM_LENGTH] = socket_readable && error != 0 ? -error : status;
  if (!call_on_datagram(receiver, 0, NULL) || !socket_readable || receiver->closed) return;
  int restarted = uv_poll_start(&receiver->watch->poll, UV_READABLE, on_readable);
  if (restarted != 0) { /* no more datagrams: said once more, with libuv's reason */
    receiver->datagram[DATAGRAM_LENGTH] = restarted;
    call_on_datagram(receiver, 0, NULL);
  }
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  Receiver *receiver = (Receiver *)poll->data;
  napi_env env = receiver->env;
  napi_handle_scope scope;
  /* Fails only when JavaScript cannot run any more: the datagrams wait, or go with the socket. */
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (status < 0) poll_failed(receiver, status);
  for (int read = 0; status >= 0 && read < READS_PER_WAKEUP && !receiver->closed; read++) {
    receiver->source_length = sizeof receiver->source;
    ssize_t length = recvfrom(receiver->fd, receiver->input, INPUT_BYTES, MSG_DONTWAIT,
                              (struct sockaddr *)&receiver->source, &receiver->source_length);
    if (length < 0 && errno == EINTR) continue;
    if (length < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    napi_value address = NULL;
    size_t argc = 0;
    if (length < 0) {
      receiver->datagram[DATAGRAM_LENGTH] = -errno;
    } else if (!address_string(receiver, &address)) {
      receiver->datagram[DATAGRAM_LENGTH] = -ENOMEM; /* no string for its source: dropped, and said */
      length = -1;
    } else {
      receiver->datagram[DATAGRAM_LENGTH] = (int32_t)length;
      receiver->datagram[DATAGRAM_PORT] = source_port(receiver);
      receiver->datagram[DATAGRAM_FAMILY] = receiver->source.ss_family == AF_INET ? 4 : 6;
      argc = address == NULL ? 0 : 1;
    }
    int called = call_on_datagram(receiver, argc, &address);
    receiver->source_length = 0;
    if (!called || length < 0) break;
  }
  receiver->source_length = 0; /* also after an EAGAIN: reply() outside onDatagram has nobody to send to */
  (void)napi_close_handle_scope(env, scope); /* fails only for a scope not open: this one is */
}

static void free_watch(uv_handle_t *handle) {
  Watch *watch = (Watch *)handle;
  /* NULL when open() failed before adding it. Removal fails only for a hook not added. */
  if (watch->cleanup_hook != NULL) (void)napi_remove_async_cleanup_hook(watch->cleanup_hook);
  free(watch);
}

static void close_receiver(Receiver *receiver) {
  if (receiver->closed) return;
  receiver->closed = 1;
  napi_env env = receiver->env;
  /* These fail only for what was never made, or once the environment is gone (and its
     references with it): nothing is left to undo either way. */
  (void)napi_delete_reference(env, receiver->on_datagram);
  (void)napi_delete_reference(env, receiver->input_ref);
  (void)napi_delete_reference(env, receiver->datagram_ref);
  (void)napi_async_destroy(env, receiver->async_context);
  uv_poll_stop(&receiver->watch->poll);
  close(receiver->fd);
  receiver->watch->receiver = NULL;
  /* The handle's memory goes when libuv is done with it (a later turn of the loop); the
     receiver's when JavaScript no longer holds it (a second close() finds it closed). */
  uv_close((uv_handle_t *)&receiver->watch->poll, free_watch);
}

/* Node is shutting down (or a worker thread ends) with the receiver still open. */
static void close_at_exit(napi_async_cleanup_hook_handle hook, void *data) {
  (void)hook;
  Watch *watch = (Watch *)data;
  if (watch->receiver != NULL) close_receiver(watch->receiver);
}

/* JavaScript let go of the receiver: close it if nobody did, then free it. */
static void finalize_receiver(napi_env env, void *data, void *hint) {
  (void)hint;
  Receiver *receiver = (Receiver *)data;
  (void)env;
  close_receiver(receiver);
  free(receiver);
}

/* Throws `message`, unless a failed call left its own exception pending (it says more). */
static napi_value throw_error(napi_env env, const char *message) {
  bool pending = false;
  /* Should throwing fail, JavaScript cannot run any more: nobody to tell. */
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) (void)napi_throw_error(env, NULL, message);
  return NULL;
}

/* A call's `count` arguments (into `argv`), the first a receiver: NULL if they are not. */
static Receiver *receiver_call(napi_env env, napi_callback_info info, size_t count, napi_value *argv) {
  size_t argc = count;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != count ||
      napi_get_value_external(env, argv[0], &data) != napi_ok)
    return NULL;
  return (Receiver *)data;
}

/*
 * Undoes an open() that failed part way, before JavaScript got the receiver. `polling`: libuv
 * has the handle (its memory then goes in its close callback).
 */
static void abandon_receiver(Receiver *receiver, int polling) {
  napi_env env = receiver->env;
  /* Teardown of what was made: these fail only for what was not, and nothing is left to undo. */
  if (receiver->on_datagram != NULL) (void)napi_delete_reference(env, receiver->on_datagram);
  if (receiver->input_ref != NULL) (void)napi_delete_reference(env, receiver->input_ref);
  if (receiver->datagram_ref != NULL) (void)napi_delete_reference(env, receiver->datagram_ref);
  if (receiver->async_context != NULL) (void)napi_async_destroy(env, receiver->async_context);
  if (receiver->fd >= 0) close(receiver->fd);
  if (polling) {
    receiver->watch->receiver = NULL;
    uv_close((uv_handle_t *)&receiver->watch->poll, free_watch);
  } else {
    free(receiver->watch);
  }
  free(receiver);
}

static napi_value open_receiver(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd = -1;
  napi_valuetype callback_type = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 ||
      napi_typeof(env, argv[1], &callback_type) != napi_ok || callback_type != napi_function)
    return throw_error(env, "open(fd, onDatagram): a socket descriptor and a function");

  /* The memory JavaScript shares first: nothing to undo if V8 cannot give it. */
  napi_value input, numbers, datagram, name, result, external;
  void *input_data = NULL, *numbers_data = NULL;
  if (napi_create_buffer(env, INPUT_BYTES, &input_data, &input) != napi_ok ||
      napi_create_arraybuffer(env, DATAGRAM_SLOTS * sizeof(int32_t), &numbers_data, &numbers) != napi_ok ||
      napi_create_typedarray(env, napi_int32_array, DATAGRAM_SLOTS, numbers, 0, &datagram) != napi_ok)
    return throw_error(env, "out of memory");
  Receiver *receiver = calloc(1, sizeof *receiver);
  Watch *watch = calloc(1, sizeof *watch);
  if (receiver == NULL || watch == NULL) {
    free(receiver);
    free(watch);
    return throw_error(env, "out of memory");
  }
  receiver->watch = watch;
  receiver->env = env;
  receiver->fd = -1;
  receiver->input = input_data;
  receiver->datagram = numbers_data;

  /* What JavaScript keeps for the receiver, before the descriptor: undone by abandon_receiver. */
  if (napi_create_reference(env, input, 1, &receiver->input_ref) != napi_ok ||
      napi_create_reference(env, datagram, 1, &receiver->datagram_ref) != napi_ok ||
      napi_create_reference(env, argv[1], 1, &receiver->on_datagram) != napi_ok ||
      napi_create_string_utf8(env, "mayus:udp-receive", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &receiver->async_context) != napi_ok) {
    abandon_receiver(receiver, 0);
    return throw_error(env, "out of memory");
  }

  receiver->fd = dup(fd);
  uv_loop_t *loop = NULL;
  if (receiver->fd < 0 || napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL ||
      uv_poll_init(loop, &watch->poll, receiver->fd) != 0) {
    abandon_receiver(receiver, 0);
    return throw_error(env, "cannot watch the UDP socket's descriptor");
  }
  watch->receiver = receiver;
  watch->poll.data = receiver;
  if (napi_add_async_cleanup_hook(env, close_at_exit, watch, &watch->cleanup_hook) != napi_ok ||
      uv_poll_start(&watch->poll, UV_READABLE, on_readable) != 0) {
    abandon_receiver(receiver, 1);
    return throw_error(env, "cannot watch the UDP socket's descriptor");
  }

  if (napi_create_object(env, &result) != napi_ok || napi_set_named_property(env, result, "input", input) != napi_ok ||
      napi_set_named_property(env, result, "datagram", datagram) != napi_ok ||
      napi_create_external(env, receiver, finalize_receiver, NULL, &external) != napi_ok) {
    abandon_receiver(receiver, 1);
    return throw_error(env, "out of memory");
  }
  /* From here the external's finalizer frees the receiver: only closing it is left to do. */
  if (napi_set_named_property(env, result, "receiver", external) != napi_ok) {
    close_receiver(receiver);
    return throw_error(env, "out of memory");
  }
  return result;
}

/* sendto the source of the datagram being handled: bytes sent, or -errno. */
static napi_value send_reply(napi_env env, Receiver *receiver, const void *data, size_t length) {
  int32_t outcome;
  if (receiver->closed || receiver->source_length == 0) {
    outcome = -EDESTADDRREQ; /* no datagram is being handled: nobody to reply to */
  } else {
    ssize_t sent;
    do {
      sent = sendto(receiver->fd, data, length, MSG_DONTWAIT, (struct sockaddr *)&receiver->source,
                    receiver->source_length);
    } while (sent < 0 && errno == EINTR);
    outcome = sent < 0 ? -errno : (int32_t)sent;
  }
  napi_value result;
  if (napi_create_int32(env, outcome, &result) != napi_ok) return throw_error(env, "out of memory");
  return result;
}

static napi_value reply(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Receiver *receiver = receiver_call(env, info, 3, argv);
  void *data = NULL;
  size_t capacity = 0;
  int64_t length = -1; /* int64: a uint32 would wrap 2^32 + 1 to 1 */
  if (receiver == NULL || napi_get_buffer_info(env, argv[1], &data, &capacity) != napi_ok ||
      napi_get_value_int64(env, argv[2], &length) != napi_ok || length < 0 || (uint64_t)length > capacity)
    return throw_error(env, "reply(receiver, buffer, length): length within the buffer");
  return send_reply(env, receiver, data, (size_t)length);
}

static napi_value reply_from_input(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Receiver *receiver = receiver_call(env, info, 2, argv);
  int64_t length = -1; /* int64, as in reply() */
  if (receiver == NULL || napi_get_value_int64(env, argv[1], &length) != napi_ok || length < 0 || length > INPUT_BYTES)
    return throw_error(env, "replyFromInput(receiver, length): length within the input");
  return send_reply(env, receiver, receiver->input, (size_t)length);
}

static napi_value close_function(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Receiver *receiver = receiver_call(env, info, 1, argv);
  if (receiver == NULL) return throw_error(env, "close(receiver)");
  close_receiver(receiver);
  return NULL;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor functions[] = {
      {"open", NULL, open_receiver, NULL, NULL, NULL, napi_default, NULL},
      {"reply", NULL, reply, NULL, NULL, NULL, napi_default, NULL},
      {"replyFromInput", NULL, reply_from_input, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_function, NULL, NULL, NULL, napi_default, NULL},
  };
  /* NULL: the module does not load, and the loader reports the pending exception. */
  if (napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions) != napi_ok) return NULL;
  return exports;
}
