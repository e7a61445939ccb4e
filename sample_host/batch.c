/*
 * sample_host: 一括照会 (batch pre-check of an appointments file) and 照会番号 registration,
 * through onshi.h alone. What reception staff see: one line per patient as the terminal's
 * answers are recorded, then a summary. Insurance numbers are never printed here: the line names
 * the patient by the clinic's own patient id (and the file's line number), which is what staff
 * look up; the numbers stay in the file they came from.
 */

#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kBatchExitOk = 0, kBatchExitError = 1 };

/* Columns of the appointments file, in order (docs/batches.md). */
static const char* const kColumns[] = {"patient_id", "insurer", "symbol",       "number",
                                       "branch",     "birth",   "limit_consent"};
enum { kRequiredColumns = 6, kMaxColumns = 7, kMaxLine = 4096 };

/* Prints a failed call's error as the host shows it, and frees it. */
static void print_error(onshi_status status, onshi_error* err) {
  if (err != NULL) {
    fprintf(stderr, "エラー: %s\n", onshi_error_staff_message(err));
    fprintf(stderr, "IT: %s: %s\n", onshi_error_reason(err), onshi_error_it_message(err));
    onshi_error_free(err);
  } else {
    fprintf(stderr, "エラー: (詳細なし)\nIT: %s\n", onshi_status_name(status));
  }
}

/* Strips a trailing "\n" or "\r\n"; returns 0 when the line was longer than the buffer. */
static int chomp(char* line) {
  size_t n = strlen(line);
  if (n == 0 || line[n - 1] != '\n') return 0;
  line[--n] = '\0';
  if (n > 0 && line[n - 1] == '\r') line[--n] = '\0';
  return 1;
}

/* Splits `line` in place at commas into at most kMaxColumns fields; returns the field count, or
 * -1 for more fields than that. Quotes are not part of the format. */
static int split(char* line, char* fields[kMaxColumns]) {
  int n = 0;
  char* p = line;
  while (1) {
    char* comma = strchr(p, ',');
    if (n == kMaxColumns) return -1;
    fields[n++] = p;
    if (comma == NULL) break;
    *comma = '\0';
    p = comma + 1;
  }
  return n;
}

/* The state shared with the result callback. */
struct batch_run {
  /* Line number of each patient index in the file. */
  long* line_of;
  int32_t count;
  int32_t printed;
  int32_t answered;
  int32_t eligible;
  int32_t errors;
  int32_t limit_changed;
};

static int32_t on_result(void* user_data, const onshi_batch_result* r) {
  struct batch_run* run = (struct batch_run*)user_data;
  const int32_t index = onshi_batch_result_index(r);
  const onshi_qualification* q = onshi_batch_result_qualification(r);
  const long line = index >= 0 && index < run->count ? run->line_of[index] : 0;
  ++run->printed;
  printf("[%d/%d] 行 %ld 患者ID %s: ", (int)run->printed, (int)onshi_batch_result_total(r), line,
         onshi_batch_result_patient_id(r));
  if (q == NULL) {
    ++run->errors;
    printf("確認できませんでした — %s (%s)\n", onshi_batch_result_error_staff_message(r),
           onshi_batch_result_error_reason(r));
  } else {
    const char* ratio = onshi_qualification_copay_ratio_label(q);
    const char* limit_name = onshi_qualification_limit_category_name(q);
    ++run->answered;
    if (onshi_qualification_is_eligible(q)) ++run->eligible;
    printf("%s", onshi_qualification_status_label(q));
    if (ratio[0] != '\0') printf(" / 負担割合 %s", ratio);
    if (limit_name[0] != '\0') printf(" / 限度額区分 %s", limit_name);
    if (onshi_batch_result_limit_certificate_changed(r)) {
      ++run->limit_changed;
      printf(" / ※限度額情報に変更あり（窓口で限度額区分を確認）");
    }
    printf("\n");
  }
  fflush(stdout);
  return 0;
}

