// SPDX-License-Identifier: Apache-2.0
// RecordWriter: validates (and repairs the torn tail of) a record, then appends one frame per
// snapshot with one write(2) and an fdatasync(2).

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/time/time.h"
#include "fmt/format.h"
#include "procleak/record.h"
#include "store/frame.h"
#include "store/record_index.h"
#include "store/record_lock.h"
#include "store/snapshot_codec.h"

namespace procleak {
namespace {

// zstd level 3 (its default) keeps Append at about a millisecond for 1,000 processes; higher
// levels shrink a day of frames by only a few percent.
constexpr int kCompressionLevel = 3;

absl::Status ErrnoError(const std::string& path, std::string_view what) {
  return absl::UnavailableError(fmt::format("{}: {}: {}", path, what, std::strerror(errno)));
}

// One write(2) per frame; the loop only continues a write the kernel cut short or a signal
// interrupted.
absl::Status WriteFully(int fd, const std::string& path, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(path, "write");
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status Sync(int fd, const std::string& path) {
  while (fdatasync(fd) != 0) {
    if (errno != EINTR) return ErrnoError(path, "fdatasync");
  }
  return absl::OkStatus();
}

}  // namespace

struct RecordWriter::State {
  int fd = -1;
  std::string path;
  uint64_t size = 0;
  int frames = 0;                            // appended since Open
  bool need_key = true;                      // the next frame must be a key frame
  bool broken = false;                       // a write failed: the file may end in a partial frame
  uint32_t version = store::kFormatVersion;  // the record's: appending keeps an older one
  store::SnapshotFields previous;
  store::Compressor compressor{kCompressionLevel};
  std::string payload, frame;  // reused buffers
};

RecordWriter::RecordWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
RecordWriter::RecordWriter(RecordWriter&&) noexcept = default;
RecordWriter& RecordWriter::operator=(RecordWriter&&) noexcept = default;
RecordWriter::~RecordWriter() = default;

absl::StatusOr<RecordWriter> RecordWriter::Open(int fd, std::string path, std::string* notice) {
  std::string unused;
  if (notice == nullptr) notice = &unused;
  notice->clear();
  auto state = std::make_unique<State>();
  state->fd = fd;
  state->path = std::move(path);
  const std::string& name = state->path;
  // Before anything is read: another writer's frame may be half written.
  if (absl::Status locked = store::LockRecord(fd, name, /*wait=*/false); !locked.ok()) {
    return locked;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) return ErrnoError(name, "fstat");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  auto read = [fd](uint64_t offset, size_t length, std::string* out) {
    return store::PreadFully(fd, offset, length, out);
  };
  absl::StatusOr<store::RecordIndex> index = store::IndexRecord(name, size, read);
  if (!index.ok()) return index.status();
  if (index->file_header_complete && index->version > store::kFormatVersion) {
    // Its frames may hold what this procleak would drop: appending would mix two versions.
    return absl::FailedPreconditionError(fmt::format(
        "{}: record format version {} is newer than this procleak writes ({}); not appending", name,
        index->version, store::kFormatVersion));
  }
  if (index->damage == store::Damage::kCorrupt) {
    return absl::DataLossError(
        fmt::format("{}; not appending to a damaged record", index->damage_text));
  }
  uint64_t keep = index->end;
  if (index->damage == store::Damage::kIncomplete && size > 0) {
    *notice = fmt::format("{} (cut off: an interrupted write)", index->damage_text);
  } else if (!index->moments.empty()) {
    // A crash can also leave a frame of the right length whose payload never reached the disk
    // (zeros after a power loss): check the last payload, the only one a torn write can hit.
    const RecordMoment& last = index->moments.back();
    const store::FrameHeader& header = index->headers.back();
    std::string payload;
    absl::Status status = store::PreadFully(fd, last.offset + store::kFrameHeaderSize,
                                            header.payload_bytes, &payload);
    if (!status.ok()) return store::WithPath(name, status);
    absl::StatusOr<std::string> raw = store::Decompress(payload, header.raw_bytes);
    if (!raw.ok()) {
      keep = last.offset;
      *notice = fmt::format("{}: damaged last frame at byte {} ({}); cut off: an interrupted write",
                            name, last.offset, store::MessageOf(raw.status()));
    }
  }
  if (keep < size) {
    if (ftruncate(fd, static_cast<off_t>(keep)) != 0) return ErrnoError(name, "ftruncate");
  }
  // With O_APPEND this changes nothing; without it, writes still land at the end.
  if (lseek(fd, static_cast<off_t>(keep), SEEK_SET) < 0) return ErrnoError(name, "lseek");
  state->size = keep;
  if (keep > 0) state->version = index->version;
  if (keep == 0) {
    absl::Status status = WriteFully(fd, name, store::EncodeFileHeader());
    if (status.ok()) status = Sync(fd, name);
    if (!status.ok()) return status;
    state->size = store::kFileHeaderSize;
  }
  return RecordWriter(std::move(state));
}

absl::Status RecordWriter::Append(const Snapshot& snapshot) {
  State& s = *state_;
  if (s.broken) {
    return absl::FailedPreconditionError(
        fmt::format("{}: an earlier write failed; open the record again to repair it", s.path));
  }
  const bool key = s.need_key || s.frames % kKeyInterval == 0;
  if (key) s.previous = store::SnapshotFields{};
  const auto before = static_cast<uint32_t>(s.previous.processes.size());
  const uint64_t chain = key ? 0 : s.previous.frame_bytes;
  s.payload.clear();
  // From here until the write succeeds, `previous` no longer matches the file: any failure
  // makes the next frame a key frame.
  s.need_key = true;
  store::EncodePayload(snapshot, &s.previous, &s.payload, s.version);
  if (s.payload.size() > store::kMaxPayloadBytes) {
    return absl::ResourceExhaustedError(
        fmt::format("{}: a snapshot of {} bytes is above the {} MiB frame limit", s.path,
                    s.payload.size(), store::kMaxPayloadBytes >> 20));
  }
  s.frame.assign(store::kFrameHeaderSize, '\0');
  if (absl::Status status = s.compressor.Compress(s.payload, &s.frame); !status.ok()) {
    return store::WithPath(s.path, status);
  }
  if (s.frame.size() - store::kFrameHeaderSize > store::kMaxPayloadBytes) {
    return absl::ResourceExhaustedError(
        fmt::format("{}: a compressed snapshot is above the {} MiB frame limit", s.path,
                    store::kMaxPayloadBytes >> 20));
  }
  store::FrameHeader header;
  header.type = key ? store::FrameType::kKey : store::FrameType::kDelta;
  header.scanned_at_ns = absl::ToUnixNanos(snapshot.host().scanned_at);
  header.processes = static_cast<uint32_t>(snapshot.processes().size());
  header.payload_bytes = static_cast<uint32_t>(s.frame.size() - store::kFrameHeaderSize);
  header.raw_bytes = static_cast<uint32_t>(s.payload.size());
  // Never a frame that readers refuse (their limits are far from any real snapshot's).
  if (absl::Status claims = store::CheckFrameClaims(header, before, chain); !claims.ok()) {
    return absl::ResourceExhaustedError(
        fmt::format("{}: not appending a frame that {}, which readers refuse", s.path,
                    store::MessageOf(claims)));
  }
  s.frame.replace(0, store::kFrameHeaderSize, store::EncodeFrameHeader(header));
  absl::Status status = WriteFully(s.fd, s.path, s.frame);
  if (status.ok()) status = Sync(s.fd, s.path);
  if (!status.ok()) {
    s.broken = true;
    return status;
  }
  s.size += s.frame.size();
  s.previous.frame_bytes = chain + header.payload_bytes;
  ++s.frames;
  s.need_key = false;
  return absl::OkStatus();
}

uint64_t RecordWriter::bytes_written() const { return state_->size; }

}  // namespace procleak
