/*
 * sample_host's outage workflow and claims view (claims.c, docs/outage.md):
 *
 *   claims --month YYYYMM [--changed]
 *          visits of the month without a terminal confirmation (資格確認できていない受診), each
 *          with its 不詳 claim fields; --changed: visits whose confirmation changed after billing
 *   self-declare --visit ID --document 申立書|資格確認書|マイナポータル|お知らせ [--request-id ID]
 *          [--insurer N] [--symbol S] [--number N] [--branch NN] [--birth YYYYMMDD]
 *          [--name TEXT] [--address TEXT] [--contact TEXT] [--ratio 10|20|30]
 *          records what the patient showed for an unconfirmed visit
 *
 * Options of these commands are parsed here, one at a time, from sample_host.c's argument loop,
 * and kept in this file's own state (one command per process). Nothing here is thread-safe.
 */

#ifndef ONSHI_SAMPLE_HOST_CLAIMS_H_
#define ONSHI_SAMPLE_HOST_CLAIMS_H_

#include "onshi/onshi.h"

/* The usage lines of the commands. */
extern const char kClaimsUsage[];

/* 1 for "claims" and "self-declare", else 0. */
int claims_is_command(const char* command);

/*
 * Tries argv[*i] as an option of these commands (only when argv names one of them as its
 * command). Returns 1 when it was one (*i then indexes its last argument), 0 when not, -1 on a
 * usage error (reported on stderr).
 */
int claims_parse_option(int argc, char** argv, int* i);

/* -1 (reported on stderr) when a required option is missing; else 0. */
int claims_check_args(const char* command);

/*
 * Runs the command. The card numbers, birth date and request id come from sample_host's common
 * options (NULL when not given). Returns sample_host's exit code: 0 printed/recorded, 1 error.
 */
int run_claims_command(onshi_client* client, const char* command, const char* request_id,
                       const char* insurer, const char* symbol, const char* number,
                       const char* branch, const char* birth);

#endif /* ONSHI_SAMPLE_HOST_CLAIMS_H_ */
