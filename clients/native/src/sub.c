#define _GNU_SOURCE
#include "sub.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "clock.h"
#include "rkstats.h"

/* Most messages read at once before the books take them (one lock per read). */
#define READ_MAX 1000
/*
 * How long one read waits for a message, ms. Long, because every wake of ten threads per app costs
 * CPU; a reset or a close wakes the reader at once (rd_kafka_queue_yield).
 */
#define READ_WAIT_MS 1000
/* How long an assignment waits for committed offsets or a partition's end, ms (as the librdkafka client). */
#define OFFSET_QUERY_MS 10000

struct consumer {
  rd_kafka_t *rk;
  pthread_t thread;
  char *topic;
  int start_latest;
  /* Guards the books: the thread reads into them, JavaScript resets and reads them. */
  pthread_mutex_t mu;
  books_t books;
  atomic_int running;
  /* The queue the reader waits on, to wake it. */
  rd_kafka_queue_t *queue;
  atomic_int assigned;
  atomic_int want_fetched;
  requests_t requests;
  events_t events;
};

static void emit_error(consumer_t *c, const char *prefix, const char *message, int permanent) {
  jbuf_t b;
  char text[600];
  snprintf(text, sizeof text, "%s%s", prefix, message);
  jb_init(&b);
  jb_raw(&b, "{\"error\":");
  jb_str(&b, text);
  jb_raw(&b, permanent ? ",\"permanent\":true}" : ",\"permanent\":false}");
  c->events.emit(c->events.ctx, "failed", b.data);
  jb_free(&b);
}

/* Each partition's start: the committed offset, else the end (latest) or the beginning (earliest). */
static void resolve_starts(consumer_t *c, rd_kafka_topic_partition_list_t *parts) {
  rd_kafka_resp_err_t err = rd_kafka_committed(c->rk, parts, OFFSET_QUERY_MS);
  if (err) {
    /* Without explicit offsets librdkafka starts at the committed offset or auto.offset.reset. */
    emit_error(c, "could not resolve start offsets: ", rd_kafka_err2str(err), 0);
    for (int i = 0; i < parts->cnt; i++) parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
    return;
  }
  rd_kafka_topic_partition_list_t *from_end = rd_kafka_topic_partition_list_new(parts->cnt);
  for (int i = 0; i < parts->cnt; i++) {
    rd_kafka_topic_partition_t *tp = &parts->elems[i];
    if (tp->offset >= 0) continue;
    if (!c->start_latest) {
      tp->offset = RD_KAFKA_OFFSET_BEGINNING;
      continue;
    }
    int64_t low = 0, high = 0;
    err = rd_kafka_query_watermark_offsets(c->rk, tp->topic, tp->partition, &low, &high, OFFSET_QUERY_MS);
    if (err) {
      emit_error(c, "could not resolve start offsets: ", rd_kafka_err2str(err), 0);
      tp->offset = RD_KAFKA_OFFSET_INVALID;
    } else {
      tp->offset = high;
      rd_kafka_topic_partition_list_add(from_end, tp->topic, tp->partition)->offset = high;
    }
  }
  /*
   * A start taken from the partition's end is the group's at once: a member that takes the
   * partition over before the first auto commit starts here too, not at a later end (no loss).
   * Asynchronous: if it fails, the next auto commit is the group's first.
   */
  if (from_end->cnt > 0) rd_kafka_commit(c->rk, from_end, 1);
  rd_kafka_topic_partition_list_destroy(from_end);
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts, void *opaque) {
  consumer_t *c = opaque;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_topic_partition_list_t *start = rd_kafka_topic_partition_list_copy(parts);
    resolve_starts(c, start);
    rd_kafka_assign(rk, start);
    rd_kafka_topic_partition_list_destroy(start);
    atomic_store(&c->assigned, 1);
    atomic_store(&c->want_fetched, 1);
    jbuf_t b;
    jb_init(&b);
    jb_raw(&b, "{\"partitions\":[");
    int first = 1;
    for (int i = 0; i < parts->cnt; i++) {
      if (strcmp(parts->elems[i].topic, c->topic) != 0) continue;
      if (!first) jb_char(&b, ',');
      first = 0;
      jb_int(&b, parts->elems[i].partition);
    }
    jb_raw(&b, "]}");
    c->events.emit(c->events.ctx, "joined", b.data);
    jb_free(&b);
  } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    atomic_store(&c->assigned, 0);
    c->events.emit(c->events.ctx, "rebalancing", "{}");
    rd_kafka_assign(rk, NULL);
  } else {
    emit_error(c, "", rd_kafka_err2str(err), 0);
    rd_kafka_assign(rk, NULL);
  }
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
  consumer_t *c = opaque;
  int fatal = 0;
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char why[512];
    rd_kafka_fatal_error(rk, why, sizeof why);
    fatal = 1;
    emit_error(c, "", why, 1);
    return;
  }
  emit_error(c, "", reason, fatal);
}

static int on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
  (void)rk;
  consumer_t *c = opaque;
  requests_read_stats(&c->requests, json, len);
  return 0;
}

static void on_throttle(rd_kafka_t *rk, const char *broker, int32_t id, int ms, void *opaque) {
  (void)rk;
  (void)broker;
  (void)id;
  consumer_t *c = opaque;
  requests_throttle(&c->requests, ms);
}

