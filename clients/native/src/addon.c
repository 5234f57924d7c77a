/*
 * The Node-API face of hydra's native core: JavaScript makes producers and consumers, starts a
 * window, resets and reads a consumer's books, and drains request telemetry; the cores' threads
 * tell it of events through a thread-safe function. Nothing here runs per message.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "books.h"
#include "clock.h"
#include "pub.h"
#include "rkstats.h"
#include "sub.h"
#include "wire.h"

double hydra_clock_offset_ms = 0;

enum { HANDLE_PRODUCER = 1, HANDLE_CONSUMER = 2 };

/* What JavaScript holds: the core, until it is closed (its thread then frees it). */
typedef struct {
  int kind;
  int closed;
  void *core;
} handle_t;

typedef struct {
  napi_threadsafe_function tsfn;
} sink_t;

typedef struct {
  char *kind;
  char *json;
} event_t;

#define CHECK(call)                                         \
  do {                                                      \
    if ((call) != napi_ok) {                                \
      napi_throw_error(env, NULL, "hydra native: " #call);  \
      return NULL;                                          \
    }                                                       \
  } while (0)

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* ---- Events from the cores' threads. ---- */

static void emit(void *ctx, const char *kind, const char *json) {
  sink_t *sink = ctx;
  event_t *ev = malloc(sizeof *ev);
  ev->kind = strdup(kind);
  ev->json = strdup(json);
  /* The queue is unbounded: this never waits. */
  if (napi_call_threadsafe_function(sink->tsfn, ev, napi_tsfn_nonblocking) != napi_ok) {
    free(ev->kind);
    free(ev->json);
    free(ev);
  }
}

static void done(void *ctx) {
  sink_t *sink = ctx;
  napi_release_threadsafe_function(sink->tsfn, napi_tsfn_release);
}

static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  event_t *ev = data;
  if (env && callback) {
    napi_value undefined, args[2];
    napi_get_undefined(env, &undefined);
    napi_create_string_utf8(env, ev->kind, NAPI_AUTO_LENGTH, &args[0]);
    napi_create_string_utf8(env, ev->json, NAPI_AUTO_LENGTH, &args[1]);
    napi_call_function(env, undefined, callback, 2, args, NULL);
  }
  free(ev->kind);
  free(ev->json);
  free(ev);
}

static void sink_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static int make_events(napi_env env, napi_value callback, const char *name, events_t *out) {
  sink_t *sink = calloc(1, sizeof *sink);
  napi_value resource_name;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name);
  if (napi_create_threadsafe_function(env, callback, NULL, resource_name, 0, 1, sink, sink_finalize, sink, call_js, &sink->tsfn) != napi_ok) {
    free(sink);
    return 0;
  }
  out->emit = emit;
  out->done = done;
  out->ctx = sink;
  return 1;
}

static void drop_events(events_t *events) {
  sink_t *sink = events->ctx;
  napi_release_threadsafe_function(sink->tsfn, napi_tsfn_abort);
}

/* ---- Values from JavaScript. ---- */

static void handle_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static handle_t *handle_of(napi_env env, napi_value value, int kind) {
  handle_t *h = NULL;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external || napi_get_value_external(env, value, (void **)&h) != napi_ok || !h ||
      h->kind != kind) {
    napi_throw_type_error(env, NULL, kind == HANDLE_PRODUCER ? "not a native producer" : "not a native consumer");
    return NULL;
  }
  if (h->closed) {
    napi_throw_error(env, NULL, kind == HANDLE_PRODUCER ? "the native producer is closed" : "the native consumer is closed");
    return NULL;
  }
  return h;
}

static double number_of(napi_env env, napi_value obj, const char *name, int *ok) {
  napi_value v;
  double d = 0;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok || napi_get_value_double(env, v, &d) != napi_ok) *ok = 0;
  return d;
}

