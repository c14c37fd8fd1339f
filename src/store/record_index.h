// SPDX-License-Identifier: Apache-2.0
#pragma once
// Lists the frames of a record from their headers alone, and says where and how a cut-off or
// damaged record stops; shared by RecordReader::Open and RecordWriter::Open.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "procleak/record.h"
#include "store/frame.h"

namespace procleak::store {

enum class Damage {
  kNone,
  kIncomplete,  // the file ends inside its header or a frame: an interrupted write
  kCorrupt,     // a frame header that is not one: listing cannot go past it
};

struct RecordIndex {
  std::vector<RecordMoment> moments;
  std::vector<FrameHeader> headers;  // one per moment
  bool file_header_complete = false;
  uint32_t version = kFormatVersion;  // the file header's, when complete
  uint64_t end = 0;                   // where the last listed frame ends (or the file header, or 0)
  Damage damage = Damage::kNone;
  std::string damage_text;  // one line naming the file and byte offset; "" when intact
};

// Reads up to `length` bytes at `offset` into *out (fewer only at the end of the file).
using ReadAt = std::function<absl::Status(uint64_t offset, size_t length, std::string* out)>;

// A status's message as a std::string_view (Debian's abseil has its own string_view).
inline std::string_view MessageOf(const absl::Status& status) {
  return std::string_view(status.message().data(), status.message().size());
}

// The same error with "path: " in front of its message.
inline absl::Status WithPath(const std::string& path, const absl::Status& status) {
  return absl::Status(status.code(), std::string(path) + ": " + std::string(MessageOf(status)));
}

// pread(2) until `length` bytes are read or the file ends; errors say "read: <strerror>".
absl::Status PreadFully(int fd, uint64_t offset, size_t length, std::string* out);

// Lists the frames of the `size`-byte record `path` read through `read`. A record cut off or
// damaged anywhere lists what comes before; only what is not a record of a version this procleak
// reads, or a read error, is an error (one line naming `path`).
absl::StatusOr<RecordIndex> IndexRecord(const std::string& path, uint64_t size, const ReadAt& read);

// The same over bytes in memory (for tests and fuzzing).
absl::StatusOr<RecordIndex> IndexRecordBytes(const std::string& path, std::string_view bytes);

}  // namespace procleak::store
