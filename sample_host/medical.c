/*
 * sample_host: 薬剤情報 (medication) and 特定健診 (checkups), as a clinic's screen would show
 * them, through onshi.h alone. See medical.h and docs/medical-info.md.
 */

#define _POSIX_C_SOURCE 200809L

#include "medical.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char kMedicalUsage[] =
    "  medication --patient ID [--months N] [--treatments] [--format xml|pdf --out FILE]\n"
    "         [--setting outpatient|inpatient|home|online|emergency] [--request-id ID]\n"
    "  checkups --patient ID [--format xml|pdf --out FILE] [--setting ...] [--request-id ID]\n";

enum { kMedicalExitOk = 0, kMedicalExitError = 1 };

/* What the medical options asked for; one command per process. */
static struct {
  int any;         /* a medical option was given */
  long months;     /* 0: the whole available period */
  int treatments;  /* --treatments */
  int32_t format;  /* ONSHI_MEDICAL_FORMAT_* */
  const char* out; /* --out */
  int32_t setting; /* ONSHI_CARE_SETTING_*, 0: the default (外来) */
} g_medical = {0, 0, 0, ONSHI_MEDICAL_FORMAT_XML, NULL, 0};

int medical_is_command(const char* command) {
  return strcmp(command, "medication") == 0 || strcmp(command, "checkups") == 0;
}

/* 入院 has no code of its own (OQSCD028): the terminal is asked as 訪問診療等
 * (oqs-interface.md §7), and onshi judges the consent as 入院 (record the admission first). */
static int32_t parse_setting(const char* name) {
  if (strcmp(name, "outpatient") == 0) return ONSHI_CARE_SETTING_OUTPATIENT;
  if (strcmp(name, "inpatient") == 0) return ONSHI_CARE_SETTING_INPATIENT;
  if (strcmp(name, "home") == 0) return ONSHI_CARE_SETTING_HOME_VISIT;
  if (strcmp(name, "online") == 0) return ONSHI_CARE_SETTING_ONLINE;
  if (strcmp(name, "emergency") == 0) return ONSHI_CARE_SETTING_EMERGENCY;
  return 0;
}

int medical_parse_option(int argc, char** argv, int* i) {
  const char* arg = argv[*i];
  const char* value;
  if (strcmp(arg, "--treatments") == 0) {
    g_medical.any = 1;
    g_medical.treatments = 1;
    return 1;
  }
  if (strcmp(arg, "--months") != 0 && strcmp(arg, "--format") != 0 && strcmp(arg, "--out") != 0 &&
      strcmp(arg, "--setting") != 0) {
    return 0;
  }
  if (*i + 1 >= argc) {
    fprintf(stderr, "sample_host: %s needs a value\n", arg);
    return -1;
  }
  value = argv[++*i];
  g_medical.any = 1;
  if (strcmp(arg, "--months") == 0) {
    char* end = NULL;
    g_medical.months = strtol(value, &end, 10);
    if (end == NULL || *end != '\0' || g_medical.months < 1 || g_medical.months > 36) {
      fprintf(stderr, "sample_host: --months must be a number from 1 to 36\n");
      return -1;
    }
  } else if (strcmp(arg, "--format") == 0) {
    if (strcmp(value, "xml") == 0) {
      g_medical.format = ONSHI_MEDICAL_FORMAT_XML;
    } else if (strcmp(value, "pdf") == 0) {
      g_medical.format = ONSHI_MEDICAL_FORMAT_PDF;
    } else {
      fprintf(stderr, "sample_host: --format must be xml or pdf\n");
      return -1;
    }
  } else if (strcmp(arg, "--out") == 0) {
    if (value[0] == '\0') {
      fprintf(stderr, "sample_host: --out needs a file name\n");
      return -1;
    }
    g_medical.out = value;
  } else {
    g_medical.setting = parse_setting(value);
    if (g_medical.setting == 0) {
      fprintf(stderr,
              "sample_host: --setting must be outpatient, inpatient, home, online or "
              "emergency\n");
      return -1;
    }
  }
  return 1;
}

