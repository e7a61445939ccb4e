/* sample_host's write-back: the diff before recording, and the recording (record.h). */

#include "record.h"

#include <stdio.h>
#include <string.h>

static const char* g_source = NULL;
static const char* g_reason = NULL;
static int g_create_patient = 0;
static int g_yes = 0;
static int g_preview_only = 0;
static int g_given = 0; /* any writeback-only option given */

const char kRecordUsage[] =
    "  check ... --patient ID --preview-only   (記録せずに変更点を表示)\n"
    "  writeback --patient ID --source REQUEST_ID [--reason TEXT] [--create-patient] [--yes]\n"
    "         [--request-id ID]\n";

int record_is_command(const char* command) { return strcmp(command, "writeback") == 0; }

int record_parse_option(int argc, char** argv, int* i) {
  const char* arg = argv[*i];
  const char** target = NULL;
  if (strcmp(arg, "--preview-only") == 0) {
    g_preview_only = 1;
    return 1;
  }
  if (strcmp(arg, "--create-patient") == 0) {
    g_create_patient = 1;
    g_given = 1;
    return 1;
  }
  if (strcmp(arg, "--yes") == 0) {
    g_yes = 1;
    g_given = 1;
    return 1;
  }
  if (strcmp(arg, "--source") == 0) {
    target = &g_source;
  } else if (strcmp(arg, "--reason") == 0) {
    target = &g_reason;
  } else {
    return 0;
  }
  if (*i + 1 >= argc) {
    fprintf(stderr, "sample_host: %s needs a value\n", arg);
    return -1;
  }
  *target = argv[++*i];
  g_given = 1;
  return 1;
}

int record_check_args(const char* command, const char* patient) {
  if (record_is_command(command)) {
    if (patient == NULL || g_source == NULL) {
      fprintf(stderr, "sample_host: writeback needs --patient and --source\n");
      return -1;
    }
    if (g_preview_only) {
      fprintf(stderr, "sample_host: --preview-only is an option of check\n");
      return -1;
    }
    return 0;
  }
  if (g_given) {
    fprintf(stderr,
            "sample_host: --source, --reason, --create-patient and --yes are options "
            "of writeback\n");
    return -1;
  }
  if (g_preview_only && (strcmp(command, "check") != 0 || patient == NULL)) {
    fprintf(stderr, "sample_host: --preview-only needs check --patient ID\n");
    return -1;
  }
  return 0;
}

onshi_status record_apply_to_check(onshi_check_request* request, onshi_error** err) {
  if (!g_preview_only) return ONSHI_OK;
  return onshi_check_request_set_preview_only(request, 1, err);
}

/* The diff as staff read it: one line per changed field, old → new. */
static void print_diff(const onshi_write_back_result* r) {
  const int32_t count = onshi_write_back_result_change_count(r);
  int32_t i;
  printf("記録の比較: 患者 %s / 現在の版 %lld\n", onshi_write_back_result_patient_id(r),
         (long long)onshi_write_back_result_base_version(r));
  if (!onshi_write_back_result_patient_exists(r)) {
    printf("  この患者はまだ登録されていません（新しい患者として登録できます）\n");
  }
  if (count == 0) {
    printf("  変更はありません\n");
    return;
  }
  for (i = 0; i < count; ++i) {
    const char* old_value = onshi_write_back_result_change_old_value(r, i);
    const char* new_value = onshi_write_back_result_change_new_value(r, i);
    printf("  ・%s: %s → %s\n", onshi_write_back_result_change_staff_message(r, i),
           old_value[0] != '\0' ? old_value : "（なし）",
           new_value[0] != '\0' ? new_value : "（なし）");
  }
}

void record_print_check_preview(const onshi_qualification* q) {
  onshi_write_back_result* preview = NULL;
  onshi_error* err = NULL;
  if (onshi_qualification_write_back_preview(q, &preview, &err) != ONSHI_OK) {
    onshi_error_free(err);
    return;
  }
  if (preview == NULL) return;
  printf("--- 記録前の確認（まだ記録していません） ---\n");
  print_diff(preview);
  printf("記録するには: writeback --patient %s --source %s\n",
         onshi_write_back_result_patient_id(preview), onshi_qualification_request_id(q));
  onshi_write_back_result_free(preview);
}

