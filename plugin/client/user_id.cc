#include "plugin/client/user_id.h"

#include <utility>

#include "plugin/core/errors.h"
#include "plugin/service/caller.h"

namespace onshi::client {
namespace {

using grpc::experimental::InterceptionHookPoints;

class UserIdInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit UserIdInterceptor(const UserIdHolder* holder) : holder_(holder) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::string user_id = holder_->Get();
      std::multimap<std::string, std::string>* metadata = methods->GetSendInitialMetadata();
      if (!user_id.empty() && metadata != nullptr) {
        metadata->emplace(std::string(kUserIdMetadataKey), std::move(user_id));
      }
    }
    methods->Proceed();
  }

 private:
  const UserIdHolder* const holder_;
};

class UserIdInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit UserIdInterceptorFactory(std::shared_ptr<UserIdHolder> holder)
      : holder_(std::move(holder)) {}

  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    return new UserIdInterceptor(holder_.get());
  }

 private:
  const std::shared_ptr<UserIdHolder> holder_;
};

}  // namespace

absl::Status UserIdHolder::Set(const std::string& user_id) {
  if (!user_id.empty() && !IsValidUserId(user_id)) {
    return MakeError(errors::kInvalidUserId,
                     "user_id must be 1-64 characters of A-Z a-z 0-9 . _ @ -");
  }
  std::lock_guard<std::mutex> lock(mu_);
  user_id_ = user_id;
  return absl::OkStatus();
}

std::string UserIdHolder::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return user_id_;
}

std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
UserIdInterceptors(std::shared_ptr<UserIdHolder> holder) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> all;
  all.push_back(std::make_unique<UserIdInterceptorFactory>(std::move(holder)));
  return all;
}

}  // namespace onshi::client
