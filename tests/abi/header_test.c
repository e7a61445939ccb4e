/*
 * The public header as a strict C99 consumer sees it: built with -std=c99 -Wall -Wextra
 * -pedantic -Werror (building is the test), then run to compare header and library versions.
 */
#include "onshi/onshi.h"
#include "onshi/onshi.h" /* the include guard holds */

int main(void) {
  onshi_status status = ONSHI_OK;
  onshi_error* err = NULL;
  int32_t major = -1;
  onshi_version(&major, NULL, NULL);
  onshi_error_free(err);
  if (major != ONSHI_VERSION_MAJOR) return 1;
  if (onshi_abi_version() != ONSHI_ABI_VERSION) return 1;
  return status;
}
