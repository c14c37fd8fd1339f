// SPDX-License-Identifier: Apache-2.0
#pragma once
// Records: snapshots appended to a file as delta-encoded, zstd-compressed frames
// (procleak-record(5)), and reading any recorded moment back as the Snapshot it was.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "procleak/snapshot.h"

namespace procleak {

// One moment of a record, known from its frame header alone (nothing decompressed).
struct RecordMoment {
  int index = 0;  // 0-based position in the file
  absl::Time scanned_at;
  int processes = 0;
  bool key = false;     // a key frame, decodable without the frames before it
  uint64_t offset = 0;  // byte offset of the frame in the file
  uint64_t bytes = 0;   // the frame's size on disk, header included
};

// Appends snapshots to a record file. The first frame written after Open is a key frame, and so
// is every kKeyInterval-th one after it; the others hold only what changed since the previous
// snapshot. Each frame is one write(2) followed by fdatasync(2), so a crash leaves at most one
// incomplete frame at the end, which readers ignore.
class RecordWriter {
 public:
  static constexpr int kKeyInterval = 60;

  // `fd` is open for reading and writing (O_RDWR | O_APPEND | O_CLOEXEC) and stays owned by the
  // caller; `path` is used in messages. Open first takes an exclusive flock(2) on `fd`, which
  // lasts until the caller closes it: a record another writer holds is a FailedPrecondition error
  // ("rec.plr: being recorded by another procleak (pid 812)"), and the file is left as it is (to
  // wait for the other writer instead, flock(fd, LOCK_EX) before Open). An empty file gets the
  // file header. An existing record is validated; an incomplete frame at its end is cut off
  // (ftruncate) and described in *notice (one line naming the file, else left empty). Anything
  // that is not a record is an error. A record keeps its format version: frames appended to an
  // older one leave out the fields that version does not have (procleak-record(5)).
  static absl::StatusOr<RecordWriter> Open(int fd, std::string path, std::string* notice);

  RecordWriter(RecordWriter&&) noexcept;
  RecordWriter& operator=(RecordWriter&&) noexcept;
  ~RecordWriter();

  // Encodes, compresses and appends one frame. Uses only write(2) and fdatasync(2) on the fd,
  // so it runs inside the sandbox.
  absl::Status Append(const Snapshot& snapshot);

  uint64_t bytes_written() const;  // file size after the last Append

 private:
  struct State;
  explicit RecordWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Reads a record file. Open reads every frame header (and nothing else); Read decodes from the
// nearest key frame at or before the moment. A file cut off anywhere opens fine: damage()
// then says where its last complete frame ends.
class RecordReader {
 public:
  // Errors are one line naming the file: not a record, unsupported version, unreadable.
  static absl::StatusOr<RecordReader> Open(const std::string& path);

  RecordReader(RecordReader&&) noexcept;
  RecordReader& operator=(RecordReader&&) noexcept;
  ~RecordReader();

  const std::vector<RecordMoment>& moments() const;
  // "" for an intact file, else one line such as
  // "rec.plr: incomplete frame at byte 81234 (512 of 2048 bytes); read up to moment 41".
  // A damaged frame header also ends the listing ("rec.plr: damaged frame at byte 81234 (frame
  // header checksum mismatch); read up to moment 41"). A damaged payload is only found by Read.
  const std::string& damage() const;
  // The snapshot recorded at moments()[index]. A frame whose checksum or contents are wrong is
  // an error naming the file and the byte offset. A frame that declares or needs more than a
  // reader holds (procleak-record(5), LIMITS) is refused before it is allocated: a
  // ResourceExhausted error such as "rec.plr: moment 3 declares 3,900,000 processes in 5,700
  // bytes (...); refused". The reader holds one decoded moment at a time.
  absl::StatusOr<Snapshot> Read(int index);
  // The index of the last moment at or before `at`, or NotFound when all are later.
  absl::StatusOr<int> IndexAt(absl::Time at) const;

 private:
  struct State;
  explicit RecordReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace procleak
