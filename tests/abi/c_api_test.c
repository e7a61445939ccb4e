/*
 * The C API from C, as a vendor's program sees it: onshi.h and libonshi.so only.
 *
 * Covers what needs no live terminal: versions, the error convention, options validation,
 * NULL arguments, the request builder (copies, UTF-8 checks, request ids), a missing sidecar
 * (ONSHI_UNAVAILABLE / ONSHI_SIDECAR_UNAVAILABLE by the deadline), and the embedded service
 * with no terminal behind its folder (validation errors, UNCONFIRMED outcome, idempotency,
 * patient not found, health).
 *
 * A tiny harness: every CHECK counts as passed or failed; the summary line reports both and
 * the exit status is non-zero when anything failed.
 */

#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "onshi/onshi.h"

static int g_passed = 0;
static int g_failed = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      ++g_passed;                                                              \
    } else {                                                                   \
      ++g_failed;                                                              \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_STR_EQ(actual, expected)                                                         \
  do {                                                                                         \
    const char* a_ = (actual);                                                                 \
    const char* e_ = (expected);                                                               \
    if (a_ != NULL && strcmp(a_, e_) == 0) {                                                   \
      ++g_passed;                                                                              \
    } else {                                                                                   \
      ++g_failed;                                                                              \
      fprintf(stderr, "%s:%d: CHECK_STR_EQ failed: %s is \"%s\", expected \"%s\"\n", __FILE__, \
              __LINE__, #actual, a_ == NULL ? "(NULL)" : a_, e_);                              \
    }                                                                                          \
  } while (0)

/* A failed call: its status, and an error object that agrees with it. Frees the error. */
#define CHECK_FAILS_WITH(status_expr, err_var, expected_status, expected_reason)       \
  do {                                                                                 \
    onshi_status s_ = (status_expr);                                                   \
    if (s_ == (expected_status)) {                                                     \
      ++g_passed;                                                                      \
    } else {                                                                           \
      ++g_failed;                                                                      \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %s\n", __FILE__, __LINE__, \
              #status_expr, (int)s_, onshi_status_name(s_), #expected_status);         \
    }                                                                                  \
    CHECK((err_var) != NULL);                                                          \
    CHECK(onshi_error_code(err_var) == s_);                                            \
    CHECK_STR_EQ(onshi_error_reason(err_var), (expected_reason));                      \
    CHECK(onshi_error_staff_message(err_var)[0] != '\0');                              \
    CHECK(onshi_error_it_message(err_var)[0] != '\0');                                 \
    onshi_error_free(err_var);                                                         \
    (err_var) = NULL;                                                                  \
  } while (0)

/* A sentinel written into *err before a call that must succeed, to see it cleared. */
static onshi_error* sentinel_error(void) { return (onshi_error*)(void*)&g_passed; }

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int remove_entry(const char* path, const struct stat* sb, int type, struct FTW* ftw) {
  (void)sb;
  (void)type;
  (void)ftw;
  return remove(path);
}

static void remove_tree(const char* path) { nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

static char g_temp_dir[256];

static void make_temp_dir(void) {
  const char* base = getenv("TMPDIR");
  snprintf(g_temp_dir, sizeof(g_temp_dir), "%s/onshi_c_api_test.XXXXXX",
           base != NULL && base[0] != '\0' ? base : "/tmp");
  if (mkdtemp(g_temp_dir) == NULL) {
    perror("mkdtemp");
    exit(2);
  }
}

/* ---------------------------------------------------------------------------------------- */

static void test_versions(void) {
  int32_t major = -1, minor = -1, patch = -1;
  char expected[64];
  onshi_version(&major, &minor, &patch);
  CHECK(major == ONSHI_VERSION_MAJOR);
  CHECK(minor == ONSHI_VERSION_MINOR);
  CHECK(patch == ONSHI_VERSION_PATCH);
  onshi_version(NULL, NULL, NULL); /* each out-parameter is optional */
  snprintf(expected, sizeof(expected), "%d.%d.%d", ONSHI_VERSION_MAJOR, ONSHI_VERSION_MINOR,
           ONSHI_VERSION_PATCH);
  CHECK_STR_EQ(onshi_version_string(), expected);
  CHECK_STR_EQ(ONSHI_VERSION_STRING, expected);
  CHECK(onshi_abi_version() == ONSHI_ABI_VERSION);
  CHECK(ONSHI_VERSION_NUMBER ==
        ONSHI_VERSION_MAJOR * 1000000 + ONSHI_VERSION_MINOR * 1000 + ONSHI_VERSION_PATCH);
}

static void test_status_names(void) {
  CHECK_STR_EQ(onshi_status_name(ONSHI_OK), "OK");
  CHECK_STR_EQ(onshi_status_name(ONSHI_INVALID_ARGUMENT), "INVALID_ARGUMENT");
  CHECK_STR_EQ(onshi_status_name(ONSHI_UNAVAILABLE), "UNAVAILABLE");
  CHECK_STR_EQ(onshi_status_name(ONSHI_UNAUTHENTICATED), "UNAUTHENTICATED");
  CHECK_STR_EQ(onshi_status_name(17), "UNRECOGNIZED");
  CHECK_STR_EQ(onshi_status_name(-1), "UNRECOGNIZED");
  /* The codes are the gRPC canonical codes. */
  CHECK(ONSHI_CANCELLED == 1 && ONSHI_DEADLINE_EXCEEDED == 4 && ONSHI_NOT_FOUND == 5);
  CHECK(ONSHI_FAILED_PRECONDITION == 9 && ONSHI_INTERNAL == 13 && ONSHI_UNAVAILABLE == 14);
}

static void test_null_objects_are_harmless(void) {
  CHECK(onshi_error_code(NULL) == ONSHI_OK);
  CHECK_STR_EQ(onshi_error_reason(NULL), "");
  CHECK_STR_EQ(onshi_error_staff_message(NULL), "");
  CHECK_STR_EQ(onshi_error_it_message(NULL), "");
  CHECK(onshi_error_retryable(NULL) == 0);
  onshi_error_free(NULL);
  onshi_string_free(NULL);
  onshi_client_options_free(NULL);
  onshi_client_close(NULL);
  onshi_check_request_free(NULL);
  onshi_qualification_free(NULL);
  CHECK_STR_EQ(onshi_check_request_request_id(NULL), "");

  /* Every getter of a result answers "" or 0 for NULL. */
  CHECK(onshi_qualification_outcome(NULL) == ONSHI_OUTCOME_UNSPECIFIED);
  CHECK(onshi_qualification_validity(NULL) == ONSHI_VALIDITY_UNSPECIFIED);
  CHECK(onshi_qualification_is_eligible(NULL) == 0);
  CHECK_STR_EQ(onshi_qualification_status_label(NULL), "");
  CHECK_STR_EQ(onshi_qualification_status_explanation(NULL), "");
  CHECK_STR_EQ(onshi_qualification_request_id(NULL), "");
  CHECK_STR_EQ(onshi_qualification_confirmation_date(NULL), "");
  CHECK(onshi_qualification_record_count(NULL) == 0);
  CHECK_STR_EQ(onshi_qualification_insurer_number(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_insurer_name(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_card_symbol(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_card_number(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_branch_number(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_name(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_name_kana(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_birth_date(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_sex(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_personal_family(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_insured_card_valid_date(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_insured_card_expiration_date(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_qualification_date(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_elderly_contribution_ratio(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_elderly_valid_start_date(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_elderly_valid_end_date(NULL, 0), "");
  CHECK(onshi_qualification_copay_ratio_percent(NULL) == 0);
  CHECK_STR_EQ(onshi_qualification_copay_ratio_label(NULL), "");
  CHECK_STR_EQ(onshi_qualification_limit_category_code(NULL), "");
  CHECK_STR_EQ(onshi_qualification_limit_category_name(NULL), "");
  CHECK(onshi_qualification_limit_certificate_in_force(NULL) == 0);
  CHECK(onshi_qualification_preschool(NULL) == 0);
  CHECK(onshi_qualification_notice_count(NULL) == 0);
  CHECK_STR_EQ(onshi_qualification_notice_code(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_notice_staff_message(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_notice_it_message(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_unconfirmed_reason(NULL), "");
  CHECK_STR_EQ(onshi_qualification_unconfirmed_staff_message(NULL), "");
  CHECK_STR_EQ(onshi_qualification_unconfirmed_it_message(NULL), "");
  CHECK_STR_EQ(onshi_qualification_recorded_patient_id(NULL), "");
  CHECK(onshi_qualification_coverage_version(NULL) == 0);
  CHECK(onshi_qualification_change_count(NULL) == 0);
  CHECK_STR_EQ(onshi_qualification_change_field(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_change_old_value(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_change_new_value(NULL, 0), "");
  CHECK_STR_EQ(onshi_qualification_change_staff_message(NULL, 0), "");
}

static void test_null_arguments_are_invalid(void) {
  onshi_error* err = NULL;
  onshi_client* client = NULL;
  onshi_qualification* q = (onshi_qualification*)(void*)&g_failed;
  onshi_check_request* request = onshi_check_request_new();
  onshi_client_options* options = onshi_client_options_new();
  char* json = (char*)(void*)&g_failed;
  size_t length = 99;
  int32_t serving = 7;
  CHECK(request != NULL && options != NULL);

  CHECK_FAILS_WITH(onshi_client_options_set_socket_path(NULL, "/tmp/x", &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_client_options_set_socket_path(options, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_client_options_set_embedded_config(NULL, "/tmp/x", &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_client_options_set_embedded_config(options, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_client_options_set_timeout_ms(NULL, 10, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_client_options_set_connect_timeout_ms(NULL, 10, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");

  client = (onshi_client*)(void*)&g_failed;
  CHECK_FAILS_WITH(onshi_client_open(NULL, &client, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");
  CHECK(client == NULL); /* *out is cleared on failure */
  CHECK_FAILS_WITH(onshi_client_open(options, NULL, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_client_health(NULL, &serving, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");
  CHECK(serving == 7);

  CHECK_FAILS_WITH(onshi_check_qualification(NULL, request, &q, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");
  CHECK(q == NULL);
  CHECK_FAILS_WITH(onshi_check_qualification(NULL, request, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_get_patient_record(NULL, "P1", 0, &json, &length, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK(json == NULL);
  CHECK(length == 0);
  CHECK_FAILS_WITH(onshi_get_patient_record(NULL, "P1", 0, NULL, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  json = (char*)(void*)&g_failed;
  CHECK_FAILS_WITH(onshi_qualification_to_json(NULL, &json, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK(json == NULL);

  CHECK_FAILS_WITH(onshi_check_request_set_request_id(NULL, "abcdefgh", &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_check_request_set_insurer_number(request, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_check_request_set_card_symbol(request, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_check_request_set_card_number(request, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_check_request_set_branch_number(request, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_check_request_set_birth_date(request, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_check_request_set_confirmation_date(request, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_check_request_set_patient_id(request, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_check_request_set_limit_consent(NULL, 1, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_check_request_set_timeout_ms(NULL, 1, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");

  /* err itself is optional: a failing call without it only returns the code. */
  CHECK(onshi_check_request_set_patient_id(request, NULL, NULL) == ONSHI_INVALID_ARGUMENT);
  CHECK(onshi_check_qualification(NULL, NULL, NULL, NULL) == ONSHI_INVALID_ARGUMENT);
  CHECK(onshi_client_open(NULL, NULL, NULL) == ONSHI_INVALID_ARGUMENT);

  onshi_check_request_free(request);
  onshi_client_options_free(options);
}

static void test_options_validation(void) {
  onshi_error* err = NULL;
  onshi_client* client = NULL;
  onshi_client_options* options = onshi_client_options_new();
  char long_path[300];
  CHECK(options != NULL);

  /* Neither mode set. */
  CHECK_FAILS_WITH(onshi_client_open(options, &client, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");
  CHECK(client == NULL);

  /* Both modes set. */
  err = sentinel_error();
  CHECK(onshi_client_options_set_socket_path(options, "/tmp/onshi-none.sock", &err) == ONSHI_OK);
  CHECK(err == NULL); /* success clears *err */
  CHECK(onshi_client_options_set_embedded_config(options, "/tmp/onshi-none.conf", &err) ==
        ONSHI_OK);
  CHECK_FAILS_WITH(onshi_client_open(options, &client, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");
  CHECK(client == NULL);

  /* "" clears a mode. */
  CHECK(onshi_client_options_set_embedded_config(options, "", &err) == ONSHI_OK);

  /* Timeouts: 0 means default, 1 … 24 h accepted, the rest refused. */
  CHECK(onshi_client_options_set_timeout_ms(options, 0, &err) == ONSHI_OK);
  CHECK(onshi_client_options_set_timeout_ms(options, 1, &err) == ONSHI_OK);
  CHECK(onshi_client_options_set_timeout_ms(options, 86400000, &err) == ONSHI_OK);
  CHECK_FAILS_WITH(onshi_client_options_set_timeout_ms(options, -1, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_client_options_set_timeout_ms(options, 86400001, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK(onshi_client_options_set_connect_timeout_ms(options, 250, &err) == ONSHI_OK);
  CHECK_FAILS_WITH(onshi_client_options_set_connect_timeout_ms(options, -5, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");

  /* Text must be UTF-8. */
  CHECK_FAILS_WITH(onshi_client_options_set_socket_path(options, "/tmp/\xff.sock", &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");

  /* A socket path longer than a Unix socket address can hold is refused at open. */
  memset(long_path, 'a', sizeof(long_path) - 1);
  long_path[0] = '/';
  long_path[sizeof(long_path) - 1] = '\0';
  CHECK(onshi_client_options_set_socket_path(options, long_path, &err) == ONSHI_OK);
  CHECK_FAILS_WITH(onshi_client_open(options, &client, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");
  CHECK(client == NULL);

  /* An embedded configuration that does not exist. */
  CHECK(onshi_client_options_set_socket_path(options, "", &err) == ONSHI_OK);
  CHECK(onshi_client_options_set_embedded_config(options, "/nonexistent/onshi/onshid.conf", &err) ==
        ONSHI_OK);
  CHECK_FAILS_WITH(onshi_client_open(options, &client, &err), err, ONSHI_FAILED_PRECONDITION,
                   "ONSHI_CONFIG_INVALID");
  CHECK(client == NULL);

  onshi_client_options_free(options);
}

static void test_request_builder(void) {
  onshi_error* err = NULL;
  onshi_check_request* a = onshi_check_request_new();
  onshi_check_request* b = onshi_check_request_new();
  const char* id;
  char* buffer;
  size_t i;
  static const char* const kInvalidUtf8[] = {
      "\x80",             /* lone continuation byte */
      "\xc0\xaf",         /* overlong '/' */
      "\xe3\x81",         /* truncated */
      "\xed\xa0\x80",     /* surrogate U+D800 */
      "\xf4\x90\x80\x80", /* beyond U+10FFFF */
      "ok\xfe",           /* never valid */
  };
  CHECK(a != NULL && b != NULL);

  /* A fresh request carries a random UUIDv4 as its request_id; two never share one. */
  id = onshi_check_request_request_id(a);
  CHECK(strlen(id) == 36);
  CHECK(id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-');
  CHECK(id[14] == '4');
  CHECK(strchr("89ab", id[19]) != NULL);
  CHECK(strcmp(id, onshi_check_request_request_id(b)) != 0);

  /* Setters copy: the caller's buffer may be freed right after. */
  buffer = (char*)malloc(64);
  CHECK(buffer != NULL);
  strcpy(buffer, "host-chosen-id.0001");
  CHECK(onshi_check_request_set_request_id(a, buffer, &err) == ONSHI_OK);
  memset(buffer, 'X', 63);
  buffer[63] = '\0';
  free(buffer);
  CHECK_STR_EQ(onshi_check_request_request_id(a), "host-chosen-id.0001");

  /* Japanese text is fine; malformed UTF-8 is refused and leaves the value as it was. */
  CHECK(onshi_check_request_set_card_symbol(a, "記号１２", &err) == ONSHI_OK);
  CHECK(err == NULL);
  for (i = 0; i < sizeof(kInvalidUtf8) / sizeof(kInvalidUtf8[0]); ++i) {
    CHECK_FAILS_WITH(onshi_check_request_set_request_id(a, kInvalidUtf8[i], &err), err,
                     ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  }
  CHECK_STR_EQ(onshi_check_request_request_id(a), "host-chosen-id.0001");
  CHECK(onshi_check_request_set_request_id(a, "\xf0\x9f\x98\x80", &err) == ONSHI_OK); /* U+1F600 */

  /* Flags and timeouts. */
  CHECK(onshi_check_request_set_limit_consent(a, 1, &err) == ONSHI_OK);
  CHECK(onshi_check_request_set_limit_consent(a, 0, &err) == ONSHI_OK);
  CHECK_FAILS_WITH(onshi_check_request_set_limit_consent(a, 2, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");
  CHECK(onshi_check_request_set_timeout_ms(a, 0, &err) == ONSHI_OK);
  CHECK(onshi_check_request_set_timeout_ms(a, 1500, &err) == ONSHI_OK);
  CHECK_FAILS_WITH(onshi_check_request_set_timeout_ms(a, -1, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");

  onshi_check_request_free(a);
  onshi_check_request_free(b);
}

/* A request for a well-formed patient (the insurer number's check digit is valid). */
static onshi_check_request* new_valid_request(void) {
  onshi_check_request* request = onshi_check_request_new();
  int ok = request != NULL &&
           onshi_check_request_set_insurer_number(request, "06138093", NULL) == ONSHI_OK &&
           onshi_check_request_set_card_symbol(request, "12", NULL) == ONSHI_OK &&
           onshi_check_request_set_card_number(request, "3456", NULL) == ONSHI_OK &&
           onshi_check_request_set_birth_date(request, "19850412", NULL) == ONSHI_OK;
  CHECK(ok);
  return request;
}

static void test_missing_sidecar(void) {
  onshi_error* err = NULL;
  onshi_client* client = NULL;
  onshi_client_options* options = onshi_client_options_new();
  onshi_check_request* request = new_valid_request();
  onshi_qualification* q = (onshi_qualification*)(void*)&g_failed;
  char socket_path[300];
  char* json = NULL;
  int32_t serving = 7;
  double start, elapsed;
  const int64_t kTimeoutMs = 500;

  snprintf(socket_path, sizeof(socket_path), "%s/missing.sock", g_temp_dir);
  CHECK(onshi_client_options_set_socket_path(options, socket_path, &err) == ONSHI_OK);
  CHECK(onshi_client_options_set_timeout_ms(options, kTimeoutMs, &err) == ONSHI_OK);
  /* Opening succeeds without onshid: the connection is made by the calls. */
  CHECK(onshi_client_open(options, &client, &err) == ONSHI_OK);
  CHECK(client != NULL && err == NULL);
  onshi_client_options_free(options);
  if (client == NULL) {
    onshi_check_request_free(request);
    return;
  }

  start = now_seconds();
  CHECK_FAILS_WITH(onshi_check_qualification(client, request, &q, &err), err, ONSHI_UNAVAILABLE,
                   "ONSHI_SIDECAR_UNAVAILABLE");
  elapsed = now_seconds() - start;
  CHECK(q == NULL);
  /* Bounded by the deadline; the margin only absorbs a loaded machine. */
  CHECK(elapsed < kTimeoutMs / 1000.0 + 5.0);

  /* The error says whether a retry may help. */
  CHECK(onshi_check_qualification(client, request, &q, &err) == ONSHI_UNAVAILABLE);
  CHECK(onshi_error_retryable(err) == 1);
  onshi_error_free(err);
  err = NULL;

  CHECK_FAILS_WITH(onshi_client_health(client, &serving, &err), err, ONSHI_UNAVAILABLE,
                   "ONSHI_SIDECAR_UNAVAILABLE");
  CHECK(serving == 7);
  CHECK_FAILS_WITH(onshi_get_patient_record(client, "P-0001", 300, &json, NULL, &err), err,
                   ONSHI_UNAVAILABLE, "ONSHI_SIDECAR_UNAVAILABLE");
  CHECK(json == NULL);

  /* Argument errors are still reported before any connection is tried. */
  CHECK_FAILS_WITH(onshi_client_health(client, NULL, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_check_qualification(client, NULL, &q, &err), err, ONSHI_INVALID_ARGUMENT,
                   "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_get_patient_record(client, NULL, 0, &json, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");
  CHECK_FAILS_WITH(onshi_get_patient_record(client, "P-0001", -1, &json, NULL, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_ARGUMENT");

  onshi_check_request_free(request);
  onshi_client_close(client);
}

static void test_connect_timeout_bounds_a_long_call(void) {
  onshi_error* err = NULL;
  onshi_client* client = NULL;
  onshi_client_options* options = onshi_client_options_new();
  onshi_check_request* request = new_valid_request();
  onshi_qualification* q = NULL;
  char socket_path[300];
  double start, elapsed;

  snprintf(socket_path, sizeof(socket_path), "%s/missing.sock", g_temp_dir);
  CHECK(onshi_client_options_set_socket_path(options, socket_path, &err) == ONSHI_OK);
  CHECK(onshi_client_options_set_connect_timeout_ms(options, 200, &err) == ONSHI_OK);
  CHECK(onshi_client_open(options, &client, &err) == ONSHI_OK);
  onshi_client_options_free(options);
  if (client == NULL) {
    onshi_check_request_free(request);
    return;
  }
  /* The check's own deadline is the default 35 s; the missing sidecar is reported after the
     connect timeout instead. */
  start = now_seconds();
  CHECK_FAILS_WITH(onshi_check_qualification(client, request, &q, &err), err, ONSHI_UNAVAILABLE,
                   "ONSHI_SIDECAR_UNAVAILABLE");
  elapsed = now_seconds() - start;
  CHECK(elapsed < 20.0);
  onshi_check_request_free(request);
  onshi_client_close(client);
}

/* Writes a configuration for an embedded service whose terminal folder nobody serves. */
static int write_embedded_config(char* config_path, size_t size) {
  char path[400];
  FILE* f;
  snprintf(path, sizeof(path), "%s/terminal", g_temp_dir);
  if (mkdir(path, 0700) != 0) return -1;
  snprintf(path, sizeof(path), "%s/terminal/req", g_temp_dir);
  if (mkdir(path, 0700) != 0) return -1;
  snprintf(path, sizeof(path), "%s/terminal/res", g_temp_dir);
  if (mkdir(path, 0700) != 0) return -1;
  snprintf(path, sizeof(path), "%s/terminal/face", g_temp_dir);
  if (mkdir(path, 0700) != 0) return -1;
  snprintf(config_path, size, "%s/onshid.conf", g_temp_dir);
  f = fopen(config_path, "w");
  if (f == NULL) return -1;
  fprintf(f,
          "state_dir: \"%s/state\"\n"
          "terminal {\n"
          "  root: \"%s/terminal\"\n"
          "  medical_institution_code: \"1310000016\"\n"
          "  answer_timeout_ms: 300\n"
          "  rescan_interval_ms: 100\n"
          "}\n",
          g_temp_dir, g_temp_dir);
  return fclose(f) == 0 ? 0 : -1;
}

static void test_embedded_without_terminal(void) {
  onshi_error* err = NULL;
  onshi_client* client = NULL;
  onshi_client* second = NULL;
  onshi_client_options* options = onshi_client_options_new();
  onshi_check_request* request;
  onshi_check_request* conflicting;
  onshi_qualification* q = NULL;
  onshi_qualification* again = NULL;
  char config_path[400];
  char* json = NULL;
  size_t json_length = 0;
  int32_t serving = 7;

  CHECK(write_embedded_config(config_path, sizeof(config_path)) == 0);
  CHECK(onshi_client_options_set_embedded_config(options, config_path, &err) == ONSHI_OK);
  CHECK(onshi_client_open(options, &client, &err) == ONSHI_OK);
  if (client == NULL) {
    fprintf(stderr, "embedded open failed: %s: %s\n", onshi_error_reason(err),
            onshi_error_it_message(err));
    onshi_error_free(err);
    onshi_client_options_free(options);
    return;
  }

  /* One embedded service per state directory and process. */
  CHECK_FAILS_WITH(onshi_client_open(options, &second, &err), err, ONSHI_FAILED_PRECONDITION,
                   "ONSHI_CONFIG_INVALID");
  CHECK(second == NULL);
  onshi_client_options_free(options);

  CHECK(onshi_client_health(client, &serving, &err) == ONSHI_OK);
  CHECK(serving == 1);

  /* The service validates; the reason names the field. */
  request = new_valid_request();
  CHECK(onshi_check_request_set_insurer_number(request, "06138094", &err) == ONSHI_OK);
  CHECK_FAILS_WITH(onshi_check_qualification(client, request, &q, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INSURER_CHECK_DIGIT");
  CHECK(q == NULL);
  onshi_check_request_free(request);

  request = new_valid_request();
  CHECK(onshi_check_request_set_request_id(request, "short", &err) == ONSHI_OK);
  CHECK_FAILS_WITH(onshi_check_qualification(client, request, &q, &err), err,
                   ONSHI_INVALID_ARGUMENT, "ONSHI_INVALID_REQUEST_ID");
  onshi_check_request_free(request);

  /* Nobody serves the terminal folder: the check comes back UNCONFIRMED, not as an error. */
  request = new_valid_request();
  CHECK(onshi_check_request_set_patient_id(request, "P-0001", &err) == ONSHI_OK);
  CHECK(onshi_check_qualification(client, request, &q, &err) == ONSHI_OK);
  CHECK(err == NULL);
  CHECK(q != NULL);
  CHECK(onshi_qualification_outcome(q) == ONSHI_OUTCOME_UNCONFIRMED);
  CHECK(onshi_qualification_validity(q) == ONSHI_VALIDITY_UNSPECIFIED);
  CHECK(onshi_qualification_is_eligible(q) == 0);
  CHECK_STR_EQ(onshi_qualification_status_label(q), "未確認");
  CHECK_STR_EQ(onshi_qualification_unconfirmed_reason(q), "ONSHI_TERMINAL_TIMEOUT");
  CHECK(onshi_qualification_unconfirmed_staff_message(q)[0] != '\0');
  CHECK(onshi_qualification_unconfirmed_it_message(q)[0] != '\0');
  CHECK_STR_EQ(onshi_qualification_request_id(q), onshi_check_request_request_id(request));
  CHECK(onshi_qualification_record_count(q) == 0);
  CHECK_STR_EQ(onshi_qualification_insurer_number(q, 0), "");
  CHECK_STR_EQ(onshi_qualification_name(q, -1), "");
  CHECK_STR_EQ(onshi_qualification_notice_code(q, 1000), "");
  CHECK_STR_EQ(onshi_qualification_change_field(q, 0), "");
  CHECK(onshi_qualification_coverage_version(q) == 0);

  CHECK(onshi_qualification_to_json(q, &json, &json_length, &err) == ONSHI_OK);
  CHECK(json != NULL);
  if (json != NULL) {
    CHECK(strlen(json) == json_length);
    CHECK(strstr(json, "\"outcome\":\"CHECK_OUTCOME_UNCONFIRMED\"") != NULL);
    CHECK(strstr(json, "\"unconfirmed_reason\"") != NULL);
    CHECK(strstr(json, "ONSHI_TERMINAL_TIMEOUT") != NULL);
    onshi_string_free(json);
  }

  /* Sending the same request again returns the recorded outcome of the first attempt. */
  CHECK(onshi_check_qualification(client, request, &again, &err) == ONSHI_OK);
  CHECK(onshi_qualification_outcome(again) == ONSHI_OUTCOME_UNCONFIRMED);
  CHECK_STR_EQ(onshi_qualification_request_id(again), onshi_qualification_request_id(q));
  onshi_qualification_free(again);

  /* The same request_id for a different request is refused. */
  conflicting = new_valid_request();
  CHECK(onshi_check_request_set_request_id(conflicting, onshi_check_request_request_id(request),
                                           &err) == ONSHI_OK);
  CHECK(onshi_check_request_set_birth_date(conflicting, "19900101", &err) == ONSHI_OK);
  CHECK_FAILS_WITH(onshi_check_qualification(client, conflicting, &again, &err), err,
                   ONSHI_ALREADY_EXISTS, "ONSHI_REQUEST_ID_CONFLICT");
  CHECK(again == NULL);
  onshi_check_request_free(conflicting);

  onshi_qualification_free(q);
  onshi_check_request_free(request);

  /* A patient nothing was ever recorded for. */
  json = (char*)(void*)&g_failed;
  CHECK_FAILS_WITH(onshi_get_patient_record(client, "P-never-seen", 0, &json, NULL, &err), err,
                   ONSHI_NOT_FOUND, "ONSHI_PATIENT_NOT_FOUND");
  CHECK(json == NULL);

  onshi_client_close(client);
}

static void test_request_strings_are_copied_into_the_call(void) {
  /* The values set from buffers the host has since overwritten and freed are the ones sent:
     a birth date that was valid when set still validates after its buffer turned to 'X'. */
  onshi_error* err = NULL;
  onshi_client* client = NULL;
  onshi_client_options* options = onshi_client_options_new();
  onshi_check_request* request = onshi_check_request_new();
  onshi_qualification* q = NULL;
  char config_path[400];
  const char* values[4] = {"06138093", "12", "3456", "19850412"};
  char* buffers[4];
  size_t i;

  snprintf(config_path, sizeof(config_path), "%s/onshid.conf", g_temp_dir);
  CHECK(onshi_client_options_set_embedded_config(options, config_path, &err) == ONSHI_OK);
  CHECK(onshi_client_open(options, &client, &err) == ONSHI_OK);
  onshi_client_options_free(options);
  if (client == NULL) {
    onshi_error_free(err);
    onshi_check_request_free(request);
    return;
  }
  for (i = 0; i < 4; ++i) {
    buffers[i] = (char*)malloc(strlen(values[i]) + 1);
    strcpy(buffers[i], values[i]);
  }
  CHECK(onshi_check_request_set_insurer_number(request, buffers[0], &err) == ONSHI_OK);
  CHECK(onshi_check_request_set_card_symbol(request, buffers[1], &err) == ONSHI_OK);
  CHECK(onshi_check_request_set_card_number(request, buffers[2], &err) == ONSHI_OK);
  CHECK(onshi_check_request_set_birth_date(request, buffers[3], &err) == ONSHI_OK);
  for (i = 0; i < 4; ++i) {
    memset(buffers[i], 'X', strlen(values[i]));
    free(buffers[i]);
  }
  CHECK(onshi_check_qualification(client, request, &q, &err) == ONSHI_OK);
  if (err != NULL) {
    fprintf(stderr, "unexpected error: %s: %s\n", onshi_error_reason(err),
            onshi_error_it_message(err));
    onshi_error_free(err);
  }
  CHECK(onshi_qualification_outcome(q) == ONSHI_OUTCOME_UNCONFIRMED);
  onshi_qualification_free(q);
  onshi_check_request_free(request);
  onshi_client_close(client);
}

int main(void) {
  make_temp_dir();
  test_versions();
  test_status_names();
  test_null_objects_are_harmless();
  test_null_arguments_are_invalid();
  test_options_validation();
  test_request_builder();
  test_missing_sidecar();
  test_connect_timeout_bounds_a_long_call();
  test_embedded_without_terminal();
  test_request_strings_are_copied_into_the_call();
  remove_tree(g_temp_dir);
  printf("c_api_test: %d checks passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
