/*
 * sample_host: a billing host of our own that uses libonshi exactly as a vendor would, through
 * onshi.h alone. It prints the panel reception staff would see after a qualification check,
 * the patient record, or the service's health.
 *
 *   sample_host [--socket PATH | --embedded CONFIG] [--timeout MS] [--user ID] COMMAND [options]
 *
 *   check  --insurer N [--symbol S] --number N [--branch NN] --birth YYYYMMDD
 *          [--date YYYYMMDD] [--limit-consent] [--patient ID] [--request-id ID] [--json]
 *   record --patient ID
 *   health
 *   reception [--count N] [--timeout-ms MS]
 *          prints each card-reader check-in as it arrives (oldest unacknowledged first) and
 *          acknowledges it once printed; with --count, exits after N check-ins; with
 *          --timeout-ms, gives up when no check-in arrives for MS milliseconds
 *   medication --patient ID [--months N] [--treatments] [--format xml|pdf --out FILE]
 *          [--setting outpatient|inpatient|home|online|emergency] [--request-id ID]
 *   checkups --patient ID [--format xml|pdf --out FILE] [--setting ...] [--request-id ID]
 *          薬剤情報 / 特定健診 under the patient's consent (medical.c): prints the panel, or
 *          writes the terminal's PDF to FILE (mode 0600)
 *   batch --file CSV [--date YYYYMMDD] [--request-id ID]
 *          一括照会 of an appointments file (batch.c; format in docs/batches.md): one line per
 *          patient as results come, then a summary; --request-id resumes a batch
 *   register-reference --patient ID [--patient ID ...] [--request-id ID]
 *          registers each patient id as the patient's 照会番号 (batch.c)
 *   cap --patient ID [--month YYYYMM] [--total-cost YEN] [--many-times] [--inpatient]
 *          [--specific-disease dialysis|hemophilia|hiv]
 *          this month's 自己負担限度額 with its formula (billing.c); check --patient also
 *          shows it on the panel
 *
 *   writeback --patient ID --source REQUEST_ID [--reason TEXT] [--create-patient] [--yes]
 *          shows the diff of a check's answer against the patient's coverage, asks to confirm
 *          (--yes: without asking) and records it (record.c); check --patient ID
 *          --preview-only checks without recording and shows the diff on the panel
 *
 * Without --socket or --embedded the socket is $ONSHI_SOCKET. --user names the clerk logged in
 * (a login id, never a name; default $ONSHI_USER): every call carries it into onshi's audit log,
 * and recording a self-declaration or resolving a review item needs it.
 *
 * Exit codes (docs/c-api.md):
 *   0   check: the terminal answered (also when it says 無効 or 該当資格なし: the answer itself
 *       is the information); record: printed; health: SERVING; medication, checkups:
 *       printed or written; batch: every patient has its result (those that could not be
 *       confirmed are listed as such); register-reference: the outcomes are printed
 *   1   an error (the staff text and the IT text are printed on stderr; for medication and
 *       checkups also the terminal's refusal for want of consent, ONSHI_NO_CONSENT)
 *   2   check: unconfirmed (no answer from the terminal in time; nothing was confirmed)
 *   3   health: the service answered NOT_SERVING
 *   4   reception: no check-in arrived within --timeout-ms (those printed before were
 *       acknowledged)
 *   64  wrong usage
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "billing.h" /* self-pay cap */
#include "claims.h"  /* outage workflow and claims view */
#include "consent.h" /* consent ledger */
#include "medical.h"
#include "onshi/onshi.h"
#include "record.h" /* write-back */

enum {
  kExitOk = 0,
  kExitError = 1,
  kExitUnconfirmed = 2,
  kExitNotServing = 3,
  kExitNoCheckin = 4,
  kExitUsage = 64
};

struct args {
  const char* socket_path;
  const char* embedded_config;
  const char* user_id;
  long long timeout_ms;
  const char* command;
  const char* insurer;
  const char* symbol;
  const char* number;
  const char* branch;
  const char* birth;
  const char* date;
  const char* patient;
  const char* request_id;
  int limit_consent;
  int json;
  /* reception */
  long long count;
  long long wait_ms;
  /* batch */
  const char* file;
};

