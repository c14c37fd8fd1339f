// SPDX-License-Identifier: Apache-2.0
#pragma once
// The framing of a record file (procleak-record(5)): the file header, each frame's fixed-size
// checksummed header, and the zstd compression of frame payloads.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace procleak::store {

inline constexpr std::string_view kFileMagic = "PROCLEAK-RECORD\n";
// The version a new record is written in. A reader takes every version from kOldestFormatVersion
// on: versions 1 and 2 are positional, and from version 3 on every field and payload section has
// its length in front, so a reader skips what a later version adds (procleak-record(5)). A
// writer appending to an older record keeps writing that record's version, and does not append
// to a newer one.
inline constexpr uint32_t kFormatVersion = 3;
inline constexpr uint32_t kOldestFormatVersion = 1;
inline constexpr size_t kFileHeaderSize = 20;  // magic, then the version as a little-endian u32
inline constexpr std::string_view kFrameMagic = "PLfr";
inline constexpr size_t kFrameHeaderSize = 32;
// A frame header claiming more is damage, not data: no snapshot comes near it.
inline constexpr uint32_t kMaxPayloadBytes = 64u << 20;  // a key frame of 20,000 processes: ~6 MiB

// What a reader lets a moment declare and allocate (procleak-record(5), LIMITS), so that a small
// file cannot make it hold a large snapshot. The frames a writer appends are within them.
//
// The kernel's PID_MAX_LIMIT: no host runs more processes at once.
inline constexpr uint32_t kMaxProcesses = 4'194'304;
// A key frame holds at least this many decompressed bytes per process it declares (every field
// of a process takes at least a byte), and a delta frame per process it adds.
inline constexpr uint32_t kMinProcessBytes = 16;
// A moment decoded from N compressed bytes (its key frame and the delta frames after it) may
// hold kBytesPerCompressedByte * N bytes in memory, at least kMomentFloorBytes and at most
// kMaxMomentBytes; a frame's payload may decompress to as much for its own N. The fixture trees'
// snapshots take 7 to 36 bytes of memory per compressed byte (and decompress 2 to 17 times),
// 20,000 identical processes 460 (150 times); a delta in which they all end decompresses 1,656
// times, which is why no ratio below zstd's own bounds decompression.
inline constexpr uint64_t kBytesPerCompressedByte = 4096;
inline constexpr uint64_t kMomentFloorBytes = 32 << 20;
inline constexpr uint64_t kMaxMomentBytes = uint64_t{1} << 30;
// The least a process takes in memory, decoded (sizeof(Process) is more): a moment's budget
// holds at most budget / kProcessMemoryBytes processes.
inline constexpr uint64_t kProcessMemoryBytes = 256;
// And decoding a frame allocates at most this many bytes per decompressed byte: a record in
// memory is at most 28 times its smallest encoding, an empty string 32 times its length byte.
inline constexpr uint64_t kMaxDecodedPerByte = 64;

// What a moment decoded from `compressed` bytes of frames may hold in memory (`max`: the most any
// may, kMaxMomentBytes but for tests).
constexpr uint64_t MomentBudget(uint64_t compressed, uint64_t max = kMaxMomentBytes) {
  const uint64_t floor = kMomentFloorBytes < max ? kMomentFloorBytes : max;
  const uint64_t share =
      compressed > max / kBytesPerCompressedByte ? max : compressed * kBytesPerCompressedByte;
  return share < floor ? floor : share;
}

enum class FrameType : uint8_t { kKey = 'K', kDelta = 'D' };

struct FrameHeader {
  FrameType type = FrameType::kKey;
  int64_t scanned_at_ns = 0;  // Unix nanoseconds, also in the payload
  uint32_t processes = 0;
  uint32_t payload_bytes = 0;  // the compressed payload that follows the header
  uint32_t raw_bytes = 0;      // the payload decompressed
};

// The file header of a record of `version` (tests write older ones).
std::string EncodeFileHeader(uint32_t version = kFormatVersion);

// Checks the start of a file. The version of a complete header of a version this procleak reads;
// nullopt when `bytes` are shorter than a header and begin like one (a record cut off while its
// header was written). Errors say "not a procleak record" or which version is not supported,
// without a path.
absl::StatusOr<std::optional<uint32_t>> CheckFileHeader(std::string_view bytes);

std::string EncodeFrameHeader(const FrameHeader& header);

// Checks what a frame header declares against the limits above, before anything is read or
// decompressed. For a delta frame, `previous_processes` is the moment before's count and
// `previous_bytes` the compressed size of the frames it was decoded from (both 0 for a key
// frame). Errors are ResourceExhausted and say what was declared ("declares 3,900,000 processes
// in 5,700 bytes (...)"), without a path or moment.
absl::Status CheckFrameClaims(const FrameHeader& header, uint32_t previous_processes,
                              uint64_t previous_bytes);

// 3900000 as "3,900,000", for messages about sizes and counts.
std::string Grouped(uint64_t n);

// Parses the first kFrameHeaderSize bytes of `bytes` (which must hold that many). Errors say
// what is wrong ("header checksum mismatch"), without a path or offset.
absl::StatusOr<FrameHeader> ParseFrameHeader(std::string_view bytes);

// zstd with its content checksum on, so damage to a payload is found when it is decompressed.
// Keeps one compression context, since the writer compresses a frame every few seconds.
class Compressor {
 public:
  explicit Compressor(int level);
  ~Compressor();
  Compressor(Compressor&&) noexcept;
  Compressor& operator=(Compressor&&) noexcept;
  // Appends the compressed form of `raw` to *out.
  absl::Status Compress(std::string_view raw, std::string* out);

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Decompresses one zstd frame that must decode to exactly `raw_bytes` bytes and end exactly at
// the end of `compressed`, verifying its checksum. Memory grows with the output actually
// produced, never past raw_bytes, whatever the frame claims.
absl::StatusOr<std::string> Decompress(std::string_view compressed, uint32_t raw_bytes);

}  // namespace procleak::store