/* A string property, malloc'd; NULL when absent or not a string. */
static char *string_value(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

/* librdkafka properties from [[name, value], ...]; on a refused one, throws naming it. */
static rd_kafka_conf_t *conf_of(napi_env env, napi_value pairs) {
  uint32_t n = 0;
  if (napi_get_array_length(env, pairs, &n) != napi_ok) {
    throw_error(env, "properties must be an array of [name, value]");
    return NULL;
  }
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  for (uint32_t i = 0; i < n; i++) {
    napi_value pair, k, v;
    napi_get_element(env, pairs, i, &pair);
    napi_get_element(env, pair, 0, &k);
    napi_get_element(env, pair, 1, &v);
    char *name = string_value(env, k), *value = string_value(env, v);
    char errstr[512];
    if (!name || !value || rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      char message[800];
      snprintf(message, sizeof message, "librdkafka property %s=%s: %s", name ? name : "?", value ? value : "?", name && value ? errstr : "not a string");
      free(name);
      free(value);
      rd_kafka_conf_destroy(conf);
      throw_error(env, message);
      return NULL;
    }
    free(name);
    free(value);
  }
  return conf;
}

static napi_value wrap(napi_env env, int kind, void *core) {
  handle_t *h = calloc(1, sizeof *h);
  h->kind = kind;
  h->core = core;
  napi_value out;
  CHECK(napi_create_external(env, h, handle_finalize, NULL, &out));
  return out;
}

static napi_value json_string(napi_env env, jbuf_t *b) {
  napi_value out;
  napi_create_string_utf8(env, b->data, b->len, &out);
  jb_free(b);
  return out;
}

/* ---- The clock. ---- */

/* alignClock(nowMs): the cores' times from here on read as JavaScript's nowMs(). */
static napi_value align_clock(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double now = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_double(env, argv[0], &now));
  clock_align(now);
  return NULL;
}

static napi_value version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_string_utf8(env, rd_kafka_version_str(), NAPI_AUTO_LENGTH, &out));
  return out;
}

/* ---- The producer. ---- */

/* createProducer(properties, onEvent(kind, json)) */
static napi_value create_producer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  rd_kafka_conf_t *conf = conf_of(env, argv[0]);
  if (!conf) return NULL;
  events_t events;
  if (!make_events(env, argv[1], "hydra-producer", &events)) {
    rd_kafka_conf_destroy(conf);
    return throw_error(env, "could not make the producer's event queue");
  }
  char err[512];
  producer_t *p = producer_new(conf, events, err, sizeof err);
  if (!p) {
    drop_events(&events);
    return throw_error(env, err);
  }
  return wrap(env, HANDLE_PRODUCER, p);
}