static void usage(FILE* out) {
  fputs(
      "usage: sample_host [--socket PATH | --embedded CONFIG] [--timeout MS] [--user ID] COMMAND "
      "...\n"
      "  check  --insurer N [--symbol S] --number N [--branch NN] --birth YYYYMMDD\n"
      "         [--date YYYYMMDD] [--limit-consent] [--patient ID] [--request-id ID] [--json]\n"
      "  record --patient ID\n"
      "  health\n"
      "  reception [--count N] [--timeout-ms MS]\n"
      "  batch --file CSV [--date YYYYMMDD] [--request-id ID]\n"
      "  register-reference --patient ID [--patient ID ...] [--request-id ID]\n",
      out);
  fputs(kMedicalUsage, out);
  fputs(kConsentUsage, out); /* consent ledger */
  fputs(kBillingUsage, out); /* self-pay cap */
  fputs(kClaimsUsage, out);  /* outage workflow and claims view */
  fputs(kRecordUsage, out);  /* write-back */
  fputs(
      "The socket defaults to $ONSHI_SOCKET, the user id (the clerk's login) to $ONSHI_USER.\n"
      "Exit: 0 answered / printed / serving, 1 error, 2 unconfirmed, 3 not serving,\n"
      "      4 no check-in within --timeout-ms, 64 usage.\n",
      out);
}

