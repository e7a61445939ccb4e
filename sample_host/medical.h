/*
 * sample_host's 薬剤情報 and 特定健診 commands (medical.c):
 *
 *   medication --patient ID [--months N] [--treatments] [--format xml|pdf [--out FILE]]
 *              [--setting outpatient|inpatient|home|online|emergency] [--request-id ID]
 *   checkups   --patient ID [--format xml|pdf [--out FILE]] [--setting ...] [--request-id ID]
 *
 * The options are parsed here, one at a time, from sample_host.c's argument loop, and kept in
 * this file's own state (one command per process). Nothing here is thread-safe.
 */

#ifndef ONSHI_SAMPLE_HOST_MEDICAL_H_
#define ONSHI_SAMPLE_HOST_MEDICAL_H_

#include "onshi/onshi.h"

/* The usage lines of both commands. */
extern const char kMedicalUsage[];

/* 1 for "medication" and "checkups", else 0. */
int medical_is_command(const char* command);

/*
 * Tries argv[*i] as an option of the medical commands. Returns 1 when it was one (*i then
 * indexes its last argument: the value, if it takes one), 0 when it is none of theirs, -1 on a
 * usage error (reported on stderr).
 */
int medical_parse_option(int argc, char** argv, int* i);

/*
 * Checks the medical options against the command: -1 (reported on stderr) when `command` is a
 * medical command without `patient`, when an option does not fit it, or when medical options
 * were given to another command; else 0.
 */
int medical_check_args(const char* command, const char* patient);

/*
 * Runs `command` ("medication" or "checkups") for `patient` with `request_id` (NULL: a fresh
 * one) and prints the panel, or writes the PDF to --out. Returns sample_host's exit code: 0
 * printed or written, 1 an error (incl. ONSHI_NO_CONSENT; staff and IT texts on stderr).
 */
int run_medical(onshi_client* client, const char* command, const char* patient,
                const char* request_id);

#endif /* ONSHI_SAMPLE_HOST_MEDICAL_H_ */