/* publish(producer, plan): the window of pub.h; keyPartition an Int32Array (or null without keys). */
static napi_value publish(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle_t *h = handle_of(env, argv[0], HANDLE_PRODUCER);
  if (!h) return NULL;
  napi_value o = argv[1];
  int ok = 1;
  pub_plan_t *plan = calloc(1, sizeof *plan);
  plan->msg_rate = number_of(env, o, "msg_rate", &ok);
  plan->msg_batch = (int)number_of(env, o, "msg_batch", &ok);
  plan->duration_s = number_of(env, o, "duration_s", &ok);
  plan->warmup_s = number_of(env, o, "warmup_s", &ok);
  plan->max_in_flight = (int)number_of(env, o, "max_in_flight", &ok);
  plan->request_max_messages = (int)number_of(env, o, "request_max_messages", &ok);
  plan->linger_ms = number_of(env, o, "linger_ms", &ok);
  plan->msg_size = (int)number_of(env, o, "msg_size", &ok);
  plan->payload_random_pct = number_of(env, o, "payload_random_pct", &ok);
  plan->epoch = (int)number_of(env, o, "epoch", &ok);
  plan->warmup_epoch = (int)number_of(env, o, "warmup_epoch", &ok);
  plan->pub_id = (int)number_of(env, o, "pub_id", &ok);
  plan->t0_ms = number_of(env, o, "t0_ms", &ok);
  plan->key_mode = (int)number_of(env, o, "key_mode", &ok);
  plan->key_count = (int)number_of(env, o, "key_count", &ok);
  napi_value names;
  uint32_t nt = 0;
  if (napi_get_named_property(env, o, "topics", &names) != napi_ok || napi_get_array_length(env, names, &nt) != napi_ok || nt == 0 || nt > 10000) ok = 0;
  plan->ntopics = ok ? (int)nt : 0;
  plan->topics = calloc(nt ? nt : 1, sizeof(char *));
  for (uint32_t i = 0; ok && i < nt; i++) {
    napi_value v;
    napi_get_element(env, names, i, &v);
    plan->topics[i] = string_value(env, v);
    if (!plan->topics[i]) ok = 0;
  }
  napi_value parts;
  uint32_t n = 0;
  if (napi_get_named_property(env, o, "partitions", &parts) != napi_ok || napi_get_array_length(env, parts, &n) != napi_ok || n == 0) ok = 0;
  plan->npartitions = (int)n;
  plan->partitions = calloc(n ? n : 1, sizeof(int));
  for (uint32_t i = 0; ok && i < n; i++) {
    napi_value v;
    int32_t part;
    napi_get_element(env, parts, i, &v);
    if (napi_get_value_int32(env, v, &part) != napi_ok) ok = 0;
    plan->partitions[i] = part;
  }
  if (ok && plan->key_mode != KEYS_NONE) {
    napi_value table;
    napi_typedarray_type type;
    size_t len = 0;
    void *data = NULL;
    if (napi_get_named_property(env, o, "key_partition", &table) != napi_ok ||
        napi_get_typedarray_info(env, table, &type, &len, &data, NULL, NULL) != napi_ok || type != napi_int32_array ||
        (int)len != plan->key_count) {
      ok = 0;
    } else {
      plan->key_partition = malloc(len * sizeof(int32_t));
      memcpy(plan->key_partition, data, len * sizeof(int32_t));
      for (size_t i = 0; i < len; i++)
        if (plan->key_partition[i] < 0 || plan->key_partition[i] >= plan->npartitions) ok = 0;
    }
  }
  bool has_payload = false;
  if (ok && napi_has_named_property(env, o, "payload", &has_payload) == napi_ok && has_payload) {
    napi_value buf;
    void *data = NULL;
    size_t len = 0;
    if (napi_get_named_property(env, o, "payload", &buf) != napi_ok || napi_get_buffer_info(env, buf, &data, &len) != napi_ok ||
        (int)len != plan->msg_size) {
      ok = 0;
    } else {
      plan->payload = malloc(len);
      memcpy(plan->payload, data, len);
    }
  }
  if (!ok || plan->ntopics == 0 || plan->msg_rate <= 0 || plan->msg_batch <= 0 || plan->msg_size < MESSAGE_SIZE || (plan->key_mode != KEYS_NONE && plan->key_count <= 0)) {
    pub_plan_free(plan);
    return throw_error(env, "publish: the plan is incomplete or out of range");
  }
  producer_publish(h->core, plan);
  return NULL;
}

static napi_value stop_publishing(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle_t *h = handle_of(env, argv[0], HANDLE_PRODUCER);
  if (h) producer_stop(h->core);
  return NULL;
}

static napi_value close_producer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle_t *h = handle_of(env, argv[0], HANDLE_PRODUCER);
  if (!h) return NULL;
  h->closed = 1;
  producer_close(h->core);
  return NULL;
}

/* ---- The consumer. ---- */

/* createConsumer(properties, topic, startAt, onEvent(kind, json)) */
static napi_value create_consumer(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char *topic = string_value(env, argv[1]);
  char *start = string_value(env, argv[2]);
  if (!topic || !start) {
    free(topic);
    free(start);
    return throw_error(env, "createConsumer: topic and startAt must be strings");
  }
  int latest = strcmp(start, "latest") == 0;
  free(start);
  rd_kafka_conf_t *conf = conf_of(env, argv[0]);
  if (!conf) {
    free(topic);
    return NULL;
  }
  events_t events;
  if (!make_events(env, argv[3], "hydra-consumer", &events)) {
    free(topic);
    rd_kafka_conf_destroy(conf);
    return throw_error(env, "could not make the consumer's event queue");
  }
  char err[512];
  consumer_t *c = consumer_new(conf, topic, latest, events, err, sizeof err);
  free(topic);
  if (!c) {
    drop_events(&events);
    return throw_error(env, err);
  }
  return wrap(env, HANDLE_CONSUMER, c);
}