/* Returns 0 on success, -1 on a usage error (already reported). */
static int parse_args(int argc, char** argv, struct args* a) {
  int i;
  memset(a, 0, sizeof(*a));
  for (i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    const char** target = NULL;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      usage(stdout);
      exit(kExitOk);
    } else if (strcmp(arg, "--limit-consent") == 0) {
      a->limit_consent = 1;
      continue;
    } else if (strcmp(arg, "--json") == 0) {
      a->json = 1;
      continue;
    } else if (strcmp(arg, "--socket") == 0) {
      target = &a->socket_path;
    } else if (strcmp(arg, "--embedded") == 0) {
      target = &a->embedded_config;
    } else if (strcmp(arg, "--user") == 0) {
      target = &a->user_id;
    } else if (strcmp(arg, "--insurer") == 0) {
      target = &a->insurer;
    } else if (strcmp(arg, "--symbol") == 0) {
      target = &a->symbol;
    } else if (strcmp(arg, "--number") == 0) {
      target = &a->number;
    } else if (strcmp(arg, "--branch") == 0) {
      target = &a->branch;
    } else if (strcmp(arg, "--birth") == 0) {
      target = &a->birth;
    } else if (strcmp(arg, "--date") == 0) {
      target = &a->date;
    } else if (strcmp(arg, "--file") == 0) {
      target = &a->file;
    } else if (strcmp(arg, "--patient") == 0) {
      target = &a->patient;
    } else if (strcmp(arg, "--request-id") == 0) {
      target = &a->request_id;
    } else if (strcmp(arg, "--count") == 0 || strcmp(arg, "--timeout-ms") == 0) {
      /* reception */
      long long* value = strcmp(arg, "--count") == 0 ? &a->count : &a->wait_ms;
      char* end = NULL;
      if (i + 1 >= argc) {
        fprintf(stderr, "sample_host: %s needs a value\n", arg);
        return -1;
      }
      *value = strtoll(argv[++i], &end, 10);
      if (end == NULL || *end != '\0' || *value <= 0 || *value > 86400000) {
        fprintf(stderr, "sample_host: %s must be a number from 1 to 86400000\n", arg);
        return -1;
      }
      continue;
    } else if (strcmp(arg, "--timeout") == 0) {
      char* end = NULL;
      if (i + 1 >= argc) {
        fprintf(stderr, "sample_host: --timeout needs a value\n");
        return -1;
      }
      a->timeout_ms = strtoll(argv[++i], &end, 10);
      if (end == NULL || *end != '\0' || a->timeout_ms <= 0) {
        fprintf(stderr, "sample_host: --timeout must be a positive number of milliseconds\n");
        return -1;
      }
      continue;
    } else if (arg[0] == '-') {
      const int record = record_parse_option(argc, argv, &i); /* write-back */
      if (record != 0) {
        if (record < 0) return -1;
        continue;
      }
      const int claims = claims_parse_option(argc, argv, &i); /* outage workflow */
      const int medical = claims != 0 ? 0 : medical_parse_option(argc, argv, &i);
      const int billing = claims != 0 || medical != 0 ? 0 : billing_parse_option(argc, argv, &i);
      if (claims != 0) { /* outage workflow */
        if (claims < 0) return -1;
        continue;
      }
      if (medical != 0) {
        if (medical < 0) return -1;
        continue;
      }
      if (billing != 0) { /* self-pay cap */
        if (billing < 0) return -1;
        continue;
      }
      fprintf(stderr, "sample_host: unknown option %s\n", arg);
      return -1;
    } else if (a->command == NULL) {
      a->command = arg;
      continue;
    } else {
      fprintf(stderr, "sample_host: unexpected argument %s\n", arg);
      return -1;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "sample_host: %s needs a value\n", arg);
      return -1;
    }
    *target = argv[++i];
  }
  if (a->command == NULL) {
    fprintf(stderr, "sample_host: no command given\n");
    return -1;
  }
  if (a->socket_path != NULL && a->embedded_config != NULL) {
    fprintf(stderr, "sample_host: give either --socket or --embedded, not both\n");
    return -1;
  }
  if (a->socket_path == NULL && a->embedded_config == NULL) {
    a->socket_path = getenv("ONSHI_SOCKET");
    if (a->socket_path == NULL || a->socket_path[0] == '\0') {
      fprintf(stderr,
              "sample_host: give --socket PATH or --embedded CONFIG, or set ONSHI_SOCKET\n");
      return -1;
    }
  }
  if (a->user_id == NULL) a->user_id = getenv("ONSHI_USER");
  if (medical_check_args(a->command, a->patient) != 0) return -1;
  if (record_check_args(a->command, a->patient) != 0) return -1;           /* write-back */
  if (record_is_command(a->command)) return 0;                             /* write-back */
  if (billing_check_args(a->command, a->patient) != 0) return -1;          /* self-pay cap */
  if (claims_is_command(a->command)) return claims_check_args(a->command); /* outage workflow */
  if (strcmp(a->command, "check") == 0) {
    if (a->insurer == NULL || a->number == NULL || a->birth == NULL) {
      fprintf(stderr, "sample_host: check needs --insurer, --number and --birth\n");
      return -1;
    }
  } else if (strcmp(a->command, "record") == 0) {
    if (a->patient == NULL) {
      fprintf(stderr, "sample_host: record needs --patient\n");
      return -1;
    }
  } else if (strcmp(a->command, "batch") == 0 && a->file == NULL) {
    fprintf(stderr, "sample_host: batch needs --file\n");
    return -1;
  } else if (strcmp(a->command, "register-reference") == 0 && a->patient == NULL) {
    fprintf(stderr, "sample_host: register-reference needs --patient\n");
    return -1;
  } else if (strcmp(a->command, "health") != 0 && strcmp(a->command, "reception") != 0 &&
             strcmp(a->command, "batch") != 0 && strcmp(a->command, "register-reference") != 0 &&
             !medical_is_command(a->command) && !billing_is_command(a->command) &&
             !consent_is_command(a->command)) {
    fprintf(stderr, "sample_host: unknown command %s\n", a->command);
    return -1;
  }
  return 0;
}