/*
 * Takes what is queued, waiting up to READ_WAIT_MS for the first message (group events on the
 * queue are served by it, the rebalance callback included), then hands it to the books under one
 * lock, at one time of receipt per read, as the sub app's batches have. (rd_kafka_consume_batch_queue
 * would wait for a full batch or the timeout, holding messages back and adding to their latency.)
 */
static void read_messages(consumer_t *c, rd_kafka_message_t **batch) {
  int n = 0;
  rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, READ_WAIT_MS);
  while (m) {
    batch[n++] = m;
    if (n >= READ_MAX) break;
    m = rd_kafka_consumer_poll(c->rk, 0);
  }
  if (n > 0) {
    double at = now_ms();
    pthread_mutex_lock(&c->mu);
    books_begin_read(&c->books);
    for (int i = 0; i < n; i++) {
      rd_kafka_message_t *msg = batch[i];
      if (msg->err) continue;
      books_message(&c->books, msg->payload, msg->payload ? msg->len : 0, at, msg->partition, msg->offset);
    }
    pthread_mutex_unlock(&c->mu);
    /* Errors after the lock: telling JavaScript copies the text, the books need not wait for it. */
    for (int i = 0; i < n; i++) {
      rd_kafka_message_t *msg = batch[i];
      if (msg->err && msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) emit_error(c, "", rd_kafka_message_errstr(msg), 0);
      rd_kafka_message_destroy(msg);
    }
  }
  /* The first read after a join or a reset: the consumer is positioned. */
  if (atomic_load(&c->assigned) && atomic_exchange(&c->want_fetched, 0)) c->events.emit(c->events.ctx, "fetched", "{}");
}

static void *consumer_thread(void *arg) {
  consumer_t *c = arg;
  /* Named, so a profile of the sub app tells hydra's readers from librdkafka's threads. */
  pthread_setname_np(pthread_self(), "hydra:consume");
  rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, c->topic, RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) {
    jbuf_t b;
    jb_init(&b);
    jb_raw(&b, "{\"error\":");
    jb_str(&b, rd_kafka_err2str(err));
    jb_char(&b, '}');
    c->events.emit(c->events.ctx, "started", b.data);
    jb_free(&b);
  } else {
    c->events.emit(c->events.ctx, "started", "{\"error\":null}");
  }
  rd_kafka_message_t **batch = malloc(READ_MAX * sizeof *batch);
  while (atomic_load(&c->running)) read_messages(c, batch);
  free(batch);
  /* Leaving commits the position (auto commit) and leaves the group. */
  rd_kafka_queue_destroy(c->queue);
  rd_kafka_consumer_close(c->rk);
  rd_kafka_destroy(c->rk);
  c->events.emit(c->events.ctx, "closed", "{}");
  events_t events = c->events;
  books_free(&c->books);
  requests_free(&c->requests);
  pthread_mutex_destroy(&c->mu);
  free(c->topic);
  free(c);
  events.done(events.ctx);
  return NULL;
}

consumer_t *consumer_new(rd_kafka_conf_t *conf, const char *topic, int start_latest, events_t events, char *err, size_t errlen) {
  consumer_t *c = calloc(1, sizeof *c);
  c->topic = strdup(topic);
  c->start_latest = start_latest;
  c->events = events;
  pthread_mutex_init(&c->mu, NULL);
  /* Until the first reset every message is another point's (epoch -1 is none). */
  acc_cfg_t none = {0, -1, 0, NULL, 0};
  books_init(&c->books, &none, NULL);
  requests_init(&c->requests);
  atomic_store(&c->running, 1);
  rd_kafka_conf_set_opaque(conf, c);
  rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
  rd_kafka_conf_set_error_cb(conf, on_error);
  rd_kafka_conf_set_stats_cb(conf, on_stats);
  rd_kafka_conf_set_throttle_cb(conf, on_throttle);
  c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, errlen);
  if (!c->rk) {
    rd_kafka_conf_destroy(conf);
    books_free(&c->books);
    requests_free(&c->requests);
    pthread_mutex_destroy(&c->mu);
    free(c->topic);
    free(c);
    return NULL;
  }
  /* Group events and messages come on the consumer's queue, which its thread reads. */
  rd_kafka_poll_set_consumer(c->rk);
  c->queue = rd_kafka_queue_get_consumer(c->rk);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&c->thread, &attr, consumer_thread, c);
  pthread_attr_destroy(&attr);
  return c;
}

void consumer_reset(consumer_t *c, const acc_cfg_t *cfg, const timeline_cfg_t *timeline) {
  pthread_mutex_lock(&c->mu);
  books_reset(&c->books, cfg, timeline);
  pthread_mutex_unlock(&c->mu);
  atomic_store(&c->want_fetched, 1);
  /* The reader tells of its next read: wake it now rather than at its wait's end. */
  rd_kafka_queue_yield(c->queue);
}

double consumer_unique(consumer_t *c) {
  pthread_mutex_lock(&c->mu);
  double unique = acc_sequence_summary(&c->books.acc).unique;
  pthread_mutex_unlock(&c->mu);
  return unique;
}

void consumer_books_json(consumer_t *c, jbuf_t *out) {
  pthread_mutex_lock(&c->mu);
  books_json(out, &c->books);
  pthread_mutex_unlock(&c->mu);
}

void consumer_drain_requests(consumer_t *c, jbuf_t *out) { requests_drain_json(&c->requests, out); }

void consumer_close(consumer_t *c) {
  atomic_store(&c->running, 0);
  rd_kafka_queue_yield(c->queue);
}
