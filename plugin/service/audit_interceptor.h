// The gRPC server interceptor that writes the audit log (docs/audit.md): one row per call of
// onshi's services (grpc.* services such as health are not recorded), plus, for server-streaming
// calls, one row per streamed message that names a patient (who saw which check-in / batch row).
//
// A row holds the caller's user id (metadata onshi-user-id), the method's name, the internal
// patient id and request id of the call (the request's top-level `patient_id` / `request_id`,
// else the response's top-level ones or those of a message field of it, e.g. record.patient_id,
// result.patient_id, match.patient_id), and the final status (canonical code and ONSHI_* reason).
//
// A call whose row cannot be written fails: its status becomes UNAVAILABLE with
// ONSHI_AUDIT_UNAVAILABLE and its response is replaced by an empty message, so no data leaves
// without its row. A streamed message whose row cannot be written is replaced by an empty message
// and the call is cancelled. A call with an invalid onshi-user-id fails with
// ONSHI_INVALID_USER_ID: its request reaches the handler cleared (so the handler refuses it
// before doing anything) and its response is withheld; a streaming one is cancelled.

#ifndef ONSHI_PLUGIN_SERVICE_AUDIT_INTERCEPTOR_H_
#define ONSHI_PLUGIN_SERVICE_AUDIT_INTERCEPTOR_H_

#include <string>

#include "google/protobuf/message.h"
#include "grpcpp/support/server_interceptor.h"
#include "plugin/core/audit.h"
#include "plugin/core/ports.h"

namespace onshi::service {

class AuditInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `log` and `clock` are not owned and must outlive every server the factory is registered
  // with (and every call those servers run).
  AuditInterceptorFactory(AuditLog* log, const Clock* clock) : log_(log), clock_(clock) {}

  // nullptr (not intercepted) for grpc.* services. Thread-safe.
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  AuditLog* const log_;
  const Clock* const clock_;
};

// The internal patient id a message names: its top-level string field `patient_id`, else that
// of its first set singular message field having one (one level down); "" when none.
// Thread-safe for distinct messages.
std::string AuditedPatientId(const google::protobuf::Message& message);

// The message's top-level string field `request_id`; "" when it has none.
std::string AuditedRequestId(const google::protobuf::Message& message);

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_AUDIT_INTERCEPTOR_H_