/* Prints a failed call's error the way the host would show it, and frees it. */
static int report_error(onshi_status status, onshi_error* err) {
  if (err != NULL) {
    fprintf(stderr, "エラー: %s\n", onshi_error_staff_message(err));
    fprintf(stderr, "IT: %s: %s\n", onshi_error_reason(err), onshi_error_it_message(err));
    onshi_error_free(err);
  } else {
    fprintf(stderr, "エラー: (詳細なし)\nIT: %s\n", onshi_status_name(status));
  }
  return kExitError;
}

/* "19850412" → "1985年04月12日"; anything else unchanged. */
static const char* format_date(const char* yyyymmdd, char* buffer, size_t size) {
  size_t i;
  if (strlen(yyyymmdd) != 8) return yyyymmdd;
  for (i = 0; i < 8; ++i) {
    if (yyyymmdd[i] < '0' || yyyymmdd[i] > '9') return yyyymmdd;
  }
  snprintf(buffer, size, "%.4s年%.2s月%.2s日", yyyymmdd, yyyymmdd + 4, yyyymmdd + 6);
  return buffer;
}

static const char* or_dash(const char* s) { return s[0] == '\0' ? "—" : s; }

static const char* sex_label(const char* code) {
  if (strcmp(code, "1") == 0) return "男";
  if (strcmp(code, "2") == 0) return "女";
  if (strcmp(code, "3") == 0) return "未設定";
  return or_dash(code);
}

static const char* personal_family_label(const char* code) {
  if (strcmp(code, "1") == 0) return "本人";
  if (strcmp(code, "2") == 0) return "家族";
  return or_dash(code);
}

static void print_record(const onshi_qualification* q, int32_t i, int32_t count) {
  char date1[32];
  char date2[32];
  const char* elderly = onshi_qualification_elderly_contribution_ratio(q, i);
  if (count > 1) printf("── 資格 %d / %d ──\n", (int)i + 1, (int)count);
  printf("保険者番号: %s\n", or_dash(onshi_qualification_insurer_number(q, i)));
  printf("保険者名: %s\n", or_dash(onshi_qualification_insurer_name(q, i)));
  printf("記号・番号・枝番: %s ・ %s ・ %s\n", or_dash(onshi_qualification_card_symbol(q, i)),
         or_dash(onshi_qualification_card_number(q, i)),
         or_dash(onshi_qualification_branch_number(q, i)));
  printf("氏名 / カナ: %s / %s\n", or_dash(onshi_qualification_name(q, i)),
         or_dash(onshi_qualification_name_kana(q, i)));
  printf("生年月日: %s\n",
         or_dash(format_date(onshi_qualification_birth_date(q, i), date1, sizeof(date1))));
  printf("性別: %s\n", sex_label(onshi_qualification_sex(q, i)));
  printf("本人・家族: %s\n", personal_family_label(onshi_qualification_personal_family(q, i)));
  printf("資格取得日: %s\n",
         or_dash(format_date(onshi_qualification_qualification_date(q, i), date1, sizeof(date1))));
  printf(
      "有効期間: %s 〜 %s\n",
      or_dash(format_date(onshi_qualification_insured_card_valid_date(q, i), date1, sizeof(date1))),
      or_dash(format_date(onshi_qualification_insured_card_expiration_date(q, i), date2,
                          sizeof(date2))));
  if (elderly[0] != '\0') {
    char* end = NULL;
    long percent = strtol(elderly, &end, 10);
    if (end != NULL && *end == '\0' && percent > 0 && percent % 10 == 0) {
      printf("高齢受給者: %ld割", percent / 10);
    } else {
      printf("高齢受給者: %s", elderly);
    }
    printf(" (%s 〜 %s)\n",
           or_dash(format_date(onshi_qualification_elderly_valid_start_date(q, i), date1,
                               sizeof(date1))),
           or_dash(format_date(onshi_qualification_elderly_valid_end_date(q, i), date2,
                               sizeof(date2))));
  } else {
    printf("高齢受給者: 該当なし\n");
  }
}

