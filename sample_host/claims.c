/* sample_host's outage workflow and claims view: see claims.h. */

#include "claims.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char kClaimsUsage[] =
    "  claims --month YYYYMM [--changed]\n"
    "  self-declare --visit ID --document 申立書|資格確認書|マイナポータル|お知らせ\n"
    "         [--request-id ID] [--insurer N] [--symbol S] [--number N] [--branch NN]\n"
    "         [--birth YYYYMMDD] [--name TEXT] [--address TEXT] [--contact TEXT]\n"
    "         [--ratio 10|20|30]\n";

static struct {
  const char* month;
  int changed;
  const char* visit;
  const char* document;
  const char* name;
  const char* address;
  const char* contact;
  const char* ratio;
} g_claims;

int claims_is_command(const char* command) {
  return strcmp(command, "claims") == 0 || strcmp(command, "self-declare") == 0;
}

static int command_is_ours(int argc, char** argv) {
  int i;
  for (i = 1; i < argc; ++i) {
    if (argv[i][0] != '-' && claims_is_command(argv[i])) return 1;
  }
  return 0;
}

int claims_parse_option(int argc, char** argv, int* i) {
  const char* arg = argv[*i];
  const char** target = NULL;
  if (!command_is_ours(argc, argv)) return 0;
  if (strcmp(arg, "--changed") == 0) {
    g_claims.changed = 1;
    return 1;
  }
  if (strcmp(arg, "--month") == 0) {
    target = &g_claims.month;
  } else if (strcmp(arg, "--visit") == 0) {
    target = &g_claims.visit;
  } else if (strcmp(arg, "--document") == 0) {
    target = &g_claims.document;
  } else if (strcmp(arg, "--name") == 0) {
    target = &g_claims.name;
  } else if (strcmp(arg, "--address") == 0) {
    target = &g_claims.address;
  } else if (strcmp(arg, "--contact") == 0) {
    target = &g_claims.contact;
  } else if (strcmp(arg, "--ratio") == 0) {
    target = &g_claims.ratio;
  } else {
    return 0;
  }
  if (*i + 1 >= argc) {
    fprintf(stderr, "sample_host: %s needs a value\n", arg);
    return -1;
  }
  *target = argv[++*i];
  return 1;
}

int claims_check_args(const char* command) {
  if (strcmp(command, "claims") == 0 && g_claims.month == NULL) {
    fprintf(stderr, "sample_host: claims needs --month YYYYMM\n");
    return -1;
  }
  if (strcmp(command, "self-declare") == 0 &&
      (g_claims.visit == NULL || g_claims.document == NULL)) {
    fprintf(stderr, "sample_host: self-declare needs --visit and --document\n");
    return -1;
  }
  return 0;
}

static int report(onshi_status status, onshi_error* err) {
  if (err != NULL) {
    fprintf(stderr, "エラー: %s\n", onshi_error_staff_message(err));
    fprintf(stderr, "IT: %s: %s\n", onshi_error_reason(err), onshi_error_it_message(err));
    onshi_error_free(err);
  } else {
    fprintf(stderr, "エラー: (詳細なし)\nIT: %s\n", onshi_status_name(status));
  }
  return 1;
}

