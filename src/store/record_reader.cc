// SPDX-License-Identifier: Apache-2.0
// RecordReader: lists a record's moments from its frame headers and decodes any of them from the
// key frame before it.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/time/time.h"
#include "base/read_file.h"
#include "fmt/format.h"
#include "procleak/record.h"
#include "store/record_index.h"
#include "store/snapshot_codec.h"

namespace procleak {

using store::FrameHeader;
using store::SnapshotFields;

struct RecordReader::State {
  int fd = -1;
  std::string path;
  store::RecordIndex index;
  // The fields of the moment read last, so reading moments in order decodes each frame once.
  SnapshotFields cached;
  int cached_index = -1;

  ~State() {
    if (fd >= 0) close(fd);
  }
};

RecordReader::RecordReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
RecordReader::RecordReader(RecordReader&&) noexcept = default;
RecordReader& RecordReader::operator=(RecordReader&&) noexcept = default;
RecordReader::~RecordReader() = default;

absl::StatusOr<RecordReader> RecordReader::Open(const std::string& path) {
  // O_NONBLOCK: a FIFO would block open until a writer came; it is refused below.
  int raw = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (raw < 0) {
    int err = errno;
    std::string message = fmt::format("{}: {}", path, std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
    return absl::UnavailableError(message);
  }
  auto state = std::make_unique<State>();  // closes `raw` on every return
  state->fd = raw;
  state->path = path;
  struct stat st;
  if (fstat(raw, &st) != 0) {
    return absl::UnavailableError(fmt::format("{}: {}", path, std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) return NotRegularError(path, st.st_mode);
  absl::StatusOr<store::RecordIndex> index =
      store::IndexRecord(path, static_cast<uint64_t>(st.st_size),
                         [raw](uint64_t offset, size_t length, std::string* out) {
                           return store::PreadFully(raw, offset, length, out);
                         });
  if (!index.ok()) return index.status();
  state->index = *std::move(index);
  return RecordReader(std::move(state));
}

const std::vector<RecordMoment>& RecordReader::moments() const { return state_->index.moments; }

const std::string& RecordReader::damage() const { return state_->index.damage_text; }

absl::StatusOr<Snapshot> RecordReader::Read(int index) {
  State& s = *state_;
  const std::vector<RecordMoment>& moments = s.index.moments;
  if (index < 0 || static_cast<size_t>(index) >= moments.size()) {
    return absl::OutOfRangeError(
        fmt::format("{}: no moment {} (the record holds {})", s.path, index, moments.size()));
  }
  int key = index;
  while (!moments[key].key) --key;  // the index lists a key frame first, always
  int from = key;
  if (s.cached_index >= key && s.cached_index <= index) {
    from = s.cached_index + 1;
  } else {
    s.cached_index = -1;
  }
  std::string payload;
  for (int k = from; k <= index; ++k) {
    const RecordMoment& m = moments[k];
    const FrameHeader& header = s.index.headers[k];
    absl::Status status =
        store::PreadFully(s.fd, m.offset + store::kFrameHeaderSize, header.payload_bytes, &payload);
    if (status.ok() && payload.size() != header.payload_bytes) {
      status = absl::DataLossError("the file is shorter than when it was opened");
    }
    if (status.ok()) status = store::ApplyFrame(header, payload, &s.cached, s.index.version);
    if (absl::IsResourceExhausted(status)) {  // beyond what a reader holds: not damage, a refusal
      s.cached = SnapshotFields{};
      s.cached_index = -1;
      return absl::ResourceExhaustedError(
          fmt::format("{}: moment {} {}; refused", s.path, k, store::MessageOf(status)));
    }
    if (!status.ok()) {
      s.cached_index = -1;
      return absl::DataLossError(fmt::format("{}: damaged frame at byte {} (moment {}): {}", s.path,
                                             m.offset, k, store::MessageOf(status)));
    }
    s.cached_index = k;
  }
  return store::BuildSnapshot(s.cached);
}

absl::StatusOr<int> RecordReader::IndexAt(absl::Time at) const {
  const std::vector<RecordMoment>& moments = state_->index.moments;
  // From the end, so a clock stepped back during recording still finds the latest moment.
  for (size_t i = moments.size(); i-- > 0;) {
    if (moments[i].scanned_at <= at) return static_cast<int>(i);
  }
  if (moments.empty()) {
    return absl::NotFoundError(fmt::format("{}: the record holds no moment", state_->path));
  }
  return absl::NotFoundError(fmt::format(
      "{}: no moment at or before {} (the first is at {})", state_->path,
      absl::FormatTime(absl::RFC3339_full, at, absl::UTCTimeZone()),
      absl::FormatTime(absl::RFC3339_full, moments.front().scanned_at, absl::UTCTimeZone())));
}

}  // namespace procleak
