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

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ONSHI_ONSHI_H_