static void print_panel(const onshi_qualification* q, int limit_consent) {
  char date[32];
  int32_t i;
  const int32_t outcome = onshi_qualification_outcome(q);
  const int32_t records = onshi_qualification_record_count(q);
  const int32_t notices = onshi_qualification_notice_count(q);
  const int32_t changes = onshi_qualification_change_count(q);
  const char* explanation = onshi_qualification_status_explanation(q);

  printf("資格: %s\n", or_dash(onshi_qualification_status_label(q)));
  if (explanation[0] != '\0') printf("  %s\n", explanation);
  if (outcome == ONSHI_OUTCOME_LATE_ANSWER) {
    printf("  (時間切れ後に届いた応答です。患者記録は更新されていません)\n");
  }
  printf("確認日: %s\n",
         or_dash(format_date(onshi_qualification_confirmation_date(q), date, sizeof(date))));
  if (outcome == ONSHI_OUTCOME_UNCONFIRMED) {
    printf("理由: %s\n", or_dash(onshi_qualification_unconfirmed_staff_message(q)));
    printf("IT: %s: %s\n", onshi_qualification_unconfirmed_reason(q),
           onshi_qualification_unconfirmed_it_message(q));
  }
  for (i = 0; i < records; ++i) print_record(q, i, records);
  if (records > 0) {
    const char* ratio = onshi_qualification_copay_ratio_label(q);
    const char* limit_code = onshi_qualification_limit_category_code(q);
    printf("負担割合: %s\n", or_dash(ratio));
    if (!limit_consent) {
      printf("限度額区分: 同意なし\n");
    } else if (limit_code[0] == '\0') {
      printf("限度額区分: 該当なし\n");
    } else {
      printf("限度額区分: %s (%s)%s\n", onshi_qualification_limit_category_name(q), limit_code,
             onshi_qualification_limit_certificate_in_force(q) ? "" : " ※確認日は認定期間外");
    }
    printf("未就学: %s\n", onshi_qualification_preschool(q) ? "該当" : "該当なし");
  }
  if (notices > 0) {
    printf("お知らせ:\n");
    for (i = 0; i < notices; ++i) {
      printf("  ・%s\n", onshi_qualification_notice_staff_message(q, i));
    }
  }
  if (onshi_qualification_recorded_patient_id(q)[0] != '\0') {
    const long long version = (long long)onshi_qualification_coverage_version(q);
    printf("記録: 患者ID %s / 版 %lld", onshi_qualification_recorded_patient_id(q), version);
    /* Version 1 with changes is the first recording: every field is new, nothing to compare.
     * Version 1 without changes is a re-check that found the record as it was. */
    const int first = version == 1 && changes > 0;
    if (first) {
      printf(" (新規)\n");
    } else {
      printf(changes > 0 ? " / 変更 %d 件\n" : " / 変更なし\n", (int)changes);
    }
    for (i = 0; !first && i < changes; ++i) {
      printf("  ・%s (%s: %s → %s)\n", onshi_qualification_change_staff_message(q, i),
             onshi_qualification_change_field(q, i),
             or_dash(onshi_qualification_change_old_value(q, i)),
             or_dash(onshi_qualification_change_new_value(q, i)));
    }
  }
  printf("要求番号: %s\n", onshi_qualification_request_id(q));
}

/* Sets one text field of the request; on failure reports and returns non-zero. */
typedef onshi_status (*text_setter)(onshi_check_request*, const char*, onshi_error**);

static int set_text(onshi_check_request* request, text_setter setter, const char* value) {
  onshi_error* err = NULL;
  onshi_status status;
  if (value == NULL) return 0;
  status = setter(request, value, &err);
  if (status != ONSHI_OK) {
    report_error(status, err);
    return -1;
  }
  return 0;
}

