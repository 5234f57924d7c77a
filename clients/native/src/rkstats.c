#include "rkstats.h"

#include <stdlib.h>
#include <string.h>

/* Most windows kept between two drains: an hour of one broker at one report per second. */
#define MAX_WINDOWS 4096
#define MAX_THROTTLES 4096

void requests_init(requests_t *r) {
  memset(r, 0, sizeof *r);
  pthread_mutex_init(&r->mu, NULL);
}

void requests_free(requests_t *r) {
  free(r->windows);
  free(r->brokers);
  free(r->throttles);
  pthread_mutex_destroy(&r->mu);
}

/* A reader of just enough JSON to walk librdkafka's statistics: no allocation, no unescaping. */
typedef struct {
  const char *p;
  const char *end;
  int ok;
} scan_t;

static void ws(scan_t *s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t')) s->p++;
}

static int expect(scan_t *s, char c) {
  ws(s);
  if (s->p < s->end && *s->p == c) {
    s->p++;
    return 1;
  }
  s->ok = 0;
  return 0;
}

static int peek(scan_t *s, char c) {
  ws(s);
  return s->p < s->end && *s->p == c;
}

/* A string's raw bytes between its quotes (escapes left as written). */
static int string(scan_t *s, const char **text, size_t *len) {
  if (!expect(s, '"')) return 0;
  const char *from = s->p;
  while (s->p < s->end && *s->p != '"') s->p += (*s->p == '\\' && s->p + 1 < s->end) ? 2 : 1;
  if (s->p >= s->end) return s->ok = 0;
  *text = from;
  *len = (size_t)(s->p - from);
  s->p++;
  return 1;
}

static double number(scan_t *s) {
  ws(s);
  char tmp[64];
  size_t n = 0;
  while (s->p < s->end && n < sizeof tmp - 1 && strchr("+-0123456789.eE", *s->p)) tmp[n++] = *s->p++;
  tmp[n] = '\0';
  if (n == 0) s->ok = 0;
  return strtod(tmp, NULL);
}

static void skip(scan_t *s, int depth) {
  ws(s);
  if (s->p >= s->end || depth > 64) {
    s->ok = 0;
    return;
  }
  char c = *s->p;
  if (c == '"') {
    const char *t;
    size_t n;
    string(s, &t, &n);
  } else if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    s->p++;
    if (peek(s, close)) {
      s->p++;
      return;
    }
    while (s->ok) {
      if (c == '{') {
        const char *t;
        size_t n;
        string(s, &t, &n);
        expect(s, ':');
      }
      skip(s, depth + 1);
      if (peek(s, ',')) {
        s->p++;
        continue;
      }
      expect(s, close);
      return;
    }
  } else if (c == 't' || c == 'f' || c == 'n') {
    while (s->p < s->end && *s->p >= 'a' && *s->p <= 'z') s->p++;
  } else {
    number(s);
  }
}

static int is(const char *text, size_t len, const char *word) { return strlen(word) == len && memcmp(text, word, len) == 0; }

/* Walks an object, calling `field` on each key with the scanner at its value; `field` returns 0 to have the value skipped. */
static void object(scan_t *s, int (*field)(scan_t *, const char *, size_t, void *), void *ctx) {
  if (!expect(s, '{')) return;
  if (peek(s, '}')) {
    s->p++;
    return;
  }
  while (s->ok) {
    const char *key;
    size_t len;
    if (!string(s, &key, &len) || !expect(s, ':')) return;
    if (!field(s, key, len, ctx)) skip(s, 1);
    if (peek(s, ',')) {
      s->p++;
      continue;
    }
    expect(s, '}');
    return;
  }
}

static const char *const RTT_KEYS[] = {"cnt", "p50", "p75", "p90", "p95", "p99", "p99_99", "max"};

typedef struct {
  int learned;
  int configured;
  double nodeid;
  int has_rtt;
  rtt_window_t window;
  double timeouts;
} broker_t;

static int rtt_field(scan_t *s, const char *key, size_t len, void *ctx) {
  broker_t *b = ctx;
  for (int i = 0; i < 8; i++)
    if (is(key, len, RTT_KEYS[i])) {
      b->window.v[i] = number(s);
      return 1;
    }
  return 0;
}

static int latency_field(scan_t *s, const char *key, size_t len, void *ctx) {
  broker_t *b = ctx;
  if (!is(key, len, "max")) return 0;
  /* µs in the statistics, ms in the telemetry. */
  b->window.v[8] = number(s) / 1000;
  return 1;
}

