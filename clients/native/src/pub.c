#define _GNU_SOURCE
#include "pub.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include "clock.h"
#include "hist.h"
#include "rkstats.h"
#include "wire.h"

/* As src/apps/pacing.ts: most messages generated ahead of the client, and the random pool of payload.ts. */
#define MAX_PENDING_MESSAGES 2000
#define POOL_BYTES (4 * 1024 * 1024)
/* How long "connected" waits for the brokers' metadata, ms. */
#define CONNECT_TIMEOUT_MS 10000
/* What close() delivers before leaving, ms (as the librdkafka client's disconnect). */
#define CLOSE_FLUSH_MS 5000

/* One send: up to request_max_messages handed over together, done when each has its report. */
typedef struct {
  int remaining;
  int measured;
  int failed;
  double handed_ms;
} send_t;

/* A message generated and not yet handed over: built when handed, from these. */
typedef struct {
  double due_ms;
  double sent_ms;
  uint32_t seq;
  int32_t topic;
  int32_t partition;
  int32_t key;
  uint8_t measured;
} pending_t;

/* The outcome of a window, counted from delivery reports (which run on the producer's thread). */
typedef struct {
  double msg_cnt;
  /* Per topic index, with several topics (NULL with one): what each topic's readers can get. */
  double *msg_cnt_by_topic;
  double send_errors;
  char last_error[512];
  int has_error;
  hist_t send_rtt;
  /* Per measured message, generated − due, µs (pub.ts's publishDelay). */
  hist_t publish_delay;
  int inflight;
} tally_t;

struct producer {
  rd_kafka_t *rk;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  /* Commands, under mu. */
  pub_plan_t *plan;
  int closing;
  atomic_int stop;
  requests_t requests;
  events_t events;
  /* The window's tally while one runs (thread only). */
  tally_t *tally;
};

void pub_plan_free(pub_plan_t *plan) {
  if (!plan) return;
  for (int i = 0; plan->topics && i < plan->ntopics; i++) free(plan->topics[i]);
  free(plan->topics);
  free(plan->partitions);
  free(plan->key_partition);
  free(plan->payload);
  free(plan);
}

static void fail(tally_t *t, const char *why) {
  t->send_errors++;
  if (!t->has_error) {
    snprintf(t->last_error, sizeof t->last_error, "%s", why);
    t->has_error = 1;
  }
}

static void finish_send(tally_t *t, send_t *s) {
  t->inflight--;
  /* A send's round trip as the publisher saw it: handed over → its last report (as pub.ts times a send). */
  if (!s->failed && s->measured > 0) hist_record(&t->send_rtt, (now_ms() - s->handed_ms) * 1000);
  free(s);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  producer_t *p = opaque;
  tally_t *t = p->tally;
  uintptr_t tag = (uintptr_t)m->_private;
  send_t *s = (send_t *)(tag & ~(uintptr_t)1);
  if (!t || !s) return;
  if (m->err) {
    fail(t, rd_kafka_err2str(m->err));
    s->failed = 1;
  } else if (tag & 1) {
    t->msg_cnt++;
    /* Each topic handle carries its index as its opaque (run_window). */
    if (t->msg_cnt_by_topic) t->msg_cnt_by_topic[(intptr_t)rd_kafka_topic_opaque(m->rkt)]++;
  }
  if (--s->remaining == 0) finish_send(t, s);
}

static int on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
  (void)rk;
  producer_t *p = opaque;
  requests_read_stats(&p->requests, json, len);
  return 0;
}

static void on_throttle(rd_kafka_t *rk, const char *broker, int32_t id, int ms, void *opaque) {
  (void)rk;
  (void)broker;
  (void)id;
  producer_t *p = opaque;
  requests_throttle(&p->requests, ms);
}

/* ---- The payload, as src/apps/payload.ts builds it. ---- */

typedef struct {
  int size;
  int random_bytes;
  unsigned char *pool;
  size_t pool_len;
  size_t offset;
  unsigned char *buf;
} builder_t;

static void fill_random(unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t got = getrandom(p, n, 0);
    if (got <= 0) {
      if (got < 0 && errno == EINTR) continue;
      /* No entropy source: a fixed pattern still differs per position, enough for a codec to work on. */
      for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 2654435761u >> 13);
      return;
    }
    p += got;
    n -= (size_t)got;
  }
}