int medical_check_args(const char* command, const char* patient) {
  if (!medical_is_command(command)) {
    if (g_medical.any) {
      fprintf(stderr,
              "sample_host: --months, --treatments, --format, --out and --setting are "
              "for medication and checkups\n");
      return -1;
    }
    return 0;
  }
  if (patient == NULL) {
    fprintf(stderr, "sample_host: %s needs --patient\n", command);
    return -1;
  }
  if (strcmp(command, "checkups") == 0 && (g_medical.months != 0 || g_medical.treatments)) {
    fprintf(stderr, "sample_host: --months and --treatments are for medication\n");
    return -1;
  }
  if ((g_medical.format == ONSHI_MEDICAL_FORMAT_PDF) != (g_medical.out != NULL)) {
    fprintf(stderr, "sample_host: --format pdf needs --out FILE, and --out only goes with it\n");
    return -1;
  }
  return 0;
}

/* Prints a failed call's error as the host would show it, and frees it. */
static int medical_error(onshi_status status, onshi_error* err) {
  if (err != NULL) {
    fprintf(stderr, "エラー: %s\n", onshi_error_staff_message(err));
    fprintf(stderr, "IT: %s: %s\n", onshi_error_reason(err), onshi_error_it_message(err));
    onshi_error_free(err);
  } else {
    fprintf(stderr, "エラー: (詳細なし)\nIT: %s\n", onshi_status_name(status));
  }
  return kMedicalExitError;
}

/* After a failed call. Only a request the terminal has not answered yet
 * (ONSHI_MEDICAL_INFO_TIMEOUT) is worth asking again with the same request_id: its answer is
 * still recorded when it comes. Any other outcome is recorded as it is, so the same request_id
 * would only return it again; a retryable one is asked again later as a new request. */
static int medical_failure(onshi_status status, onshi_error* err, const char* request_id) {
  const int retryable = onshi_error_retryable(err);
  const int pending = strcmp(onshi_error_reason(err), "ONSHI_MEDICAL_INFO_TIMEOUT") == 0;
  const int exit_code = medical_error(status, err);
  if (pending) {
    fprintf(stderr, "再確認: --request-id %s\n", request_id);
  } else if (retryable) {
    fprintf(stderr, "しばらくしてから、新しい照会としてやり直してください。\n");
  }
  return exit_code;
}

/* "202609" → "2026年09月", "20260915" → "2026年09月15日",
 * "20261124101010" → "2026年11月24日 10:10"; anything else unchanged. */
static const char* jp_time(const char* t, char* buffer, size_t size) {
  const size_t n = strlen(t);
  size_t i;
  if (n != 6 && n != 8 && n != 14) return t;
  for (i = 0; i < n; ++i) {
    if (t[i] < '0' || t[i] > '9') return t;
  }
  if (n == 6) {
    snprintf(buffer, size, "%.4s年%.2s月", t, t + 4);
  } else if (n == 8) {
    snprintf(buffer, size, "%.4s年%.2s月%.2s日", t, t + 4, t + 6);
  } else {
    snprintf(buffer, size, "%.4s年%.2s月%.2s日 %.2s:%.2s", t, t + 4, t + 6, t + 8, t + 10);
  }
  return buffer;
}

static const char* dash(const char* s) { return s[0] == '\0' ? "—" : s; }

static void print_available(const char* label, const char* available) {
  char buffer[48];
  if (available[0] == '\0') {
    printf("閲覧期限 (%sの同意): 不明 (受付の記録に同意がありません)\n", label);
  } else {
    printf("閲覧期限 (%sの同意): %s\n", label, jp_time(available, buffer, sizeof(buffer)));
  }
}

/* Writes the PDF to `path`, readable by its owner only (0600, also when the file existed). */
static int write_pdf(const char* path, const uint8_t* bytes, size_t length) {
  size_t done = 0;
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    fprintf(stderr, "エラー: PDF を保存できません: %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (fchmod(fd, 0600) != 0) {
    fprintf(stderr, "エラー: PDF の権限を設定できません: %s: %s\n", path, strerror(errno));
    close(fd);
    return -1;
  }
  while (done < length) {
    const ssize_t n = write(fd, bytes + done, length - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      fprintf(stderr, "エラー: PDF を書き込めません: %s: %s\n", path, strerror(errno));
      close(fd);
      return -1;
    }
    done += (size_t)n;
  }
  if (close(fd) != 0) {
    fprintf(stderr, "エラー: PDF を書き込めません: %s: %s\n", path, strerror(errno));
    return -1;
  }
  printf("PDF を %s に保存しました (%lu バイト)\n", path, (unsigned long)length);
  return 0;
}

