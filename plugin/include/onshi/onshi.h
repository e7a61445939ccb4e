/**
 * @file onshi.h
 * @brief onshi: オンライン資格確認 (online qualification confirmation) for billing software.
 *
 * The one public header of libonshi.so. A billing host (レセコン / 電子カルテ) links
 * libonshi.so, opens an ::onshi_client (against the onshid sidecar on a Unix socket, or with
 * the service embedded in the host's process) and asks it about a patient's insurance card.
 * See docs/c-api.md for the conventions in prose and a complete example.
 *
 * Conventions that hold for every function below:
 *
 * - **Status codes.** Fallible functions return an ::onshi_status. Its values are the gRPC
 *   canonical codes (ONSHI_OK = 0 … ONSHI_UNAUTHENTICATED = 16). Other values may appear in
 *   later versions: treat any unknown non-zero value as a failure.
 * - **Errors.** Fallible functions take an optional trailing `onshi_error** err`. Pass NULL
 *   if the details do not matter. Otherwise, on success `*err` is set to NULL; on failure it
 *   receives a new ::onshi_error (code, stable reason, Japanese text for reception staff,
 *   English text for IT) that the caller releases with onshi_error_free(). The value in `*err`
 *   on entry is overwritten, never freed. There is no thread-local "last error".
 * - **Ownership.** Objects returned through an `out` parameter belong to the caller and are
 *   released with the matching `onshi_*_free` (or onshi_client_close()). Strings returned by
 *   getters are borrowed: they stay valid until the object they came from is freed, and they
 *   are never NULL ("" when absent). Strings passed in are borrowed for the duration of the
 *   call only; the library copies what it keeps. Every free function accepts NULL.
 * - **Text.** Every string, in and out, is UTF-8 and NUL-terminated. Functions that take text
 *   reject NULL and invalid UTF-8 with ONSHI_INVALID_ARGUMENT.
 * - **Types.** Only fixed-width integers, `size_t` and `char` cross the boundary; flags are
 *   `int32_t` 0/1. No struct layout is public: adding an option never breaks the ABI.
 * - **Threads.** Each type states its rule. In short: an ::onshi_client may be used from many
 *   threads at once; builders (::onshi_client_options, ::onshi_check_request) by one thread at
 *   a time; results (::onshi_qualification, ::onshi_error) are immutable and may be read from
 *   any thread.
 * - **Deadlines.** Every call that talks to the service has a deadline and returns by it, even
 *   when the sidecar is hung or gone.
 * - **Misuse.** A NULL handle or a NULL required pointer gives ONSHI_INVALID_ARGUMENT; the
 *   library never aborts the host and no C++ exception crosses this interface.
 *
 * Stability: within a major version (ONSHI_ABI_VERSION, the SONAME libonshi.so.0), published
 * signatures and meanings never change; new behaviour gets a new name.
 */

#ifndef ONSHI_ONSHI_H_
#define ONSHI_ONSHI_H_

#include <stddef.h>
#include <stdint.h>

/** @defgroup onshi_macros Macros
 *  @{ */

/** Major version of this header. Since 0.1. */
#define ONSHI_VERSION_MAJOR 0
/** Minor version of this header. Since 0.1. */
#define ONSHI_VERSION_MINOR 1
/** Patch version of this header. Since 0.1. */
#define ONSHI_VERSION_PATCH 0
/** Version of this header as "MAJOR.MINOR.PATCH". Since 0.1. */
#define ONSHI_VERSION_STRING "0.1.0"
/** Version of this header as one number: MAJOR * 1000000 + MINOR * 1000 + PATCH. Since 0.1. */
#define ONSHI_VERSION_NUMBER \
  (ONSHI_VERSION_MAJOR * 1000000 + ONSHI_VERSION_MINOR * 1000 + ONSHI_VERSION_PATCH)
/**
 * ABI version of this header: the SONAME suffix (libonshi.so.0). Changes only when the ABI
 * breaks. Compare with onshi_abi_version() at run time. Since 0.1.
 */
#define ONSHI_ABI_VERSION 0

/**
 * Marks a declaration as part of libonshi's exported interface. Expands to the compiler's
 * export attribute; hosts never need to define anything. Since 0.1.
 */
#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(ONSHI_BUILDING_LIBRARY)
#define ONSHI_API __declspec(dllexport)
#else
#define ONSHI_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define ONSHI_API __attribute__((visibility("default")))
#else
#define ONSHI_API
#endif

/**
 * `noexcept` when the header is compiled as C++, nothing in C: no function of this interface
 * throws. Since 0.1.
 */
#if defined(__cplusplus)
#define ONSHI_NOEXCEPT noexcept
#else
#define ONSHI_NOEXCEPT
#endif

/** @} */

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/** @defgroup onshi_status Status codes
 *  @{ */

/**
 * Result of a fallible call: one of the ONSHI_* codes below, which equal the gRPC canonical
 * status codes. The set is open: later versions may return other values, so treat any unknown
 * non-zero value as a failure. Since 0.1.
 */
typedef int32_t onshi_status;

/** Success. Since 0.1. */
#define ONSHI_OK 0
/** The call was cancelled (for example the service is shutting down). Since 0.1. */
#define ONSHI_CANCELLED 1
/** Unknown error. Since 0.1. */
#define ONSHI_UNKNOWN 2
/** An argument is missing or malformed (the error's reason names which rule). Since 0.1. */
#define ONSHI_INVALID_ARGUMENT 3
/** The call did not finish within its deadline. Since 0.1. */
#define ONSHI_DEADLINE_EXCEEDED 4
/** The thing asked for does not exist (for example an unknown patient). Since 0.1. */
#define ONSHI_NOT_FOUND 5
/** It already exists (for example a request_id reused for another request). Since 0.1. */
#define ONSHI_ALREADY_EXISTS 6
/** The caller may not do this. Since 0.1. */
#define ONSHI_PERMISSION_DENIED 7
/** A limit was reached. Since 0.1. */
#define ONSHI_RESOURCE_EXHAUSTED 8
/** The system is not in a state that allows this (for example a bad configuration). Since 0.1. */
#define ONSHI_FAILED_PRECONDITION 9
/** Concurrent change; repeat the whole operation. Since 0.1. */
#define ONSHI_ABORTED 10
/** A value is out of range. Since 0.1. */
#define ONSHI_OUT_OF_RANGE 11
/** The service does not implement this call. Since 0.1. */
#define ONSHI_UNIMPLEMENTED 12
/** An internal error (a bug); the IT text says where to look. Since 0.1. */
#define ONSHI_INTERNAL 13
/** The service or the terminal cannot be reached right now; retrying may help. Since 0.1. */
#define ONSHI_UNAVAILABLE 14
/** Data was lost or corrupted. Since 0.1. */
#define ONSHI_DATA_LOSS 15
/** The caller is not authenticated. Since 0.1. */
#define ONSHI_UNAUTHENTICATED 16

/**
 * The name of a status code, e.g. "INVALID_ARGUMENT" for ONSHI_INVALID_ARGUMENT, for logs.
 *
 * @param status Any value.
 * @return A static string, never NULL; "UNRECOGNIZED" for a value this version does not know.
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API const char* onshi_status_name(onshi_status status) ONSHI_NOEXCEPT;

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup onshi_version Versions
 *  @{ */

/**
 * The version of the loaded library (which may differ from the ONSHI_VERSION_* macros the host
 * was compiled with).
 *
 * @param[out] major Receives the major version; may be NULL.
 * @param[out] minor Receives the minor version; may be NULL.
 * @param[out] patch Receives the patch version; may be NULL.
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API void onshi_version(int32_t* major, int32_t* minor, int32_t* patch) ONSHI_NOEXCEPT;

/**
 * The version of the loaded library as "MAJOR.MINOR.PATCH".
 *
 * @return A static string, never NULL; do not free it.
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API const char* onshi_version_string(void) ONSHI_NOEXCEPT;

/**
 * The ABI version of the loaded library. A host built against a header whose
 * ONSHI_ABI_VERSION differs must not use it.
 *
 * @return The ABI version (0 for libonshi.so.0).
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_abi_version(void) ONSHI_NOEXCEPT;

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup onshi_error Error objects
 *  @{ */

/**
 * What went wrong in one call: the status code, a stable machine reason and two texts, one for
 * reception staff (Japanese) and one for IT (English). The texts never contain patient data.
 * Created by the library for a failed call (see the `err` convention at the top of this file),
 * released by the caller with onshi_error_free(). Immutable: its getters may be called from
 * any thread. Since 0.1.
 */
typedef struct onshi_error onshi_error;

/**
 * The status code of the failure; equal to the value the failed call returned.
 *
 * @param error The error; may be NULL.
 * @return The code; ONSHI_OK when @p error is NULL.
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API onshi_status onshi_error_code(const onshi_error* error) ONSHI_NOEXCEPT;

/**
 * The stable machine reason, e.g. "ONSHI_TERMINAL_TIMEOUT" or "ONSHI_SIDECAR_UNAVAILABLE".
 * Programs branch on this, never on the texts. docs/errors.md lists every reason; new ones
 * may be added, existing ones never change meaning.
 *
 * @param error The error; may be NULL.
 * @return Borrowed, valid until onshi_error_free(@p error); never NULL ("" for NULL @p error).
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API const char* onshi_error_reason(const onshi_error* error) ONSHI_NOEXCEPT;

/**
 * The text for reception staff, in Japanese: what happened and what to do at the desk.
 *
 * @param error The error; may be NULL.
 * @return Borrowed, valid until onshi_error_free(@p error); never NULL ("" for NULL @p error).
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API const char* onshi_error_staff_message(const onshi_error* error) ONSHI_NOEXCEPT;

/**
 * The text for the vendor or IT, in English: what to check. Never carries patient data.
 *
 * @param error The error; may be NULL.
 * @return Borrowed, valid until onshi_error_free(@p error); never NULL ("" for NULL @p error).
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API const char* onshi_error_it_message(const onshi_error* error) ONSHI_NOEXCEPT;

/**
 * Whether asking again may succeed. For a qualification check, first send the same
 * ::onshi_check_request again (same request_id): if the first attempt reached an outcome the
 * service returns it, so the terminal is never asked twice for one visit. If what comes back
 * is this same failure, it is the request's recorded outcome: create a new request to ask the
 * terminal again.
 *
 * @param error The error; may be NULL.
 * @return 1 if retrying may help, 0 otherwise (and for NULL).
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_error_retryable(const onshi_error* error) ONSHI_NOEXCEPT;

/**
 * Releases an error. Strings obtained from it become invalid.
 *
 * @param error The error to release; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same error. Since 0.1.
 */