static void builder_init(builder_t *b, int msg_size, double random_pct, const unsigned char *payload) {
  memset(b, 0, sizeof *b);
  b->size = msg_size;
  if (payload) {
    /* A payload file: the buffer holds its bytes; each message writes only its header over them. */
    b->buf = malloc((size_t)msg_size);
    memcpy(b->buf, payload, (size_t)msg_size);
    return;
  }
  int padding = msg_size > MESSAGE_SIZE ? msg_size - MESSAGE_SIZE : 0;
  b->random_bytes = (int)js_round(padding * random_pct / 100);
  if (b->random_bytes > 0) {
    b->pool_len = POOL_BYTES > 2 * (size_t)b->random_bytes ? POOL_BYTES : 2 * (size_t)b->random_bytes;
    b->pool = malloc(b->pool_len);
    fill_random(b->pool, b->pool_len);
  }
  /* Zero-filled: the part of the padding that is not random stays zeros. */
  b->buf = calloc(1, (size_t)(msg_size > MESSAGE_SIZE ? msg_size : MESSAGE_SIZE));
}

static void builder_free(builder_t *b) {
  free(b->pool);
  free(b->buf);
}

static const unsigned char *builder_build(builder_t *b, const pending_t *e, const pub_plan_t *plan) {
  encode_message(b->buf, e->seq, (uint16_t)plan->pub_id, (uint16_t)(e->measured ? plan->epoch : plan->warmup_epoch), e->due_ms, e->sent_ms, plan->t0_ms);
  if (b->pool) {
    if (b->offset + (size_t)b->random_bytes > b->pool_len) b->offset = 0;
    memcpy(b->buf + MESSAGE_SIZE, b->pool + b->offset, (size_t)b->random_bytes);
    /* A prime stride: consecutive messages take different windows of the pool. */
    b->offset += (size_t)b->random_bytes + 7;
  }
  return b->buf;
}

/*
 * ---- Placing messages, as payload.ts's TopicPicker over PartitionPickers: one per sequence space
 * (warm-up, measured); message k goes to topic k mod ntopics, placed there by that topic's own
 * count and sequences. ----
 */

typedef struct {
  /* Per topic, then partition index: the next sequence number. */
  uint32_t *next;
  /* Per topic: messages placed there so far. */
  uint64_t *k_topic;
  uint64_t k;
  uint64_t rng;
} picker_t;

static void picker_init(picker_t *pk, int ntopics, int npartitions) {
  pk->next = calloc((size_t)ntopics * (size_t)npartitions, sizeof(uint32_t));
  pk->k_topic = calloc((size_t)ntopics, sizeof(uint64_t));
  pk->k = 0;
  uint64_t seed = 0;
  fill_random((unsigned char *)&seed, sizeof seed);
  pk->rng = seed | 1;
}

static uint64_t xorshift(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 2685821657736338717ull;
}

static void picker_free(picker_t *pk) {
  free(pk->next);
  free(pk->k_topic);
}

static void picker_pick(picker_t *pk, const pub_plan_t *plan, pending_t *e) {
  int topic = (int)(pk->k++ % (uint64_t)plan->ntopics);
  uint64_t k = pk->k_topic[topic]++;
  int index;
  if (plan->key_mode == KEYS_NONE) {
    index = (int)(k % (uint64_t)plan->npartitions);
    e->key = -1;
  } else {
    int key = plan->key_mode == KEYS_ROUND_ROBIN ? (int)(k % (uint64_t)plan->key_count) : (int)((xorshift(&pk->rng) >> 11) % (uint64_t)plan->key_count);
    index = plan->key_partition[key];
    e->key = key;
  }
  e->topic = topic;
  e->partition = plan->partitions[index];
  e->seq = pk->next[(size_t)topic * (size_t)plan->npartitions + (size_t)index]++;
}

/* ---- The window. ---- */

typedef struct {
  pending_t *ring;
  size_t cap, head, len;
} pending_ring_t;

static pending_t *ring_push(pending_ring_t *r) { return &r->ring[(r->head + r->len++) % r->cap]; }

static pending_t ring_pop(pending_ring_t *r) {
  pending_t e = r->ring[r->head];
  r->head = (r->head + 1) % r->cap;
  r->len--;
  return e;
}

static double batch_due_ms(uint64_t k, const pub_plan_t *plan) { return ((double)k * plan->msg_batch * 1000) / plan->msg_rate; }

/* Waits up to `ms` for delivery reports (served as they come) or the time to pass. */
static void wait_for(rd_kafka_t *rk, double ms, int reports_due) {
  if (ms >= 1 || (reports_due && ms > 0.2)) {
    rd_kafka_poll(rk, (int)(ms >= 1 ? ms : 1));
    return;
  }
  rd_kafka_poll(rk, 0);
  if (ms > 0) {
    struct timespec ts = {0, (long)(ms * 1e6)};
    nanosleep(&ts, NULL);
  }
}

