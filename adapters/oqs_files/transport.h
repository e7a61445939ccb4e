// The file-drop transport to the 資格確認端末 (its 連携アプリケーション): requests of every kind go
// into req/, answers are collected from res/, card-reader check-ins from face/.
//
// Writing: a request is encoded, written under a temp name (kTempFilePrefix…, which no document
// pattern matches), fsynced, renamed without replacing anything to its kind's name
// (OQSsiquc01req_<id>.xml, OQSmuquc01req_<id>.xml, YZKsiquc01req_<id>.xml, ...), and the
// directory is fsynced. A reader of req/ sees the file complete under its final name, or not at
// all.
//
// Reading: one watcher thread for res/ and face/. Change notifications (inotify) only make it
// react sooner; a full rescan of both runs every rescan_interval regardless, because
// notifications are lost on SMB mounts and on queue overflow. face/ is created by the terminal
// (when a face-authenticating card reader is set up): while it is missing the watcher says so
// once and keeps looking. In res/ it reads the answer of every request kind (XML, and for
// medication and checkup results also PDF), .err files of every request kind, and requests the
// terminal returned; in face/ only check-ins (OQSsiquc01res_face_<id>.xml). An answer is
// delivered only when the file's stamp (inode, size, mtime, ctime) stayed unchanged across the
// read and the content is complete: an XML answer decodes into its kind's message (and, except
// for check-ins, whose ids are the terminal's own, its ArbitraryFileIdentifier equals the
// file-name id exactly); a PDF answer starts with "%PDF-" and has "%%EOF" within its last KiB
// (it is passed on as bytes, never parsed). A file that is not complete may be half-written: it
// is retried on later events and scans, and quarantined only once it stayed unchanged for
// malformed_grace.
//
// The shared folders are writable by another machine, so each entry is untrusted. Names that
// are not exactly an OQS document name read in that folder are ignored (never opened, never
// logged). Entries are opened only relative to the folder's directory descriptor, never through
// a link and without blocking. What is not a regular file with a single link is never read:
// - a symlink, FIFO, socket or device named like a document is moved, as the entry itself, into
//   the quarantine folder (rename never follows a link); when the quarantine folder is on another
//   file system it is unlinked instead (there are no document bytes to keep, and reading through
//   it is what must never happen);
// - a regular file with more than one link is not read either; since a writer falling back to
//   link()+unlink() shows two links for an instant, it is quarantined (moved, or unlinked across
//   file systems; the other name is untouched) only after it kept its stamp for malformed_grace;
// - a directory named like a document is left alone (onshi never deletes trees in a shared
//   folder) and logged once.
// A file larger than DecodeLimits::max_bytes (XML or PDF) is quarantined without being read
// (unlinked when the quarantine folder is on another file system). The sink hears of every
// quarantined answer-named entry through OnUnreadableAnswer, with its kind.
//
// Logs carry document kind names, file ids (random, onshi's own, or the terminal's), step names
// and errno names; never file contents and never names that are not document names.

#ifndef ONSHI_ADAPTERS_OQS_FILES_TRANSPORT_H_
#define ONSHI_ADAPTERS_OQS_FILES_TRANSPORT_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/oqs_files/fs_util.h"
#include "plugin/core/ports.h"

namespace onshi::oqs {

struct FileTransportOptions {
  // The terminal's shared folder. req/ and res/ must exist below it as real directories (not
  // symlinks): the terminal shares them, onshi does not create them. face/ is watched when it is
  // there (a real directory too); it is never created by onshi.
  std::string root;
  Encoding request_encoding = Encoding::kUtf8;
  // Full rescan of res/ and face/, whatever notifications say. Must be positive.
  absl::Duration rescan_interval = absl::Seconds(1);
  // inotify on res/ and face/. false = rescans only (SMB/CIFS mounts, where notifications are not
  // delivered for files written by the other machine).
  bool notifications = true;
  DecodeLimits limits;
  // How long an undecodable answer or incomplete PDF (or a request file returned into res/
  // without its .err, or a hard-linked entry) must stay unchanged before it is quarantined.
  // Measured with the Clock given to Create.
  absl::Duration malformed_grace = absl::Seconds(10);
  // true: processed answers are moved into processed_dir; false: they are deleted.
  bool archive_processed = true;
  // Private folders (mode 0700, owned by the service user; created so, with missing parents,
  // when missing; refused when group/other-accessible or a symlink). processed_dir is required only
  // when archive_processed. Neither may be req/ or res/ itself.
  std::string processed_dir;
  std::string quarantine_dir;
  // Temp files in req/ left by a writer that died (B2). Those of this instance's own earlier
  // runs (same host and quarantine folder) are removed at Start; those of other writers sharing
  // req/ (other workstations) only once older than this, so a live writer is never disturbed.
  absl::Duration stale_temp_age = absl::Minutes(2);
};

// The safe error code of an .err file's content: the whole content with ASCII whitespace (and a
// UTF-8 BOM) trimmed, or else its first whitespace-delimited token, when that is 1-32 ASCII
// characters of [A-Za-z0-9_-]; otherwise empty. Only this is ever logged or passed on: the rest
// of an .err file may echo the request.
std::string ExtractSafeErrorCode(absl::string_view content);

// Whether `bytes` are a whole PDF as far as a reader that does not parse PDFs can tell: they start
// with "%PDF-" and "%%EOF" occurs within the last 1,024 bytes (writers end the file with it, so a
// file still being written has not got there yet). Thread-safe.
bool IsCompletePdf(absl::string_view bytes);

class FileTransport final : public TerminalTransport {
 public:
  // Validates `options`, opens (or creates) the private folders and checks that req/ and res/
  // exist. Does not start watching (Start does). `clock` must outlive the transport.
  // Errors: ONSHI_CONFIG_INVALID naming the setting (missing or unsafe folders, bad durations);
  // ONSHI_TERMINAL_UNAVAILABLE when root, req/ or res/ is missing or not a directory.
  static absl::StatusOr<std::unique_ptr<FileTransport>> Create(FileTransportOptions options,
                                                               const Clock* clock);