ONSHI_API void onshi_error_free(onshi_error* error) ONSHI_NOEXCEPT;

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup onshi_string Library-allocated strings
 *  @{ */

/**
 * Releases a string the library allocated for the caller (the JSON of
 * onshi_qualification_to_json() and onshi_get_patient_record()). Never pass such a string to
 * the C runtime's free(), and never pass this function memory the library did not allocate.
 *
 * @param s The string; NULL is a no-op.
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API void onshi_string_free(char* s) ONSHI_NOEXCEPT;

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup onshi_client_options Client options
 *  @{ */

/**
 * How onshi_client_open() connects. Exactly one of onshi_client_options_set_socket_path() and
 * onshi_client_options_set_embedded_config() must be set. Use by one thread at a time; it may
 * be freed as soon as onshi_client_open() returns. Since 0.1.
 */
typedef struct onshi_client_options onshi_client_options;

/**
 * Creates options with the defaults: no connection chosen yet, per-call timeouts as described
 * at onshi_client_options_set_timeout_ms(), connect timeout 5000 ms.
 *
 * @return New options owned by the caller (release with onshi_client_options_free()), or NULL
 *         when memory is exhausted.
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API onshi_client_options* onshi_client_options_new(void) ONSHI_NOEXCEPT;

/**
 * Releases options.
 *
 * @param options The options; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same options. Since 0.1.
 */
ONSHI_API void onshi_client_options_free(onshi_client_options* options) ONSHI_NOEXCEPT;

/**
 * Connect to the onshid sidecar over the Unix socket at @p path (the `unix_socket_path` of
 * onshid's configuration, e.g. "/run/onshi/onshid.sock"). Nothing is connected here: the
 * connection is made by the first call, and remade automatically whenever onshid restarts.
 *
 * @param options The options; must not be NULL.
 * @param path    Socket path, UTF-8, copied; "" clears the setting. Must not be NULL.
 * @param[out] err Optional error out-parameter (see the top of this file).
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per options object. Since 0.1.
 */
ONSHI_API onshi_status onshi_client_options_set_socket_path(onshi_client_options* options,
                                                            const char* path,
                                                            onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Run the onshi service inside the host's process ("embedded mode") with the configuration
 * file at @p config_path (the same text-format file onshid reads, see docs/config.md). The
 * service starts in onshi_client_open() and stops in onshi_client_close(). Only one client per
 * state directory may be open in a process, and never alongside an onshid that serves the same
 * terminal folder.
 *
 * @param options     The options; must not be NULL.
 * @param config_path Path of the configuration file, UTF-8, copied; "" clears the setting.
 *                    Must not be NULL. The file is read by onshi_client_open().
 * @param[out] err    Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per options object. Since 0.1.
 */
ONSHI_API onshi_status onshi_client_options_set_embedded_config(onshi_client_options* options,
                                                                const char* config_path,
                                                                onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The deadline of every call of the client, in milliseconds, unless the call sets its own.
 * When not set: 35000 ms for onshi_check_qualification() (the terminal's answer timeout
 * defaults to 30000 ms, so an unanswered check comes back as ONSHI_OUTCOME_UNCONFIRMED rather
 * than as a deadline error; in embedded mode the default grows to the configured answer
 * timeout + 5000 ms when that is longer) and 5000 ms for every other call.
 *
 * @param options    The options; must not be NULL.
 * @param timeout_ms 1 … 86400000 (24 h), or 0 to go back to the defaults above.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL options, value out of range).
 * Thread-safety: one thread at a time per options object. Since 0.1.
 */
ONSHI_API onshi_status onshi_client_options_set_timeout_ms(onshi_client_options* options,
                                                           int64_t timeout_ms,
                                                           onshi_error** err) ONSHI_NOEXCEPT;

/**
 * How long a call waits for a connection to onshid before it fails with ONSHI_UNAVAILABLE
 * (reason ONSHI_SIDECAR_UNAVAILABLE), in milliseconds; the call's own deadline still applies
 * when it is shorter. Within this time a restarting onshid is waited for, so a restart is
 * ridden over without an error. Default 5000. Ignored in embedded mode.
 *
 * @param options    The options; must not be NULL.
 * @param timeout_ms 1 … 86400000, or 0 to go back to the default.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL options, value out of range).
 * Thread-safety: one thread at a time per options object. Since 0.1.
 */
ONSHI_API onshi_status onshi_client_options_set_connect_timeout_ms(
    onshi_client_options* options, int64_t timeout_ms, onshi_error** err) ONSHI_NOEXCEPT;

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup onshi_client Client
 *  @{ */

/**
 * A connection to the onshi service: one long-lived channel to onshid, or the service itself
 * running in-process (embedded mode). Safe for concurrent use by any number of threads; open
 * one per process and share it. Since 0.1.
 */
typedef struct onshi_client onshi_client;

/**
 * Opens a client. In sidecar mode nothing is connected yet, so this succeeds whether or not
 * onshid is running (calls wait for it up to the connect timeout). In embedded mode the
 * configuration is read and the service started (store opened, terminal folders watched).
 *
 * @param options The options; must not be NULL. Borrowed for this call only.
 * @param[out] out Receives the new client on success, owned by the caller (release with
 *                 onshi_client_close()); set to NULL on failure. Must not be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT when an argument is NULL or not exactly one of the
 *         socket path and the embedded configuration is set; ONSHI_FAILED_PRECONDITION (reason
 *         ONSHI_CONFIG_INVALID) for an unreadable or invalid configuration, or a state
 *         directory already served by another embedded client of this process;
 *         ONSHI_UNAVAILABLE (e.g. ONSHI_STORE_UNAVAILABLE) when the embedded service cannot
 *         start; or another ::onshi_status.
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API onshi_status onshi_client_open(const onshi_client_options* options, onshi_client** out,
                                         onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Closes a client: in embedded mode the service is stopped (pending terminal requests stay on
 * record and are recovered by the next start). Every object obtained from the client
 * (results, errors) stays valid.
 *
 * @param client The client; NULL is a no-op. Must not be in use by another thread, and must
 *               not be used afterwards.
 * Thread-safety: must be the last call on @p client. Since 0.1.
 */
ONSHI_API void onshi_client_close(onshi_client* client) ONSHI_NOEXCEPT;

/**
 * Asks the service whether it is serving (grpc.health.v1.Health/Check for the whole server).
 * Uses the client's default timeout (5000 ms unless set).
 *
 * @param client The client; must not be NULL.
 * @param[out] serving Receives 1 when the service reports SERVING, 0 otherwise (NOT_SERVING,
 *                     e.g. while shutting down). Must not be NULL. Untouched on failure.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK when the service answered (whatever it said); ONSHI_UNAVAILABLE (reason
 *         ONSHI_SIDECAR_UNAVAILABLE) when onshid cannot be reached; ONSHI_DEADLINE_EXCEEDED;
 *         ONSHI_INVALID_ARGUMENT for NULL arguments.
 * Thread-safety: may be called from any thread concurrently with other calls. Since 0.1.
 */
ONSHI_API onshi_status onshi_client_health(onshi_client* client, int32_t* serving,
                                           onshi_error** err) ONSHI_NOEXCEPT;

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup onshi_check_request Qualification check request
 *  @{ */

/**
 * The question of one qualification check (資格確認 個別照会): the numbers on the insurance
 * card, the birth date and what to do with the answer. The setters only copy (they reject NULL
 * and invalid UTF-8); the service validates the values and reports the first problem with a
 * reason naming it (e.g. ONSHI_INVALID_INSURER_NUMBER).
 *
 * One request object is one logical request: it carries a random request_id (an idempotency
 * key) from its creation, so sending the same object again after a failure asks for the
 * outcome of the first attempt instead of asking the terminal twice. Create a new request for
 * a new check. Use by one thread at a time; onshi_check_qualification() only reads it, so
 * several threads may send the same request while none modifies it. Since 0.1.
 */
typedef struct onshi_check_request onshi_check_request;

/**
 * Creates an empty request with a fresh random request_id (a UUID version 4, see
 * onshi_check_request_request_id()), limit consent 0 and the client's default timeout.
 *
 * @return A new request owned by the caller (release with onshi_check_request_free()), or NULL
 *         when memory is exhausted.
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API onshi_check_request* onshi_check_request_new(void) ONSHI_NOEXCEPT;

/**
 * Releases a request.
 *
 * @param request The request; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same request. Since 0.1.
 */
ONSHI_API void onshi_check_request_free(onshi_check_request* request) ONSHI_NOEXCEPT;

/**
 * Replaces the generated request_id with the host's own idempotency key, for example one the
 * host stored before a crash. It must be random (never derived from insurance numbers), 8–64
 * characters of [A-Za-z0-9._-]; the service checks this (ONSHI_INVALID_REQUEST_ID).
 *
 * @param request    The request; must not be NULL.
 * @param request_id The key, UTF-8, copied; must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_check_request_set_request_id(onshi_check_request* request,
                                                          const char* request_id,
                                                          onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The request's idempotency key: the generated one, or the one set by
 * onshi_check_request_set_request_id(). Store it with the visit to retry after a crash.
 *
 * @param request The request; may be NULL.
 * @return Borrowed, valid until the request is freed or its request_id set again; never NULL
 *         ("" for NULL @p request).
 * Thread-safety: may be called concurrently with other reads of the request. Since 0.1.
 */
ONSHI_API const char* onshi_check_request_request_id(const onshi_check_request* request)
    ONSHI_NOEXCEPT;

/**
 * 保険者番号: the insurer number, 8 digits (6-digit 国保 numbers are accepted and padded by the
 * service), half- or full-width. Required.
 *
 * @param request The request; must not be NULL.
 * @param value   UTF-8, copied; must not be NULL ("" clears it).
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_check_request_set_insurer_number(onshi_check_request* request,
                                                              const char* value,
                                                              onshi_error** err) ONSHI_NOEXCEPT;

/**
 * 記号: the card symbol, as printed (may hold kanji and full-width characters). Optional
 * (absent on 後期高齢者 cards).
 *
 * @param request The request; must not be NULL.
 * @param value   UTF-8, copied; must not be NULL ("" clears it).
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_check_request_set_card_symbol(onshi_check_request* request,
                                                           const char* value,
                                                           onshi_error** err) ONSHI_NOEXCEPT;

/**
 * 番号: the card number, as printed. Required.
 *
 * @param request The request; must not be NULL.
 * @param value   UTF-8, copied; must not be NULL ("" clears it).
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_check_request_set_card_number(onshi_check_request* request,
                                                           const char* value,
                                                           onshi_error** err) ONSHI_NOEXCEPT;

/**
 * 枝番: the 2-digit branch number. Optional.
 *
 * @param request The request; must not be NULL.
 * @param value   UTF-8, copied; must not be NULL ("" clears it).
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_check_request_set_branch_number(onshi_check_request* request,
                                                             const char* value,
                                                             onshi_error** err) ONSHI_NOEXCEPT;

/**
 * 生年月日: the patient's birth date, YYYYMMDD (Western calendar). Required.
 *
 * @param request The request; must not be NULL.
 * @param value   UTF-8, copied; must not be NULL ("" clears it).
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_check_request_set_birth_date(onshi_check_request* request,
                                                          const char* value,
                                                          onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The date to confirm the qualification for, YYYYMMDD. Optional: "" (the default) means today
 * in Japan. A past date re-checks a past visit; at most one day ahead.
 *
 * @param request The request; must not be NULL.
 * @param value   UTF-8, copied; must not be NULL ("" clears it).
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_check_request_set_confirmation_date(onshi_check_request* request,
                                                                 const char* value,
                                                                 onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Whether the patient consented to the disclosure of 限度額適用認定証 data (OQSCD001). Without
 * consent the answer carries no 限度額区分.
 *
 * @param request The request; must not be NULL.
 * @param consent 1 = consented, 0 = not (the default).
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, @p consent not 0 or 1).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_check_request_set_limit_consent(onshi_check_request* request,
                                                             int32_t consent,
                                                             onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The host's patient id to record the answer into (the patient is created on first use).
 * Optional: "" (the default) records nothing. 1–64 characters of [A-Za-z0-9._-]; never an
 * insurance number (the service checks this: ONSHI_INVALID_PATIENT_ID).
 *
 * @param request The request; must not be NULL.
 * @param value   UTF-8, copied; must not be NULL ("" clears it).
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_check_request_set_patient_id(onshi_check_request* request,
                                                          const char* value,
                                                          onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The deadline of this check in milliseconds, overriding the client's. A check that hits its
 * deadline returns ONSHI_DEADLINE_EXCEEDED while the service keeps the request going: sending
 * the same request again returns its outcome.
 *
 * @param request    The request; must not be NULL.
 * @param timeout_ms 1 … 86400000, or 0 for the client's default (the default).
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, value out of range).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_check_request_set_timeout_ms(onshi_check_request* request,
                                                          int64_t timeout_ms,
                                                          onshi_error** err) ONSHI_NOEXCEPT;

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup onshi_qualification Qualification check and its result
 *  @{ */

/** onshi_qualification_outcome(): NULL result. Since 0.1. */
#define ONSHI_OUTCOME_UNSPECIFIED 0
/**
 * The terminal answered in time. The answer may well say the qualification is invalid or not
 * found: see onshi_qualification_validity(). Since 0.1.
 */
#define ONSHI_OUTCOME_ANSWERED 1
/**
 * The terminal did not answer by its answer timeout. Nothing was confirmed: accept the patient
 * by the outage procedure (資格確認書, マイナポータル画面, 被保険者資格申立書) and re-check
 * later. The request stays on record; see onshi_qualification_unconfirmed_reason(). Since 0.1.
 */
#define ONSHI_OUTCOME_UNCONFIRMED 2
/**
 * A retry of a request that had gone UNCONFIRMED, whose answer has arrived since: the result
 * holds it. The patient record was not changed by it. Since 0.1.
 */
#define ONSHI_OUTCOME_LATE_ANSWER 3

/** onshi_qualification_validity(): no verdict (UNCONFIRMED, or NULL result). Since 0.1. */
#define ONSHI_VALIDITY_UNSPECIFIED 0
/** 有効: valid. Since 0.1. */
#define ONSHI_VALIDITY_VALID 1
/** 無効: invalid. Since 0.1. */
#define ONSHI_VALIDITY_INVALID 2
/** 無効（新しい資格あり）: this qualification ended and a newer one exists. Since 0.1. */
#define ONSHI_VALIDITY_INVALID_NEWER_EXISTS 3
/** 該当資格なし: no such qualification. Since 0.1. */
#define ONSHI_VALIDITY_NOT_FOUND 4
/** 複数該当: several qualifications match (医療保険 only). Since 0.1. */
#define ONSHI_VALIDITY_MULTIPLE 5
/** 有効（未登録）: valid, not yet registered (医療扶助 only). Since 0.1. */
#define ONSHI_VALIDITY_VALID_UNREGISTERED 6

/**
 * The result of one qualification check: the outcome, the terminal's answer (its records),
 * what it means for today's bill, and what was written into the patient record. Immutable:
 * every getter may be called from any thread. Getters never fail: on a NULL result or an
 * index out of range they return "" or 0. Since 0.1.
 */
typedef struct onshi_qualification onshi_qualification;

/**
 * Checks one patient's qualification: sends the request to the terminal (through the service),
 * waits for its answer or the answer timeout, records the answer into the patient record when
 * a patient id is set, and returns what reception needs to see.
 *
 * An unanswered check is not an error: it returns ONSHI_OK with ONSHI_OUTCOME_UNCONFIRMED.
 *
 * @param client  The client; must not be NULL.
 * @param request The request; must not be NULL. Borrowed for this call only.
 * @param[out] out Receives the result on ONSHI_OK, owned by the caller (release with
 *                 onshi_qualification_free()); set to NULL on failure. Must not be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT with a reason naming the field (e.g.
 *         ONSHI_INVALID_INSURER_NUMBER, ONSHI_INSURER_CHECK_DIGIT, ONSHI_INVALID_BIRTH_DATE);
 *         ONSHI_ALREADY_EXISTS (ONSHI_REQUEST_ID_CONFLICT) when the request_id was used for a
 *         different request; ONSHI_UNAVAILABLE (ONSHI_SIDECAR_UNAVAILABLE, ONSHI_TERMINAL_FAILED,
 *         ONSHI_TERMINAL_UNAVAILABLE, ONSHI_STORE_UNAVAILABLE); ONSHI_DEADLINE_EXCEEDED (the
 *         check goes on; send the same request again for its outcome); ONSHI_FAILED_PRECONDITION
 *         (ONSHI_TERMINAL_REJECTED_REQUEST); or another ::onshi_status.
 * Thread-safety: may be called concurrently on the same client; blocks the calling thread
 * until the result or the deadline. Since 0.1.
 */
ONSHI_API onshi_status onshi_check_qualification(onshi_client* client,
                                                 const onshi_check_request* request,
                                                 onshi_qualification** out,
                                                 onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Releases a result. Strings obtained from it become invalid.
 *
 * @param q The result; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same result. Since 0.1.
 */
ONSHI_API void onshi_qualification_free(onshi_qualification* q) ONSHI_NOEXCEPT;

/**
 * The outcome of the check.
 *
 * @param q The result; may be NULL.
 * @return ONSHI_OUTCOME_ANSWERED, ONSHI_OUTCOME_UNCONFIRMED, ONSHI_OUTCOME_LATE_ANSWER
 *         (later versions may add values), or ONSHI_OUTCOME_UNSPECIFIED for NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_qualification_outcome(const onshi_qualification* q) ONSHI_NOEXCEPT;

/**
 * 資格有効性: the terminal's verdict (OQSCD006).
 *
 * @param q The result; may be NULL.
 * @return One of ONSHI_VALIDITY_*; ONSHI_VALIDITY_UNSPECIFIED when unconfirmed or NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_qualification_validity(const onshi_qualification* q) ONSHI_NOEXCEPT;

/**
 * Whether the patient may be billed as insured today: 1 only when the terminal said 有効 for
 * exactly one qualification.
 *
 * @param q The result; may be NULL.
 * @return 1 or 0 (0 for NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_qualification_is_eligible(const onshi_qualification* q) ONSHI_NOEXCEPT;

/**
 * The status to show at the desk, Japanese: 有効 / 無効 / 無効（新しい資格あり） / 該当資格なし /
 * 複数該当 / 有効（未登録） / 未確認.
 *
 * @param q The result; may be NULL.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_status_label(const onshi_qualification* q) ONSHI_NOEXCEPT;

/**
 * What reception should do, Japanese (may be "").
 *
 * @param q The result; may be NULL.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_status_explanation(const onshi_qualification* q)
    ONSHI_NOEXCEPT;

/**
 * The request_id of the check this result belongs to.
 *
 * @param q The result; may be NULL.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_request_id(const onshi_qualification* q) ONSHI_NOEXCEPT;

/**
 * The date the qualification was confirmed for, YYYYMMDD.
 *
 * @param q The result; may be NULL.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_confirmation_date(const onshi_qualification* q)
    ONSHI_NOEXCEPT;

/**
 * The number of qualification records in the terminal's answer (usually 1; 0 when not found
 * or unconfirmed; more when 複数該当). Index the record getters below with 0 … count-1.
 *
 * @param q The result; may be NULL.
 * @return The count (0 for NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_qualification_record_count(const onshi_qualification* q) ONSHI_NOEXCEPT;

/**
 * 保険者番号 of record @p i, as the insurer registered it (6-digit 国保 numbers keep the
 * terminal's padding).
 *
 * @param q The result; may be NULL.
 * @param i Record index, 0 … onshi_qualification_record_count() - 1.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_insurer_number(const onshi_qualification* q,
                                                         int32_t i) ONSHI_NOEXCEPT;

/**
 * 保険者名称 of record @p i.
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_insurer_name(const onshi_qualification* q,
                                                       int32_t i) ONSHI_NOEXCEPT;

/**
 * 記号 of record @p i, as registered (may differ in width from what was asked).
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_card_symbol(const onshi_qualification* q,
                                                      int32_t i) ONSHI_NOEXCEPT;

/**
 * 番号 of record @p i, as registered.
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_card_number(const onshi_qualification* q,
                                                      int32_t i) ONSHI_NOEXCEPT;

/**
 * 枝番 of record @p i.
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_branch_number(const onshi_qualification* q,
                                                        int32_t i) ONSHI_NOEXCEPT;

/**
 * 氏名 of record @p i (full-width, a full-width space between family and given name).
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_name(const onshi_qualification* q,
                                               int32_t i) ONSHI_NOEXCEPT;

/**
 * 氏名カナ of record @p i (half-width katakana, as the terminal writes it).
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_name_kana(const onshi_qualification* q,
                                                    int32_t i) ONSHI_NOEXCEPT;

/**
 * 生年月日 of record @p i, YYYYMMDD.
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_birth_date(const onshi_qualification* q,
                                                     int32_t i) ONSHI_NOEXCEPT;

/**
 * 性別 code of record @p i (OQSCD007): "1" 男, "2" 女, "3" 未設定.
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_sex(const onshi_qualification* q,
                                              int32_t i) ONSHI_NOEXCEPT;

/**
 * 本人家族 code of record @p i (OQSCD009): "1" 本人, "2" 家族.
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_personal_family(const onshi_qualification* q,
                                                          int32_t i) ONSHI_NOEXCEPT;

/**
 * 有効開始日 of the card of record @p i, YYYYMMDD.
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_insured_card_valid_date(const onshi_qualification* q,
                                                                  int32_t i) ONSHI_NOEXCEPT;

/**
 * 有効終了日 of the card of record @p i, YYYYMMDD.
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_insured_card_expiration_date(const onshi_qualification* q,
                                                                       int32_t i) ONSHI_NOEXCEPT;

/**
 * 資格取得年月日 of record @p i, YYYYMMDD.
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_qualification_date(const onshi_qualification* q,
                                                             int32_t i) ONSHI_NOEXCEPT;

/**
 * 高齢受給者証 一部負担金割合 of record @p i, as the terminal writes it: a 3-digit percent
 * ("020" = 2割); "" when the patient has no 高齢受給者証 (not 70–74).
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_elderly_contribution_ratio(const onshi_qualification* q,
                                                                     int32_t i) ONSHI_NOEXCEPT;

/**
 * 高齢受給者証 有効開始日 of record @p i, YYYYMMDD, or "".
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_elderly_valid_start_date(const onshi_qualification* q,
                                                                   int32_t i) ONSHI_NOEXCEPT;

/**
 * 高齢受給者証 有効終了日 of record @p i, YYYYMMDD, or "".
 *
 * @param q The result; may be NULL.
 * @param i Record index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_elderly_valid_end_date(const onshi_qualification* q,
                                                                 int32_t i) ONSHI_NOEXCEPT;

/**
 * 負担割合 for today's bill in percent (30 = 3割), derived by onshi from the answer.
 *
 * @param q The result; may be NULL.
 * @return The percent; 0 when the answer does not state it, or for NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_qualification_copay_ratio_percent(const onshi_qualification* q)
    ONSHI_NOEXCEPT;

/**
 * 負担割合 as staff read it: "3割", "2割", "1割", or "" when unknown.
 *
 * @param q The result; may be NULL.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_copay_ratio_label(const onshi_qualification* q)
    ONSHI_NOEXCEPT;

/**
 * 限度額適用区分 code (OQSCD012: A01–A06, B01–B10), or "" when there is none or the patient
 * did not consent to its disclosure.
 *
 * @param q The result; may be NULL.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_limit_category_code(const onshi_qualification* q)
    ONSHI_NOEXCEPT;

/**
 * 限度額適用区分 name, e.g. "区分ウ", "一般Ⅱ", or "".
 *
 * @param q The result; may be NULL.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_limit_category_name(const onshi_qualification* q)
    ONSHI_NOEXCEPT;

/**
 * Whether the 限度額 certificate covers the confirmation date.
 *
 * @param q The result; may be NULL.
 * @return 1 or 0 (0 for NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_qualification_limit_certificate_in_force(const onshi_qualification* q)
    ONSHI_NOEXCEPT;

/**
 * 未就学: whether the patient is a preschool child (affects the copay).
 *
 * @param q The result; may be NULL.
 * @return 1 or 0 (0 for NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_qualification_preschool(const onshi_qualification* q) ONSHI_NOEXCEPT;

/**
 * The number of notices for the billing screen (e.g. the terminal's message that the My Number
 * card's certificate expires soon). Index the notice getters with 0 … count-1.
 *
 * @param q The result; may be NULL.
 * @return The count (0 for NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_qualification_notice_count(const onshi_qualification* q) ONSHI_NOEXCEPT;

/**
 * The stable code of notice @p i, e.g. "ONSHI_NOTICE_TERMINAL_MESSAGE".
 *
 * @param q The result; may be NULL.
 * @param i Notice index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_notice_code(const onshi_qualification* q,
                                                      int32_t i) ONSHI_NOEXCEPT;

/**
 * The text of notice @p i for reception staff, Japanese.
 *
 * @param q The result; may be NULL.
 * @param i Notice index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_notice_staff_message(const onshi_qualification* q,
                                                               int32_t i) ONSHI_NOEXCEPT;

/**
 * The text of notice @p i for IT, English (no patient data; may be "").
 *
 * @param q The result; may be NULL.
 * @param i Notice index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_notice_it_message(const onshi_qualification* q,
                                                            int32_t i) ONSHI_NOEXCEPT;

/**
 * For ONSHI_OUTCOME_UNCONFIRMED: the machine reason why, e.g. "ONSHI_TERMINAL_TIMEOUT"; ""
 * for the other outcomes.
 *
 * @param q The result; may be NULL.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_unconfirmed_reason(const onshi_qualification* q)
    ONSHI_NOEXCEPT;

/**
 * For ONSHI_OUTCOME_UNCONFIRMED: what happened and what to do, for reception staff (Japanese);
 * "" otherwise.
 *
 * @param q The result; may be NULL.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_unconfirmed_staff_message(const onshi_qualification* q)
    ONSHI_NOEXCEPT;

/**
 * For ONSHI_OUTCOME_UNCONFIRMED: what to check, for IT (English); "" otherwise.
 *
 * @param q The result; may be NULL.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_unconfirmed_it_message(const onshi_qualification* q)
    ONSHI_NOEXCEPT;

/**
 * The patient id the answer was recorded into; "" when the request named no patient or
 * nothing was recorded (e.g. unconfirmed).
 *
 * @param q The result; may be NULL.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_recorded_patient_id(const onshi_qualification* q)
    ONSHI_NOEXCEPT;

/**
 * The patient's coverage version now current after recording this answer (unchanged when the
 * answer matched the stored coverage); 0 when nothing was written.
 *
 * @param q The result; may be NULL.
 * @return The version (0 for NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int64_t onshi_qualification_coverage_version(const onshi_qualification* q) ONSHI_NOEXCEPT;

/**
 * The number of fields of the stored coverage this answer changed (0 when it matched, or
 * nothing was recorded). Index the change getters with 0 … count-1.
 *
 * @param q The result; may be NULL.
 * @return The count (0 for NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_qualification_change_count(const onshi_qualification* q) ONSHI_NOEXCEPT;

/**
 * The field path of change @p i, e.g. "identifiers.insurer_number" or "validity".
 *
 * @param q The result; may be NULL.
 * @param i Change index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_change_field(const onshi_qualification* q,
                                                       int32_t i) ONSHI_NOEXCEPT;

/**
 * The stored value before change @p i.
 *
 * @param q The result; may be NULL.
 * @param i Change index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_change_old_value(const onshi_qualification* q,
                                                           int32_t i) ONSHI_NOEXCEPT;

/**
 * The value after change @p i.
 *
 * @param q The result; may be NULL.
 * @param i Change index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_change_new_value(const onshi_qualification* q,
                                                           int32_t i) ONSHI_NOEXCEPT;

/**
 * Change @p i as staff read it, e.g. "保険者番号が変わりました".
 *
 * @param q The result; may be NULL.
 * @param i Change index.
 * @return Borrowed, valid until onshi_qualification_free(); never NULL ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_change_staff_message(const onshi_qualification* q,
                                                               int32_t i) ONSHI_NOEXCEPT;

/**
 * The whole result as JSON: the onshi.v1.CheckQualificationResponse message in the protobuf
 * JSON mapping with the proto field names (e.g. "status_label", "records"), enums by name,
 * int64 as strings, and fields at their default value (0, "", false, empty) omitted. Use it
 * for everything the typed getters do not cover.
 *
 * @param q The result; must not be NULL.
 * @param[out] out Receives a NUL-terminated UTF-8 string owned by the caller (release with
 *                 onshi_string_free()); set to NULL on failure. Must not be NULL.
 * @param[out] out_len Receives the length in bytes without the NUL; may be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, ONSHI_INVALID_ARGUMENT (NULL @p q or @p out), or ONSHI_INTERNAL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API onshi_status onshi_qualification_to_json(const onshi_qualification* q, char** out,
                                                   size_t* out_len,
                                                   onshi_error** err) ONSHI_NOEXCEPT;

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup onshi_patient_record Patient record
 *  @{ */

/**
 * Reads a patient's record: the current coverage with per-field provenance, older coverage
 * versions, and every confirmation recorded for the patient. It is returned as JSON (the
 * onshi.v1.PatientRecord message in the protobuf JSON mapping with proto field names, as for
 * onshi_qualification_to_json()); typed getters for the record may come in a later version.
 *
 * @param client     The client; must not be NULL.
 * @param patient_id The host's patient id (as given to onshi_check_request_set_patient_id()),
 *                   UTF-8; must not be NULL. Borrowed for this call only.
 * @param timeout_ms Deadline in milliseconds, 1 … 86400000, or 0 for the client's default.
 * @param[out] out_json Receives a NUL-terminated UTF-8 string owned by the caller (release with
 *                      onshi_string_free()); set to NULL on failure. Must not be NULL.
 * @param[out] out_len  Receives the length in bytes without the NUL; may be NULL.
 * @param[out] err      Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_NOT_FOUND (ONSHI_PATIENT_NOT_FOUND) when nothing was ever recorded
 *         for the patient; ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8, timeout out
 *         of range, ONSHI_INVALID_PATIENT_ID); ONSHI_UNAVAILABLE; ONSHI_DEADLINE_EXCEEDED; or
 *         another ::onshi_status.
 * Thread-safety: may be called concurrently on the same client. Since 0.1.
 */
ONSHI_API onshi_status onshi_get_patient_record(onshi_client* client, const char* patient_id,
                                                int64_t timeout_ms, char** out_json,
                                                size_t* out_len, onshi_error** err) ONSHI_NOEXCEPT;

/** @} */

/* ------------------------------------------------------------------------------------------ */
/* --- Card-reader check-ins: begin ---------------------------------------------------------- */
/** @defgroup onshi_consent Consents in a qualification result
 *
 * What the patient chose to share, per category, as the terminal reports it in each record
 * (a card-reader check-in carries the choices the patient made on the reader; a 個別照会 answer
 * may carry them too). These getters work on every ::onshi_qualification, including the one a
 * check-in lends (onshi_checkin_qualification()).
 *  @{ */

/** Consent category: 限度額適用認定証 data (OQSCD001). Since 0.1. */
#define ONSHI_CONSENT_LIMIT_CERTIFICATE 1
/** Consent category: 特定疾病療養受療証 data. Since 0.1. */
#define ONSHI_CONSENT_SPECIFIC_DISEASES 2
/** Consent category: 特定健診情報 (health checkups). Since 0.1. */
#define ONSHI_CONSENT_HEALTH_CHECKUPS 3
/** Consent category: 薬剤情報 (medication history). Since 0.1. */
#define ONSHI_CONSENT_MEDICATION 4
/** Consent category: 診療情報 (diagnoses and treatments). Since 0.1. */
#define ONSHI_CONSENT_DIAGNOSIS 5
/** Consent category: 手術情報 (operations). Since 0.1. */
#define ONSHI_CONSENT_OPERATION 6

/** onshi_qualification_consent_flag(): the record does not report this category. Since 0.1. */
#define ONSHI_CONSENT_FLAG_UNSPECIFIED 0
/** 同意なし / 未同意. Since 0.1. */
#define ONSHI_CONSENT_FLAG_NOT_GIVEN 1
/** 同意あり / 同意. Since 0.1. */
#define ONSHI_CONSENT_FLAG_GIVEN 2
/** 同意有効期限切れ: the consent has expired. Since 0.1. */
#define ONSHI_CONSENT_FLAG_EXPIRED 3
/** 同意取得困難: consent could not be obtained. Since 0.1. */
#define ONSHI_CONSENT_FLAG_DIFFICULT 4

/**
 * The patient's choice for one category in record @p i.
 *
 * @param q        The result; may be NULL.
 * @param i        Record index, 0 … onshi_qualification_record_count() - 1.
 * @param category One of ONSHI_CONSENT_LIMIT_CERTIFICATE … ONSHI_CONSENT_OPERATION.
 * @return One of ONSHI_CONSENT_FLAG_* (later versions may add values);
 *         ONSHI_CONSENT_FLAG_UNSPECIFIED when the record does not report it, and for NULL, an
 *         index out of range or an unknown category.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_qualification_consent_flag(const onshi_qualification* q, int32_t i,
                                                   int32_t category) ONSHI_NOEXCEPT;

/**
 * When the patient gave (or refused) consent for one category in record @p i: a Japan-time
 * timestamp YYYYMMDDhhmmss as the terminal writes it.
 *
 * @param q        The result; may be NULL.
 * @param i        Record index.
 * @param category One of ONSHI_CONSENT_*.
 * @return Borrowed, valid until the result is freed; never NULL ("" when not reported, out of
 *         range or an unknown category).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_consent_time(const onshi_qualification* q, int32_t i,
                                                       int32_t category) ONSHI_NOEXCEPT;

/**
 * Until when the consented information may be viewed (for 外来 24 hours after the consent):
 * a Japan-time timestamp YYYYMMDDhhmmss. The terminal reports it for the information
 * categories (健診, 薬剤, 診療, 手術), not for 限度額 and 特定疾病.
 *
 * @param q        The result; may be NULL.
 * @param i        Record index.
 * @param category One of ONSHI_CONSENT_*.
 * @return Borrowed, valid until the result is freed; never NULL ("" when not reported, out of
 *         range or an unknown category).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_qualification_consent_available_time(const onshi_qualification* q,
                                                                 int32_t i,
                                                                 int32_t category) ONSHI_NOEXCEPT;

/** @} */

/** @defgroup onshi_checkin Card-reader check-ins
 *
 * When a patient puts the My Number card on the face-authenticating card reader, the terminal
 * writes the result into its face/ folder unasked. onshi reads each file once, finds the
 * patient in the record (by the clinic's 照会番号, else by the insurance numbers and birth date;
 * several candidates are reported, never guessed), records it, and keeps it as an event until
 * a host acknowledges it with onshi_checkin_ack(). A host receives events by polling
 * (onshi_checkin_next()) or by callback (onshi_checkin_subscribe()). Events survive restarts of
 * the host and of onshid: a host that did not acknowledge an event receives it again after it
 * reconnects. See docs/checkins.md.
 *  @{ */

/** onshi_checkin_match_kind(): NULL check-in. Since 0.1. */
#define ONSHI_MATCH_UNSPECIFIED 0
/** The file's 照会番号 (ReferenceNumber) is a patient id of the record. Since 0.1. */
#define ONSHI_MATCH_REFERENCE_NUMBER 1
/** The insurance numbers and birth date are the current coverage of exactly one patient.
 *  Since 0.1. */
#define ONSHI_MATCH_IDENTIFIERS 2
/** No patient of the record matches (未登録の患者: a new patient, or numbers that changed).
 *  Since 0.1. */
#define ONSHI_MATCH_NONE 3
/** Several patients match (候補が複数): staff choose among onshi_checkin_candidate_patient_id().
 *  Since 0.1. */
#define ONSHI_MATCH_AMBIGUOUS 4

/**
 * One card-reader check-in: the event (sequence, id, when onshi read it), who the patient is,
 * and the terminal's result with what it means for the bill (through
 * onshi_checkin_qualification()). Returned by onshi_checkin_next() (owned by the caller,
 * released with onshi_checkin_free()) or lent to an onshi_checkin_subscribe() callback.
 * Immutable: every getter may be called from any thread; getters never fail (NULL gives "" or
 * 0). Since 0.1.
 */
typedef struct onshi_checkin onshi_checkin;

/**
 * A running check-in subscription (onshi_checkin_subscribe()). Ended and released with
 * onshi_subscription_stop(). Since 0.1.
 */
typedef struct onshi_subscription onshi_subscription;

/**
 * The callback of onshi_checkin_subscribe(). Called on a thread of the library, one event at a
 * time, in sequence order.
 *
 * @param user_data As given to onshi_checkin_subscribe().
 * @param checkin   The check-in, borrowed for the duration of the call only (copy what you
 *                  keep; acknowledge with its event id). Never NULL.
 * Since 0.1.
 */
typedef void (*onshi_checkin_callback)(void* user_data, const onshi_checkin* checkin);

/**
 * The polling call: returns the next unacknowledged check-in after this client's cursor,
 * waiting up to @p timeout_ms for one to arrive (a new check-in is returned the moment it is
 * recorded). The cursor starts before the oldest unacknowledged check-in when the client is
 * opened and moves past each check-in returned, so every call returns a different one,
 * acknowledged or not; a new client (e.g. after the host restarted) starts again with the
 * oldest unacknowledged. Acknowledge each check-in once it is handled (onshi_checkin_ack()).
 *
 * @param client     The client; must not be NULL.
 * @param timeout_ms How long to wait, 1 … 86400000; or 0 to take only a check-in already
 *                   waiting (the call still talks to the service, within the client's default
 *                   timeout).
 * @param[out] out   Receives the check-in (owned by the caller, release with
 *                   onshi_checkin_free()), or NULL when none arrived in time. Must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK (also when none arrived: *out is then NULL); ONSHI_INVALID_ARGUMENT (NULL
 *         argument, timeout out of range); ONSHI_UNAVAILABLE (ONSHI_SIDECAR_UNAVAILABLE when
 *         onshid cannot be reached, ONSHI_STORE_UNAVAILABLE); ONSHI_CANCELLED (the service is
 *         shutting down); or another ::onshi_status.
 * Thread-safety: may be called from any thread; concurrent calls on one client take turns (a
 * call that cannot start before its timeout returns ONSHI_OK with NULL), so no check-in is
 * returned twice by one client. Blocks up to @p timeout_ms. Since 0.1.
 */
ONSHI_API onshi_status onshi_checkin_next(onshi_client* client, int64_t timeout_ms,
                                          onshi_checkin** out, onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Releases a check-in returned by onshi_checkin_next(). Strings and the qualification view
 * obtained from it become invalid. Never pass a check-in lent to a callback.
 *
 * @param checkin The check-in; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same check-in. Since 0.1.
 */
ONSHI_API void onshi_checkin_free(onshi_checkin* checkin) ONSHI_NOEXCEPT;

/**
 * The event's sequence: increasing in the order onshi read the files, the same every time the
 * event is delivered. Pass the last one handled to onshi_checkin_subscribe() to resume.
 *
 * @param checkin The check-in; may be NULL.
 * @return The sequence (≥ 1), or 0 for NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int64_t onshi_checkin_sequence(const onshi_checkin* checkin) ONSHI_NOEXCEPT;

/**
 * The event id: random, what onshi_checkin_ack() takes. It is also the check id of the
 * confirmation recorded for the matched patient (onshi_qualification_request_id() of
 * onshi_checkin_qualification() returns it too).
 *
 * @param checkin The check-in; may be NULL.
 * @return Borrowed, valid until the check-in is freed (or the callback returns); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_checkin_event_id(const onshi_checkin* checkin) ONSHI_NOEXCEPT;

/**
 * When onshi read the face file, in milliseconds since the Unix epoch (UTC).
 *
 * @param checkin The check-in; may be NULL.
 * @return The time, or 0 for NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int64_t onshi_checkin_received_time_ms(const onshi_checkin* checkin) ONSHI_NOEXCEPT;

/**
 * How the patient was found in the record.
 *
 * @param checkin The check-in; may be NULL.
 * @return One of ONSHI_MATCH_* (later versions may add values); ONSHI_MATCH_UNSPECIFIED for
 *         NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_checkin_match_kind(const onshi_checkin* checkin) ONSHI_NOEXCEPT;

/**
 * The matched patient's id, for ONSHI_MATCH_REFERENCE_NUMBER and ONSHI_MATCH_IDENTIFIERS (the
 * check-in was recorded into that patient: onshi_qualification_recorded_patient_id() of the
 * qualification view says the same); "" otherwise.
 *
 * @param checkin The check-in; may be NULL.
 * @return Borrowed, valid until the check-in is freed (or the callback returns); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_checkin_patient_id(const onshi_checkin* checkin) ONSHI_NOEXCEPT;

/**
 * For ONSHI_MATCH_AMBIGUOUS: how many patients match (≥ 2); 0 otherwise. Nothing was recorded
 * into any of them.
 *
 * @param checkin The check-in; may be NULL.
 * @return The count (0 for NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_checkin_candidate_count(const onshi_checkin* checkin) ONSHI_NOEXCEPT;

/**
 * The id of candidate @p i (sorted by id) for ONSHI_MATCH_AMBIGUOUS.
 *
 * @param checkin The check-in; may be NULL.
 * @param i       Candidate index, 0 … onshi_checkin_candidate_count() - 1.
 * @return Borrowed, valid until the check-in is freed (or the callback returns); never NULL
 *         ("" when out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_checkin_candidate_patient_id(const onshi_checkin* checkin,
                                                         int32_t i) ONSHI_NOEXCEPT;

/**
 * The check-in's result as a qualification result, so that every onshi_qualification_*
 * getter works on it: the records (氏名, 記号・番号 …), the status and 負担割合, 限度額区分,
 * notices, consents (onshi_qualification_consent_flag() …), what was recorded into the matched
 * patient (coverage version and changes). Its outcome is ONSHI_OUTCOME_ANSWERED; its request id
 * is the event id; its confirmation date is the file's QualificationConfirmationDate (else the
 * date of its ProcessExecutionTime).
 *
 * @param checkin The check-in; may be NULL.
 * @return A view borrowed from @p checkin, valid as long as it; NULL for NULL. Never free it
 *         with onshi_qualification_free().
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const onshi_qualification* onshi_checkin_qualification(const onshi_checkin* checkin)
    ONSHI_NOEXCEPT;

/**
 * The whole event as JSON: the onshi.v1.CheckinEvent message in the protobuf JSON mapping with
 * the proto field names, as for onshi_qualification_to_json().
 *
 * @param checkin The check-in; must not be NULL.
 * @param[out] out Receives a NUL-terminated UTF-8 string owned by the caller (release with
 *                 onshi_string_free()); set to NULL on failure. Must not be NULL.
 * @param[out] out_len Receives the length in bytes without the NUL; may be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, ONSHI_INVALID_ARGUMENT (NULL @p checkin or @p out), or ONSHI_INTERNAL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API onshi_status onshi_checkin_to_json(const onshi_checkin* checkin, char** out,
                                             size_t* out_len, onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Marks a check-in as handled: it is not delivered again, to this host or any other.
 * Idempotent: acknowledging again succeeds and changes nothing.
 *
 * @param client   The client; must not be NULL.
 * @param event_id The event id (onshi_checkin_event_id()), UTF-8; must not be NULL. Borrowed
 *                 for this call only.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_NOT_FOUND (ONSHI_CHECKIN_NOT_FOUND) for an unknown event id;
 *         ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8, malformed id); ONSHI_UNAVAILABLE
 *         (ONSHI_SIDECAR_UNAVAILABLE, ONSHI_STORE_UNAVAILABLE: retry); ONSHI_DEADLINE_EXCEEDED;
 *         or another ::onshi_status. Uses the client's default timeout.
 * Thread-safety: may be called from any thread, including from inside a subscription's
 * callback. Since 0.1.
 */
ONSHI_API onshi_status onshi_checkin_ack(onshi_client* client, const char* event_id,
                                         onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The optional callback: calls @p callback on a library thread for every unacknowledged
 * check-in with a sequence above @p after_sequence (oldest first), then for each new one the
 * moment it is recorded, until onshi_subscription_stop(). While onshid is unreachable (e.g.
 * restarting) the thread reconnects with backoff (50 ms doubling to 1 s) and resumes after the
 * last check-in it delivered; nothing is reported to the callback meanwhile. The subscription
 * does not acknowledge: call onshi_checkin_ack() when a check-in is handled, or it is delivered
 * again to the next subscription or poll (a restarted host gets every unacknowledged check-in
 * again with @p after_sequence 0).
 *
 * The callback runs one at a time, on one thread per subscription; a slow callback delays the
 * next check-in of this subscription only. It must not call onshi_subscription_stop() on its
 * own subscription expecting to wait (it then only requests the stop, see there) and must not
 * close the client. It may call any other function, onshi_checkin_ack() included.
 *
 * @param client        The client; must not be NULL. It must stay open while the subscription
 *                      runs; onshi_client_close() stops every subscription of the client first
 *                      (their handles must still be released with onshi_subscription_stop()).
 * @param after_sequence Deliver only check-ins with a larger sequence; 0 for every
 *                      unacknowledged one. Must not be negative.
 * @param callback      The callback; must not be NULL.
 * @param user_data     Passed to every call of @p callback; may be NULL. Not owned.
 * @param[out] out      Receives the subscription (release with onshi_subscription_stop()); set
 *                      to NULL on failure. Must not be NULL.
 * @param[out] err      Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL argument, negative @p after_sequence);
 *         ONSHI_INTERNAL (the thread could not be started). No connection is needed to
 *         subscribe: the thread waits for onshid.
 * Thread-safety: may be called from any thread; several subscriptions may run on one client.
 * Since 0.1.
 */
ONSHI_API onshi_status onshi_checkin_subscribe(onshi_client* client, int64_t after_sequence,
                                               onshi_checkin_callback callback, void* user_data,
                                               onshi_subscription** out,
                                               onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Stops a subscription and releases it. Once it returns, the callback is not running and will
 * not be called again (so @p user_data may be released), except when called from inside the
 * subscription's own callback: then it only requests the stop and returns at once, and the
 * library's thread ends as soon as the callback returns.
 *
 * @param subscription The subscription; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: may be called from any thread (see above for the callback's own); blocks
 * until a running callback returns. Since 0.1.
 */
ONSHI_API void onshi_subscription_stop(onshi_subscription* subscription) ONSHI_NOEXCEPT;

/** @} */
/* --- Card-reader check-ins: end ------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------ */
/* --- 一括照会 (batch pre-check) and 照会番号 registration: begin ---------------------------- */
/** @defgroup onshi_batch Batch pre-check (一括照会)
 *
 * Checks many patients at once through the terminal's bulk interface, e.g. tomorrow's
 * appointments: build an ::onshi_batch_request with one line per patient, then
 * onshi_batch_run() streams each patient's result to a callback as the terminal's answers are
 * recorded. The service uploads the patients in files, asks for the results with backoff while
 * the terminal is still processing, records every answer into its patient (a confirmation and,
 * when the coverage changed, a new coverage version), and keeps going when nobody listens or
 * onshid restarts. A batch is identified by its request_id: running the same request again
 * resumes it and delivers every recorded result again; the same request_id with other patients
 * is refused (ONSHI_ALREADY_EXISTS, ONSHI_REQUEST_ID_CONFLICT). See docs/batches.md.
 *  @{ */

/**
 * The patients of one batch and its request_id (an idempotency key, random, generated at
 * creation). Use by one thread at a time; onshi_batch_run() only reads it, so it may be sent
 * again (to resume) while nobody modifies it. Since 0.1.
 */
typedef struct onshi_batch_request onshi_batch_request;

/**
 * One patient's result, lent to the onshi_batch_run() callback for the duration of the call:
 * its place in the request, the patient id, and either an error (the patient's line was invalid
 * and never sent, or the terminal failed its file) or the terminal's answer as an
 * ::onshi_qualification (onshi_batch_result_qualification()). Getters never fail (NULL gives ""
 * or 0). Since 0.1.
 */
typedef struct onshi_batch_result onshi_batch_result;

/**
 * The callback of onshi_batch_run(), called on the thread that called onshi_batch_run(), once
 * per patient, in the order the results are recorded (file by file, not the request's order).
 *
 * @param user_data As given to onshi_batch_run().
 * @param result    The result, borrowed for the duration of the call only (copy what you keep;
 *                  do not free it). Never NULL.
 * @return 0 to go on; any other value stops onshi_batch_run(), which then returns
 *         ONSHI_CANCELLED (the batch itself goes on in the service).
 * Since 0.1.
 */
typedef int32_t (*onshi_batch_callback)(void* user_data, const onshi_batch_result* result);

/**
 * Creates an empty batch with a fresh random request_id, confirmation date "" (today in Japan)
 * and the client's default timeout.
 *
 * @return A new request owned by the caller (release with onshi_batch_request_free()), or NULL
 *         when memory is exhausted.
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API onshi_batch_request* onshi_batch_request_new(void) ONSHI_NOEXCEPT;

/**
 * Releases a batch request.
 *
 * @param request The request; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same request. Since 0.1.
 */
ONSHI_API void onshi_batch_request_free(onshi_batch_request* request) ONSHI_NOEXCEPT;

/**
 * Replaces the generated request_id, e.g. with the one the host stored before a crash to resume
 * that batch. Random, never derived from insurance numbers, 8–64 characters of [A-Za-z0-9._-]
 * (the service checks: ONSHI_INVALID_REQUEST_ID).
 *
 * @param request    The request; must not be NULL.
 * @param request_id UTF-8, copied; must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_batch_request_set_request_id(onshi_batch_request* request,
                                                          const char* request_id,
                                                          onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The batch's idempotency key. Store it with the batch to resume it after a crash.
 *
 * @param request The request; may be NULL.
 * @return Borrowed, valid until the request is freed or its request_id set again; never NULL
 *         ("" for NULL).
 * Thread-safety: may be called concurrently with other reads of the request. Since 0.1.
 */
ONSHI_API const char* onshi_batch_request_request_id(const onshi_batch_request* request)
    ONSHI_NOEXCEPT;

/**
 * The date to confirm every patient for, YYYYMMDD; "" (the default) means today in Japan; at
 * most one day ahead (tomorrow's appointments).
 *
 * @param request The request; must not be NULL.
 * @param date    UTF-8, copied; must not be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_batch_request_set_confirmation_date(onshi_batch_request* request,
                                                                 const char* date,
                                                                 onshi_error** err) ONSHI_NOEXCEPT;

/**
 * How long onshi_batch_run() may take, in milliseconds. When not set: the client's timeout if
 * set (onshi_client_options_set_timeout_ms()), else 3900000 (65 minutes: the service gives a
 * batch up to terminal.bulk_timeout_ms, 1 hour by default). When it passes,
 * onshi_batch_run() returns ONSHI_DEADLINE_EXCEEDED and the batch goes on.
 *
 * @param request    The request; must not be NULL.
 * @param timeout_ms 1 … 86400000, or 0 for the default.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, value out of range).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_batch_request_set_timeout_ms(onshi_batch_request* request,
                                                          int64_t timeout_ms,
                                                          onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Appends one patient. The values are what onshi_check_request_set_*() take for a 個別照会;
 * the service checks each line on its own: an invalid line gets its error as its result (e.g.
 * ONSHI_INVALID_INSURER_NUMBER) and is never sent, the others go on.
 *
 * @param request        The request; must not be NULL.
 * @param patient_id     The host's patient id to record the answer into: required, 1–64
 *                       characters of [A-Za-z0-9._-], never an insurance number.
 * @param insurer_number 保険者番号, 8 (or 6) digits.
 * @param card_symbol    記号 ("" when none, e.g. 後期高齢者).
 * @param card_number    番号.
 * @param branch_number  枝番 ("" when none).
 * @param birth_date     生年月日, YYYYMMDD.
 * @param limit_consent  1 when the patient consented to the disclosure of 限度額 data, else 0.
 * @param[out] err       Optional error out-parameter.
 * All strings are UTF-8, copied, and must not be NULL.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8, @p limit_consent
 *         not 0 or 1).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_batch_request_add_patient(
    onshi_batch_request* request, const char* patient_id, const char* insurer_number,
    const char* card_symbol, const char* card_number, const char* branch_number,
    const char* birth_date, int32_t limit_consent, onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The number of patients added so far.
 *
 * @param request The request; may be NULL.
 * @return The count (0 for NULL).
 * Thread-safety: may be called concurrently with other reads of the request. Since 0.1.
 */
ONSHI_API int32_t onshi_batch_request_patient_count(const onshi_batch_request* request)
    ONSHI_NOEXCEPT;

/**
 * Runs (or resumes) the batch and calls @p callback with each patient's result as it is
 * recorded, on this thread; blocks until every patient has its result (ONSHI_OK), the
 * callback asks to stop (ONSHI_CANCELLED), the deadline passes (ONSHI_DEADLINE_EXCEEDED, see
 * onshi_batch_request_set_timeout_ms()) or another error ends it. Each patient's result is
 * passed to the callback exactly once per call, even when onshid restarts during the call (the
 * stream is reopened within the connect timeout and the results already passed are skipped).
 *
 * After an error, the batch goes on in the service (it was recorded before anything was
 * sent). To resume, call onshi_batch_run() again with the same request (or one with the same
 * request_id and the same patients): every result recorded so far is passed to the callback
 * again, from the first, then the new ones as they come. Handle results idempotently, e.g. by
 * onshi_batch_result_index() or patient id.
 *
 * @param client    The client; must not be NULL.
 * @param request   The batch; must not be NULL. Borrowed for this call only.
 * @param callback  Called for each result; must not be NULL.
 * @param user_data Passed to @p callback as is; may be NULL.
 * @param[out] err  Optional error out-parameter.
 * @return ONSHI_OK when every patient's result was passed to @p callback;
 *         ONSHI_INVALID_ARGUMENT (NULL argument; the batch's request_id, confirmation date or
 *         no patients: ONSHI_INVALID_REQUEST_ID, ONSHI_INVALID_CONFIRMATION_DATE,
 *         ONSHI_INVALID_ARGUMENT; more patients than terminal.batch_max_patients:
 *         ONSHI_BATCH_TOO_LARGE); ONSHI_ALREADY_EXISTS (ONSHI_REQUEST_ID_CONFLICT);
 *         ONSHI_CANCELLED; ONSHI_DEADLINE_EXCEEDED; ONSHI_UNAVAILABLE
 *         (ONSHI_SIDECAR_UNAVAILABLE, ONSHI_STORE_UNAVAILABLE); or another ::onshi_status.
 *         Per-patient problems are not errors of the call: they are results.
 * Thread-safety: may be called concurrently on the same client (also for the same request
 * from several threads; each call gets every result). Since 0.1.
 */
ONSHI_API onshi_status onshi_batch_run(onshi_client* client, const onshi_batch_request* request,
                                       onshi_batch_callback callback, void* user_data,
                                       onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The patient's position in the request (0 for the first onshi_batch_request_add_patient()).
 *
 * @param result The result; may be NULL.
 * @return The index (-1 for NULL).
 * Thread-safety: during the callback. Since 0.1.
 */
ONSHI_API int32_t onshi_batch_result_index(const onshi_batch_result* result) ONSHI_NOEXCEPT;

/**
 * The patient id of the line, as given.
 *
 * @param result The result; may be NULL.
 * @return Borrowed for the duration of the callback; never NULL.
 * Thread-safety: during the callback. Since 0.1.
 */
ONSHI_API const char* onshi_batch_result_patient_id(const onshi_batch_result* result)
    ONSHI_NOEXCEPT;

/**
 * The number of patients in the batch (for a progress display).
 *
 * @param result The result; may be NULL.
 * @return The count (0 for NULL).
 * Thread-safety: during the callback. Since 0.1.
 */
ONSHI_API int32_t onshi_batch_result_total(const onshi_batch_result* result) ONSHI_NOEXCEPT;

/**
 * ONSHI_OK when the terminal answered for this patient (see onshi_batch_result_qualification(),
 * which may still say 無効 or 該当資格なし: that is the answer); otherwise why there is no answer:
 * the line was invalid and never sent (ONSHI_INVALID_ARGUMENT with e.g.
 * ONSHI_INVALID_BIRTH_DATE), or the terminal failed, refused or never finished the patient's
 * file (ONSHI_UNAVAILABLE ONSHI_TERMINAL_FAILED, ONSHI_FAILED_PRECONDITION
 * ONSHI_TERMINAL_REJECTED_REQUEST, ONSHI_DEADLINE_EXCEEDED ONSHI_TERMINAL_TIMEOUT, ...). A
 * patient with an error was not confirmed: check it individually (onshi_check_qualification()).
 *
 * @param result The result; may be NULL.
 * @return The status (ONSHI_OK for NULL).
 * Thread-safety: during the callback. Since 0.1.
 */
ONSHI_API onshi_status onshi_batch_result_error_code(const onshi_batch_result* result)
    ONSHI_NOEXCEPT;

/**
 * The stable reason of the patient's error (docs/errors.md), "" when answered.
 *
 * @param result The result; may be NULL.
 * @return Borrowed for the duration of the callback; never NULL.
 * Thread-safety: during the callback. Since 0.1.
 */
ONSHI_API const char* onshi_batch_result_error_reason(const onshi_batch_result* result)
    ONSHI_NOEXCEPT;

/**
 * The text of the patient's error for reception staff (Japanese), "" when answered.
 *
 * @param result The result; may be NULL.
 * @return Borrowed for the duration of the callback; never NULL.
 * Thread-safety: during the callback. Since 0.1.
 */
ONSHI_API const char* onshi_batch_result_error_staff_message(const onshi_batch_result* result)
    ONSHI_NOEXCEPT;

/**
 * The text of the patient's error for IT (English, no patient data), "" when answered.
 *
 * @param result The result; may be NULL.
 * @return Borrowed for the duration of the callback; never NULL.
 * Thread-safety: during the callback. Since 0.1.
 */
ONSHI_API const char* onshi_batch_result_error_it_message(const onshi_batch_result* result)
    ONSHI_NOEXCEPT;

/**
 * The terminal's answer for the patient as a qualification result, so that every
 * onshi_qualification_*() getter works on it: validity, 資格 label, records, 負担割合,
 * 限度額区分, notices, what was recorded (patient id, coverage version, changes) and its JSON.
 * Its outcome is ONSHI_OUTCOME_ANSWERED.
 *
 * @param result The result; may be NULL.
 * @return Borrowed for the duration of the callback (do not free it; copy what you keep, e.g.
 *         with onshi_qualification_to_json()); NULL when the patient has an error, and for
 *         NULL.
 * Thread-safety: during the callback. Since 0.1.
 */
ONSHI_API const onshi_qualification* onshi_batch_result_qualification(
    const onshi_batch_result* result) ONSHI_NOEXCEPT;

/**
 * LimitApplicationCertificateChanged (OQSCD014) of the answer: the patient's 限度額 data
 * changed since the last check, or the terminal could not tell. Check the 限度額区分 at the desk.
 *
 * @param result The result; may be NULL.
 * @return 1 when any record says so, else 0 (and for errors and NULL).
 * Thread-safety: during the callback. Since 0.1.
 */
ONSHI_API int32_t onshi_batch_result_limit_certificate_changed(const onshi_batch_result* result)
    ONSHI_NOEXCEPT;

/** @} */

/** @defgroup onshi_reference_numbers 照会番号 registration
 *
 * Registers the host's patient id as each patient's 照会番号 at the terminal, with the insurance
 * numbers of the patient's current coverage in the record (so the patient must have been
 * checked once). Card-reader check-ins then carry the number, and onshi identifies the patient
 * by it (::onshi_checkin). One patient goes as a single registration, several as a bulk one.
 *  @{ */

/**
 * The outcomes of onshi_register_reference_numbers(), one per patient id in the order given.
 * Owned by the caller, released with onshi_reference_numbers_free(). Immutable: getters may be
 * called from any thread and never fail (out of range or NULL gives "" or 0). Since 0.1.
 */
typedef struct onshi_reference_numbers onshi_reference_numbers;

/**
 * Registers each patient's patient id as its 照会番号 and waits for every outcome. Idempotent
 * by @p request_id: after an error (e.g. ONSHI_DEADLINE_EXCEEDED: the registration goes on),
 * call again with the same request_id and patient ids to get the outcomes.
 *
 * Per-patient problems are outcomes, not errors of the call: an invalid or too long patient id
 * (a 照会番号 has at most 50 characters: ONSHI_INVALID_PATIENT_ID), one listed twice
 * (ONSHI_INVALID_ARGUMENT), a patient without recorded coverage (ONSHI_NO_COVERAGE), the
 * terminal refusing one registration (ONSHI_REFERENCE_NUMBER_REFUSED, with its code and
 * message) or failing the whole exchange (ONSHI_TERMINAL_FAILED, ONSHI_TERMINAL_TIMEOUT, ...).
 *
 * @param client      The client; must not be NULL.
 * @param request_id  The idempotency key: random, 8–64 characters of [A-Za-z0-9._-]; UTF-8;
 *                    must not be NULL.
 * @param patient_ids @p count patient ids (UTF-8, none NULL); borrowed for this call only.
 * @param count       1 … terminal.batch_max_patients.
 * @param timeout_ms  Deadline in milliseconds, 1 … 86400000, or 0 for the default (as for
 *                    onshi_batch_request_set_timeout_ms()).
 * @param[out] out    Receives the outcomes, owned by the caller; set to NULL on failure. Must
 *                    not be NULL.
 * @param[out] err    Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8, @p count 0, timeout
 *         out of range, ONSHI_INVALID_REQUEST_ID, ONSHI_BATCH_TOO_LARGE); ONSHI_ALREADY_EXISTS
 *         (ONSHI_REQUEST_ID_CONFLICT: the request_id was used for other patient ids);
 *         ONSHI_DEADLINE_EXCEEDED; ONSHI_UNAVAILABLE; or another ::onshi_status.
 * Thread-safety: may be called concurrently on the same client. Since 0.1.
 */
ONSHI_API onshi_status onshi_register_reference_numbers(
    onshi_client* client, const char* request_id, const char* const* patient_ids, size_t count,
    int64_t timeout_ms, onshi_reference_numbers** out, onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Releases outcomes. Strings obtained from them become invalid.
 *
 * @param outcomes The outcomes; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same object. Since 0.1.
 */
ONSHI_API void onshi_reference_numbers_free(onshi_reference_numbers* outcomes) ONSHI_NOEXCEPT;

/**
 * The number of outcomes (= the patient ids given). Index the getters with 0 … count-1.
 *
 * @param outcomes The outcomes; may be NULL.
 * @return The count (0 for NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_reference_numbers_count(const onshi_reference_numbers* outcomes)
    ONSHI_NOEXCEPT;

/**
 * The patient id of outcome @p i.
 *
 * @param outcomes The outcomes; may be NULL.
 * @param i        Outcome index.
 * @return Borrowed, valid until onshi_reference_numbers_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_reference_numbers_patient_id(const onshi_reference_numbers* outcomes,
                                                         int32_t i) ONSHI_NOEXCEPT;

/**
 * Whether the terminal registered the patient's 照会番号.
 *
 * @param outcomes The outcomes; may be NULL.
 * @param i        Outcome index.
 * @return 1 when registered, else 0.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_reference_numbers_registered(const onshi_reference_numbers* outcomes,
                                                     int32_t i) ONSHI_NOEXCEPT;

/**
 * Why outcome @p i was not registered, as a status code; ONSHI_OK when registered.
 *
 * @param outcomes The outcomes; may be NULL.
 * @param i        Outcome index.
 * @return The status (ONSHI_OK when registered, out of range or NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API onshi_status onshi_reference_numbers_error_code(const onshi_reference_numbers* outcomes,
                                                          int32_t i) ONSHI_NOEXCEPT;

/**
 * The stable reason why outcome @p i was not registered (e.g. "ONSHI_NO_COVERAGE"); "" when
 * registered.
 *
 * @param outcomes The outcomes; may be NULL.
 * @param i        Outcome index.
 * @return Borrowed, valid until onshi_reference_numbers_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_reference_numbers_error_reason(const onshi_reference_numbers* outcomes,
                                                           int32_t i) ONSHI_NOEXCEPT;

/**
 * Why outcome @p i was not registered, for reception staff (Japanese); "" when registered.
 *
 * @param outcomes The outcomes; may be NULL.
 * @param i        Outcome index.
 * @return Borrowed, valid until onshi_reference_numbers_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_reference_numbers_error_staff_message(
    const onshi_reference_numbers* outcomes, int32_t i) ONSHI_NOEXCEPT;

/**
 * Why outcome @p i was not registered, for IT (English, no patient data); "" when registered.
 *
 * @param outcomes The outcomes; may be NULL.
 * @param i        Outcome index.
 * @return Borrowed, valid until onshi_reference_numbers_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_reference_numbers_error_it_message(
    const onshi_reference_numbers* outcomes, int32_t i) ONSHI_NOEXCEPT;

/**
 * The terminal's ProcessingResultCode for the registration, as written; "" when the terminal
 * did not answer for it.
 *
 * @param outcomes The outcomes; may be NULL.
 * @param i        Outcome index.
 * @return Borrowed, valid until onshi_reference_numbers_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_reference_numbers_result_code(const onshi_reference_numbers* outcomes,
                                                          int32_t i) ONSHI_NOEXCEPT;

/**
 * The terminal's ProcessingResultMessage for the registration (Japanese, for staff), as
 * written; "" when none.
 *
 * @param outcomes The outcomes; may be NULL.
 * @param i        Outcome index.
 * @return Borrowed, valid until onshi_reference_numbers_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_reference_numbers_result_message(
    const onshi_reference_numbers* outcomes, int32_t i) ONSHI_NOEXCEPT;

/** @} */
/* --- 一括照会 (batch pre-check) and 照会番号 registration: end ------------------------------ */

/* ------------------------------------------------------------------------------------------ */
/* --- 薬剤情報 (medication history) and 特定健診 (health checkups): begin -------------------- */
/** @defgroup onshi_medical_request Medication history and checkup requests
 *
 * Asking the terminal for a patient's 薬剤情報 (YZK: medication dispensed and prescribed, by
 * month, with 診療・手術 information on request) or 特定健診情報 (TKK: health checkup results),
 * as structured data or as the terminal's PDF. The patient is one of the record (named by the
 * host's patient id, as in onshi_check_request_set_patient_id()): onshi sends the identifiers
 * of the patient's current coverage, so a qualification check or a card-reader check-in must
 * have recorded one first (else ONSHI_NO_COVERAGE).
 *
 * The terminal releases this information only under the patient's consent, given on the card
 * reader (外来: for 24 hours). When it refuses, the call fails with ONSHI_FAILED_PRECONDITION,
 * reason ONSHI_NO_CONSENT; show the error's staff text. See docs/medical-info.md.
 *
 * Like ::onshi_check_request, a request object is one logical request with a random request_id
 * from its creation: sending it again after a failure (e.g. ONSHI_MEDICAL_INFO_TIMEOUT) asks
 * for the outcome of the first attempt, and returns an answer that arrived since. Use by one
 * thread at a time; the get functions only read it.
 *  @{ */

/** Result format: structured, read with the typed getters (the default). Since 0.1. */
#define ONSHI_MEDICAL_FORMAT_XML 1
/** Result format: the terminal's PDF, passed through byte for byte. Since 0.1. */
#define ONSHI_MEDICAL_FORMAT_PDF 2

/** Care setting (診療区分 OQSCD028): 外来, the default. Since 0.1. */
#define ONSHI_CARE_SETTING_OUTPATIENT 1
/** Care setting: 訪問診療等. Since 0.1. */
#define ONSHI_CARE_SETTING_HOME_VISIT 2
/** Care setting: オンライン診療等. Since 0.1. */
#define ONSHI_CARE_SETTING_ONLINE 3
/** Care setting: 救急時. Since 0.1. */
#define ONSHI_CARE_SETTING_EMERGENCY 4
/** Care setting: 入院 (bedside). OQSCD028 has no 入院: the terminal is asked as 訪問診療等, and
 * onshi's consent ledger judges the request as 入院: a card-reader consent captured since the
 * admission recorded with onshi_record_admission() lasts until onshi_record_discharge() or a
 * revocation (docs/consent.md). Since 0.2. */
#define ONSHI_CARE_SETTING_INPATIENT 5

/**
 * A request for a patient's medication history. Since 0.1.
 */
typedef struct onshi_medication_request onshi_medication_request;

/**
 * Creates a request with a fresh random request_id, no patient, the whole available period
 * (the 36 months up to the current month), XML, without 診療・手術 information, 外来, and the
 * client's default timeout.
 *
 * @return A new request owned by the caller (release with onshi_medication_request_free()), or
 *         NULL when memory is exhausted.
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API onshi_medication_request* onshi_medication_request_new(void) ONSHI_NOEXCEPT;

/**
 * Releases a request.
 *
 * @param request The request; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same request. Since 0.1.
 */
ONSHI_API void onshi_medication_request_free(onshi_medication_request* request) ONSHI_NOEXCEPT;

/**
 * Replaces the generated request_id with the host's own idempotency key (random, 8–64
 * characters of [A-Za-z0-9._-]; checked by the service: ONSHI_INVALID_REQUEST_ID).
 *
 * @param request    The request; must not be NULL.
 * @param request_id The key, UTF-8, copied; must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_medication_request_set_request_id(onshi_medication_request* request,
                                                               const char* request_id,
                                                               onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The request's idempotency key.
 *
 * @param request The request; may be NULL.
 * @return Borrowed, valid until the request is freed or its request_id set again; never NULL
 *         ("" for NULL @p request).
 * Thread-safety: may be called concurrently with other reads of the request. Since 0.1.
 */
ONSHI_API const char* onshi_medication_request_request_id(const onshi_medication_request* request)
    ONSHI_NOEXCEPT;

/**
 * The patient: the host's patient id of a patient of the record. Required (the service refuses
 * an empty one with ONSHI_INVALID_PATIENT_ID).
 *
 * @param request    The request; must not be NULL.
 * @param patient_id UTF-8, copied; must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_medication_request_set_patient_id(onshi_medication_request* request,
                                                               const char* patient_id,
                                                               onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The months to ask for, inclusive, each YYYYMM (e.g. "202501"). "" for @p end_month means the
 * current month (Japan time), "" for @p start_month 35 months before the end. The service
 * checks that start <= end and both lie within the 36 months ending with the current month
 * (the terminal keeps 3 years): ONSHI_INVALID_MONTH_RANGE otherwise.
 *
 * @param request     The request; must not be NULL.
 * @param start_month YYYYMM or "", copied; must not be NULL.
 * @param end_month   YYYYMM or "", copied; must not be NULL.
 * @param[out] err    Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_medication_request_set_months(onshi_medication_request* request,
                                                           const char* start_month,
                                                           const char* end_month,
                                                           onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The result format.
 *
 * @param request The request; must not be NULL.
 * @param format  ONSHI_MEDICAL_FORMAT_XML or ONSHI_MEDICAL_FORMAT_PDF.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, another value).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_medication_request_set_format(onshi_medication_request* request,
                                                           int32_t format,
                                                           onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Whether to ask for 診療・手術 information too (read with onshi_medication_treatment_count()
 * and its getters).
 *
 * @param request The request; must not be NULL.
 * @param include 1 or 0.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, another value).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_medication_request_set_include_treatments(
    onshi_medication_request* request, int32_t include, onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The care setting the information is asked for.
 *
 * @param request      The request; must not be NULL.
 * @param care_setting One of ONSHI_CARE_SETTING_* (ONSHI_CARE_SETTING_INPATIENT since 0.2).
 * @param[out] err     Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, another value).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_medication_request_set_care_setting(onshi_medication_request* request,
                                                                 int32_t care_setting,
                                                                 onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The deadline of onshi_get_medication_history() for this request.
 *
 * @param request    The request; must not be NULL.
 * @param timeout_ms 1 … 86400000, or 0 for the client's default (which in embedded mode is at
 *                   least the terminal's answer timeout plus 5 s).
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, out of range).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_medication_request_set_timeout_ms(onshi_medication_request* request,
                                                               int64_t timeout_ms,
                                                               onshi_error** err) ONSHI_NOEXCEPT;

/**
 * A request for a patient's 特定健診 results. Same rules as ::onshi_medication_request.
 * Since 0.1.
 */
typedef struct onshi_checkup_request onshi_checkup_request;

/**
 * Creates a request with a fresh random request_id, no patient, XML, 外来, and the client's
 * default timeout.
 *
 * @return A new request owned by the caller (release with onshi_checkup_request_free()), or
 *         NULL when memory is exhausted.
 * Thread-safety: may be called from any thread. Since 0.1.
 */
ONSHI_API onshi_checkup_request* onshi_checkup_request_new(void) ONSHI_NOEXCEPT;

/**
 * Releases a request.
 *
 * @param request The request; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same request. Since 0.1.
 */
ONSHI_API void onshi_checkup_request_free(onshi_checkup_request* request) ONSHI_NOEXCEPT;

/**
 * As onshi_medication_request_set_request_id().
 *
 * @param request    The request; must not be NULL.
 * @param request_id UTF-8, copied; must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_checkup_request_set_request_id(onshi_checkup_request* request,
                                                            const char* request_id,
                                                            onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The request's idempotency key.
 *
 * @param request The request; may be NULL.
 * @return Borrowed, valid until the request is freed or its request_id set again; never NULL.
 * Thread-safety: may be called concurrently with other reads of the request. Since 0.1.
 */
ONSHI_API const char* onshi_checkup_request_request_id(const onshi_checkup_request* request)
    ONSHI_NOEXCEPT;

/**
 * As onshi_medication_request_set_patient_id().
 *
 * @param request    The request; must not be NULL.
 * @param patient_id UTF-8, copied; must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_checkup_request_set_patient_id(onshi_checkup_request* request,
                                                            const char* patient_id,
                                                            onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The result format: ONSHI_MEDICAL_FORMAT_XML or ONSHI_MEDICAL_FORMAT_PDF.
 *
 * @param request The request; must not be NULL.
 * @param format  One of ONSHI_MEDICAL_FORMAT_*.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, another value).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_checkup_request_set_format(onshi_checkup_request* request,
                                                        int32_t format,
                                                        onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The care setting: one of ONSHI_CARE_SETTING_*.
 *
 * @param request      The request; must not be NULL.
 * @param care_setting One of ONSHI_CARE_SETTING_* (ONSHI_CARE_SETTING_INPATIENT since 0.2).
 * @param[out] err     Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, another value).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_checkup_request_set_care_setting(onshi_checkup_request* request,
                                                              int32_t care_setting,
                                                              onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The deadline of onshi_get_checkups() for this request, as
 * onshi_medication_request_set_timeout_ms().
 *
 * @param request    The request; must not be NULL.
 * @param timeout_ms 1 … 86400000, or 0 for the client's default.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, out of range).
 * Thread-safety: one thread at a time per request. Since 0.1.
 */
ONSHI_API onshi_status onshi_checkup_request_set_timeout_ms(onshi_checkup_request* request,
                                                            int64_t timeout_ms,
                                                            onshi_error** err) ONSHI_NOEXCEPT;

/** @} */

/** @defgroup onshi_medication Medication history (薬剤情報)
 *
 * The result: months (MeTrMonthInf, one per month and institution) → dispensing dates →
 * drugs, plus 診療・手術 entries per month when they were asked for; or the PDF. Strings are
 * as the terminal wrote them (full-width text included). Immutable: read from any thread.
 *  @{ */

/** The result of onshi_get_medication_history(). Since 0.1. */
typedef struct onshi_medication onshi_medication;

/**
 * Asks the terminal for a patient's medication history and waits for its answer (at most the
 * request's timeout).
 *
 * @param client  The client; must not be NULL.
 * @param request The request; must not be NULL. Only read.
 * @param[out] out Receives the result, owned by the caller (release with
 *                 onshi_medication_free()); set to NULL on failure. Must not be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_FAILED_PRECONDITION with reason ONSHI_NO_CONSENT (the terminal refused:
 *         no valid consent; show the staff text), ONSHI_NO_COVERAGE (no qualification recorded
 *         for the patient yet) or ONSHI_TERMINAL_REJECTED_REQUEST; ONSHI_NOT_FOUND
 *         (ONSHI_PATIENT_NOT_FOUND); ONSHI_INVALID_ARGUMENT (NULL argument,
 *         ONSHI_INVALID_REQUEST_ID, ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_MONTH_RANGE);
 *         ONSHI_DEADLINE_EXCEEDED (ONSHI_MEDICAL_INFO_TIMEOUT: no answer in time, retryable
 *         with the same request; or the call's own deadline); ONSHI_ALREADY_EXISTS
 *         (ONSHI_REQUEST_ID_CONFLICT); ONSHI_UNAVAILABLE (ONSHI_TERMINAL_FAILED: the terminal
 *         answered 異常終了, ResultCode 9 — ask again later with a new request; or the
 *         terminal's folder or the store cannot be reached); ONSHI_INTERNAL
 *         (ONSHI_TERMINAL_MALFORMED_ANSWER); or another ::onshi_status.
 * Thread-safety: may be called concurrently on the same client. Since 0.1.
 */
ONSHI_API onshi_status onshi_get_medication_history(onshi_client* client,
                                                    const onshi_medication_request* request,
                                                    onshi_medication** out,
                                                    onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Releases a result. Strings and bytes obtained from it become invalid.
 *
 * @param m The result; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same result. Since 0.1.
 */
ONSHI_API void onshi_medication_free(onshi_medication* m) ONSHI_NOEXCEPT;

/**
 * The request_id this result answers.
 *
 * @param m The result; may be NULL.
 * @return Borrowed, valid until onshi_medication_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_request_id(const onshi_medication* m) ONSHI_NOEXCEPT;

/**
 * Until when the patient's 薬剤 consent allows viewing, as last reported by a check-in or a
 * qualification check recorded for the patient: Japan time YYYYMMDDhhmmss, or "" when none is
 * known.
 *
 * @param m The result; may be NULL.
 * @return Borrowed, valid until onshi_medication_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_consent_available_time(const onshi_medication* m)
    ONSHI_NOEXCEPT;

/**
 * The terminal's PDF, when the answer is one (ONSHI_MEDICAL_FORMAT_PDF): its bytes exactly,
 * starting with "%PDF-". Write them to a file to show or print them.
 *
 * @param m The result; may be NULL.
 * @param[out] out_len Receives the length in bytes (0 when there is no PDF); may be NULL.
 * @return Borrowed bytes, valid until onshi_medication_free(); NULL when there is no PDF.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const uint8_t* onshi_medication_pdf(const onshi_medication* m,
                                              size_t* out_len) ONSHI_NOEXCEPT;

/**
 * The number of months in the answer (one per month and institution). Index the month getters
 * with 0 … count-1.
 *
 * @param m The result; may be NULL.
 * @return The count (0 for a PDF answer or NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_medication_month_count(const onshi_medication* m) ONSHI_NOEXCEPT;

/**
 * The month of entry @p month, YYYYMM (診療年月).
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @return Borrowed, valid until onshi_medication_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_month(const onshi_medication* m,
                                             int32_t month) ONSHI_NOEXCEPT;

/**
 * The name of the institution that treated or prescribed in month @p month (MeTrDiHNm).
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @return Borrowed, valid until onshi_medication_free(); never NULL ("" when absent or out of
 *         range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_institution_name(const onshi_medication* m,
                                                        int32_t month) ONSHI_NOEXCEPT;

/**
 * The name of the pharmacy that dispensed in month @p month (PrlsHNm).
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @return Borrowed, valid until onshi_medication_free(); never NULL ("" when absent or out of
 *         range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_pharmacy_name(const onshi_medication* m,
                                                     int32_t month) ONSHI_NOEXCEPT;

/**
 * The number of dispensing dates in month @p month.
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @return The count (0 out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_medication_date_count(const onshi_medication* m,
                                              int32_t month) ONSHI_NOEXCEPT;

/**
 * 調剤年月日 of date @p date in month @p month, YYYYMMDD.
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @param date  Date index, 0 … onshi_medication_date_count() - 1.
 * @return Borrowed, valid until onshi_medication_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_dispensing_date(const onshi_medication* m, int32_t month,
                                                       int32_t date) ONSHI_NOEXCEPT;

/**
 * The number of drugs dispensed on date @p date of month @p month.
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @param date  Date index.
 * @return The count (0 out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_medication_drug_count(const onshi_medication* m, int32_t month,
                                              int32_t date) ONSHI_NOEXCEPT;

/**
 * 医薬品コード of drug @p drug (DrugC).
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @param date  Date index.
 * @param drug  Drug index, 0 … onshi_medication_drug_count() - 1.
 * @return Borrowed, valid until onshi_medication_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_drug_code(const onshi_medication* m, int32_t month,
                                                 int32_t date, int32_t drug) ONSHI_NOEXCEPT;

/**
 * 医薬品名 of drug @p drug (DrugN).
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @param date  Date index.
 * @param drug  Drug index.
 * @return Borrowed, valid until onshi_medication_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_drug_name(const onshi_medication* m, int32_t month,
                                                 int32_t date, int32_t drug) ONSHI_NOEXCEPT;

/**
 * 数量 of drug @p drug (Qua1), as written (a decimal number).
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @param date  Date index.
 * @param drug  Drug index.
 * @return Borrowed, valid until onshi_medication_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_drug_quantity(const onshi_medication* m, int32_t month,
                                                     int32_t date, int32_t drug) ONSHI_NOEXCEPT;

/**
 * 単位 of drug @p drug (Unit), e.g. "錠".
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @param date  Date index.
 * @param drug  Drug index.
 * @return Borrowed, valid until onshi_medication_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_drug_unit(const onshi_medication* m, int32_t month,
                                                 int32_t date, int32_t drug) ONSHI_NOEXCEPT;

/**
 * 用法 of drug @p drug (UsageN), e.g. "1日1回朝食後".
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @param date  Date index.
 * @param drug  Drug index.
 * @return Borrowed, valid until onshi_medication_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_drug_usage(const onshi_medication* m, int32_t month,
                                                  int32_t date, int32_t drug) ONSHI_NOEXCEPT;

/**
 * The number of 診療・手術 entries in month @p month (only when they were asked for).
 *
 * @param m     The result; may be NULL.
 * @param month Month index.
 * @return The count (0 out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_medication_treatment_count(const onshi_medication* m,
                                                   int32_t month) ONSHI_NOEXCEPT;

/**
 * 診療行為コード of treatment @p treatment of month @p month (SinInfCd).
 *
 * @param m         The result; may be NULL.
 * @param month     Month index.
 * @param treatment Treatment index, 0 … onshi_medication_treatment_count() - 1.
 * @return Borrowed, valid until onshi_medication_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_treatment_code(const onshi_medication* m, int32_t month,
                                                      int32_t treatment) ONSHI_NOEXCEPT;

/**
 * 診療行為名 of treatment @p treatment of month @p month (SinInfN).
 *
 * @param m         The result; may be NULL.
 * @param month     Month index.
 * @param treatment Treatment index.
 * @return Borrowed, valid until onshi_medication_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_medication_treatment_name(const onshi_medication* m, int32_t month,
                                                      int32_t treatment) ONSHI_NOEXCEPT;

/**
 * The whole result as JSON: the onshi.v1.GetMedicationHistoryResponse message in the protobuf
 * JSON mapping with proto field names (as onshi_qualification_to_json(); a PDF appears base64
 * encoded in "pdf"). For every field the typed getters do not cover (ingredient names, special
 * instructions, prescribing institutions, the subject …).
 *
 * @param m The result; must not be NULL.
 * @param[out] out Receives a NUL-terminated UTF-8 string owned by the caller (release with
 *                 onshi_string_free()); set to NULL on failure. Must not be NULL.
 * @param[out] out_len Receives the length in bytes without the NUL; may be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, ONSHI_INVALID_ARGUMENT (NULL @p m or @p out), or ONSHI_INTERNAL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API onshi_status onshi_medication_to_json(const onshi_medication* m, char** out,
                                                size_t* out_len, onshi_error** err) ONSHI_NOEXCEPT;

/** @} */

/** @defgroup onshi_checkups Health checkups (特定健診)
 *
 * The result: checkups (one per date) → items (one per measured value or question); or the
 * PDF. Immutable: read from any thread.
 *  @{ */

/** The result of onshi_get_checkups(). Since 0.1. */
typedef struct onshi_checkups onshi_checkups;

/**
 * Asks the terminal for a patient's 特定健診 results and waits for its answer.
 *
 * @param client  The client; must not be NULL.
 * @param request The request; must not be NULL. Only read.
 * @param[out] out Receives the result, owned by the caller (release with
 *                 onshi_checkups_free()); set to NULL on failure. Must not be NULL.
 * @param[out] err Optional error out-parameter.
 * @return As onshi_get_medication_history() (without ONSHI_INVALID_MONTH_RANGE).
 * Thread-safety: may be called concurrently on the same client. Since 0.1.
 */
ONSHI_API onshi_status onshi_get_checkups(onshi_client* client,
                                          const onshi_checkup_request* request,
                                          onshi_checkups** out, onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Releases a result. Strings and bytes obtained from it become invalid.
 *
 * @param c The result; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same result. Since 0.1.
 */
ONSHI_API void onshi_checkups_free(onshi_checkups* c) ONSHI_NOEXCEPT;

/**
 * The request_id this result answers.
 *
 * @param c The result; may be NULL.
 * @return Borrowed, valid until onshi_checkups_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_checkups_request_id(const onshi_checkups* c) ONSHI_NOEXCEPT;

/**
 * Until when the patient's 特定健診 consent allows viewing (as
 * onshi_medication_consent_available_time()), or "".
 *
 * @param c The result; may be NULL.
 * @return Borrowed, valid until onshi_checkups_free(); never NULL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_checkups_consent_available_time(const onshi_checkups* c) ONSHI_NOEXCEPT;

/**
 * The terminal's PDF, when the answer is one, as onshi_medication_pdf().
 *
 * @param c The result; may be NULL.
 * @param[out] out_len Receives the length in bytes (0 when there is no PDF); may be NULL.
 * @return Borrowed bytes, valid until onshi_checkups_free(); NULL when there is no PDF.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const uint8_t* onshi_checkups_pdf(const onshi_checkups* c,
                                            size_t* out_len) ONSHI_NOEXCEPT;

/**
 * The number of checkups in the answer.
 *
 * @param c The result; may be NULL.
 * @return The count (0 for a PDF answer or NULL).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_checkups_count(const onshi_checkups* c) ONSHI_NOEXCEPT;

/**
 * 実施日 of checkup @p checkup, YYYYMMDD (EffectiveTime).
 *
 * @param c       The result; may be NULL.
 * @param checkup Checkup index, 0 … onshi_checkups_count() - 1.
 * @return Borrowed, valid until onshi_checkups_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_checkups_date(const onshi_checkups* c, int32_t checkup) ONSHI_NOEXCEPT;

/**
 * The number of items of checkup @p checkup.
 *
 * @param c       The result; may be NULL.
 * @param checkup Checkup index.
 * @return The count (0 out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API int32_t onshi_checkups_item_count(const onshi_checkups* c,
                                            int32_t checkup) ONSHI_NOEXCEPT;

/**
 * 項目コード of item @p item (ItemCode, the JLAC10-style code of the 特定健診 standard).
 *
 * @param c       The result; may be NULL.
 * @param checkup Checkup index.
 * @param item    Item index, 0 … onshi_checkups_item_count() - 1.
 * @return Borrowed, valid until onshi_checkups_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_checkups_item_code(const onshi_checkups* c, int32_t checkup,
                                               int32_t item) ONSHI_NOEXCEPT;

/**
 * 項目名 of item @p item (ItemName), e.g. "身長".
 *
 * @param c       The result; may be NULL.
 * @param checkup Checkup index.
 * @param item    Item index.
 * @return Borrowed, valid until onshi_checkups_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_checkups_item_name(const onshi_checkups* c, int32_t checkup,
                                               int32_t item) ONSHI_NOEXCEPT;

/**
 * The value of item @p item as written (DataValue): a number for measurements, a code for
 * coded answers (their text is onshi_checkups_item_value_name()).
 *
 * @param c       The result; may be NULL.
 * @param checkup Checkup index.
 * @param item    Item index.
 * @return Borrowed, valid until onshi_checkups_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_checkups_item_value(const onshi_checkups* c, int32_t checkup,
                                                int32_t item) ONSHI_NOEXCEPT;

/**
 * The text of a coded value of item @p item (DataValueName), e.g. "はい"; "" for measurements.
 *
 * @param c       The result; may be NULL.
 * @param checkup Checkup index.
 * @param item    Item index.
 * @return Borrowed, valid until onshi_checkups_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_checkups_item_value_name(const onshi_checkups* c, int32_t checkup,
                                                     int32_t item) ONSHI_NOEXCEPT;

/**
 * 単位 of item @p item (Unit), e.g. "cm", "mg/dL"; "" when it has none.
 *
 * @param c       The result; may be NULL.
 * @param checkup Checkup index.
 * @param item    Item index.
 * @return Borrowed, valid until onshi_checkups_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API const char* onshi_checkups_item_unit(const onshi_checkups* c, int32_t checkup,
                                               int32_t item) ONSHI_NOEXCEPT;

/**
 * The whole result as JSON: the onshi.v1.GetCheckupsResponse message, as
 * onshi_medication_to_json().
 *
 * @param c The result; must not be NULL.
 * @param[out] out Receives a NUL-terminated UTF-8 string owned by the caller (release with
 *                 onshi_string_free()); set to NULL on failure. Must not be NULL.
 * @param[out] out_len Receives the length in bytes without the NUL; may be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, ONSHI_INVALID_ARGUMENT (NULL @p c or @p out), or ONSHI_INTERNAL.
 * Thread-safety: any thread. Since 0.1.
 */
ONSHI_API onshi_status onshi_checkups_to_json(const onshi_checkups* c, char** out, size_t* out_len,
                                              onshi_error** err) ONSHI_NOEXCEPT;

/** @} */
/* --- 薬剤情報 (medication history) and 特定健診 (health checkups): end ---------------------- */

/* ------------------------------------------------------------------------------------------ */
/* --- Write-back into the patient record: begin -------------------------------------------- */
/** @defgroup onshi_write_back Write-back into the patient record
 *
 * Recording a check's terminal answer into a patient by staff decision, after showing the
 * difference (docs/record.md). A check sent with onshi_check_request_set_preview_only() is not
 * recorded by itself; its result carries the diff (onshi_qualification_write_back_preview()),
 * or onshi_preview_write_back() computes it; onshi_write_back() then records it with the
 * version the diff was computed against. Each write is idempotent by its request_id; a write
 * based on a stale version is refused (ONSHI_ABORTED, reason ONSHI_VERSION_CONFLICT); only a
 * check with a terminal answer (answered or late answer) can be written (ONSHI_FAILED_PRECONDITION,
 * reason ONSHI_NOT_CONFIRMED). The host user id given to the client is recorded as who wrote the
 * version.
 *  @{ */

/**
 * Asks the service not to record this check's answer into the patient by itself (the
 * confirmation is still recorded): the result then carries the diff against the patient's
 * coverage (onshi_qualification_write_back_preview()), and the host records it with
 * onshi_write_back() after staff confirmed it. Only meaningful with a patient id. The flag is
 * part of the request: resending the same request with another value is
 * ONSHI_REQUEST_ID_CONFLICT.
 *
 * @param request      The request; must not be NULL.
 * @param preview_only 1 to preview only, 0 (the default) to record automatically.
 * @param[out] err     Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, value other than 0 or 1).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_check_request_set_preview_only(onshi_check_request* request,
                                                            int32_t preview_only,
                                                            onshi_error** err) ONSHI_NOEXCEPT;

/**
 * A write-back request: which check's answer to write into which patient, based on which
 * coverage version, and why. Carries a fresh random request_id (the idempotency key of the
 * write) from its creation: sending the same object again after a failure returns the outcome
 * of the first write. Use by one thread at a time; onshi_write_back() only reads it. Since 0.2.
 */
typedef struct onshi_write_back_request onshi_write_back_request;

/**
 * The outcome of a write-back or of its preview: the patient, the coverage version, whether
 * the coverage changed and the list of changes with a Japanese message for staff. Immutable;
 * any thread may read it. Since 0.2.
 */
typedef struct onshi_write_back_result onshi_write_back_result;

/**
 * Creates an empty write-back request with a fresh random request_id, expected_version 0,
 * create_patient 0, dry_run 0 and the client's default timeout.
 *
 * @return A new request owned by the caller (release with onshi_write_back_request_free()), or
 *         NULL when memory is exhausted.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_write_back_request* onshi_write_back_request_new(void) ONSHI_NOEXCEPT;

/**
 * Releases a write-back request.
 *
 * @param request The request; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same request. Since 0.2.
 */
ONSHI_API void onshi_write_back_request_free(onshi_write_back_request* request) ONSHI_NOEXCEPT;

/**
 * Replaces the generated request_id (8–64 characters of [A-Za-z0-9._-], random; checked by the
 * service: ONSHI_INVALID_REQUEST_ID).
 *
 * @param request    The request; must not be NULL.
 * @param request_id UTF-8, copied; must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_write_back_request_set_request_id(onshi_write_back_request* request,
                                                               const char* request_id,
                                                               onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The request's idempotency key.
 *
 * @param request The request; may be NULL.
 * @return Borrowed, valid until the request is freed or its request_id set again; never NULL
 *         ("" for NULL).
 * Thread-safety: concurrent reads are safe. Since 0.2.
 */
ONSHI_API const char* onshi_write_back_request_request_id(const onshi_write_back_request* request)
    ONSHI_NOEXCEPT;

/**
 * The patient to write into (1–64 characters of [A-Za-z0-9._-]; ONSHI_INVALID_PATIENT_ID).
 *
 * @param request    The request; must not be NULL.
 * @param patient_id UTF-8, copied; must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_write_back_request_set_patient_id(onshi_write_back_request* request,
                                                               const char* patient_id,
                                                               onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The check whose answer is written: the request_id of an onshi_check_qualification() whose
 * outcome was ONSHI_OUTCOME_ANSWERED or ONSHI_OUTCOME_LATE_ANSWER.
 *
 * @param request           The request; must not be NULL.
 * @param source_request_id UTF-8, copied; must not be NULL.
 * @param[out] err          Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_write_back_request_set_source_request_id(
    onshi_write_back_request* request, const char* source_request_id,
    onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The coverage version the preview showed (onshi_write_back_result_base_version()); 0 when the
 * patient has no coverage yet. A different current version refuses the write
 * (ONSHI_VERSION_CONFLICT).
 *
 * @param request          The request; must not be NULL.
 * @param expected_version 0 or more.
 * @param[out] err         Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, negative value).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_write_back_request_set_expected_version(
    onshi_write_back_request* request, int64_t expected_version, onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Why staff record it, e.g. "窓口で確認": at most 200 characters, no control characters (the
 * service checks: ONSHI_INVALID_ARGUMENT). Stored with the new version; never put insurance
 * numbers or names in it.
 *
 * @param request The request; must not be NULL.
 * @param reason  UTF-8, copied; must not be NULL ("" for none).
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_write_back_request_set_reason(onshi_write_back_request* request,
                                                           const char* reason,
                                                           onshi_error** err) ONSHI_NOEXCEPT;

/**
 * 1: create the patient when it is not in the record yet; 0 (the default): an unknown patient
 * is ONSHI_NOT_FOUND (reason ONSHI_PATIENT_NOT_FOUND).
 *
 * @param request        The request; must not be NULL.
 * @param create_patient 0 or 1.
 * @param[out] err       Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, value other than 0 or 1).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_write_back_request_set_create_patient(
    onshi_write_back_request* request, int32_t create_patient, onshi_error** err) ONSHI_NOEXCEPT;

/**
 * 1: only compute what would be written (nothing is written, the request_id is not used up);
 * 0 (the default): write.
 *
 * @param request The request; must not be NULL.
 * @param dry_run 0 or 1.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, value other than 0 or 1).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_write_back_request_set_dry_run(onshi_write_back_request* request,
                                                            int32_t dry_run,
                                                            onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The deadline of the call in milliseconds, overriding the client's.
 *
 * @param request    The request; must not be NULL.
 * @param timeout_ms 1 … 86400000, or 0 for the client's default (the default).
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, value out of range).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_write_back_request_set_timeout_ms(onshi_write_back_request* request,
                                                               int64_t timeout_ms,
                                                               onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Writes the check's answer into the patient (or, with dry_run, computes what would be
 * written). Safe to retry with the same request: the stored outcome comes back.
 *
 * @param client  The client; must not be NULL.
 * @param request The request; must not be NULL. Borrowed for this call only.
 * @param[out] out Receives the result owned by the caller (release with
 *                 onshi_write_back_result_free()); set to NULL on failure. Must not be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_ABORTED (ONSHI_VERSION_CONFLICT: preview again and retry with the
 *         current version); ONSHI_FAILED_PRECONDITION (ONSHI_NOT_CONFIRMED: the check is unknown,
 *         has no terminal answer, or names several qualifications); ONSHI_NOT_FOUND
 *         (ONSHI_PATIENT_NOT_FOUND without create_patient); ONSHI_ALREADY_EXISTS
 *         (ONSHI_REQUEST_ID_CONFLICT: the request_id was used for another write);
 *         ONSHI_INVALID_ARGUMENT (NULL argument, ONSHI_INVALID_REQUEST_ID,
 *         ONSHI_INVALID_PATIENT_ID, a reason too long, the check was made for another patient);
 *         ONSHI_UNAVAILABLE; ONSHI_DEADLINE_EXCEEDED; or another ::onshi_status.
 * Thread-safety: may be called concurrently on the same client and with the same request.
 * Since 0.2.
 */
ONSHI_API onshi_status onshi_write_back(onshi_client* client,
                                        const onshi_write_back_request* request,
                                        onshi_write_back_result** out,
                                        onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The diff of writing the answer of check @p source_request_id into @p patient_id, against the
 * patient's current coverage. Writes nothing.
 *
 * @param client            The client; must not be NULL.
 * @param patient_id        UTF-8; must not be NULL. Borrowed for this call only.
 * @param source_request_id UTF-8; must not be NULL. Borrowed for this call only.
 * @param timeout_ms        1 … 86400000, or 0 for the client's default.
 * @param[out] out Receives the result owned by the caller (release with
 *                 onshi_write_back_result_free()); set to NULL on failure. Must not be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_FAILED_PRECONDITION (ONSHI_NOT_CONFIRMED); ONSHI_INVALID_ARGUMENT;
 *         ONSHI_UNAVAILABLE; ONSHI_DEADLINE_EXCEEDED; or another ::onshi_status.
 * Thread-safety: may be called concurrently on the same client. Since 0.2.
 */
ONSHI_API onshi_status onshi_preview_write_back(onshi_client* client, const char* patient_id,
                                                const char* source_request_id, int64_t timeout_ms,
                                                onshi_write_back_result** out,
                                                onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The diff a check sent with onshi_check_request_set_preview_only() carries (computed when the
 * call returned).
 *
 * @param q The check's result; must not be NULL.
 * @param[out] out Receives a result owned by the caller (release with
 *                 onshi_write_back_result_free()), or NULL when the result carries no preview
 *                 (no patient, not preview_only, no terminal answer, several qualifications).
 *                 Must not be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, ONSHI_INVALID_ARGUMENT (NULL argument), or ONSHI_INTERNAL.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_qualification_write_back_preview(const onshi_qualification* q,
                                                              onshi_write_back_result** out,
                                                              onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Releases a result.
 *
 * @param result The result; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same result. Since 0.2.
 */
ONSHI_API void onshi_write_back_result_free(onshi_write_back_result* result) ONSHI_NOEXCEPT;

/**
 * The patient written into (or previewed).
 *
 * @param result The result; may be NULL.
 * @return Borrowed, valid until onshi_write_back_result_free(); never NULL ("" for NULL).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API const char* onshi_write_back_result_patient_id(const onshi_write_back_result* result)
    ONSHI_NOEXCEPT;

/**
 * The coverage version current after the write (for a preview or dry run: the version that
 * would be current); 0 when the patient has no coverage.
 *
 * @param result The result; may be NULL.
 * @return The version (0 for NULL).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int64_t onshi_write_back_result_version(const onshi_write_back_result* result)
    ONSHI_NOEXCEPT;

/**
 * The coverage version the diff was computed against: pass it to
 * onshi_write_back_request_set_expected_version().
 *
 * @param result The result; may be NULL.
 * @return The version (0 for NULL, or when the patient had no coverage).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int64_t onshi_write_back_result_base_version(const onshi_write_back_result* result)
    ONSHI_NOEXCEPT;

/**
 * 1 when the answer differs from the coverage (a write adds, or added, a version); 0 when it
 * matches (nothing to write) or for NULL.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_write_back_result_changed(const onshi_write_back_result* result)
    ONSHI_NOEXCEPT;

/**
 * 1 when nothing was written (a preview or a dry run); 0 otherwise or for NULL.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_write_back_result_dry_run(const onshi_write_back_result* result)
    ONSHI_NOEXCEPT;

/**
 * 1 when the patient was in the record before this write or preview; 0 otherwise or for NULL.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_write_back_result_patient_exists(const onshi_write_back_result* result)
    ONSHI_NOEXCEPT;

/**
 * 1 when this write created the patient (create_patient); 0 otherwise or for NULL.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_write_back_result_patient_created(const onshi_write_back_result* result)
    ONSHI_NOEXCEPT;

/**
 * The number of changed fields; index the change getters with 0 … count-1.
 *
 * @param result The result; may be NULL.
 * @return The count (0 for NULL).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_write_back_result_change_count(const onshi_write_back_result* result)
    ONSHI_NOEXCEPT;

/**
 * The field path of change @p i ("identifiers.insurer_number", "validity", ...).
 *
 * @param result The result; may be NULL.
 * @param i      Change index.
 * @return Borrowed, valid until onshi_write_back_result_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API const char* onshi_write_back_result_change_field(const onshi_write_back_result* result,
                                                           int32_t i) ONSHI_NOEXCEPT;

/**
 * The value on file before change @p i ("" when the field was empty).
 *
 * @param result The result; may be NULL.
 * @param i      Change index.
 * @return Borrowed, valid until onshi_write_back_result_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API const char* onshi_write_back_result_change_old_value(
    const onshi_write_back_result* result, int32_t i) ONSHI_NOEXCEPT;

/**
 * The value of the answer for change @p i ("" when the answer leaves the field empty).
 *
 * @param result The result; may be NULL.
 * @param i      Change index.
 * @return Borrowed, valid until onshi_write_back_result_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API const char* onshi_write_back_result_change_new_value(
    const onshi_write_back_result* result, int32_t i) ONSHI_NOEXCEPT;

/**
 * Change @p i as staff read it, e.g. "保険者番号が変わりました", "資格を喪失しました".
 *
 * @param result The result; may be NULL.
 * @param i      Change index.
 * @return Borrowed, valid until onshi_write_back_result_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API const char* onshi_write_back_result_change_staff_message(
    const onshi_write_back_result* result, int32_t i) ONSHI_NOEXCEPT;

/**
 * The result as JSON: the onshi.v1.WriteBackResponse (or, for a preview, onshi.v1.RecordPreview)
 * message, as onshi_qualification_to_json().
 *
 * @param result The result; must not be NULL.
 * @param[out] out Receives a NUL-terminated UTF-8 string owned by the caller (release with
 *                 onshi_string_free()); set to NULL on failure. Must not be NULL.
 * @param[out] out_len Receives the length in bytes without the NUL; may be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, ONSHI_INVALID_ARGUMENT (NULL @p result or @p out), or ONSHI_INTERNAL.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_write_back_result_to_json(const onshi_write_back_result* result,
                                                       char** out, size_t* out_len,
                                                       onshi_error** err) ONSHI_NOEXCEPT;

/** @} */
/* --- Write-back into the patient record: end ---------------------------------------------- */

/* ------------------------------------------------------------------------------------------ */
/* --- Self-pay cap (高額療養費 自己負担限度額): begin ---------------------------------------- */
/** @defgroup onshi_self_pay_cap This month's self-pay cap (自己負担限度額)
 *
 * The most the window charges a patient of the record in one calendar month at this
 * institution, per 限度額適用区分, age band, the month's total cost (総医療費), 多数回,
 * 外来/入院 and 特定疾病 (docs/billing.md). onshi reads the 区分 and the birth date from the
 * patient's current recorded coverage: a qualification check with 限度額 consent
 * (onshi_check_request_set_limit_consent()) that named the patient must have recorded it. The
 * 区分 is used only when that coverage was recorded under a 限度額 consent and its certificate
 * covers the month; otherwise a patient of 70 or more gets the cap of the 区分 the 負担割合
 * implies at the window (2割/1割 → 一般, 3割 → 現役並みⅢ; a notice says so), anyone else the
 * error ONSHI_LIMIT_CATEGORY_UNKNOWN. No terminal exchange: the call only reads the record.
 *
 * A request object is used by one thread at a time; results are immutable and may be read from
 * any thread. Since 0.2.
 *  @{ */

/** Care setting of the cap: 外来 (also 訪問・オンライン), the default. Since 0.2. */
#define ONSHI_CAP_SETTING_OUTPATIENT 1
/** Care setting of the cap: 入院 (the 70+ household cap, 外来＋入院). Since 0.2. */
#define ONSHI_CAP_SETTING_INPATIENT 2

/** 特定疾病 (OQSCD013): none, the ordinary cap (the default). Since 0.2. */
#define ONSHI_SPECIFIC_DISEASE_NONE 0
/** 特定疾病: 人工透析を必要とする慢性腎不全 (10,000 yen; 20,000 under 70 in 区分ア/イ).
 *  Since 0.2. */
#define ONSHI_SPECIFIC_DISEASE_DIALYSIS 1
/** 特定疾病: 先天性血液凝固因子障害 (10,000 yen). Since 0.2. */
#define ONSHI_SPECIFIC_DISEASE_HEMOPHILIA 2
/** 特定疾病: 血液凝固因子製剤に起因するHIV感染症 (10,000 yen). Since 0.2. */
#define ONSHI_SPECIFIC_DISEASE_HIV 3

/** Age band of the table used: 70歳未満. Since 0.2. */
#define ONSHI_CAP_AGE_BAND_UNDER_70 1
/** Age band: 70〜74歳 (from the 1st of the month after reaching 70). Since 0.2. */
#define ONSHI_CAP_AGE_BAND_70_TO_74 2
/** Age band: 後期高齢者 (from the 75th birthday). Since 0.2. */
#define ONSHI_CAP_AGE_BAND_LATE_ELDERLY 3

/** Where the 区分 came from: the 限度額適用認定証 data on record. Since 0.2. */
#define ONSHI_CAP_SOURCE_CERTIFICATE 1
/** Where the 区分 came from: the 70+ 負担割合 (no certificate data for the month). Since 0.2. */
#define ONSHI_CAP_SOURCE_AGE_AND_RATIO 2

/** A request for a patient's self-pay cap. Since 0.2. */
typedef struct onshi_cap_request onshi_cap_request;
/** The answer of onshi_get_self_pay_cap(). Since 0.2. */
typedef struct onshi_self_pay_cap onshi_self_pay_cap;

/**
 * Creates a request: no patient, this month (Japan time), total cost unknown (0), no 多数回,
 * 外来, no 特定疾病, the client's default timeout.
 *
 * @return A new request owned by the caller (release with onshi_cap_request_free()), or NULL
 *         when memory is exhausted.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_cap_request* onshi_cap_request_new(void) ONSHI_NOEXCEPT;

/**
 * Releases a request.
 *
 * @param request The request; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same request. Since 0.2.
 */
ONSHI_API void onshi_cap_request_free(onshi_cap_request* request) ONSHI_NOEXCEPT;

/**
 * The patient: the host's patient id. Required (the service refuses an empty or malformed one
 * with ONSHI_INVALID_PATIENT_ID).
 *
 * @param request    The request; must not be NULL.
 * @param patient_id UTF-8, copied; must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_cap_request_set_patient_id(onshi_cap_request* request,
                                                        const char* patient_id,
                                                        onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The month billed, YYYYMM (from "201808" on); "" means this month in Japan. Checked by the
 * service (ONSHI_INVALID_ARGUMENT, reason ONSHI_INVALID_ARGUMENT).
 *
 * @param request The request; must not be NULL.
 * @param month   YYYYMM or "", copied; must not be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_cap_request_set_month(onshi_cap_request* request, const char* month,
                                                   onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The month's 総医療費 (10割) so far at this institution in this setting, in yen. 0 means
 * unknown: the answer is the base amount and its formula.
 *
 * @param request  The request; must not be NULL.
 * @param cost_yen 0 to 10,000,000,000.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, cost out of range).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_cap_request_set_total_cost(onshi_cap_request* request,
                                                        int64_t cost_yen,
                                                        onshi_error** err) ONSHI_NOEXCEPT;

/**
 * 多数回該当: the household reached the cap in 3 or more of the 12 months before.
 *
 * @param request    The request; must not be NULL.
 * @param many_times 1 or 0.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, a value other than 0 or 1).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_cap_request_set_many_times(onshi_cap_request* request,
                                                        int32_t many_times,
                                                        onshi_error** err) ONSHI_NOEXCEPT;

/**
 * 外来 or 入院.
 *
 * @param request The request; must not be NULL.
 * @param setting ONSHI_CAP_SETTING_OUTPATIENT or ONSHI_CAP_SETTING_INPATIENT.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, another value).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_cap_request_set_care_setting(onshi_cap_request* request,
                                                          int32_t setting,
                                                          onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The 特定疾病 whose cap applies (the care for that disease), or none.
 *
 * @param request The request; must not be NULL.
 * @param disease One of ONSHI_SPECIFIC_DISEASE_*.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, another value).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_cap_request_set_specific_disease(onshi_cap_request* request,
                                                              int32_t disease,
                                                              onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The call's deadline in milliseconds; 0 restores the client's default call timeout.
 *
 * @param request    The request; must not be NULL.
 * @param timeout_ms 0 or more.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK, or ONSHI_INVALID_ARGUMENT (NULL request, negative or too large).
 * Thread-safety: one thread at a time per request. Since 0.2.
 */
ONSHI_API onshi_status onshi_cap_request_set_timeout_ms(onshi_cap_request* request,
                                                        int64_t timeout_ms,
                                                        onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Computes the patient's self-pay cap for the request's month.
 *
 * @param client  The client; must not be NULL.
 * @param request The request; must not be NULL. Only read.
 * @param[out] out Receives the answer, owned by the caller (release with
 *                 onshi_self_pay_cap_free()); set to NULL on failure. Must not be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_FAILED_PRECONDITION with reason ONSHI_LIMIT_CATEGORY_UNKNOWN (no
 *         usable 限度額区分: check with 限度額 consent first; show the staff text) or
 *         ONSHI_NO_COVERAGE (nothing recorded for the patient yet); ONSHI_NOT_FOUND
 *         (ONSHI_PATIENT_NOT_FOUND); ONSHI_INVALID_ARGUMENT (NULL argument,
 *         ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_ARGUMENT for the month or the cost);
 *         ONSHI_UNAVAILABLE (the sidecar or the store cannot be reached; retryable);
 *         ONSHI_DEADLINE_EXCEEDED; or another ::onshi_status.
 * Thread-safety: may be called concurrently on the same client. Since 0.2.
 */
ONSHI_API onshi_status onshi_get_self_pay_cap(onshi_client* client,
                                              const onshi_cap_request* request,
                                              onshi_self_pay_cap** out,
                                              onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Releases an answer. Strings obtained from it become invalid.
 *
 * @param cap The answer; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same answer. Since 0.2.
 */
ONSHI_API void onshi_self_pay_cap_free(onshi_self_pay_cap* cap) ONSHI_NOEXCEPT;

/**
 * The cap in yen for the request's total cost (the base amount when the cost was 0).
 *
 * @param cap The answer; may be NULL (then 0).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int64_t onshi_self_pay_cap_yen(const onshi_self_pay_cap* cap) ONSHI_NOEXCEPT;

/**
 * The rule applied, Japanese, for staff: age band, 区分, setting and formula, e.g.
 * "70歳未満 区分ウ：80,100円＋（総医療費−267,000円）×1%（1円未満は50銭以上切り上げ）".
 *
 * @param cap The answer; may be NULL.
 * @return Borrowed, valid until onshi_self_pay_cap_free(); never NULL ("" for NULL).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API const char* onshi_self_pay_cap_formula(const onshi_self_pay_cap* cap) ONSHI_NOEXCEPT;

/**
 * The 区分 used: OQSCD012 code ("A03") and name ("区分ウ").
 *
 * @param cap The answer; may be NULL.
 * @return Borrowed, valid until onshi_self_pay_cap_free(); never NULL ("" for NULL).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API const char* onshi_self_pay_cap_category_code(const onshi_self_pay_cap* cap)
    ONSHI_NOEXCEPT;
/** As onshi_self_pay_cap_category_code(): the 区分's Japanese name. Since 0.2. */
ONSHI_API const char* onshi_self_pay_cap_category_name(const onshi_self_pay_cap* cap)
    ONSHI_NOEXCEPT;

/**
 * Where the 区分 came from: ONSHI_CAP_SOURCE_CERTIFICATE or ONSHI_CAP_SOURCE_AGE_AND_RATIO.
 *
 * @param cap The answer; may be NULL (then 0).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_self_pay_cap_category_source(const onshi_self_pay_cap* cap) ONSHI_NOEXCEPT;

/**
 * The age band whose table applied: one of ONSHI_CAP_AGE_BAND_*; 0 for NULL.
 *
 * @param cap The answer; may be NULL.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_self_pay_cap_age_band(const onshi_self_pay_cap* cap) ONSHI_NOEXCEPT;
/** The age band's label: "70歳未満", "70〜74歳" or "後期高齢者"; borrowed as
 *  onshi_self_pay_cap_formula(). Since 0.2. */
ONSHI_API const char* onshi_self_pay_cap_age_band_label(const onshi_self_pay_cap* cap)
    ONSHI_NOEXCEPT;

/**
 * The month (YYYYMM) and the day (YYYYMMDD) whose age rules applied.
 *
 * @param cap The answer; may be NULL.
 * @return Borrowed, valid until onshi_self_pay_cap_free(); never NULL ("" for NULL).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API const char* onshi_self_pay_cap_month(const onshi_self_pay_cap* cap) ONSHI_NOEXCEPT;
/** As onshi_self_pay_cap_month(): the day. Since 0.2. */
ONSHI_API const char* onshi_self_pay_cap_rule_date(const onshi_self_pay_cap* cap) ONSHI_NOEXCEPT;

/**
 * Flags of the answer, 1 or 0 (0 for NULL): the 多数回 amount applied; 75歳到達月の特例
 * halved the amounts; the amount grows with the month's total cost (the formula has a 1% or
 * 10% term); the 特定疾病 amount applied.
 *
 * @param cap The answer; may be NULL.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_self_pay_cap_many_times_applied(const onshi_self_pay_cap* cap)
    ONSHI_NOEXCEPT;
/** See onshi_self_pay_cap_many_times_applied(). Since 0.2. */
ONSHI_API int32_t onshi_self_pay_cap_turning_75_halved(const onshi_self_pay_cap* cap)
    ONSHI_NOEXCEPT;
/** See onshi_self_pay_cap_many_times_applied(). Since 0.2. */
ONSHI_API int32_t onshi_self_pay_cap_depends_on_total_cost(const onshi_self_pay_cap* cap)
    ONSHI_NOEXCEPT;
/** See onshi_self_pay_cap_many_times_applied(). Since 0.2. */
ONSHI_API int32_t onshi_self_pay_cap_specific_disease_applied(const onshi_self_pay_cap* cap)
    ONSHI_NOEXCEPT;

/**
 * The answer's notices for staff (e.g. ONSHI_NOTICE_CAP_TURNING_75_HALVED,
 * ONSHI_NOTICE_CAP_CATEGORY_FROM_RATIO; docs/billing.md lists them).
 *
 * @param cap The answer; may be NULL (then 0).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_self_pay_cap_notice_count(const onshi_self_pay_cap* cap) ONSHI_NOEXCEPT;

/**
 * Notice @p i: its stable code, the Japanese text for staff, the English text for IT.
 *
 * @param cap The answer; may be NULL.
 * @param i   0 <= i < onshi_self_pay_cap_notice_count().
 * @return Borrowed, valid until onshi_self_pay_cap_free(); never NULL ("" out of range).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API const char* onshi_self_pay_cap_notice_code(const onshi_self_pay_cap* cap,
                                                     int32_t i) ONSHI_NOEXCEPT;
/** See onshi_self_pay_cap_notice_code(). Since 0.2. */
ONSHI_API const char* onshi_self_pay_cap_notice_staff_message(const onshi_self_pay_cap* cap,
                                                              int32_t i) ONSHI_NOEXCEPT;
/** See onshi_self_pay_cap_notice_code(). Since 0.2. */
ONSHI_API const char* onshi_self_pay_cap_notice_it_message(const onshi_self_pay_cap* cap,
                                                           int32_t i) ONSHI_NOEXCEPT;

/**
 * The answer as JSON: the onshi.v1.GetSelfPayCapResponse message, as
 * onshi_qualification_to_json().
 *
 * @param cap The answer; must not be NULL.
 * @param[out] out Receives a NUL-terminated UTF-8 string owned by the caller (release with
 *                 onshi_string_free()); set to NULL on failure. Must not be NULL.
 * @param[out] out_len Receives the length in bytes without the NUL; may be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, ONSHI_INVALID_ARGUMENT (NULL @p cap or @p out), or ONSHI_INTERNAL.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_self_pay_cap_to_json(const onshi_self_pay_cap* cap, char** out,
                                                  size_t* out_len,
                                                  onshi_error** err) ONSHI_NOEXCEPT;

/** @} */
/* --- Self-pay cap: end -------------------------------------------------------------------- */

/* --- Consent ledger: begin ------------------------------------------------------------------ */
/** @defgroup onshi_consent_ledger Consent ledger (閲覧・提供同意)
 *
 * What the patient agreed to, per scope, and therefore what onshi releases (docs/consent.md):
 * 薬剤情報 and 特定健診 requests are refused by onshi itself (nothing is sent to the terminal)
 * unless the ledger holds a valid consent, and 限度額 data never leaves onshi without one. The
 * ledger is filled by card-reader check-ins (every scope) and by staff (限度額 only:
 * onshi_check_request_set_limit_consent() with a patient id, or onshi_record_staff_consent()).
 *
 * The ONSHI_CONSENT_SCOPE_* numbers are the ledger's own; they are not the ONSHI_CONSENT_*
 * categories of onshi_qualification_consent_flag().
 *
 * Results are immutable and may be read from any thread. Since 0.2.
 *  @{ */

/** Scope: 限度額適用認定証 information. Since 0.2. */
#define ONSHI_CONSENT_SCOPE_LIMIT_CERTIFICATE 1
/** Scope: 特定疾病療養受療証 information. Since 0.2. */
#define ONSHI_CONSENT_SCOPE_SPECIFIC_DISEASES 2
/** Scope: 薬剤情報. Since 0.2. */
#define ONSHI_CONSENT_SCOPE_MEDICATION 3
/** Scope: 診療・アレルギー・検査情報. Since 0.2. */
#define ONSHI_CONSENT_SCOPE_DIAGNOSIS 4
/** Scope: 手術・傷病名情報. Since 0.2. */
#define ONSHI_CONSENT_SCOPE_OPERATION 5
/** Scope: 特定健診情報. Since 0.2. */
#define ONSHI_CONSENT_SCOPE_CHECKUPS 6

/** Setting judged: 外来 (the default). Since 0.2. */
#define ONSHI_CONSENT_SETTING_OUTPATIENT 1
/** Setting: 入院. Since 0.2. */
#define ONSHI_CONSENT_SETTING_INPATIENT 2
/** Setting: 訪問診療等. Since 0.2. */
#define ONSHI_CONSENT_SETTING_HOME_VISIT 3
/** Setting: オンライン診療等. Since 0.2. */
#define ONSHI_CONSENT_SETTING_ONLINE 4
/** Setting: 救急時. Since 0.2. */
#define ONSHI_CONSENT_SETTING_EMERGENCY 5

/** Source of the newest granting consent: none. Since 0.2. */
#define ONSHI_CONSENT_SOURCE_NONE 0
/** Source: the patient at the card reader. Since 0.2. */
#define ONSHI_CONSENT_SOURCE_CARD_READER 1
/** Source: reception staff (限度額 only). Since 0.2. */
#define ONSHI_CONSENT_SOURCE_STAFF 2

/** The answer of onshi_list_consents(). Since 0.2. */
typedef struct onshi_consents onshi_consents;

/**
 * Each scope's verdict for a patient of the record, and the ledger's rows (ListConsents).
 *
 * @param client     The client; must not be NULL.
 * @param patient_id The host's patient id, UTF-8; must not be NULL.
 * @param at_epoch_ms The instant to judge at, milliseconds since the Unix epoch; 0 = now.
 * @param setting    ONSHI_CONSENT_SETTING_*; 0 = 外来.
 * @param[out] out   Receives the answer, owned by the caller (release with
 *                   onshi_consents_free()); set to NULL on failure. Must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8, a bad setting or
 *         time; ONSHI_INVALID_PATIENT_ID), ONSHI_NOT_FOUND (ONSHI_PATIENT_NOT_FOUND),
 *         ONSHI_UNAVAILABLE (ONSHI_SIDECAR_UNAVAILABLE, ONSHI_STORE_UNAVAILABLE),
 *         ONSHI_DEADLINE_EXCEEDED. Reads only: safe to retry.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_list_consents(onshi_client* client, const char* patient_id,
                                           int64_t at_epoch_ms, int32_t setting,
                                           onshi_consents** out, onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Releases an answer.
 *
 * @param c The answer; NULL is a no-op. Must not be used afterwards.
 * Thread-safety: must not race with other uses of the same answer. Since 0.2.
 */
ONSHI_API void onshi_consents_free(onshi_consents* c) ONSHI_NOEXCEPT;

/**
 * @return The number of scope verdicts (6, one per ONSHI_CONSENT_SCOPE_*, in order); 0 for
 *         NULL. Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_consents_count(const onshi_consents* c) ONSHI_NOEXCEPT;

/**
 * @return Verdict @p i's scope (ONSHI_CONSENT_SCOPE_*); 0 for NULL or out of range.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_consents_scope(const onshi_consents* c, int32_t i) ONSHI_NOEXCEPT;

/**
 * @return 1 when onshi would release the scope's information at the time asked, else 0 (also
 *         for NULL or out of range). Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int onshi_consents_allowed(const onshi_consents* c, int32_t i) ONSHI_NOEXCEPT;

/**
 * @return The error reason a request would get ("ONSHI_NO_CONSENT", "ONSHI_CONSENT_EXPIRED",
 *         "ONSHI_CONSENT_WRONG_SETTING", "ONSHI_CONSENT_NEVER_AVAILABLE",
 *         "ONSHI_ELIGIBILITY_ONLY"); "" when allowed, for NULL or out of range. Borrowed, valid
 *         until onshi_consents_free(). Thread-safety: any thread. Since 0.2.
 */
ONSHI_API const char* onshi_consents_reason(const onshi_consents* c, int32_t i) ONSHI_NOEXCEPT;

/**
 * @return When the permission ends (exclusive), milliseconds since the Unix epoch; INT64_MAX
 *         when allowed without an end (救急時, a standing consent); the window's end for an
 *         expired consent; 0 when refused otherwise, for NULL or out of range.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int64_t onshi_consents_valid_until_ms(const onshi_consents* c, int32_t i) ONSHI_NOEXCEPT;

/**
 * @return The setting judged (ONSHI_CONSENT_SETTING_*); 0 for NULL or out of range.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_consents_setting(const onshi_consents* c, int32_t i) ONSHI_NOEXCEPT;

/**
 * @return The source of the scope's newest granting consent (ONSHI_CONSENT_SOURCE_*).
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int32_t onshi_consents_source(const onshi_consents* c, int32_t i) ONSHI_NOEXCEPT;

/**
 * The answer as JSON: the onshi.v1.ListConsentsResponse message (verdicts and the ledger's
 * rows), as onshi_qualification_to_json().
 *
 * @param c The answer; must not be NULL.
 * @param[out] out Receives a NUL-terminated UTF-8 string owned by the caller (release with
 *                 onshi_string_free()); set to NULL on failure. Must not be NULL.
 * @param[out] out_len Receives the length in bytes without the NUL; may be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK, ONSHI_INVALID_ARGUMENT (NULL @p c or @p out), or ONSHI_INTERNAL.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_consents_to_json(const onshi_consents* c, char** out, size_t* out_len,
                                              onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Records the patient's spoken 限度額 consent, taken by reception staff (RecordStaffConsent):
 * valid 24 hours, stored with the client's user id. Idempotent by @p request_id.
 *
 * @param client     The client; must not be NULL.
 * @param request_id 8–64 characters of [A-Za-z0-9._-]; must not be NULL.
 * @param patient_id The host's patient id; must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL argument; ONSHI_INVALID_REQUEST_ID,
 *         ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_USER_ID), ONSHI_NOT_FOUND
 *         (ONSHI_PATIENT_NOT_FOUND), ONSHI_ALREADY_EXISTS (ONSHI_REQUEST_ID_CONFLICT: the
 *         request_id recorded a consent for another patient), ONSHI_UNAVAILABLE,
 *         ONSHI_DEADLINE_EXCEEDED. Safe to retry.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_record_staff_consent(onshi_client* client, const char* request_id,
                                                  const char* patient_id,
                                                  onshi_error** err) ONSHI_NOEXCEPT;

/**
 * @return 1 when the scope is allowed by a consent captured during the patient's current
 *         inpatient stay: valid while admitted (onshi_consents_valid_until_ms() is INT64_MAX),
 *         until onshi_record_discharge() or a revocation at the card reader; 0 otherwise, for
 *         NULL or out of range. Only a 入院 judgement (ONSHI_CONSENT_SETTING_INPATIENT) can say 1.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API int onshi_consents_while_admitted(const onshi_consents* c, int32_t i) ONSHI_NOEXCEPT;

/**
 * Records the patient's admission (入院, RecordAdmission). While the stay is open, card-reader
 * consents captured since @p at_epoch_ms count as captured in 入院, and a medication or checkup
 * request with ONSHI_CARE_SETTING_INPATIENT may use them until the discharge (or a revocation);
 * consents captured before the admission keep their own 24-hour window. Needs the client's user
 * id (onshi_client_set_user_id()): a clerk records admissions. Idempotent by @p request_id.
 *
 * @param client      The client; must not be NULL.
 * @param request_id  8–64 characters of [A-Za-z0-9._-]; must not be NULL.
 * @param patient_id  The host's patient id; must not be NULL.
 * @param at_epoch_ms When the patient was admitted, milliseconds since the Unix epoch; 0: now.
 * @param[out] err    Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL argument, negative time; ONSHI_INVALID_USER_ID
 *         when the client has no user id, ONSHI_INVALID_REQUEST_ID, ONSHI_INVALID_PATIENT_ID,
 *         ONSHI_INVALID_ARGUMENT: before the discharge of the previous stay), ONSHI_NOT_FOUND
 *         (ONSHI_PATIENT_NOT_FOUND), ONSHI_ALREADY_EXISTS (ONSHI_REQUEST_ID_CONFLICT: the
 *         request_id admitted another patient), ONSHI_FAILED_PRECONDITION
 *         (ONSHI_ALREADY_ADMITTED: a stay is open), ONSHI_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED.
 *         Safe to retry. Nothing is handed out: nothing to free.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_record_admission(onshi_client* client, const char* request_id,
                                              const char* patient_id, int64_t at_epoch_ms,
                                              onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Records the patient's discharge (RecordDischarge): the open stay ends at @p at_epoch_ms, and
 * with it every 入院 permission it gave (a later 入院 request is refused, ONSHI_CONSENT_EXPIRED
 * or ONSHI_NO_CONSENT, before anything is sent). Same rules as onshi_record_admission().
 *
 * @param client      The client; must not be NULL.
 * @param request_id  8–64 characters of [A-Za-z0-9._-]; must not be NULL.
 * @param patient_id  The host's patient id; must not be NULL.
 * @param at_epoch_ms When the patient was discharged, milliseconds since the Unix epoch; 0: now.
 * @param[out] err    Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (as onshi_record_admission(); ONSHI_INVALID_ARGUMENT:
 *         before the admission), ONSHI_NOT_FOUND (ONSHI_PATIENT_NOT_FOUND), ONSHI_ALREADY_EXISTS
 *         (ONSHI_REQUEST_ID_CONFLICT), ONSHI_FAILED_PRECONDITION (ONSHI_NOT_ADMITTED: no stay is
 *         open), ONSHI_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED. Safe to retry.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_record_discharge(onshi_client* client, const char* request_id,
                                              const char* patient_id, int64_t at_epoch_ms,
                                              onshi_error** err) ONSHI_NOEXCEPT;

/** @} */
/* --- Consent ledger: end -------------------------------------------------------------------- */

/* --- Outage workflow and claims view ---------------------------------------------------------- */
/** @defgroup onshi_outage Outage workflow and claims view (資格確認できない場合)
 *
 * Every qualification check that names a patient is a visit of that patient on the check's
 * confirmation date (docs/outage.md). A visit the terminal did not answer in time is
 * unconfirmed and waits on onshi's re-check queue; the clerk records what the patient showed
 * (被保険者資格申立書, 資格確認書, マイナポータル, 資格情報のお知らせ) with
 * onshi_record_self_declaration(); onshi re-checks the queue with the original visit date once
 * the terminal answers again, and a re-check that contradicts what was collected becomes a
 * billing-review item, never a silent change. The claims view lists the visits of a month still
 * without a terminal confirmation (with their 不詳 rendering) and those whose confirmation changed
 * after they were billed.
 *
 * Results are immutable and may be read from any thread. Since 0.2.
 *  @{ */

/** Visit state: the terminal answered in time, 有効. Since 0.2. */
#define ONSHI_VISIT_STATE_CONFIRMED 1
/** Visit state: answered in time, 無効. Since 0.2. */
#define ONSHI_VISIT_STATE_INVALID 2
/** Visit state: answered in time, 該当資格なし / 複数該当. Since 0.2. */
#define ONSHI_VISIT_STATE_NOT_FOUND 3
/** Visit state: not answered (outage); waiting for a re-check. Since 0.2. */
#define ONSHI_VISIT_STATE_UNCONFIRMED 4
/** Visit state: self-declared by the clerk; waiting for a re-check. Since 0.2. */
#define ONSHI_VISIT_STATE_SELF_DECLARED 5
/** Visit state: a re-check is at the terminal. Since 0.2. */
#define ONSHI_VISIT_STATE_RECHECK_PENDING 6
/** Visit state: re-checked, 有効. Since 0.2. */
#define ONSHI_VISIT_STATE_RECHECKED_CONFIRMED 7
/** Visit state: re-checked, 無効. Since 0.2. */
#define ONSHI_VISIT_STATE_RECHECKED_INVALID 8
/** Visit state: re-checked, 該当資格なし / 複数該当. Since 0.2. */
#define ONSHI_VISIT_STATE_RECHECKED_NOT_FOUND 9

/** Document: 被保険者資格申立書. Since 0.2. */
#define ONSHI_SELF_DECLARATION_APPLICATION 1
/** Document: 資格確認書. Since 0.2. */
#define ONSHI_SELF_DECLARATION_QUALIFICATION_CERTIFICATE 2
/** Document: マイナポータルの資格情報画面. Since 0.2. */
#define ONSHI_SELF_DECLARATION_MYNA_PORTAL_SCREEN 3
/** Document: 資格情報のお知らせ. Since 0.2. */
#define ONSHI_SELF_DECLARATION_QUALIFICATION_NOTICE 4

/** A self-declaration being built (card-face fields). Since 0.2. */
typedef struct onshi_self_declaration onshi_self_declaration;

/**
 * Starts a self-declaration for a visit.
 *
 * @param request_id Idempotency key, 8–64 characters of [A-Za-z0-9._-]; must not be NULL.
 * @param visit_id   The visit: the request_id of its qualification check; must not be NULL.
 * @param document   ONSHI_SELF_DECLARATION_*.
 * @param[out] out   Receives the builder, owned by the caller (release with
 *                   onshi_self_declaration_free()); NULL on failure. Must not be NULL.
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL argument, invalid UTF-8, unknown document).
 *         The ids and fields are checked by onshi_record_self_declaration().
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_self_declaration_new(const char* request_id, const char* visit_id,
                                                  int32_t document, onshi_self_declaration** out,
                                                  onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Releases a builder. NULL is a no-op.
 * Thread-safety: must not race with other uses of the same builder. Since 0.2.
 */
ONSHI_API void onshi_self_declaration_free(onshi_self_declaration* d) ONSHI_NOEXCEPT;

/**
 * Sets the card's numbers as shown (保険者番号, 記号, 番号, 枝番). Each argument may be NULL
 * (unknown; left empty). UTF-8; full-width digits are accepted.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL builder, invalid UTF-8).
 * Thread-safety: must not race with other uses of the same builder. Since 0.2.
 */
ONSHI_API onshi_status onshi_self_declaration_set_numbers(onshi_self_declaration* d,
                                                          const char* insurer_number,
                                                          const char* symbol, const char* number,
                                                          const char* branch,
                                                          onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Sets who the patient says they are: name, birth date (YYYYMMDD), sex ("1" 男, "2" 女). Each
 * may be NULL (unknown).
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL builder, invalid UTF-8).
 * Thread-safety: must not race with other uses of the same builder. Since 0.2.
 */
ONSHI_API onshi_status onshi_self_declaration_set_person(onshi_self_declaration* d,
                                                         const char* name, const char* birth_date,
                                                         const char* sex,
                                                         onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Sets the address, contact (phone) and employer (勤務先) written on the declaration; they make
 * the 摘要欄 text of a 不詳 claim. Each may be NULL.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL builder, invalid UTF-8).
 * Thread-safety: must not race with other uses of the same builder. Since 0.2.
 */
ONSHI_API onshi_status onshi_self_declaration_set_contact(onshi_self_declaration* d,
                                                          const char* address, const char* contact,
                                                          const char* employer,
                                                          onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Sets the 負担割合 collected at the desk, in percent (10, 20, 30; 0 = unknown).
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL builder; the value is checked on recording).
 * Thread-safety: must not race with other uses of the same builder. Since 0.2.
 */
ONSHI_API onshi_status onshi_self_declaration_set_copay_ratio(onshi_self_declaration* d,
                                                              int32_t percent,
                                                              onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Records the declaration for its visit (RecordSelfDeclaration). The clerk is the client's
 * user id (required). The card-face fields are stored in the record, never logged.
 *
 * @param client     The client; must not be NULL.
 * @param d          The declaration; must not be NULL. Not consumed.
 * @param[out] out_state Optional: the visit's state afterwards (ONSHI_VISIT_STATE_*).
 * @param[out] err   Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (ONSHI_INVALID_SELF_DECLARATION naming the field,
 *         ONSHI_INVALID_REQUEST_ID, ONSHI_INVALID_USER_ID), ONSHI_NOT_FOUND
 *         (ONSHI_VISIT_NOT_FOUND), ONSHI_FAILED_PRECONDITION (ONSHI_VISIT_STATE: the terminal
 *         already answered the visit), ONSHI_ALREADY_EXISTS (ONSHI_REQUEST_ID_CONFLICT),
 *         ONSHI_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED. Idempotent by request_id: safe to retry.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_record_self_declaration(onshi_client* client,
                                                     const onshi_self_declaration* d,
                                                     int32_t* out_state,
                                                     onshi_error** err) ONSHI_NOEXCEPT;

/** A list of visits (claims view, re-check queue, one visit). Since 0.2. */
typedef struct onshi_visits onshi_visits;

/**
 * Visits of @p month ("YYYYMM", by visit date) without a terminal confirmation (unconfirmed,
 * self-declared, re-check pending), each with its 不詳 claim rendering (ListUnconfirmedVisits).
 *
 * @param[out] out Receives the list, owned by the caller (onshi_visits_free()); NULL on failure.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL argument, a malformed month), ONSHI_UNAVAILABLE,
 *         ONSHI_DEADLINE_EXCEEDED. Reads only: safe to retry.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_list_unconfirmed_visits(onshi_client* client, const char* month,
                                                     onshi_visits** out,
                                                     onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Visits of @p month whose confirmation changed after they were marked billed
 * (ListChangedAfterBilling). Errors and threads as onshi_list_unconfirmed_visits(). Since 0.2.
 */
ONSHI_API onshi_status onshi_list_changed_after_billing(onshi_client* client, const char* month,
                                                        onshi_visits** out,
                                                        onshi_error** err) ONSHI_NOEXCEPT;

/**
 * The re-check queue, oldest first; @p limit 0 = all. Errors and threads as
 * onshi_list_unconfirmed_visits(). Since 0.2.
 */
ONSHI_API onshi_status onshi_list_recheck_queue(onshi_client* client, int32_t limit,
                                                onshi_visits** out,
                                                onshi_error** err) ONSHI_NOEXCEPT;

/**
 * One visit (a list of one). @return as onshi_list_unconfirmed_visits(), plus ONSHI_NOT_FOUND
 * (ONSHI_VISIT_NOT_FOUND) and ONSHI_FAILED_PRECONDITION (ONSHI_VISIT_STATE: its check still
 * waits for the terminal). Since 0.2.
 */
ONSHI_API onshi_status onshi_get_visit(onshi_client* client, const char* visit_id,
                                       onshi_visits** out, onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Marks the visits of @p month ("YYYYMM") billed now (MarkBilled); a visit already marked keeps
 * its first mark. @p out_marked (optional) receives how many were newly marked.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL argument, malformed request_id or month),
 *         ONSHI_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED. Safe to retry.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_mark_billed(onshi_client* client, const char* request_id,
                                         const char* month, int32_t* out_marked,
                                         onshi_error** err) ONSHI_NOEXCEPT;

/** Releases a list; NULL is a no-op. Since 0.2. */
ONSHI_API void onshi_visits_free(onshi_visits* v) ONSHI_NOEXCEPT;

/** @return The number of visits; 0 for NULL. Thread-safety: any thread. Since 0.2. */
ONSHI_API int32_t onshi_visits_count(const onshi_visits* v) ONSHI_NOEXCEPT;

/**
 * Getters of visit @p i. Strings are borrowed (valid until onshi_visits_free()), never NULL
 * ("" for NULL @p v or @p i out of range; integers 0). Thread-safety: any thread. Since 0.2.
 */
ONSHI_API const char* onshi_visits_visit_id(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** The host's patient id. Since 0.2. */
ONSHI_API const char* onshi_visits_patient_id(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** YYYYMMDD. Since 0.2. */
ONSHI_API const char* onshi_visits_visit_date(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** ONSHI_VISIT_STATE_*. Since 0.2. */
ONSHI_API int32_t onshi_visits_state(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** The state for staff, Japanese ("申立済（再照会待ち）", ...). Since 0.2. */
ONSHI_API const char* onshi_visits_state_label(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** The recorded declaration's ONSHI_SELF_DECLARATION_*; 0 when none. Since 0.2. */
ONSHI_API int32_t onshi_visits_document(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** Who recorded the declaration (user id); "" when none. Since 0.2. */
ONSHI_API const char* onshi_visits_declared_by(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** 1 while waiting on the re-check queue, else 0. Since 0.2. */
ONSHI_API int onshi_visits_queued(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** 1 when the confirmation changed after the visit was billed, else 0. Since 0.2. */
ONSHI_API int onshi_visits_changed_after_billing(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** 1 when the claim must be 不詳 (no confirming answer), else 0. Since 0.2. */
ONSHI_API int onshi_visits_claim_unknown(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** The claim's 保険者番号 ("77777777" for 不詳). Since 0.2. */
ONSHI_API const char* onshi_visits_claim_insurer_number(const onshi_visits* v,
                                                        int32_t i) ONSHI_NOEXCEPT;
/** The claim's 記号 ("7" for 不詳). Since 0.2. */
ONSHI_API const char* onshi_visits_claim_symbol(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** The claim's 番号 ("7" for 不詳). Since 0.2. */
ONSHI_API const char* onshi_visits_claim_number(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;
/** The 摘要欄 text of a 不詳 claim (declaration's address / contact); "" otherwise. Since 0.2. */
ONSHI_API const char* onshi_visits_claim_summary(const onshi_visits* v, int32_t i) ONSHI_NOEXCEPT;

/**
 * The whole list as JSON (onshi.v1.ListClaimsResponse, proto field names).
 * @param[out] out Receives a string owned by the caller (onshi_string_free()); @p out_len
 *                 (optional) its length. It holds patient data: never log it.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (NULL argument), ONSHI_INTERNAL.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_visits_to_json(const onshi_visits* v, char** out, size_t* out_len,
                                         onshi_error** err) ONSHI_NOEXCEPT;

/** Billing-review items. Since 0.2. */
typedef struct onshi_review_items onshi_review_items;

/**
 * Billing-review items (ListBillingReviewItems): open ones, or all with @p include_resolved;
 * of visits in @p month ("YYYYMM") only, or every month when @p month is NULL or "".
 * @param[out] out Receives the list (onshi_review_items_free()); NULL on failure.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT, ONSHI_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED. Reads
 *         only. Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_list_review_items(onshi_client* client, const char* month,
                                               int include_resolved, onshi_review_items** out,
                                               onshi_error** err) ONSHI_NOEXCEPT;

/** Releases a list; NULL is a no-op. Since 0.2. */
ONSHI_API void onshi_review_items_free(onshi_review_items* r) ONSHI_NOEXCEPT;
/** @return The number of items; 0 for NULL. Since 0.2. */
ONSHI_API int32_t onshi_review_items_count(const onshi_review_items* r) ONSHI_NOEXCEPT;
/** Item @p i's id (borrowed; "" out of range). Since 0.2. */
ONSHI_API const char* onshi_review_items_item_id(const onshi_review_items* r,
                                                 int32_t i) ONSHI_NOEXCEPT;
/** Item @p i's visit id. Since 0.2. */
ONSHI_API const char* onshi_review_items_visit_id(const onshi_review_items* r,
                                                  int32_t i) ONSHI_NOEXCEPT;
/** Item @p i's stable reason code (RECHECK_INVALID, COPAY_RATIO_MISMATCH, ...). Since 0.2. */
ONSHI_API const char* onshi_review_items_reason_code(const onshi_review_items* r,
                                                     int32_t i) ONSHI_NOEXCEPT;
/** Item @p i's message for billing staff, Japanese. Since 0.2. */
ONSHI_API const char* onshi_review_items_staff_message(const onshi_review_items* r,
                                                       int32_t i) ONSHI_NOEXCEPT;
/** 1 when item @p i is resolved, else 0. Since 0.2. */
ONSHI_API int onshi_review_items_resolved(const onshi_review_items* r, int32_t i) ONSHI_NOEXCEPT;

/**
 * Marks a review item resolved by the client's user (required); @p note may be NULL.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT (ONSHI_INVALID_USER_ID), ONSHI_NOT_FOUND
 *         (ONSHI_VISIT_NOT_FOUND), ONSHI_UNAVAILABLE. Idempotent.
 * Thread-safety: any thread. Since 0.2.
 */
ONSHI_API onshi_status onshi_resolve_review_item(onshi_client* client, const char* item_id,
                                                 const char* note,
                                                 onshi_error** err) ONSHI_NOEXCEPT;

/** @} */
/* --- Outage workflow and claims view: end ----------------------------------------------------- */

/* --- The host's user id and the audit log: begin ------------------------------------------ */
/** @defgroup onshi_user_id The host's user id (audit log)
 *  Every call of a client carries the user id of the host's logged-in user (a login such as
 *  "clerk07" or "dr.tanaka@clinic", never a person's name): onshi records it in the audit log
 *  (docs/audit.md) with the operation, the internal patient id and the outcome, and in what staff
 *  record (consents, self-declarations, record versions). Set it once at open with
 *  onshi_client_options_set_user_id() and change it with onshi_client_set_user_id() whenever
 *  another user logs in to the host. A valid id is 1-64 characters of A-Z a-z 0-9 . _ @ -.
 *
 *  Every call, whatever it is, fails with ONSHI_UNAVAILABLE (reason ONSHI_AUDIT_UNAVAILABLE)
 *  when its audit row cannot be written; no result is returned without its row.
 *  @{ */

/**
 * The user id every call of the client opened with these options carries.
 *
 * @param options The options; must not be NULL.
 * @param user_id The host user's login, UTF-8, copied; "" sends none (the default). Must not be
 *                NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT with reason ONSHI_INVALID_USER_ID for an id that is
 *         not 1-64 characters of A-Z a-z 0-9 . _ @ - (the setting is unchanged), with reason
 *         ONSHI_INVALID_ARGUMENT for NULL arguments or invalid UTF-8.
 * Thread-safety: one thread at a time per options object. Since 0.2.
 */
ONSHI_API onshi_status onshi_client_options_set_user_id(onshi_client_options* options,
                                                        const char* user_id,
                                                        onshi_error** err) ONSHI_NOEXCEPT;

/**
 * Replaces the user id the client's calls carry (e.g. when another user logs in to the host).
 * Calls started after it returns carry the new id; calls under way keep the one they started
 * with, check-in subscriptions included until they reconnect.
 *
 * @param client  The client; must not be NULL.
 * @param user_id The host user's login, UTF-8, copied; "" stops sending one. Must not be NULL.
 * @param[out] err Optional error out-parameter.
 * @return ONSHI_OK; ONSHI_INVALID_ARGUMENT with reason ONSHI_INVALID_USER_ID for an invalid id
 *         (the id in use is unchanged), with reason ONSHI_INVALID_ARGUMENT for NULL arguments or
 *         invalid UTF-8.
 * Thread-safety: may be called from any thread concurrently with calls of the client. Since 0.2.
 */
ONSHI_API onshi_status onshi_client_set_user_id(onshi_client* client, const char* user_id,
                                                onshi_error** err) ONSHI_NOEXCEPT;

/** @} */
/* --- The host's user id and the audit log: end -------------------------------------------- */

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ONSHI_ONSHI_H_
