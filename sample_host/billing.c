/*
 * sample_host: this month's self-pay cap (自己負担限度額), as the reception screen shows it,
 * through onshi.h alone. See billing.h and docs/billing.md.
 */

#include "billing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char kBillingUsage[] =
    "  cap --patient ID [--month YYYYMM] [--total-cost YEN] [--many-times] [--inpatient]\n"
    "         [--specific-disease dialysis|hemophilia|hiv]\n";

enum { kBillingExitOk = 0, kBillingExitError = 1 };

/* What the cap options asked for; one command per process. */
static struct {
  int any;                  /* a cap option was given */
  const char* month;        /* --month, NULL: this month */
  long long total_cost;     /* --total-cost, 0: unknown */
  int many_times;           /* --many-times */
  int inpatient;            /* --inpatient */
  int32_t specific_disease; /* ONSHI_SPECIFIC_DISEASE_* */
} g_billing = {0, NULL, 0, 0, 0, ONSHI_SPECIFIC_DISEASE_NONE};

int billing_is_command(const char* command) { return strcmp(command, "cap") == 0; }

int billing_parse_option(int argc, char** argv, int* i) {
  const char* arg = argv[*i];
  const char* value;
  if (strcmp(arg, "--many-times") == 0) {
    g_billing.any = 1;
    g_billing.many_times = 1;
    return 1;
  }
  if (strcmp(arg, "--inpatient") == 0) {
    g_billing.any = 1;
    g_billing.inpatient = 1;
    return 1;
  }
  if (strcmp(arg, "--month") != 0 && strcmp(arg, "--total-cost") != 0 &&
      strcmp(arg, "--specific-disease") != 0) {
    return 0;
  }
  if (*i + 1 >= argc) {
    fprintf(stderr, "sample_host: %s needs a value\n", arg);
    return -1;
  }
  value = argv[++*i];
  g_billing.any = 1;
  if (strcmp(arg, "--month") == 0) {
    g_billing.month = value;
  } else if (strcmp(arg, "--total-cost") == 0) {
    char* end = NULL;
    g_billing.total_cost = strtoll(value, &end, 10);
    if (end == NULL || *end != '\0' || g_billing.total_cost < 0 ||
        g_billing.total_cost > 10000000000LL) {
      fprintf(stderr, "sample_host: --total-cost must be a number of yen from 0 to 10000000000\n");
      return -1;
    }
  } else if (strcmp(value, "dialysis") == 0) {
    g_billing.specific_disease = ONSHI_SPECIFIC_DISEASE_DIALYSIS;
  } else if (strcmp(value, "hemophilia") == 0) {
    g_billing.specific_disease = ONSHI_SPECIFIC_DISEASE_HEMOPHILIA;
  } else if (strcmp(value, "hiv") == 0) {
    g_billing.specific_disease = ONSHI_SPECIFIC_DISEASE_HIV;
  } else {
    fprintf(stderr, "sample_host: --specific-disease must be dialysis, hemophilia or hiv\n");
    return -1;
  }
  return 1;
}

int billing_check_args(const char* command, const char* patient) {
  if (!billing_is_command(command)) {
    if (g_billing.any) {
      fprintf(stderr,
              "sample_host: --month, --total-cost, --many-times, --inpatient and "
              "--specific-disease are for cap\n");
      return -1;
    }
    return 0;
  }
  if (patient == NULL) {
    fprintf(stderr, "sample_host: cap needs --patient\n");
    return -1;
  }
  return 0;
}

/* 80100 → "80,100". */
static const char* yen(long long amount, char* buffer, size_t size) {
  char digits[32];
  size_t n;
  size_t lead;
  size_t i;
  size_t out = 0;
  snprintf(digits, sizeof(digits), "%lld", amount);
  n = strlen(digits);
  lead = n % 3 == 0 ? 3 : n % 3;
  for (i = 0; i < n && out + 2 < size; ++i) {
    if (i >= lead && (i - lead) % 3 == 0) buffer[out++] = ',';
    buffer[out++] = digits[i];
  }
  buffer[out] = '\0';
  return buffer;
}

/* The request of both uses; NULL (reported) on failure. */
static onshi_cap_request* new_request(const char* patient, const char* month, long long cost,
                                      int many_times, int inpatient, int32_t disease,
                                      onshi_error** err) {
  onshi_cap_request* request = onshi_cap_request_new();
  if (request == NULL) return NULL;
  if (onshi_cap_request_set_patient_id(request, patient, err) != ONSHI_OK ||
      (month != NULL && onshi_cap_request_set_month(request, month, err) != ONSHI_OK) ||
      onshi_cap_request_set_total_cost(request, (int64_t)cost, err) != ONSHI_OK ||
      onshi_cap_request_set_many_times(request, many_times, err) != ONSHI_OK ||
      onshi_cap_request_set_care_setting(
          request, inpatient ? ONSHI_CAP_SETTING_INPATIENT : ONSHI_CAP_SETTING_OUTPATIENT, err) !=
          ONSHI_OK ||
      onshi_cap_request_set_specific_disease(request, disease, err) != ONSHI_OK) {
    onshi_cap_request_free(request);
    return NULL;
  }
  return request;
}