/* The books' settings: {t0_ms, epoch, pub_count, latency_corrections_ms?}, and a timeline's or null. */
static int books_cfg_of(napi_env env, napi_value cfg, napi_value timeline, acc_cfg_t *acc, timeline_cfg_t *tl, int *has_timeline) {
  int ok = 1;
  memset(acc, 0, sizeof *acc);
  acc->t0_ms = number_of(env, cfg, "t0_ms", &ok);
  acc->epoch = (int)number_of(env, cfg, "epoch", &ok);
  acc->pub_count = (int)number_of(env, cfg, "pub_count", &ok);
  napi_value corrections;
  napi_valuetype type;
  bool is_array = false;
  if (napi_get_named_property(env, cfg, "latency_corrections_ms", &corrections) == napi_ok && napi_is_array(env, corrections, &is_array) == napi_ok &&
      is_array) {
    uint32_t n = 0;
    napi_get_array_length(env, corrections, &n);
    acc->corrections = calloc(n ? n : 1, sizeof(double));
    acc->corrections_len = (int)n;
    for (uint32_t i = 0; i < n; i++) {
      napi_value v;
      napi_get_element(env, corrections, i, &v);
      if (napi_get_value_double(env, v, &acc->corrections[i]) != napi_ok) acc->corrections[i] = 0;
    }
  }
  *has_timeline = 0;
  if (napi_typeof(env, timeline, &type) == napi_ok && type == napi_object) {
    tl->start_ms = number_of(env, timeline, "start_ms", &ok);
    tl->bucket_ms = number_of(env, timeline, "bucket_ms", &ok);
    tl->from_ms = number_of(env, timeline, "from_ms", &ok);
    tl->to_ms = number_of(env, timeline, "to_ms", &ok);
    if (tl->bucket_ms <= 0) ok = 0;
    *has_timeline = 1;
  }
  return ok;
}

/* resetBooks(consumer, cfg, timeline|null) */
static napi_value reset_books(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle_t *h = handle_of(env, argv[0], HANDLE_CONSUMER);
  if (!h) return NULL;
  acc_cfg_t cfg;
  timeline_cfg_t tl;
  int has_timeline;
  int ok = books_cfg_of(env, argv[1], argv[2], &cfg, &tl, &has_timeline);
  if (ok) consumer_reset(h->core, &cfg, has_timeline ? &tl : NULL);
  free(cfg.corrections);
  return ok ? NULL : throw_error(env, "resetBooks: the settings are incomplete");
}

static napi_value books_unique(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle_t *h = handle_of(env, argv[0], HANDLE_CONSUMER);
  if (!h) return NULL;
  CHECK(napi_create_double(env, consumer_unique(h->core), &out));
  return out;
}

static napi_value books_snapshot(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle_t *h = handle_of(env, argv[0], HANDLE_CONSUMER);
  if (!h) return NULL;
  jbuf_t b;
  jb_init(&b);
  consumer_books_json(h->core, &b);
  return json_string(env, &b);
}

static napi_value close_consumer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle_t *h = handle_of(env, argv[0], HANDLE_CONSUMER);
  if (!h) return NULL;
  h->closed = 1;
  consumer_close(h->core);
  return NULL;
}

/* drainRequests(producer|consumer): the request telemetry since the last drain, as JSON. */
static napi_value drain_requests(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle_t *h = NULL;
  if (napi_get_value_external(env, argv[0], (void **)&h) != napi_ok || !h) return throw_error(env, "not a native client");
  if (h->closed) return throw_error(env, "the native client is closed");
  jbuf_t b;
  jb_init(&b);
  if (h->kind == HANDLE_PRODUCER)
    producer_drain_requests(h->core, &b);
  else
    consumer_drain_requests(h->core, &b);
  return json_string(env, &b);
}

/*
 * replay(cfg, timeline|null, batches): the books fed a scripted stream, for the test that holds
 * them to the TypeScript bookkeeping. Each batch {partition, first_offset, at_ms, values} is one
 * read of one partition; a value is a Buffer or null.
 */