static int fail(onshi_status status, onshi_error* err) {
  if (err != NULL) {
    fprintf(stderr, "エラー: %s\n", onshi_error_staff_message(err));
    fprintf(stderr, "IT: %s: %s\n", onshi_error_reason(err), onshi_error_it_message(err));
    if (strcmp(onshi_error_reason(err), "ONSHI_VERSION_CONFLICT") == 0) {
      fprintf(stderr, "もう一度 writeback を実行して、最新の変更点を確認してください\n");
    }
    onshi_error_free(err);
  } else {
    fprintf(stderr, "エラー: (詳細なし)\nIT: %s\n", onshi_status_name(status));
  }
  return 1;
}

/* Staff's answer on stdin: 1 for y/Y/yes/はい. */
static int confirmed(void) {
  char line[64];
  printf("この内容で記録しますか？ [y/N]: ");
  fflush(stdout);
  if (fgets(line, sizeof(line), stdin) == NULL) return 0;
  line[strcspn(line, "\r\n")] = '\0';
  return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcmp(line, "yes") == 0 ||
         strcmp(line, "はい") == 0;
}

int run_write_back(onshi_client* client, const char* patient, const char* request_id) {
  onshi_write_back_result* preview = NULL;
  onshi_write_back_result* result = NULL;
  onshi_write_back_request* request = NULL;
  onshi_error* err = NULL;
  onshi_status status;
  int exit_code = 0;

  status = onshi_preview_write_back(client, patient, g_source, 0, &preview, &err);
  if (status != ONSHI_OK) return fail(status, err);
  print_diff(preview);
  if (!onshi_write_back_result_patient_exists(preview) && !g_create_patient) {
    printf("新しい患者として登録するには --create-patient を付けてください\n");
  }
  if (!g_yes && !confirmed()) {
    printf("記録しませんでした\n");
    onshi_write_back_result_free(preview);
    return 0;
  }

  request = onshi_write_back_request_new();
  if (request == NULL) {
    onshi_write_back_result_free(preview);
    fprintf(stderr, "エラー: メモリが不足しています\n");
    return 1;
  }
  status = onshi_write_back_request_set_patient_id(request, patient, &err);
  if (status == ONSHI_OK) {
    status = onshi_write_back_request_set_source_request_id(request, g_source, &err);
  }
  if (status == ONSHI_OK) {
    status = onshi_write_back_request_set_expected_version(
        request, onshi_write_back_result_base_version(preview), &err);
  }
  if (status == ONSHI_OK && g_reason != NULL) {
    status = onshi_write_back_request_set_reason(request, g_reason, &err);
  }
  if (status == ONSHI_OK) {
    status = onshi_write_back_request_set_create_patient(request, g_create_patient, &err);
  }
  if (status == ONSHI_OK && request_id != NULL) {
    status = onshi_write_back_request_set_request_id(request, request_id, &err);
  }
  onshi_write_back_result_free(preview);
  if (status == ONSHI_OK) status = onshi_write_back(client, request, &result, &err);
  if (status != ONSHI_OK) {
    exit_code = fail(status, err);
    fprintf(stderr, "再記録: --request-id %s\n", onshi_write_back_request_request_id(request));
    onshi_write_back_request_free(request);
    return exit_code;
  }
  if (onshi_write_back_result_changed(result)) {
    printf("記録しました: 患者 %s / 版 %lld%s\n", onshi_write_back_result_patient_id(result),
           (long long)onshi_write_back_result_version(result),
           onshi_write_back_result_patient_created(result) ? "（新しい患者）" : "");
  } else {
    printf("変更はないため、新しい版は作りませんでした（版 %lld）\n",
           (long long)onshi_write_back_result_version(result));
  }
  printf("記録番号: %s\n", onshi_write_back_request_request_id(request));
  onshi_write_back_result_free(result);
  onshi_write_back_request_free(request);
  return exit_code;
}