static int run_check(onshi_client* client, const struct args* a) {
  onshi_check_request* request = onshi_check_request_new();
  onshi_qualification* q = NULL;
  onshi_error* err = NULL;
  onshi_status status;
  int exit_code;

  if (request == NULL) {
    fprintf(stderr, "エラー: メモリが不足しています\n");
    return kExitError;
  }
  if (set_text(request, onshi_check_request_set_request_id, a->request_id) != 0 ||
      set_text(request, onshi_check_request_set_insurer_number, a->insurer) != 0 ||
      set_text(request, onshi_check_request_set_card_symbol, a->symbol) != 0 ||
      set_text(request, onshi_check_request_set_card_number, a->number) != 0 ||
      set_text(request, onshi_check_request_set_branch_number, a->branch) != 0 ||
      set_text(request, onshi_check_request_set_birth_date, a->birth) != 0 ||
      set_text(request, onshi_check_request_set_confirmation_date, a->date) != 0 ||
      set_text(request, onshi_check_request_set_patient_id, a->patient) != 0) {
    onshi_check_request_free(request);
    return kExitError;
  }
  status = onshi_check_request_set_limit_consent(request, a->limit_consent, &err);
  if (status == ONSHI_OK) status = record_apply_to_check(request, &err); /* write-back */
  if (status != ONSHI_OK) {
    onshi_check_request_free(request);
    return report_error(status, err);
  }

  status = onshi_check_qualification(client, request, &q, &err);
  if (status != ONSHI_OK) {
    const int retryable = onshi_error_retryable(err);
    exit_code = report_error(status, err);
    if (retryable) {
      /* The same request_id asks for the outcome of this attempt instead of a second check. */
      fprintf(stderr, "再確認: --request-id %s\n", onshi_check_request_request_id(request));
    }
    onshi_check_request_free(request);
    return exit_code;
  }
  onshi_check_request_free(request);

  exit_code =
      onshi_qualification_outcome(q) == ONSHI_OUTCOME_UNCONFIRMED ? kExitUnconfirmed : kExitOk;
  if (a->json) {
    char* json = NULL;
    size_t length = 0;
    status = onshi_qualification_to_json(q, &json, &length, &err);
    if (status != ONSHI_OK) {
      exit_code = report_error(status, err);
    } else {
      fwrite(json, 1, length, stdout);
      fputc('\n', stdout);
      onshi_string_free(json);
    }
  } else {
    print_panel(q, a->limit_consent);
    billing_print_panel_cap(client, q); /* self-pay cap */
    record_print_check_preview(q);      /* write-back */
  }
  onshi_qualification_free(q);
  return exit_code;
}

static int run_record(onshi_client* client, const struct args* a) {
  char* json = NULL;
  size_t length = 0;
  onshi_error* err = NULL;
  onshi_status status =
      onshi_get_patient_record(client, a->patient, a->timeout_ms, &json, &length, &err);
  if (status != ONSHI_OK) return report_error(status, err);
  fwrite(json, 1, length, stdout);
  fputc('\n', stdout);
  onshi_string_free(json);
  return kExitOk;
}

static int run_health(onshi_client* client) {
  int32_t serving = 0;
  onshi_error* err = NULL;
  onshi_status status = onshi_client_health(client, &serving, &err);
  if (status != ONSHI_OK) return report_error(status, err);
  puts(serving ? "SERVING" : "NOT_SERVING");
  return serving ? kExitOk : kExitNotServing;
}

/* --- reception: card-reader check-ins --------------------------------------------------- */

/* "20261123091030" → "2026年11月23日 09:10"; anything else unchanged. */
static const char* format_time(const char* t, char* buffer, size_t size) {
  size_t i;
  if (strlen(t) != 14) return t;
  for (i = 0; i < 14; ++i) {
    if (t[i] < '0' || t[i] > '9') return t;
  }
  snprintf(buffer, size, "%.4s年%.2s月%.2s日 %.2s:%.2s", t, t + 4, t + 6, t + 8, t + 10);
  return buffer;
}

static const char* consent_flag_label(int32_t flag) {
  switch (flag) {
    case ONSHI_CONSENT_FLAG_GIVEN:
      return "同意あり";
    case ONSHI_CONSENT_FLAG_NOT_GIVEN:
      return "同意なし";
    case ONSHI_CONSENT_FLAG_EXPIRED:
      return "同意期限切れ";
    case ONSHI_CONSENT_FLAG_DIFFICULT:
      return "同意取得困難";
    default:
      return "—";
  }
}

