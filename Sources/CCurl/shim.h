#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>

// Swift cannot call C variadic functions, so every curl_easy_setopt / curl_easy_getinfo /
// curl_multi_setopt shape the Curl module needs gets one typed, non-variadic wrapper here.

static inline CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// For CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION (same signature).
static inline CURLcode ccurl_easy_setopt_write_function(CURL *handle, CURLoption option, curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// Restricts a transfer to http:// and https:// (and redirects too, should one ever be followed).
/// CURLOPT_PROTOCOLS_STR arrived in libcurl 7.85.0 and deprecated the CURLPROTO_* bitmasks, so the
/// headers decide which one is compiled: older headers (Ubuntu 22.04 has 7.81) get the bitmasks.
static inline CURLcode ccurl_easy_allow_http_only(CURL *handle) {
#if LIBCURL_VERSION_NUM >= 0x075500
    CURLcode result = curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    if (result != CURLE_OK) return result;
    return curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    CURLcode result = curl_easy_setopt(handle, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    if (result != CURLE_OK) return result;
    return curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

/// The version of the libcurl loaded at run time (`0xXXYYZZ`), which may differ from the headers'.
static inline unsigned int ccurl_runtime_version_num(void) {
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info ? info->version_num : 0;
}

// Result codes younger than the supported floor (7.68.0): older headers lack the names and older
// libraries never return them, so their fixed numbers stand in for them.

/// CURLE_HTTP3 (95), from about the time of the floor.
static inline CURLcode ccurl_code_http3(void) {
    return (CURLcode)95;
}

/// CURLE_SSL_CLIENTCERT (98), from 7.77.0.
static inline CURLcode ccurl_code_ssl_clientcert(void) {
    return (CURLcode)98;
}

#if LIBCURL_VERSION_NUM >= 0x074D00
_Static_assert(CURLE_HTTP3 == 95, "CURLE_HTTP3 is 95");
_Static_assert(CURLE_SSL_CLIENTCERT == 98, "CURLE_SSL_CLIENTCERT is 98");
#endif

// Macros Swift cannot import (they contain casts).
static inline long ccurl_auth_basic(void) {
    return (long)CURLAUTH_BASIC;
}

static inline long ccurl_global_all(void) {
    return (long)CURL_GLOBAL_ALL;
}

#endif