static int run_claims(onshi_client* client) {
  onshi_visits* visits = NULL;
  onshi_error* err = NULL;
  onshi_status status;
  int32_t i;
  int32_t n;
  status = g_claims.changed
               ? onshi_list_changed_after_billing(client, g_claims.month, &visits, &err)
               : onshi_list_unconfirmed_visits(client, g_claims.month, &visits, &err);
  if (status != ONSHI_OK) return report(status, err);
  n = onshi_visits_count(visits);
  printf("%s %.4s年%.2s月: %d件\n",
         g_claims.changed ? "請求後に資格確認結果が変わった受診" : "資格確認できていない受診",
         g_claims.month, g_claims.month + 4, (int)n);
  for (i = 0; i < n; ++i) {
    printf("受診ID: %s  患者ID: %s  受診日: %s  状態: %s\n", onshi_visits_visit_id(visits, i),
           onshi_visits_patient_id(visits, i), onshi_visits_visit_date(visits, i),
           onshi_visits_state_label(visits, i));
    if (onshi_visits_claim_unknown(visits, i)) {
      printf("  レセプト: 不詳（保険者番号 %s / 記号 %s / 番号 %s）\n",
             onshi_visits_claim_insurer_number(visits, i), onshi_visits_claim_symbol(visits, i),
             onshi_visits_claim_number(visits, i));
      printf("  摘要欄: %s\n", onshi_visits_claim_summary(visits, i));
    } else {
      printf("  レセプト: 保険者番号 %s / 記号 %s / 番号 %s\n",
             onshi_visits_claim_insurer_number(visits, i), onshi_visits_claim_symbol(visits, i),
             onshi_visits_claim_number(visits, i));
    }
  }
  onshi_visits_free(visits);
  return 0;
}

static int32_t document_of(const char* name) {
  if (strcmp(name, "申立書") == 0) return ONSHI_SELF_DECLARATION_APPLICATION;
  if (strcmp(name, "資格確認書") == 0) return ONSHI_SELF_DECLARATION_QUALIFICATION_CERTIFICATE;
  if (strcmp(name, "マイナポータル") == 0) return ONSHI_SELF_DECLARATION_MYNA_PORTAL_SCREEN;
  if (strcmp(name, "お知らせ") == 0) return ONSHI_SELF_DECLARATION_QUALIFICATION_NOTICE;
  return 0;
}

static int run_self_declare(onshi_client* client, const char* request_id, const char* insurer,
                            const char* symbol, const char* number, const char* branch,
                            const char* birth) {
  onshi_self_declaration* d = NULL;
  onshi_error* err = NULL;
  onshi_status status;
  int32_t state = 0;
  char generated[40];
  const int32_t document = document_of(g_claims.document);
  if (document == 0) {
    fprintf(stderr,
            "sample_host: --document must be 申立書, 資格確認書, マイナポータル or お知らせ\n");
    return 1;
  }
  if (request_id == NULL) {
    /* A fresh idempotency key per declaration; give --request-id to retry one. */
    snprintf(generated, sizeof(generated), "decl-%ld-%d", (long)time(NULL), rand() % 100000);
    request_id = generated;
  }
  status = onshi_self_declaration_new(request_id, g_claims.visit, document, &d, &err);
  if (status == ONSHI_OK) {
    status = onshi_self_declaration_set_numbers(d, insurer, symbol, number, branch, &err);
  }
  if (status == ONSHI_OK) {
    status = onshi_self_declaration_set_person(d, g_claims.name, birth, NULL, &err);
  }
  if (status == ONSHI_OK) {
    status = onshi_self_declaration_set_contact(d, g_claims.address, g_claims.contact, NULL, &err);
  }
  if (status == ONSHI_OK && g_claims.ratio != NULL) {
    status = onshi_self_declaration_set_copay_ratio(d, (int32_t)atoi(g_claims.ratio), &err);
  }
  if (status == ONSHI_OK) status = onshi_record_self_declaration(client, d, &state, &err);
  onshi_self_declaration_free(d);
  if (status != ONSHI_OK) {
    fprintf(stderr, "リクエストID: %s（再送するときは --request-id に指定）\n", request_id);
    return report(status, err);
  }
  printf("申立を記録しました（受診ID: %s）。%s\n", g_claims.visit,
         state == ONSHI_VISIT_STATE_SELF_DECLARED || state == ONSHI_VISIT_STATE_RECHECK_PENDING
             ? "回線の復旧後に自動で再照会します。"
             : "この受診はすでに再照会が済んでいます。");
  return 0;
}

int run_claims_command(onshi_client* client, const char* command, const char* request_id,
                       const char* insurer, const char* symbol, const char* number,
                       const char* branch, const char* birth) {
  if (strcmp(command, "claims") == 0) return run_claims(client);
  return run_self_declare(client, request_id, insurer, symbol, number, branch, birth);
}