int sample_host_run_batch(onshi_client* client, const char* file, const char* date,
                          const char* request_id) {
  FILE* in;
  char buffer[kMaxLine];
  long line_number = 0;
  long skipped = 0;
  onshi_batch_request* request;
  onshi_error* err = NULL;
  onshi_status status;
  struct batch_run run;
  size_t capacity = 0;
  int exit_code = kBatchExitOk;

  memset(&run, 0, sizeof(run));
  in = fopen(file, "r");
  if (in == NULL) {
    fprintf(stderr, "エラー: 予約ファイルを開けません: %s\n", file);
    return kBatchExitError;
  }
  request = onshi_batch_request_new();
  if (request == NULL) {
    fclose(in);
    fprintf(stderr, "エラー: メモリが不足しています\n");
    return kBatchExitError;
  }
  if ((request_id != NULL &&
       (status = onshi_batch_request_set_request_id(request, request_id, &err)) != ONSHI_OK) ||
      (date != NULL &&
       (status = onshi_batch_request_set_confirmation_date(request, date, &err)) != ONSHI_OK)) {
    print_error(status, err);
    fclose(in);
    onshi_batch_request_free(request);
    return kBatchExitError;
  }

  while (fgets(buffer, sizeof(buffer), in) != NULL) {
    char* fields[kMaxColumns];
    char* text = buffer;
    int n;
    int consent = 0;
    int has_quote;
    ++line_number;
    if (!chomp(buffer) && !feof(in)) {
      int c;
      fprintf(stderr, "行 %ld: 長すぎるため読み飛ばしました\n", line_number);
      ++skipped;
      while ((c = fgetc(in)) != EOF && c != '\n') {
      }
      continue;
    }
    /* A UTF-8 byte order mark before the header is allowed (spreadsheets write one). */
    if (line_number == 1 && strncmp(text, "\xEF\xBB\xBF", 3) == 0) text += 3;
    if (text[0] == '\0') continue;
    has_quote = strchr(text, '"') != NULL;
    n = split(text, fields);
    if (line_number == 1) {
      int i;
      int ok = n >= kRequiredColumns;
      for (i = 0; ok && i < n; ++i) ok = strcmp(fields[i], kColumns[i]) == 0;
      if (!ok) {
        fprintf(stderr,
                "エラー: 1行目は見出し行 patient_id,insurer,symbol,number,branch,birth"
                "[,limit_consent] でなければなりません\n");
        exit_code = kBatchExitError;
        break;
      }
      continue;
    }
    if (n < kRequiredColumns || n < 0) {
      fprintf(stderr, "行 %ld: 列の数が違うため読み飛ばしました\n", line_number);
      ++skipped;
      continue;
    }
    if (has_quote) {
      fprintf(stderr, "行 %ld: 引用符 (\") は使えないため読み飛ばしました\n", line_number);
      ++skipped;
      continue;
    }
    if (n == kMaxColumns) {
      if (strcmp(fields[6], "1") == 0) {
        consent = 1;
      } else if (strcmp(fields[6], "0") != 0 && fields[6][0] != '\0') {
        fprintf(stderr, "行 %ld: limit_consent は 0 か 1 のため読み飛ばしました\n", line_number);
        ++skipped;
        continue;
      }
    }
    status = onshi_batch_request_add_patient(request, fields[0], fields[1], fields[2], fields[3],
                                             fields[4], fields[5], consent, &err);
    if (status != ONSHI_OK) {
      /* Only text that is not UTF-8 is refused here; values are checked by the service. */
      fprintf(stderr, "行 %ld: 読み飛ばしました (%s)\n", line_number, onshi_error_reason(err));
      onshi_error_free(err);
      err = NULL;
      ++skipped;
      continue;
    }
    if ((size_t)run.count == capacity) {
      size_t next = capacity == 0 ? 256 : capacity * 2;
      long* grown = (long*)realloc(run.line_of, next * sizeof(long));
      if (grown == NULL) {
        fprintf(stderr, "エラー: メモリが不足しています\n");
        exit_code = kBatchExitError;
        break;
      }
      run.line_of = grown;
      capacity = next;
    }
    run.line_of[run.count++] = line_number;
  }
  if (exit_code == kBatchExitOk && ferror(in)) {
    fprintf(stderr, "エラー: 予約ファイルを読み込めません: %s\n", file);
    exit_code = kBatchExitError;
  }
  fclose(in);
  if (exit_code == kBatchExitOk && line_number == 0) {
    fprintf(stderr, "エラー: 予約ファイルが空です\n");
    exit_code = kBatchExitError;
  }
  if (exit_code == kBatchExitOk && run.count == 0) {
    fprintf(stderr, "エラー: 照会できる患者の行がありません\n");
    exit_code = kBatchExitError;
  }
  if (exit_code != kBatchExitOk) {
    free(run.line_of);
    onshi_batch_request_free(request);
    return exit_code;
  }

  printf("一括照会: %d 人 (要求番号 %s)\n", (int)run.count,
         onshi_batch_request_request_id(request));
  fflush(stdout);
  status = onshi_batch_run(client, request, on_result, &run, &err);
  if (status != ONSHI_OK) {
    print_error(status, err);
    /* The batch goes on in the service: the same request id resumes it. */
    fprintf(stderr, "再開: --request-id %s\n", onshi_batch_request_request_id(request));
    exit_code = kBatchExitError;
  }
  printf("結果: %d 人中 回答 %d 人 (有効 %d 人) / 確認できず %d 人 / 限度額情報の変更 %d 人",
         (int)run.count, (int)run.answered, (int)run.eligible, (int)run.errors,
         (int)run.limit_changed);
  if (skipped > 0) printf(" / 読み飛ばした行 %ld", skipped);
  printf("\n");
  free(run.line_of);
  onshi_batch_request_free(request);
  return exit_code;
}