/* What the patient chose on the card reader, with each consent's time and viewing deadline. */
static void print_consents(const onshi_qualification* q, int32_t i) {
  static const struct {
    int32_t category;
    const char* label;
  } kCategories[] = {
      {ONSHI_CONSENT_LIMIT_CERTIFICATE, "限度額情報"},
      {ONSHI_CONSENT_SPECIFIC_DISEASES, "特定疾病"},
      {ONSHI_CONSENT_HEALTH_CHECKUPS, "特定健診"},
      {ONSHI_CONSENT_MEDICATION, "薬剤情報"},
      {ONSHI_CONSENT_DIAGNOSIS, "診療情報"},
      {ONSHI_CONSENT_OPERATION, "手術情報"},
  };
  size_t k;
  printf("同意:\n");
  for (k = 0; k < sizeof(kCategories) / sizeof(kCategories[0]); ++k) {
    char time1[40];
    char time2[40];
    const int32_t flag = onshi_qualification_consent_flag(q, i, kCategories[k].category);
    const char* when = onshi_qualification_consent_time(q, i, kCategories[k].category);
    const char* until = onshi_qualification_consent_available_time(q, i, kCategories[k].category);
    printf("  %s: %s", kCategories[k].label, consent_flag_label(flag));
    if (when[0] != '\0') printf(" (%s)", format_time(when, time1, sizeof(time1)));
    if (until[0] != '\0') printf(" 閲覧期限 %s", format_time(until, time2, sizeof(time2)));
    printf("\n");
  }
}

/* One check-in as the reception screen shows it. */
static void print_checkin(const onshi_checkin* c) {
  const onshi_qualification* q = onshi_checkin_qualification(c);
  const int32_t match = onshi_checkin_match_kind(c);
  const int32_t records = onshi_qualification_record_count(q);
  /* The received time in Japan (UTC+9), whatever the machine's time zone. */
  const time_t jst = (time_t)(onshi_checkin_received_time_ms(c) / 1000) + 9 * 3600;
  struct tm tm_jst;
  char received[40] = "—";
  int32_t i;

  if (gmtime_r(&jst, &tm_jst) != NULL) {
    strftime(received, sizeof(received), "%Y年%m月%d日 %H:%M:%S", &tm_jst);
  }
  printf("=== カードリーダー受付 (No.%lld) ===\n", (long long)onshi_checkin_sequence(c));
  printf("受付時刻: %s\n", received);
  switch (match) {
    case ONSHI_MATCH_REFERENCE_NUMBER:
      printf("患者: 患者ID %s (照会番号で特定)\n", onshi_checkin_patient_id(c));
      break;
    case ONSHI_MATCH_IDENTIFIERS:
      printf("患者: 患者ID %s (保険証の番号と生年月日で特定)\n", onshi_checkin_patient_id(c));
      break;
    case ONSHI_MATCH_AMBIGUOUS:
      printf("患者: 候補が複数 (");
      for (i = 0; i < onshi_checkin_candidate_count(c); ++i) {
        printf("%s%s", i > 0 ? ", " : "", onshi_checkin_candidate_patient_id(c, i));
      }
      printf(") — 受付で本人を確認してください\n");
      break;
    default:
      printf("患者: 未登録の患者 — 新規登録してください\n");
      break;
  }
  /* 限度額 data is in the result only when the patient consented on the reader. */
  print_panel(
      q, records > 0 && onshi_qualification_consent_flag(q, 0, ONSHI_CONSENT_LIMIT_CERTIFICATE) ==
                            ONSHI_CONSENT_FLAG_GIVEN);
  for (i = 0; i < records; ++i) {
    if (records > 1) printf("── 資格 %d の同意 ──\n", (int)i + 1);
    print_consents(q, i);
  }
}

