// SPDX-License-Identifier: Apache-2.0
#include "store/record_index.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/time/time.h"
#include "fmt/format.h"

namespace procleak::store {
namespace {

std::string UpTo(const RecordIndex& index) {
  if (index.moments.empty()) return "no complete moment before it";
  return fmt::format("read up to moment {}", index.moments.size() - 1);
}

}  // namespace

absl::StatusOr<RecordIndex> IndexRecord(const std::string& path, uint64_t size,
                                        const ReadAt& read) {
  RecordIndex index;
  std::string bytes;
  absl::Status status = read(0, kFileHeaderSize, &bytes);
  if (!status.ok()) return WithPath(path, status);
  absl::StatusOr<std::optional<uint32_t>> version = CheckFileHeader(bytes);
  if (!version.ok()) {
    return WithPath(path, version.status());
  }
  if (!*version) {
    index.damage = Damage::kIncomplete;
    index.damage_text = fmt::format("{}: incomplete file header ({} of {} bytes); no moments", path,
                                    bytes.size(), kFileHeaderSize);
    return index;
  }
  index.file_header_complete = true;
  index.version = **version;
  uint64_t offset = kFileHeaderSize;
  while (offset < size) {
    const uint64_t left = size - offset;
    if (left < kFrameHeaderSize) {
      index.damage = Damage::kIncomplete;
      index.damage_text = fmt::format("{}: incomplete frame at byte {} ({} of {} header bytes); {}",
                                      path, offset, left, kFrameHeaderSize, UpTo(index));
      break;
    }
    status = read(offset, kFrameHeaderSize, &bytes);
    if (!status.ok()) {
      return WithPath(path, status);
    }
    if (bytes.size() < kFrameHeaderSize) {  // the file shrank while it was read
      index.damage = Damage::kIncomplete;
      index.damage_text = fmt::format("{}: incomplete frame at byte {} ({} of {} header bytes); {}",
                                      path, offset, bytes.size(), kFrameHeaderSize, UpTo(index));
      break;
    }
    absl::StatusOr<FrameHeader> header = ParseFrameHeader(bytes);
    if (header.ok() && index.moments.empty() && header->type != FrameType::kKey) {
      header = absl::DataLossError("the first frame is not a key frame");
    }
    if (!header.ok()) {
      index.damage = Damage::kCorrupt;
      index.damage_text = fmt::format("{}: damaged frame at byte {} ({}); {}", path, offset,
                                      MessageOf(header.status()), UpTo(index));
      break;
    }
    const uint64_t frame_bytes = kFrameHeaderSize + uint64_t{header->payload_bytes};
    if (left < frame_bytes) {
      index.damage = Damage::kIncomplete;
      index.damage_text = fmt::format("{}: incomplete frame at byte {} ({} of {} bytes); {}", path,
                                      offset, left, frame_bytes, UpTo(index));
      break;
    }
    RecordMoment moment;
    moment.index = static_cast<int>(index.moments.size());
    moment.scanned_at = absl::FromUnixNanos(header->scanned_at_ns);
    moment.processes = static_cast<int>(std::min<uint32_t>(header->processes, INT32_MAX));
    moment.key = header->type == FrameType::kKey;
    moment.offset = offset;
    moment.bytes = frame_bytes;
    index.moments.push_back(moment);
    index.headers.push_back(*header);
    offset += frame_bytes;
  }
  index.end = std::min(offset, size);
  return index;
}

absl::Status PreadFully(int fd, uint64_t offset, size_t length, std::string* out) {
  out->resize(length);
  size_t got = 0;
  while (got < length) {
    ssize_t n = pread(fd, out->data() + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::UnavailableError(fmt::format("read: {}", std::strerror(errno)));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out->resize(got);
  return absl::OkStatus();
}

absl::StatusOr<RecordIndex> IndexRecordBytes(const std::string& path, std::string_view bytes) {
  return IndexRecord(path, bytes.size(), [bytes](uint64_t offset, size_t length, std::string* out) {
    out->assign(bytes.substr(std::min<uint64_t>(offset, bytes.size()), length));
    return absl::OkStatus();
  });
}

}  // namespace procleak::store
