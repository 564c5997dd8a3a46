// curl_easy_setopt / curl_easy_getinfo are variadic and cannot be called from Swift:
// one typed wrapper per argument kind.
#ifndef POLISEN_CCURL_SHIM_H
#define POLISEN_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*pd_curl_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*pd_curl_xferinfo_cb)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                   curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode pd_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pd_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pd_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pd_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pd_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pd_setopt_write_cb(CURL *h, CURLoption o, pd_curl_write_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pd_setopt_xferinfo_cb(CURL *h, pd_curl_xferinfo_cb v) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v);
}

static inline CURLcode pd_getinfo_long(CURL *h, CURLINFO i, long *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode pd_getinfo_off(CURL *h, CURLINFO i, curl_off_t *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode pd_getinfo_string(CURL *h, CURLINFO i, char **out) { return curl_easy_getinfo(h, i, out); }

/// The value of a response header, or NULL.
static inline const char *pd_header(CURL *h, const char *name) {
    struct curl_header *out = NULL;
    if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &out) == CURLHE_OK && out) return out->value;
    return NULL;
}
#endif