typedef struct {
  double measured_from;
  int has_measured_from;
  double broker_wait_ms;
} window_t;

/* The publisher waiting on Kafka from `from` to `to`: only the measuring window's share counts. */
static void broker_wait(window_t *w, double from, double to) {
  if (!w->has_measured_from) return;
  double start = from > w->measured_from ? from : w->measured_from;
  if (to > start) w->broker_wait_ms += to - start;
}

/* Hands up to `max` pending messages to librdkafka as one send. */
static void hand_over(producer_t *p, rd_kafka_topic_t **rkts, const pub_plan_t *plan, pending_ring_t *pending, int max, builder_t *builder,
                      window_t *w) {
  tally_t *t = p->tally;
  int n = (int)(pending->len < (size_t)max ? pending->len : (size_t)max);
  send_t *s = calloc(1, sizeof *s);
  s->remaining = n;
  s->handed_ms = now_ms();
  t->inflight++;
  char key[24];
  for (int i = 0; i < n; i++) {
    pending_t e = ring_pop(pending);
    const unsigned char *value = builder_build(builder, &e, plan);
    int keylen = e.key >= 0 ? snprintf(key, sizeof key, "key-%d", e.key) : 0;
    s->measured += e.measured;
    void *tag = (void *)((uintptr_t)s | (uintptr_t)(e.measured ? 1 : 0));
    double full_since = -1;
    for (;;) {
      if (rd_kafka_produce(rkts[e.topic], e.partition, RD_KAFKA_MSG_F_COPY, (void *)value, (size_t)builder->size, e.key >= 0 ? key : NULL, (size_t)keylen, tag) == 0) break;
      rd_kafka_resp_err_t err = rd_kafka_last_error();
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        /* librdkafka's queue is full: the broker has not acknowledged enough yet. */
        if (full_since < 0) full_since = now_ms();
        rd_kafka_poll(p->rk, 1);
        continue;
      }
      fail(t, rd_kafka_err2str(err));
      s->failed = 1;
      if (--s->remaining == 0) finish_send(t, s);
      break;
    }
    if (full_since >= 0) broker_wait(w, full_since, now_ms());
  }
}

static void emit_outcome(producer_t *p, int ntopics, double start, double end, const window_t *w, double generated, double requests,
                         double pending_max) {
  tally_t *t = p->tally;
  jbuf_t b;
  jb_init(&b);
  jb_raw(&b, "{\"start_ms\":");
  jb_num(&b, start);
  jb_raw(&b, ",\"end_ms\":");
  jb_num(&b, end);
  jb_raw(&b, ",\"measured_from_ms\":");
  if (w->has_measured_from)
    jb_num(&b, w->measured_from);
  else
    jb_raw(&b, "null");
  jb_raw(&b, ",\"generated\":");
  jb_num(&b, generated);
  jb_raw(&b, ",\"requests\":");
  jb_num(&b, requests);
  jb_raw(&b, ",\"pending_max\":");
  jb_num(&b, pending_max);
  jb_raw(&b, ",\"msg_cnt\":");
  jb_num(&b, t->msg_cnt);
  if (t->msg_cnt_by_topic) {
    jb_raw(&b, ",\"msg_cnt_by_topic\":[");
    for (int i = 0; i < ntopics; i++) {
      if (i) jb_char(&b, ',');
      jb_num(&b, t->msg_cnt_by_topic[i]);
    }
    jb_char(&b, ']');
  }
  jb_raw(&b, ",\"send_errors\":");
  jb_num(&b, t->send_errors);
  jb_raw(&b, ",\"last_error\":");
  if (t->has_error)
    jb_str(&b, t->last_error);
  else
    jb_raw(&b, "null");
  jb_raw(&b, ",\"broker_wait_ms\":");
  jb_num(&b, w->broker_wait_ms);
  jb_raw(&b, ",\"send_rtt\":");
  hist_json(&b, &t->send_rtt);
  jb_raw(&b, ",\"publish_delay\":");
  hist_json(&b, &t->publish_delay);
  jb_char(&b, '}');
  p->events.emit(p->events.ctx, "done", b.data);
  jb_free(&b);
}

/*
 * One window, the loop of src/apps/pacing.ts runSchedule: every batch that is due is generated
 * (a burst when the loop was held up), sends go out while fewer than max_in_flight are
 * outstanding, a publisher that fell behind stops generating at the end of its window, and the
 * window ends when every send has its reports.
 */
