/*
 * The native publisher: a thread that owns one librdkafka producer, paces a point's sends as
 * src/apps/pacing.ts does (batch k due at start + k·batch·1000/rate, sends of at most
 * request_max_messages, at most max_in_flight sends outstanding), builds each message as
 * src/apps/payload.ts does, and counts acknowledgements and failures per message from librdkafka's
 * delivery reports. JavaScript starts a window and gets its outcome; nothing per message crosses.
 */
#ifndef HYDRA_PUB_H
#define HYDRA_PUB_H
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include "core.h"
#include "json.h"

enum { KEYS_NONE = 0, KEYS_ROUND_ROBIN = 1, KEYS_RANDOM = 2 };

typedef struct {
  double msg_rate;
  int msg_batch;
  /* Warm-up and measured window together, s; the warm-up's share. */
  double duration_s;
  double warmup_s;
  int max_in_flight;
  int request_max_messages;
  double linger_ms;
  int msg_size;
  double payload_random_pct;
  int epoch;
  int warmup_epoch;
  int pub_id;
  double t0_ms;
  /* The point's topics: message k of a sequence space goes to topics[k mod ntopics]. */
  char **topics;
  int ntopics;
  int *partitions;
  int npartitions;
  int key_mode;
  int key_count;
  /* Per key index, the index into `partitions` its key hashes to (Kafka's default partitioner, computed in JavaScript). */
  int32_t *key_partition;
  /* A payload file's msg_size bytes (every value these, the header over the first 16); NULL: built from msg_size. */
  unsigned char *payload;
} pub_plan_t;

typedef struct producer producer_t;

/* Takes `conf`; starts the producer's thread, which checks the brokers and emits "connected" ({"error":null|text}). */
producer_t *producer_new(rd_kafka_conf_t *conf, events_t events, char *err, size_t errlen);
/* Starts a window (the plan is taken): emits "measuring" when its first measured message is due after a warm-up, then "done" with the outcome. */
void producer_publish(producer_t *p, pub_plan_t *plan);
/* Ends the window's generating now (teststop). */
void producer_stop(producer_t *p);
/* Delivers what is queued (at most 5 s), destroys the producer, emits "closed", frees itself. */
void producer_close(producer_t *p);
void producer_drain_requests(producer_t *p, jbuf_t *out);
void pub_plan_free(pub_plan_t *plan);

#endif
