#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jb_init(jbuf_t *b) {
  b->cap = 256;
  b->len = 0;
  b->data = malloc(b->cap);
  b->data[0] = '\0';
}

void jb_free(jbuf_t *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

static void reserve(jbuf_t *b, size_t more) {
  if (b->len + more + 1 <= b->cap) return;
  while (b->len + more + 1 > b->cap) b->cap *= 2;
  b->data = realloc(b->data, b->cap);
}

void jb_raw(jbuf_t *b, const char *text) {
  size_t n = strlen(text);
  reserve(b, n);
  memcpy(b->data + b->len, text, n + 1);
  b->len += n;
}

void jb_char(jbuf_t *b, char c) {
  reserve(b, 1);
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
}

void jb_num(jbuf_t *b, double v) {
  char tmp[40];
  if (!isfinite(v)) {
    jb_raw(b, "null");
    return;
  }
  /* JSON.stringify writes -0 as 0. */
  if (v == 0) {
    jb_raw(b, "0");
    return;
  }
  /* Whole numbers exactly as integers; others with enough digits to round-trip. */
  if (v == floor(v) && fabs(v) < 9007199254740992.0)
    snprintf(tmp, sizeof tmp, "%.0f", v);
  else
    snprintf(tmp, sizeof tmp, "%.17g", v);
  jb_raw(b, tmp);
}

void jb_int(jbuf_t *b, long long v) {
  char tmp[32];
  snprintf(tmp, sizeof tmp, "%lld", v);
  jb_raw(b, tmp);
}

void jb_str(jbuf_t *b, const char *s) {
  jb_char(b, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') {
      jb_char(b, '\\');
      jb_char(b, (char)*p);
    } else if (*p < 0x20) {
      char tmp[8];
      snprintf(tmp, sizeof tmp, "\\u%04x", *p);
      jb_raw(b, tmp);
    } else {
      jb_char(b, (char)*p);
    }
  }
  jb_char(b, '"');
}

void jb_key(jbuf_t *b, const char *key) {
  jb_str(b, key);
  jb_char(b, ':');
}
