#include "plugin/sidecar/listeners.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/server_credentials.h"
#include "plugin/common/fs.h"
#include "plugin/core/errors.h"

namespace onshi::sidecar {
namespace {

absl::Status Refuse(absl::string_view detail) { return MakeError(errors::kConfigInvalid, detail); }

// True when something accepts connections on `path`.
bool SocketIsLive(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  const bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return live;
}

absl::StatusOr<std::string> ReadPem(const std::string& path, bool secret) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Refuse(absl::StrCat(path, ": cannot stat: ", std::strerror(errno)));
  }
  if (secret && ((st.st_mode & 077) != 0 || st.st_uid != ::geteuid())) {
    return Refuse(absl::StrCat(path, ": a private key must be owned by onshid's user, mode 0600"));
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in || text.str().empty()) return Refuse(absl::StrCat(path, ": cannot read"));
  return text.str();
}

}  // namespace

absl::Status PrepareUnixSocket(const std::string& socket_path) {
  sockaddr_un probe;
  if (socket_path.empty() || socket_path.front() != '/' ||
      socket_path.size() >= sizeof(probe.sun_path)) {
    return Refuse("unix_socket_path must be an absolute path shorter than 108 bytes");
  }
  const std::string dir = socket_path.substr(0, socket_path.rfind('/'));
  if (absl::Status s = EnsurePrivateDirectory(dir.empty() ? "/" : dir); !s.ok()) return s;

  struct stat st;
  if (::lstat(socket_path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return Refuse(absl::StrCat(socket_path, ": cannot stat: ", std::strerror(errno)));
  }
  if (!S_ISSOCK(st.st_mode)) return Refuse(absl::StrCat(socket_path, ": exists and is not a socket"));
  if (st.st_uid != ::geteuid()) return Refuse(absl::StrCat(socket_path, ": owned by another user"));
  if (SocketIsLive(socket_path)) {
    return Refuse(absl::StrCat(socket_path, ": another onshid is listening on it"));
  }
  if (::unlink(socket_path.c_str()) != 0) {
    return Refuse(absl::StrCat(socket_path, ": cannot remove stale socket: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status RestrictUnixSocket(const std::string& socket_path) {
  if (::chmod(socket_path.c_str(), 0600) != 0) {
    return Refuse(absl::StrCat(socket_path, ": cannot chmod 0600: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const v1::TcpListenerConfig& tcp) {
  absl::StatusOr<std::string> cert = ReadPem(tcp.server_cert_path(), /*secret=*/false);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem(tcp.server_key_path(), /*secret=*/true);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> ca = ReadPem(tcp.client_ca_path(), /*secret=*/false);
  if (!ca.ok()) return ca.status();

  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = *ca;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
}

}  // namespace onshi::sidecar