/* Prints check-ins as they arrive and acknowledges each once printed. */
static int run_reception(onshi_client* client, const struct args* a) {
  long long done = 0;
  while (a->count == 0 || done < a->count) {
    onshi_checkin* checkin = NULL;
    onshi_error* err = NULL;
    /* Without --timeout-ms: wait in slices of a minute, forever. */
    const int64_t wait = a->wait_ms > 0 ? (int64_t)a->wait_ms : 60000;
    onshi_status status = onshi_checkin_next(client, wait, &checkin, &err);
    if (status != ONSHI_OK) return report_error(status, err);
    if (checkin == NULL) {
      if (a->wait_ms > 0) {
        fprintf(stderr, "受付: %lld ミリ秒の間にカードリーダーの受付がありませんでした\n",
                a->wait_ms);
        return kExitNoCheckin;
      }
      continue;
    }
    print_checkin(checkin);
    fflush(stdout);
    status = onshi_checkin_ack(client, onshi_checkin_event_id(checkin), &err);
    onshi_checkin_free(checkin);
    if (status != ONSHI_OK) return report_error(status, err);
    ++done;
  }
  return kExitOk;
}

int main(int argc, char** argv) {
  struct args a;
  onshi_client_options* options;
  onshi_client* client = NULL;
  onshi_error* err = NULL;
  onshi_status status;
  int exit_code;

  if (parse_args(argc, argv, &a) != 0) {
    usage(stderr);
    return kExitUsage;
  }
  if (onshi_abi_version() != ONSHI_ABI_VERSION) {
    fprintf(stderr, "sample_host: built for libonshi ABI %d, loaded %d\n", ONSHI_ABI_VERSION,
            (int)onshi_abi_version());
    return kExitError;
  }

  options = onshi_client_options_new();
  if (options == NULL) {
    fprintf(stderr, "エラー: メモリが不足しています\n");
    return kExitError;
  }
  status = a.socket_path != NULL
               ? onshi_client_options_set_socket_path(options, a.socket_path, &err)
               : onshi_client_options_set_embedded_config(options, a.embedded_config, &err);
  if (status == ONSHI_OK && a.timeout_ms > 0) {
    status = onshi_client_options_set_timeout_ms(options, (int64_t)a.timeout_ms, &err);
  }
  if (status == ONSHI_OK && a.user_id != NULL && a.user_id[0] != '\0') {
    status = onshi_client_options_set_user_id(options, a.user_id, &err);
  }
  if (status == ONSHI_OK) status = onshi_client_open(options, &client, &err);
  onshi_client_options_free(options);
  if (status != ONSHI_OK) return report_error(status, err);

  if (strcmp(a.command, "check") == 0) {
    exit_code = run_check(client, &a);
  } else if (strcmp(a.command, "record") == 0) {
    exit_code = run_record(client, &a);
  } else if (strcmp(a.command, "reception") == 0) {
    exit_code = run_reception(client, &a);
  } else if (strcmp(a.command, "batch") == 0) {
    exit_code = sample_host_run_batch(client, a.file, a.date, a.request_id);
  } else if (strcmp(a.command, "register-reference") == 0) {
    exit_code = sample_host_run_register_reference(client, argc, argv, a.request_id);
  } else if (record_is_command(a.command)) { /* write-back */
    exit_code = run_write_back(client, a.patient, a.request_id);
  } else if (medical_is_command(a.command)) {
    exit_code = run_medical(client, a.command, a.patient, a.request_id);
  } else if (consent_is_command(a.command)) { /* consent ledger */
    exit_code = run_consents(client, a.command, a.patient, a.request_id);
  } else if (billing_is_command(a.command)) { /* self-pay cap */
    exit_code = run_cap(client, a.patient);
  } else if (claims_is_command(a.command)) { /* outage workflow and claims view */
    exit_code = run_claims_command(client, a.command, a.request_id, a.insurer, a.symbol, a.number,
                                   a.branch, a.birth);
  } else {
    exit_code = run_health(client);
  }
  onshi_client_close(client);
  return exit_code;
}
