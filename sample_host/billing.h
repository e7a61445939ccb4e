/*
 * sample_host's self-pay cap (自己負担限度額) (billing.c):
 *
 *   cap --patient ID [--month YYYYMM] [--total-cost YEN] [--many-times] [--inpatient]
 *       [--specific-disease dialysis|hemophilia|hiv]
 *
 * and the cap line of the check panel. The options are parsed here, one at a time, from
 * sample_host.c's argument loop, and kept in this file's own state (one command per process).
 * Nothing here is thread-safe.
 */

#ifndef ONSHI_SAMPLE_HOST_BILLING_H_
#define ONSHI_SAMPLE_HOST_BILLING_H_

#include "onshi/onshi.h"

/* The usage lines of the cap command. */
extern const char kBillingUsage[];

/* 1 for "cap", else 0. */
int billing_is_command(const char* command);

/*
 * Tries argv[*i] as an option of the cap command. Returns 1 when it was one (*i then indexes
 * its last argument), 0 when it is none of its, -1 on a usage error (reported on stderr).
 */
int billing_parse_option(int argc, char** argv, int* i);

/*
 * -1 (reported on stderr) when `command` is "cap" without `patient`, or when cap options were
 * given to another command; else 0.
 */
int billing_check_args(const char* command, const char* patient);

/*
 * The cap command: prints this month's (or --month's) cap of `patient` with its formula and
 * notices. Returns sample_host's exit code: 0 printed, 1 an error (incl.
 * ONSHI_LIMIT_CATEGORY_UNKNOWN; staff and IT texts on stderr).
 */
int run_cap(onshi_client* client, const char* patient);

/*
 * The check panel's cap lines: after a check that recorded an eligible answer into a patient,
 * the patient's cap for the month of the confirmation date (外来, cost unknown), or why there
 * is none. Prints nothing for any other answer. Never fails the check.
 */
void billing_print_panel_cap(onshi_client* client, const onshi_qualification* q);

#endif /* ONSHI_SAMPLE_HOST_BILLING_H_ */
