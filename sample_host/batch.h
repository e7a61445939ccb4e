/*
 * sample_host's 一括照会 (batch pre-check) and 照会番号 registration commands (batch.c).
 * C only, onshi.h only.
 */
#ifndef ONSHI_SAMPLE_HOST_BATCH_H_
#define ONSHI_SAMPLE_HOST_BATCH_H_

#include <stddef.h>

#include "onshi/onshi.h"

/*
 * `batch --file CSV [--date YYYYMMDD] [--request-id ID]`: reads the appointments file (format in
 * docs/batches.md: a header line, then patient_id,insurer,symbol,number,branch,birth
 * [,limit_consent]; UTF-8), runs the batch and prints each patient's result line as it comes,
 * then a summary. Lines that are not well-formed are reported on stderr with their line number
 * and skipped. Returns the exit code: 0 when every patient sent has its result (per-patient
 * errors are results, shown in the lines and the summary), 1 on an error of the file or the
 * call (the request id to resume with is printed).
 */
int sample_host_run_batch(onshi_client* client, const char* file, const char* date,
                          const char* request_id);

/*
 * `register-reference --patient ID [--patient ID ...] [--request-id ID]`: registers each
 * patient id as the patient's 照会番号 and prints one line per patient. The patient ids are the
 * values of every --patient in `argv`, in order. Returns 0 when the call succeeded (per-patient
 * refusals are printed), 1 on an error of the call.
 */
int sample_host_run_register_reference(onshi_client* client, int argc, char** argv,
                                       const char* request_id);

#endif /* ONSHI_SAMPLE_HOST_BATCH_H_ */
