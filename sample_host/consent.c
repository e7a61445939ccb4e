/* sample_host's consent panel: see consent.h. */

#include "consent.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char kConsentUsage[] =
    "  consents --patient ID\n"
    "  admit --patient ID [--request-id ID]      (入院を記録: 入院中は同意が退院まで有効)\n"
    "  discharge --patient ID [--request-id ID]  (退院を記録)\n";

int consent_is_command(const char* command) {
  return strcmp(command, "consents") == 0 || strcmp(command, "admit") == 0 ||
         strcmp(command, "discharge") == 0;
}

static const char* scope_label(int32_t scope) {
  switch (scope) {
    case ONSHI_CONSENT_SCOPE_LIMIT_CERTIFICATE:
      return "限度額情報";
    case ONSHI_CONSENT_SCOPE_SPECIFIC_DISEASES:
      return "特定疾病情報";
    case ONSHI_CONSENT_SCOPE_MEDICATION:
      return "薬剤情報";
    case ONSHI_CONSENT_SCOPE_DIAGNOSIS:
      return "診療情報";
    case ONSHI_CONSENT_SCOPE_OPERATION:
      return "手術情報";
    case ONSHI_CONSENT_SCOPE_CHECKUPS:
      return "特定健診情報";
    default:
      return "不明";
  }
}

static const char* source_label(int32_t source) {
  switch (source) {
    case ONSHI_CONSENT_SOURCE_CARD_READER:
      return "カードリーダー";
    case ONSHI_CONSENT_SOURCE_STAFF:
      return "受付で確認";
    default:
      return "";
  }
}

/* Why a scope is not released, for the desk. */
static const char* refusal_label(const char* reason) {
  if (strcmp(reason, "ONSHI_CONSENT_EXPIRED") == 0) return "同意の期限切れ（再受付が必要）";
  if (strcmp(reason, "ONSHI_CONSENT_WRONG_SETTING") == 0) return "この診療形態の同意なし";
  if (strcmp(reason, "ONSHI_CONSENT_NEVER_AVAILABLE") == 0) return "この資格では提供されません";
  if (strcmp(reason, "ONSHI_ELIGIBILITY_ONLY") == 0) return "資格確認のみ（電子証明書の猶予期間）";
  return "同意なし";
}

/* Epoch milliseconds as JST "2026年11月25日 13:32". */
static void format_jst(int64_t ms, char* buffer, size_t size) {
  const time_t seconds = (time_t)(ms / 1000) + 9 * 3600;
  const struct tm* t = gmtime(&seconds);
  if (t == NULL) {
    snprintf(buffer, size, "?");
    return;
  }
  snprintf(buffer, size, "%04d年%02d月%02d日 %02d:%02d", t->tm_year + 1900, t->tm_mon + 1,
           t->tm_mday, t->tm_hour, t->tm_min);
}

/* admit / discharge: the clerk records the stay (needs --user). */
static int run_stay(onshi_client* client, const char* command, const char* patient,
                    const char* request_id) {
  char generated[64];
  onshi_error* err = NULL;
  onshi_status status;
  const int admit = strcmp(command, "admit") == 0;
  if (request_id == NULL) {
    /* A fresh idempotency key; give --request-id to retry the same record. */
    snprintf(generated, sizeof(generated), "stay-%ld-%d", (long)time(NULL),
             (int)(clock() % 100000));
    request_id = generated;
  }
  status = admit ? onshi_record_admission(client, request_id, patient, 0, &err)
                 : onshi_record_discharge(client, request_id, patient, 0, &err);
  if (status != ONSHI_OK) {
    fprintf(stderr, "エラー: %s\n", onshi_error_staff_message(err));
    fprintf(stderr, "IT: %s: %s\n", onshi_error_reason(err), onshi_error_it_message(err));
    fprintf(stderr, "リクエストID: %s（再送するときは --request-id に指定）\n", request_id);
    onshi_error_free(err);
    return 1;
  }
  printf(admit ? "入院を記録しました（患者ID: %s）。入院中に受けた同意は退院まで有効です。\n"
               : "退院を記録しました（患者ID: %s）。\n",
         patient);
  return 0;
}

int run_consents(onshi_client* client, const char* command, const char* patient,
                 const char* request_id) {
  onshi_consents* consents = NULL;
  onshi_error* err = NULL;
  int32_t i;
  onshi_status status;
  if (patient == NULL) {
    fprintf(stderr, "sample_host: %s needs --patient\n", command);
    return 64;
  }
  if (strcmp(command, "consents") != 0) return run_stay(client, command, patient, request_id);
  status =
      onshi_list_consents(client, patient, 0, ONSHI_CONSENT_SETTING_OUTPATIENT, &consents, &err);
  if (status != ONSHI_OK) {
    fprintf(stderr, "エラー: %s\n", onshi_error_staff_message(err));
    fprintf(stderr, "IT: %s: %s\n", onshi_error_reason(err), onshi_error_it_message(err));
    onshi_error_free(err);
    return 1;
  }
  printf("=== 同意状況（外来） ===\n患者ID: %s\n", patient);
  for (i = 0; i < onshi_consents_count(consents); ++i) {
    const int64_t until = onshi_consents_valid_until_ms(consents, i);
    char when[64];
    if (onshi_consents_allowed(consents, i)) {
      if (until == INT64_MAX) {
        printf("%s: 閲覧可（%s）\n", scope_label(onshi_consents_scope(consents, i)),
               onshi_consents_while_admitted(consents, i) ? "入院中は退院まで" : "期限なし");
      } else {
        format_jst(until, when, sizeof(when));
        printf("%s: 閲覧可 %s まで（%s）\n", scope_label(onshi_consents_scope(consents, i)), when,
               source_label(onshi_consents_source(consents, i)));
      }
    } else if (until > 0) {
      format_jst(until, when, sizeof(when));
      printf("%s: 不可 — %s（%s に終了）\n", scope_label(onshi_consents_scope(consents, i)),
             refusal_label(onshi_consents_reason(consents, i)), when);
    } else {
      printf("%s: 不可 — %s\n", scope_label(onshi_consents_scope(consents, i)),
             refusal_label(onshi_consents_reason(consents, i)));
    }
  }
  onshi_consents_free(consents);
  return 0;
}
