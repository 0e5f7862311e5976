/*
 * send() on a connected TCP socket, called straight from JavaScript: the native half of
 * SocketWriter (socket-writer.ts). Node's `socket.write` sends at once too when nothing waits,
 * but through a request object, the stream's bookkeeping and a callback on the next tick,
 * a large share of a ping-pong's CPU in mayus's server (`npm run bench:instructions -- --only
 * W3` counts it, with and without this module: docs/performance.md). SocketWriter calls this only
 * while Node has nothing queued for the socket, and hands whatever the kernel does not take
 * to `socket.write`, so the bytes keep their order. Built by scripts/build-native.mjs with the
 * headers Node installs; where it is not built, SocketWriter uses `socket.write` alone.
 *
 * JavaScript API (see stream-syscalls.ts):
 *   send(fd, buffer, length) -> bytes sent (maybe fewer than length), or -errno
 *     (-EAGAIN: the socket's buffer is full). Never raises SIGPIPE.
 *   peerAddress(fd, port) -> the peer's address as Node's `socket.remoteAddress` gives it (one
 *     getpeername(), formatted by libuv as Node formats it), its port in port[0] (an
 *     Int32Array); null where Node would add to it (a link-local IPv6 address's zone) or the
 *     family is neither IPv4 nor IPv6; -errno when getpeername() fails. Node's own
 *     `remoteAddress` builds an object and sets three properties on it from C++, which costs a
 *     server more than the rest of what it does for a connection of its own.
 *   refuseHandshakes(fd) -> 0, or -errno (-ENOSYS off Linux): a listening socket stops
 *     beginning handshakes (a socket filter that drops packets with SYN set: new clients get
 *     no answer and try again later), while handshakes under way complete and connections
 *     already completed stay queued for accept(). So a server that stops can empty its queue
 *     for good before it closes the listener, which would reset every connection still
 *     queued, though their clients may have sent a whole request and their FIN already.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <node_api.h>
#include <uv.h>

#ifdef __linux__
#include <linux/filter.h>
#endif

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: no such flag; Node ignores SIGPIPE in any case */
#endif

static napi_value send_function(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd = -1;
  void *data = NULL;
  size_t capacity = 0;
  int64_t length = -1; /* int64: a uint32 would wrap 2^32 + 1 to 1 */
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 ||
      napi_get_buffer_info(env, argv[1], &data, &capacity) != napi_ok ||
      napi_get_value_int64(env, argv[2], &length) != napi_ok || length < 0 || (uint64_t)length > capacity) {
    bool pending = false; /* a failed call's own exception says more */
    if (napi_is_exception_pending(env, &pending) != napi_ok || !pending)
      (void)napi_throw_error(env, NULL, "send(fd, buffer, length): a descriptor, and a length within the buffer");
    return NULL;
  }
  ssize_t sent;
  do {
    sent = send(fd, data, (size_t)length, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  napi_value result;
  if (napi_create_int64(env, sent < 0 ? -(int64_t)errno : (int64_t)sent, &result) != napi_ok) {
    /* The bytes went, but the count cannot be said: throw, unless an exception is pending already. */
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) != napi_ok || !pending)
      (void)napi_throw_error(env, NULL, "send: out of memory");
    return NULL;
  }
  return result;
}

static napi_value peer_address_function(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd = -1;
  napi_typedarray_type type;
  size_t elements = 0;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 ||
      napi_get_typedarray_info(env, argv[1], &type, &elements, &data, NULL, NULL) != napi_ok ||
      type != napi_int32_array || elements < 1) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) != napi_ok || !pending)
      (void)napi_throw_error(env, NULL, "peerAddress(fd, port): a descriptor, and an Int32Array for the port");
    return NULL;
  }
  struct sockaddr_storage address;
  socklen_t length = sizeof address;
  napi_value result;
  if (getpeername(fd, (struct sockaddr *)&address, &length) != 0) {
    if (napi_create_int32(env, -errno, &result) != napi_ok) return NULL;
    return result;
  }
  char text[INET6_ADDRSTRLEN];
  int port;
  int formatted;
  if (address.ss_family == AF_INET) {
    const struct sockaddr_in *ipv4 = (const struct sockaddr_in *)&address;
    formatted = uv_inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof text);
    port = ntohs(ipv4->sin_port);
  } else if (address.ss_family == AF_INET6 && ((const struct sockaddr_in6 *)&address)->sin6_scope_id == 0) {
    const struct sockaddr_in6 *ipv6 = (const struct sockaddr_in6 *)&address;
    formatted = uv_inet_ntop(AF_INET6, &ipv6->sin6_addr, text, sizeof text);
    port = ntohs(ipv6->sin6_port);
  } else {
    formatted = -1; /* Node's own formatting: a zone after the address, or another family */
  }
  if (formatted != 0) {
    if (napi_get_null(env, &result) != napi_ok) return NULL;
    return result;
  }
  ((int32_t *)data)[0] = port;
  if (napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &result) != napi_ok) return NULL;
  return result;
}

static napi_value refuse_handshakes_function(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) != napi_ok || !pending)
      (void)napi_throw_error(env, NULL, "refuseHandshakes(fd): a listening socket's descriptor");
    return NULL;
  }
  int32_t outcome;
#ifdef __linux__
  /* A TCP socket's filter sees the packet from its TCP header on (IPv4 and IPv6 alike). */
  struct sock_filter drop_syn[] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),          /* the header's flags */
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x02, 1, 0), /* SYN: someone begins a connection */
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),            /* anything else: kept whole */
      BPF_STMT(BPF_RET | BPF_K, 0),                     /* dropped */
  };
  struct sock_fprog program = {.len = sizeof drop_syn / sizeof drop_syn[0], .filter = drop_syn};
  outcome = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) == 0 ? 0 : -errno;
#else
  outcome = -ENOSYS;
#endif
  napi_value result;
  if (napi_create_int32(env, outcome, &result) != napi_ok) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor functions[] = {
      {"send", NULL, send_function, NULL, NULL, NULL, napi_default, NULL},
      {"peerAddress", NULL, peer_address_function, NULL, NULL, NULL, napi_default, NULL},
      {"refuseHandshakes", NULL, refuse_handshakes_function, NULL, NULL, NULL, napi_default, NULL},
  };
  /* NULL: the module does not load, and the loader reports the pending exception. */
  if (napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions) != napi_ok) return NULL;
  return exports;
}