static int broker_field(scan_t *s, const char *key, size_t len, void *ctx) {
  broker_t *b = ctx;
  if (is(key, len, "source")) {
    const char *t;
    size_t n;
    if (string(s, &t, &n)) {
      b->learned = is(t, n, "learned");
      b->configured = is(t, n, "configured");
    }
    return 1;
  }
  if (is(key, len, "nodeid")) {
    b->nodeid = number(s);
    return 1;
  }
  if (is(key, len, "rtt")) {
    b->has_rtt = 1;
    object(s, rtt_field, b);
    return 1;
  }
  if (is(key, len, "int_latency")) {
    object(s, latency_field, b);
    return 1;
  }
  if (is(key, len, "req_timeouts")) {
    b->timeouts = number(s);
    return 1;
  }
  return 0;
}

static void record_broker(requests_t *r, const char *name, size_t len, const broker_t *b) {
  /* A bootstrap broker metadata named (librdkafka 2.0 keeps it as configured, with its node id) carries them too. */
  if (!b->learned && !(b->configured && b->nodeid >= 0)) return;
  if (b->has_rtt && b->window.v[0] > 0) {
    if (r->len >= MAX_WINDOWS) {
      r->dropped++;
    } else {
      if (r->len == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->windows = realloc(r->windows, (size_t)r->cap * sizeof(rtt_window_t));
      }
      r->windows[r->len++] = b->window;
    }
  }
  /* Timeouts are counted so far, per broker: the new ones are the difference. */
  if (len >= sizeof r->brokers[0].name) len = sizeof r->brokers[0].name - 1;
  broker_seen_t *seen = NULL;
  for (int i = 0; i < r->nbrokers; i++)
    if (strlen(r->brokers[i].name) == len && memcmp(r->brokers[i].name, name, len) == 0) seen = &r->brokers[i];
  if (!seen) {
    r->brokers = realloc(r->brokers, (size_t)(r->nbrokers + 1) * sizeof(broker_seen_t));
    seen = &r->brokers[r->nbrokers++];
    memcpy(seen->name, name, len);
    seen->name[len] = '\0';
    seen->timeouts_seen = 0;
  }
  if (b->timeouts > seen->timeouts_seen) r->new_timeouts += b->timeouts - seen->timeouts_seen;
  seen->timeouts_seen = b->timeouts;
}

static int brokers_field(scan_t *s, const char *key, size_t len, void *ctx) {
  broker_t b;
  memset(&b, 0, sizeof b);
  b.nodeid = -1;
  object(s, broker_field, &b);
  if (s->ok) record_broker(ctx, key, len, &b);
  return 1;
}

static int top_field(scan_t *s, const char *key, size_t len, void *ctx) {
  if (!is(key, len, "brokers")) return 0;
  object(s, brokers_field, ctx);
  return 1;
}

void requests_read_stats(requests_t *r, const char *json, size_t len) {
  scan_t s = {json, json + len, 1};
  pthread_mutex_lock(&r->mu);
  object(&s, top_field, r);
  pthread_mutex_unlock(&r->mu);
}

void requests_throttle(requests_t *r, double ms) {
  pthread_mutex_lock(&r->mu);
  if (r->tlen < MAX_THROTTLES) {
    if (r->tlen == r->tcap) {
      r->tcap = r->tcap ? r->tcap * 2 : 16;
      r->throttles = realloc(r->throttles, (size_t)r->tcap * sizeof(double));
    }
    r->throttles[r->tlen++] = ms;
  }
  pthread_mutex_unlock(&r->mu);
}

void requests_drain_json(requests_t *r, jbuf_t *b) {
  pthread_mutex_lock(&r->mu);
  jb_raw(b, "{\"windows\":[");
  for (int i = 0; i < r->len; i++) {
    if (i) jb_char(b, ',');
    jb_char(b, '[');
    for (int k = 0; k < RTT_FIELDS; k++) {
      if (k) jb_char(b, ',');
      jb_num(b, r->windows[i].v[k]);
    }
    jb_char(b, ']');
  }
  jb_raw(b, "],\"timeouts\":");
  jb_num(b, r->new_timeouts);
  jb_raw(b, ",\"throttles\":[");
  for (int i = 0; i < r->tlen; i++) {
    if (i) jb_char(b, ',');
    jb_num(b, r->throttles[i]);
  }
  jb_raw(b, "]}");
  r->len = 0;
  r->tlen = 0;
  r->new_timeouts = 0;
  pthread_mutex_unlock(&r->mu);
}