static void run_window(producer_t *p, const pub_plan_t *plan) {
  tally_t tally;
  memset(&tally, 0, sizeof tally);
  hist_init(&tally.send_rtt);
  hist_init(&tally.publish_delay);
  if (plan->ntopics > 1) tally.msg_cnt_by_topic = calloc((size_t)plan->ntopics, sizeof(double));
  p->tally = &tally;
  rd_kafka_topic_t **rkts = calloc((size_t)plan->ntopics, sizeof *rkts);
  for (int i = 0; i < plan->ntopics; i++) {
    /* The handle's opaque is its index: a delivery report counts for its topic. */
    rd_kafka_topic_conf_t *tconf = rd_kafka_topic_conf_new();
    rd_kafka_topic_conf_set_opaque(tconf, (void *)(intptr_t)i);
    rkts[i] = rd_kafka_topic_new(p->rk, plan->topics[i], tconf);
  }
  builder_t builder;
  builder_init(&builder, plan->msg_size, plan->payload_random_pct, plan->payload);
  picker_t measured_slots, warmup_slots;
  picker_init(&measured_slots, plan->ntopics, plan->npartitions);
  picker_init(&warmup_slots, plan->ntopics, plan->npartitions);

  double total = js_round(plan->msg_rate * plan->duration_s);
  uint64_t batches = (uint64_t)ceil(total / plan->msg_batch);
  int max_in_flight = plan->max_in_flight > 0 ? plan->max_in_flight : 1;
  int max_messages = plan->request_max_messages > 0 ? plan->request_max_messages : 1000;
  size_t pending_cap = (size_t)2 * (size_t)max_messages * (size_t)max_in_flight;
  if (pending_cap < MAX_PENDING_MESSAGES) pending_cap = MAX_PENDING_MESSAGES;
  pending_ring_t pending = {calloc(pending_cap + (size_t)plan->msg_batch, sizeof(pending_t)), pending_cap + (size_t)plan->msg_batch, 0, 0};
  window_t w = {0, 0, 0};

  double start = now_ms();
  double deadline = start + plan->duration_s * 1000;
  double pending_since = 0;
  double waiting_since = -1;
  uint64_t k = 0;
  double seq = 0, requests = 0, pending_max = 0;
  int generating = 1;

  for (;;) {
    double now = now_ms();
    int stop = atomic_load(&p->stop);
    while (generating && k < batches && pending.len < pending_cap && !stop) {
      double due = start + batch_due_ms(k, plan);
      if (now < due) break;
      if (now >= deadline && k > 0) {
        generating = 0;
        break;
      }
      if (pending.len == 0) pending_since = now;
      double size = total - (double)k * plan->msg_batch;
      if (size > plan->msg_batch) size = plan->msg_batch;
      int measured = due - start >= plan->warmup_s * 1000;
      if (measured && !w.has_measured_from) {
        w.measured_from = due;
        w.has_measured_from = 1;
        if (plan->warmup_s > 0) {
          char json[64];
          snprintf(json, sizeof json, "{\"due_ms\":%.3f}", due);
          p->events.emit(p->events.ctx, "measuring", json);
        }
      }
      /* A batch's messages are generated together: one delay each. */
      if (measured) hist_record_many(&tally.publish_delay, (now - due) * 1000, size);
      for (int i = 0; i < (int)size; i++) {
        pending_t *e = ring_push(&pending);
        e->due_ms = due;
        e->sent_ms = now;
        e->measured = (uint8_t)measured;
        picker_pick(measured ? &measured_slots : &warmup_slots, plan, e);
        seq++;
      }
      k++;
    }
    if (k >= batches || stop) generating = 0;
    if ((double)pending.len > pending_max) pending_max = (double)pending.len;
    while (tally.inflight < max_in_flight && pending.len > 0 &&
           (now >= pending_since + plan->linger_ms || !generating || pending.len >= (size_t)max_messages)) {
      requests++;
      hand_over(p, rkts, plan, &pending, max_messages, &builder, &w);
    }
    int waiting = pending.len > 0 && tally.inflight >= max_in_flight;
    if (waiting && waiting_since < 0) {
      waiting_since = now;
    } else if (!waiting && waiting_since >= 0) {
      broker_wait(&w, waiting_since, now);
      waiting_since = -1;
    }
    if (!generating && pending.len == 0) break;
    /* Wake for the next due batch, the linger's end, or a delivery report. */
    double next_due = generating && pending.len < pending_cap ? start + batch_due_ms(k, plan) : INFINITY;
    double linger_end = pending.len > 0 && tally.inflight < max_in_flight ? pending_since + plan->linger_ms : INFINITY;
    double wake = next_due < linger_end ? next_due : linger_end;
    if (wake == INFINITY && tally.inflight == 0) continue;
    wait_for(p->rk, wake == INFINITY ? 100 : wake - now, tally.inflight > 0);
  }
  while (tally.inflight > 0) rd_kafka_poll(p->rk, 100);
  emit_outcome(p, plan->ntopics, start, now_ms(), &w, seq, requests, pending_max);

  p->tally = NULL;
  hist_free(&tally.send_rtt);
  hist_free(&tally.publish_delay);
  free(pending.ring);
  picker_free(&measured_slots);
  picker_free(&warmup_slots);
  builder_free(&builder);
  for (int i = 0; i < plan->ntopics; i++) rd_kafka_topic_destroy(rkts[i]);
  free(rkts);
  free(tally.msg_cnt_by_topic);
}