static void print_notices(const onshi_self_pay_cap* cap, const char* indent) {
  int32_t i;
  for (i = 0; i < onshi_self_pay_cap_notice_count(cap); ++i) {
    printf("%s・%s\n", indent, onshi_self_pay_cap_notice_staff_message(cap, i));
  }
}

int run_cap(onshi_client* client, const char* patient) {
  onshi_error* err = NULL;
  onshi_self_pay_cap* cap = NULL;
  onshi_status status;
  char amount[40];
  char cost[40];
  onshi_cap_request* request =
      new_request(patient, g_billing.month, g_billing.total_cost, g_billing.many_times,
                  g_billing.inpatient, g_billing.specific_disease, &err);
  if (request == NULL) {
    status = ONSHI_INVALID_ARGUMENT;
  } else {
    status = onshi_get_self_pay_cap(client, request, &cap, &err);
    onshi_cap_request_free(request);
  }
  if (status != ONSHI_OK) {
    if (err != NULL) {
      fprintf(stderr, "エラー: %s\n", onshi_error_staff_message(err));
      fprintf(stderr, "IT: %s: %s\n", onshi_error_reason(err), onshi_error_it_message(err));
      onshi_error_free(err);
    } else {
      fprintf(stderr, "エラー: (詳細なし)\nIT: %s\n", onshi_status_name(status));
    }
    return kBillingExitError;
  }
  printf("患者ID: %s\n", patient);
  printf("対象月: %.4s年%.2s月 (%s)\n", onshi_self_pay_cap_month(cap),
         onshi_self_pay_cap_month(cap) + 4, g_billing.inpatient ? "入院" : "外来");
  printf("年齢区分: %s\n", onshi_self_pay_cap_age_band_label(cap));
  printf("限度額区分: %s (%s)%s\n", onshi_self_pay_cap_category_name(cap),
         onshi_self_pay_cap_category_code(cap),
         onshi_self_pay_cap_category_source(cap) == ONSHI_CAP_SOURCE_AGE_AND_RATIO
             ? " ※年齢と負担割合から判定"
             : "");
  if (g_billing.total_cost > 0) {
    printf("総医療費: %s円\n", yen(g_billing.total_cost, cost, sizeof(cost)));
  } else {
    printf("総医療費: 未入力\n");
  }
  printf("自己負担限度額: %s円%s\n",
         yen((long long)onshi_self_pay_cap_yen(cap), amount, sizeof(amount)),
         onshi_self_pay_cap_depends_on_total_cost(cap) && g_billing.total_cost == 0 ? " (基本額)"
                                                                                    : "");
  printf("計算式: %s\n", onshi_self_pay_cap_formula(cap));
  printf("多数回該当: %s\n", onshi_self_pay_cap_many_times_applied(cap) ? "適用" : "適用なし");
  if (onshi_self_pay_cap_notice_count(cap) > 0) {
    printf("お知らせ:\n");
    print_notices(cap, "  ");
  }
  onshi_self_pay_cap_free(cap);
  return kBillingExitOk;
}

void billing_print_panel_cap(onshi_client* client, const onshi_qualification* q) {
  const char* patient = onshi_qualification_recorded_patient_id(q);
  const char* date = onshi_qualification_confirmation_date(q);
  onshi_error* err = NULL;
  onshi_self_pay_cap* cap = NULL;
  onshi_cap_request* request;
  char month[7];
  char amount[40];
  if (patient[0] == '\0' || !onshi_qualification_is_eligible(q) || strlen(date) != 8) return;
  memcpy(month, date, 6);
  month[6] = '\0';
  request = new_request(patient, month, 0, 0, 0, ONSHI_SPECIFIC_DISEASE_NONE, &err);
  if (request == NULL) {
    onshi_error_free(err);
    return;
  }
  if (onshi_get_self_pay_cap(client, request, &cap, &err) != ONSHI_OK) {
    printf("今月の自己負担限度額: 計算できません\n");
    if (err != NULL) printf("  %s\n", onshi_error_staff_message(err));
    onshi_error_free(err);
    onshi_cap_request_free(request);
    return;
  }
  onshi_cap_request_free(request);
  printf("今月の自己負担限度額 (外来): %s円%s\n",
         yen((long long)onshi_self_pay_cap_yen(cap), amount, sizeof(amount)),
         onshi_self_pay_cap_depends_on_total_cost(cap) ? " (基本額)" : "");
  printf("  %s\n", onshi_self_pay_cap_formula(cap));
  print_notices(cap, "  ");
  onshi_self_pay_cap_free(cap);
}