/* The months --months N covers: the N months ending with the current month in Japan. */
static void month_window(long months, char* start, char* end, size_t size) {
  const time_t jst = time(NULL) + 9 * 3600;
  struct tm tm_jst;
  int year;
  int month;
  if (gmtime_r(&jst, &tm_jst) == NULL) {
    start[0] = end[0] = '\0';
    return;
  }
  year = tm_jst.tm_year + 1900;
  month = tm_jst.tm_mon + 1;
  snprintf(end, size, "%04u%02u", (unsigned)year % 10000u, (unsigned)month % 100u);
  month -= (int)(months - 1);
  while (month < 1) {
    month += 12;
    --year;
  }
  snprintf(start, size, "%04u%02u", (unsigned)year % 10000u, (unsigned)month % 100u);
}

static void print_medication(const onshi_medication* m, const char* patient, const char* start,
                             const char* end) {
  char b1[48];
  char b2[48];
  int32_t i;
  int32_t d;
  int32_t k;
  const int32_t months = onshi_medication_month_count(m);
  printf("=== 薬剤情報 ===\n");
  printf("患者ID: %s\n", patient);
  if (start[0] != '\0') {
    printf("期間: %s 〜 %s\n", jp_time(start, b1, sizeof(b1)), jp_time(end, b2, sizeof(b2)));
  } else {
    printf("期間: 過去3年分\n");
  }
  print_available("薬剤情報", onshi_medication_consent_available_time(m));
  if (months == 0) printf("該当する薬剤情報はありません\n");
  for (i = 0; i < months; ++i) {
    const int32_t dates = onshi_medication_date_count(m, i);
    const int32_t treatments = onshi_medication_treatment_count(m, i);
    const char* pharmacy = onshi_medication_pharmacy_name(m, i);
    printf("── %s %s", jp_time(onshi_medication_month(m, i), b1, sizeof(b1)),
           dash(onshi_medication_institution_name(m, i)));
    if (pharmacy[0] != '\0') printf(" / 薬局: %s", pharmacy);
    printf(" ──\n");
    for (d = 0; d < dates; ++d) {
      const int32_t drugs = onshi_medication_drug_count(m, i, d);
      printf("  調剤日 %s\n", jp_time(onshi_medication_dispensing_date(m, i, d), b1, sizeof(b1)));
      for (k = 0; k < drugs; ++k) {
        printf("    ・%s  %s%s  %s  (コード %s)\n", dash(onshi_medication_drug_name(m, i, d, k)),
               dash(onshi_medication_drug_quantity(m, i, d, k)),
               onshi_medication_drug_unit(m, i, d, k),
               dash(onshi_medication_drug_usage(m, i, d, k)),
               dash(onshi_medication_drug_code(m, i, d, k)));
      }
    }
    if (treatments > 0) printf("  診療・手術:\n");
    for (k = 0; k < treatments; ++k) {
      printf("    ・%s  (コード %s)\n", dash(onshi_medication_treatment_name(m, i, k)),
             dash(onshi_medication_treatment_code(m, i, k)));
    }
  }
  printf("要求番号: %s\n", onshi_medication_request_id(m));
}

static void print_checkups(const onshi_checkups* c, const char* patient) {
  char b1[48];
  int32_t i;
  int32_t k;
  const int32_t count = onshi_checkups_count(c);
  printf("=== 特定健診情報 ===\n");
  printf("患者ID: %s\n", patient);
  print_available("特定健診", onshi_checkups_consent_available_time(c));
  if (count == 0) printf("特定健診の結果はありません\n");
  for (i = 0; i < count; ++i) {
    const int32_t items = onshi_checkups_item_count(c, i);
    printf("── 実施日 %s ──\n", jp_time(onshi_checkups_date(c, i), b1, sizeof(b1)));
    for (k = 0; k < items; ++k) {
      const char* value_name = onshi_checkups_item_value_name(c, i, k);
      const char* unit = onshi_checkups_item_unit(c, i, k);
      printf("  %s: %s", dash(onshi_checkups_item_name(c, i, k)),
             dash(onshi_checkups_item_value(c, i, k)));
      if (unit[0] != '\0') printf(" %s", unit);
      if (value_name[0] != '\0') printf(" (%s)", value_name);
      printf("\n");
    }
  }
  printf("要求番号: %s\n", onshi_checkups_request_id(c));
}