static void *producer_thread(void *arg) {
  producer_t *p = arg;
  pthread_setname_np(pthread_self(), "hydra:publish");
  /* Connected: the brokers answered a metadata request. Asked in short waits, so a close is not held up. */
  rd_kafka_resp_err_t err;
  double give_up = mono_ms() + CONNECT_TIMEOUT_MS;
  for (;;) {
    const struct rd_kafka_metadata *md = NULL;
    err = rd_kafka_metadata(p->rk, 0, NULL, &md, 250);
    if (md) rd_kafka_metadata_destroy(md);
    pthread_mutex_lock(&p->mu);
    int closing = p->closing;
    pthread_mutex_unlock(&p->mu);
    if (err != RD_KAFKA_RESP_ERR__TIMED_OUT || closing || mono_ms() >= give_up) break;
  }
  if (err) {
    jbuf_t b;
    jb_init(&b);
    jb_raw(&b, "{\"error\":");
    jb_str(&b, rd_kafka_err2str(err));
    jb_char(&b, '}');
    p->events.emit(p->events.ctx, "connected", b.data);
    jb_free(&b);
  } else {
    p->events.emit(p->events.ctx, "connected", "{\"error\":null}");
  }
  for (;;) {
    pthread_mutex_lock(&p->mu);
    if (!p->plan && !p->closing) {
      /* Idle: statistics and late reports are served every 100 ms. */
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_nsec += 100 * 1000000L;
      if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
      }
      pthread_cond_timedwait(&p->cv, &p->mu, &until);
    }
    pub_plan_t *plan = p->plan;
    p->plan = NULL;
    int closing = p->closing;
    pthread_mutex_unlock(&p->mu);
    if (plan) {
      run_window(p, plan);
      pub_plan_free(plan);
    } else if (closing) {
      break;
    }
    rd_kafka_poll(p->rk, 0);
  }
  rd_kafka_flush(p->rk, CLOSE_FLUSH_MS);
  rd_kafka_destroy(p->rk);
  p->events.emit(p->events.ctx, "closed", "{}");
  events_t events = p->events;
  requests_free(&p->requests);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->cv);
  free(p);
  events.done(events.ctx);
  return NULL;
}

producer_t *producer_new(rd_kafka_conf_t *conf, events_t events, char *err, size_t errlen) {
  producer_t *p = calloc(1, sizeof *p);
  p->events = events;
  requests_init(&p->requests);
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv, NULL);
  rd_kafka_conf_set_opaque(conf, p);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_stats_cb(conf, on_stats);
  rd_kafka_conf_set_throttle_cb(conf, on_throttle);
  p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, errlen);
  if (!p->rk) {
    /* rd_kafka_new takes conf only when it succeeds. */
    rd_kafka_conf_destroy(conf);
    requests_free(&p->requests);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
    return NULL;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&p->thread, &attr, producer_thread, p);
  pthread_attr_destroy(&attr);
  return p;
}

void producer_publish(producer_t *p, pub_plan_t *plan) {
  atomic_store(&p->stop, 0);
  pthread_mutex_lock(&p->mu);
  pub_plan_free(p->plan);
  p->plan = plan;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

void producer_stop(producer_t *p) { atomic_store(&p->stop, 1); }

void producer_close(producer_t *p) {
  atomic_store(&p->stop, 1);
  pthread_mutex_lock(&p->mu);
  p->closing = 1;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

void producer_drain_requests(producer_t *p, jbuf_t *out) { requests_drain_json(&p->requests, out); }