int sample_host_run_register_reference(onshi_client* client, int argc, char** argv,
                                       const char* request_id) {
  onshi_reference_numbers* outcomes = NULL;
  onshi_error* err = NULL;
  onshi_status status;
  char generated[128] = "";
  const char** patient_ids;
  size_t count = 0;
  int32_t i;

  patient_ids = (const char**)malloc((size_t)argc * sizeof(const char*));
  if (patient_ids == NULL) {
    fprintf(stderr, "エラー: メモリが不足しています\n");
    return kBatchExitError;
  }
  for (i = 1; i + 1 < argc; ++i) {
    if (strcmp(argv[i], "--patient") == 0) patient_ids[count++] = argv[++i];
  }

  if (request_id == NULL) {
    /* A fresh random id, as the library makes them. */
    onshi_batch_request* scratch = onshi_batch_request_new();
    if (scratch == NULL) {
      fprintf(stderr, "エラー: メモリが不足しています\n");
      free(patient_ids);
      return kBatchExitError;
    }
    snprintf(generated, sizeof(generated), "%s", onshi_batch_request_request_id(scratch));
    onshi_batch_request_free(scratch);
    request_id = generated;
  }
  status =
      onshi_register_reference_numbers(client, request_id, patient_ids, count, 0, &outcomes, &err);
  free(patient_ids);
  if (status != ONSHI_OK) {
    const int retryable = onshi_error_retryable(err);
    print_error(status, err);
    if (retryable) fprintf(stderr, "再確認: --request-id %s\n", request_id);
    return kBatchExitError;
  }
  for (i = 0; i < onshi_reference_numbers_count(outcomes); ++i) {
    printf("患者ID %s: ", onshi_reference_numbers_patient_id(outcomes, i));
    if (onshi_reference_numbers_registered(outcomes, i)) {
      printf("照会番号を登録しました\n");
    } else {
      const char* code = onshi_reference_numbers_result_code(outcomes, i);
      printf("登録できませんでした — %s (%s",
             onshi_reference_numbers_error_staff_message(outcomes, i),
             onshi_reference_numbers_error_reason(outcomes, i));
      if (code[0] != '\0') printf(", 端末 %s", code);
      printf(")\n");
    }
  }
  printf("要求番号: %s\n", request_id);
  onshi_reference_numbers_free(outcomes);
  return kBatchExitOk;
}