static napi_value replay(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  acc_cfg_t cfg;
  timeline_cfg_t tl;
  int has_timeline;
  if (!books_cfg_of(env, argv[0], argv[1], &cfg, &tl, &has_timeline)) {
    free(cfg.corrections);
    return throw_error(env, "replay: the settings are incomplete");
  }
  books_t books;
  books_init(&books, &cfg, has_timeline ? &tl : NULL);
  free(cfg.corrections);
  uint32_t n = 0;
  napi_get_array_length(env, argv[2], &n);
  int ok = 1;
  for (uint32_t i = 0; ok && i < n; i++) {
    napi_value batch, values;
    napi_get_element(env, argv[2], i, &batch);
    int partition = (int)number_of(env, batch, "partition", &ok);
    double first = number_of(env, batch, "first_offset", &ok);
    double at = number_of(env, batch, "at_ms", &ok);
    uint32_t count = 0;
    if (napi_get_named_property(env, batch, "values", &values) != napi_ok || napi_get_array_length(env, values, &count) != napi_ok) ok = 0;
    books_begin_read(&books);
    for (uint32_t j = 0; ok && j < count; j++) {
      napi_value v;
      napi_get_element(env, values, j, &v);
      bool is_buffer = false;
      void *data = NULL;
      size_t len = 0;
      napi_is_buffer(env, v, &is_buffer);
      if (is_buffer) napi_get_buffer_info(env, v, &data, &len);
      books_message(&books, data, len, at, partition, (int64_t)first + j);
    }
  }
  jbuf_t b;
  jb_init(&b);
  books_json(&b, &books);
  books_free(&books);
  if (!ok) {
    jb_free(&b);
    return throw_error(env, "replay: a batch needs partition, first_offset, at_ms and values");
  }
  return json_string(env, &b);
}

/* replayStatistics(docs): librdkafka statistics documents read as a client's are, then drained: for the test that holds the reader to statistics.ts. */
static napi_value replay_statistics(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t n = 0;
  if (napi_get_array_length(env, argv[0], &n) != napi_ok) return throw_error(env, "replayStatistics: an array of JSON texts");
  requests_t r;
  requests_init(&r);
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    napi_get_element(env, argv[0], i, &v);
    char *doc = string_value(env, v);
    if (doc) requests_read_stats(&r, doc, strlen(doc));
    free(doc);
  }
  jbuf_t b;
  jb_init(&b);
  requests_drain_json(&r, &b);
  requests_free(&r);
  return json_string(env, &b);
}

static napi_value init(napi_env env, napi_value exports) {
  clock_align((double)time(NULL) * 1000.0);
  napi_property_descriptor props[] = {
      {"alignClock", NULL, align_clock, NULL, NULL, NULL, napi_default, NULL},
      {"librdkafkaVersion", NULL, version, NULL, NULL, NULL, napi_default, NULL},
      {"createProducer", NULL, create_producer, NULL, NULL, NULL, napi_default, NULL},
      {"publish", NULL, publish, NULL, NULL, NULL, napi_default, NULL},
      {"stopPublishing", NULL, stop_publishing, NULL, NULL, NULL, napi_default, NULL},
      {"closeProducer", NULL, close_producer, NULL, NULL, NULL, napi_default, NULL},
      {"createConsumer", NULL, create_consumer, NULL, NULL, NULL, napi_default, NULL},
      {"resetBooks", NULL, reset_books, NULL, NULL, NULL, napi_default, NULL},
      {"booksUnique", NULL, books_unique, NULL, NULL, NULL, napi_default, NULL},
      {"booksSnapshot", NULL, books_snapshot, NULL, NULL, NULL, napi_default, NULL},
      {"closeConsumer", NULL, close_consumer, NULL, NULL, NULL, napi_default, NULL},
      {"drainRequests", NULL, drain_requests, NULL, NULL, NULL, napi_default, NULL},
      {"replay", NULL, replay, NULL, NULL, NULL, napi_default, NULL},
      {"replayStatistics", NULL, replay_statistics, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
