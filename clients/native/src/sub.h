/*
 * The native consumer: a thread that owns one librdkafka consumer in its group, reads each message
 * in C into the consumer's books (books.h), resolves each assignment's start as the librdkafka
 * client does (the committed offset, else the partition's end or beginning), and tells JavaScript
 * only of joins, rebalances, its first read after one, and failures.
 */
#ifndef HYDRA_SUB_H
#define HYDRA_SUB_H
#include <librdkafka/rdkafka.h>
#include "books.h"
#include "core.h"

typedef struct consumer consumer_t;

/* Takes `conf`; subscribes to `topic` on its thread and emits "started" ({"error":null|text}). */
consumer_t *consumer_new(rd_kafka_conf_t *conf, const char *topic, int start_latest, events_t events, char *err, size_t errlen);
/* Starts the books again for a point; the next read after it emits "fetched" (the consumer is positioned). */
void consumer_reset(consumer_t *c, const acc_cfg_t *cfg, const timeline_cfg_t *timeline);
double consumer_unique(consumer_t *c);
void consumer_books_json(consumer_t *c, jbuf_t *out);
void consumer_drain_requests(consumer_t *c, jbuf_t *out);
/* Leaves the group (committing its position), destroys the consumer, emits "closed", frees itself. */
void consumer_close(consumer_t *c);

#endif