static int run_medication(onshi_client* client, const char* patient, const char* request_id) {
  char start[16] = "";
  char end[16] = "";
  onshi_medication_request* request = onshi_medication_request_new();
  onshi_medication* m = NULL;
  onshi_error* err = NULL;
  onshi_status status = ONSHI_OK;
  int exit_code = kMedicalExitOk;

  if (request == NULL) {
    fprintf(stderr, "エラー: メモリが不足しています\n");
    return kMedicalExitError;
  }
  if (g_medical.months > 0) month_window(g_medical.months, start, end, sizeof(start));
  if (request_id != NULL)
    status = onshi_medication_request_set_request_id(request, request_id, &err);
  if (status == ONSHI_OK) status = onshi_medication_request_set_patient_id(request, patient, &err);
  if (status == ONSHI_OK) status = onshi_medication_request_set_months(request, start, end, &err);
  if (status == ONSHI_OK)
    status = onshi_medication_request_set_format(request, g_medical.format, &err);
  if (status == ONSHI_OK) {
    status = onshi_medication_request_set_include_treatments(request, g_medical.treatments, &err);
  }
  if (status == ONSHI_OK && g_medical.setting != 0) {
    status = onshi_medication_request_set_care_setting(request, g_medical.setting, &err);
  }
  if (status != ONSHI_OK) {
    onshi_medication_request_free(request);
    return medical_error(status, err);
  }
  status = onshi_get_medication_history(client, request, &m, &err);
  if (status != ONSHI_OK) {
    exit_code = medical_failure(status, err, onshi_medication_request_request_id(request));
    onshi_medication_request_free(request);
    return exit_code;
  }
  onshi_medication_request_free(request);
  if (g_medical.format == ONSHI_MEDICAL_FORMAT_PDF) {
    size_t length = 0;
    const uint8_t* pdf = onshi_medication_pdf(m, &length);
    if (pdf == NULL) {
      fprintf(stderr, "エラー: 資格確認端末が PDF を返しませんでした\n");
      exit_code = kMedicalExitError;
    } else if (write_pdf(g_medical.out, pdf, length) != 0) {
      exit_code = kMedicalExitError;
    } else {
      print_available("薬剤情報", onshi_medication_consent_available_time(m));
    }
  } else {
    print_medication(m, patient, start, end);
  }
  onshi_medication_free(m);
  return exit_code;
}

static int run_checkups(onshi_client* client, const char* patient, const char* request_id) {
  onshi_checkup_request* request = onshi_checkup_request_new();
  onshi_checkups* c = NULL;
  onshi_error* err = NULL;
  onshi_status status = ONSHI_OK;
  int exit_code = kMedicalExitOk;

  if (request == NULL) {
    fprintf(stderr, "エラー: メモリが不足しています\n");
    return kMedicalExitError;
  }
  if (request_id != NULL) status = onshi_checkup_request_set_request_id(request, request_id, &err);
  if (status == ONSHI_OK) status = onshi_checkup_request_set_patient_id(request, patient, &err);
  if (status == ONSHI_OK)
    status = onshi_checkup_request_set_format(request, g_medical.format, &err);
  if (status == ONSHI_OK && g_medical.setting != 0) {
    status = onshi_checkup_request_set_care_setting(request, g_medical.setting, &err);
  }
  if (status != ONSHI_OK) {
    onshi_checkup_request_free(request);
    return medical_error(status, err);
  }
  status = onshi_get_checkups(client, request, &c, &err);
  if (status != ONSHI_OK) {
    exit_code = medical_failure(status, err, onshi_checkup_request_request_id(request));
    onshi_checkup_request_free(request);
    return exit_code;
  }
  onshi_checkup_request_free(request);
  if (g_medical.format == ONSHI_MEDICAL_FORMAT_PDF) {
    size_t length = 0;
    const uint8_t* pdf = onshi_checkups_pdf(c, &length);
    if (pdf == NULL) {
      fprintf(stderr, "エラー: 資格確認端末が PDF を返しませんでした\n");
      exit_code = kMedicalExitError;
    } else if (write_pdf(g_medical.out, pdf, length) != 0) {
      exit_code = kMedicalExitError;
    } else {
      print_available("特定健診", onshi_checkups_consent_available_time(c));
    }
  } else {
    print_checkups(c, patient);
  }
  onshi_checkups_free(c);
  return exit_code;
}

int run_medical(onshi_client* client, const char* command, const char* patient,
                const char* request_id) {
  return strcmp(command, "medication") == 0 ? run_medication(client, patient, request_id)
                                            : run_checkups(client, patient, request_id);
}
