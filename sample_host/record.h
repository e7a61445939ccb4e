/*
 * sample_host's write-back (record.c, docs/record.md):
 *
 *   check ... --patient ID --preview-only
 *          checks without recording: the panel shows what recording would change
 *   writeback --patient ID --source REQUEST_ID [--reason TEXT] [--create-patient] [--yes]
 *          [--request-id ID]
 *          shows the diff of the check REQUEST_ID against the patient's coverage, asks staff to
 *          confirm (y/N on stdin; --yes: without asking, for scripts and tests) and records it
 *
 * The options are parsed here, one at a time, from sample_host.c's argument loop, and kept in
 * this file's own state (one command per process). Nothing here is thread-safe.
 */

#ifndef ONSHI_SAMPLE_HOST_RECORD_H_
#define ONSHI_SAMPLE_HOST_RECORD_H_

#include "onshi/onshi.h"

/* The usage lines of the write-back command and option. */
extern const char kRecordUsage[];

/* 1 for "writeback", else 0. */
int record_is_command(const char* command);

/*
 * Tries argv[*i] as a write-back option. Returns 1 when it was one (*i then indexes its last
 * argument), 0 when it is none of ours, -1 on a usage error (reported on stderr).
 */
int record_parse_option(int argc, char** argv, int* i);

/*
 * Checks the write-back options against the command: -1 (reported on stderr) when writeback
 * lacks --patient or --source, or write-back options were given to another command (except
 * --preview-only with check); else 0.
 */
int record_check_args(const char* command, const char* patient);

/* Applies --preview-only to a check request. Returns ONSHI_OK or the setter's status. */
onshi_status record_apply_to_check(onshi_check_request* request, onshi_error** err);

/* Prints the check result's write-back preview (nothing when it carries none). */
void record_print_check_preview(const onshi_qualification* q);

/*
 * Runs writeback for `patient` with write request id `request_id` (NULL: a fresh one). Returns
 * sample_host's exit code: 0 recorded, unchanged, or not confirmed by staff (said on stdout);
 * 1 an error (staff and IT texts on stderr; ONSHI_VERSION_CONFLICT says to run it again).
 */
int run_write_back(onshi_client* client, const char* patient, const char* request_id);

#endif /* ONSHI_SAMPLE_HOST_RECORD_H_ */
