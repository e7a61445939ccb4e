/*
 * sample_host's consent panel (consent.c):
 *
 *   consents --patient ID
 *   admit --patient ID [--request-id ID]
 *   discharge --patient ID [--request-id ID]
 *
 * Prints, per scope (限度額, 特定疾病, 薬剤, 診療, 手術, 特定健診), whether onshi releases the
 * information now (外来) and until when (onshi_list_consents). Nothing here is thread-safe.
 */

#ifndef ONSHI_SAMPLE_HOST_CONSENT_H_
#define ONSHI_SAMPLE_HOST_CONSENT_H_

#include "onshi/onshi.h"

/* The usage line of the command. */
extern const char kConsentUsage[];

/* 1 for "consents", "admit" and "discharge", else 0. */
int consent_is_command(const char* command);

/*
 * consents: prints the patient's consent windows; admit / discharge: records the inpatient stay
 * (onshi_record_admission / onshi_record_discharge, under `request_id` or a fresh one). Returns
 * sample_host's exit code: 0 done, 1 an error (staff and IT texts on stderr), 64 without
 * `patient`.
 */
int run_consents(onshi_client* client, const char* command, const char* patient,
                 const char* request_id);

#endif /* ONSHI_SAMPLE_HOST_CONSENT_H_ */