  // Calls Stop(). Must not run on the watcher thread (i.e. inside a sink callback).
  ~FileTransport() override;

  // Removes this instance's stale temp files from req/, then starts the watcher thread, which
  // scans res/ and face/ at once and delivers to `sink` (which must outlive Stop()). Thread-safe.
  // May be called again after Stop(). Errors: ONSHI_INVALID_ARGUMENT for a null sink;
  // ONSHI_INTERNAL when already started or the thread or its wake-up descriptor cannot be created.
  absl::Status Start(AnswerSink* sink) override;

  // Wakes the watcher, waits for it to finish the file it is on, and joins it: once Stop returns
  // no sink call is running or will run. Idempotent; thread-safe. Called from a sink callback
  // (the watcher thread itself) it only asks the thread to finish and returns; the destructor
  // then joins it.
  void Stop() override;

  // Thread-safe; may run before Start and after Stop. Places at once (so does the Submit with a
  // deadline: limits on what is at the terminal are service::ThrottledTransport's). A file
  // already under the final name holding exactly the bytes this call would write counts as
  // placed: it is the same request placed again (after a restart that could not know whether its
  // file got there), and req/ is fsynced once more. Errors: ONSHI_INVALID_ARGUMENT when `kind` is not a request
  // kind, `document` is not of its message type, or its ArbitraryFileIdentifier does not satisfy
  // the file-name <id> rule (or would not make an answer name of the answer kind); the codec's
  // ONSHI_DOCUMENT_ENCODING when the document cannot be encoded; ONSHI_TERMINAL_UNAVAILABLE
  // (detail: the failing step and errno name) when req/ cannot be written (missing, not a
  // directory, not writable, full, read-only), or when another file with the final name already
  // exists (it is never replaced). On error nothing of this call is left in req/.
  absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document) override;

  // OK when req/ and res/ exist, are directories and are writable (and searchable) by this
  // process; ONSHI_TERMINAL_UNAVAILABLE otherwise. Thread-safe.
  absl::Status CheckHealth() override;

  // The tag in this instance's temp-file names (kTempFilePrefix + tag + "-" + random): derived
  // from the host name and the quarantine folder, so a restarted instance recognises its own
  // leftovers. For tests and diagnostics.
  const std::string& temp_file_tag() const { return instance_tag_; }

 private:
  class Watcher;

  FileTransport(FileTransportOptions options, const Clock* clock, UniqueFd processed_dir,
                UniqueFd quarantine_dir, std::string instance_tag);

  // Opens root/req, root/res or root/face (never through a symlink at the last component).
  int OpenShared(const char* sub, UniqueFd* out) const;
  // Removes temp files in req/: this instance's whatever their age, others' once stale.
  void RemoveStaleTempFiles(bool include_own) const;

  const FileTransportOptions options_;
  const Clock* const clock_;
  const UniqueFd processed_dir_;
  const UniqueFd quarantine_dir_;
  // Part of this instance's temp-file names (a hash of host name and quarantine folder).
  const std::string instance_tag_;

  std::mutex lifecycle_mu_;
  std::unique_ptr<Watcher> watcher_;  // guarded by lifecycle_mu_
  std::thread thread_;                // guarded by lifecycle_mu_
  // Read without the lock, so that Stop() from a sink callback neither deadlocks nor joins
  // its own thread.
  std::atomic<std::thread::id> watcher_thread_id_{};
  std::atomic<Watcher*> current_watcher_{nullptr};
};

}  // namespace onshi::oqs

#endif  // ONSHI_ADAPTERS_OQS_FILES_TRANSPORT_H_
