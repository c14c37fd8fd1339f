// SPDX-License-Identifier: Apache-2.0
#include "store/frame.h"

#include <zstd.h>

#include <algorithm>

#include "fmt/format.h"
#include "store/varint.h"

namespace procleak::store {
namespace {

uint32_t Fnv1a32(std::string_view bytes) {
  uint32_t hash = 2166136261u;
  for (char c : bytes) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 16777619u;
  }
  return hash;
}

struct DctxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

}  // namespace

std::string EncodeFileHeader(uint32_t version) {
  std::string out(kFileMagic);
  PutFixed(&out, version, 4);
  return out;
}

absl::StatusOr<std::optional<uint32_t>> CheckFileHeader(std::string_view bytes) {
  std::string_view magic = bytes.substr(0, kFileMagic.size());
  if (!kFileMagic.starts_with(magic)) return absl::InvalidArgumentError("not a procleak record");
  if (bytes.size() < kFileHeaderSize) return std::nullopt;
  uint64_t version = GetFixed(bytes, kFileMagic.size(), 4);
  if (version < kOldestFormatVersion) {
    return absl::UnimplementedError(
        fmt::format("record format version {} is not supported (this procleak reads {} and later)",
                    version, kOldestFormatVersion));
  }
  return static_cast<uint32_t>(version);
}

std::string EncodeFrameHeader(const FrameHeader& h) {
  std::string out(kFrameMagic);
  out.push_back(static_cast<char>(h.type));
  out.append(3, '\0');
  PutFixed(&out, static_cast<uint64_t>(h.scanned_at_ns), 8);
  PutFixed(&out, h.processes, 4);
  PutFixed(&out, h.payload_bytes, 4);
  PutFixed(&out, h.raw_bytes, 4);
  PutFixed(&out, Fnv1a32(out), 4);
  return out;
}

absl::Status CheckFrameClaims(const FrameHeader& h, uint32_t previous_processes,
                              uint64_t previous_bytes) {
  const bool key = h.type == FrameType::kKey;
  const std::string processes = Grouped(h.processes);
  if (h.processes > kMaxProcesses) {
    return absl::ResourceExhaustedError(
        fmt::format("declares {} processes, more than a Linux host runs ({})", processes,
                    Grouped(kMaxProcesses)));
  }
  const uint64_t compressed = (key ? 0 : previous_bytes) + h.payload_bytes;
  const uint64_t most = MomentBudget(compressed) / kProcessMemoryBytes;
  if (h.processes > most) {
    return absl::ResourceExhaustedError(fmt::format(
        "declares {} processes in {} bytes{} (at most {} in as many)", processes,
        Grouped(compressed), key ? "" : " of frames from its key frame on", Grouped(most)));
  }
  const uint64_t added =
      key ? h.processes : h.processes - std::min(h.processes, previous_processes);
  if (added * kMinProcessBytes > h.raw_bytes) {
    return absl::ResourceExhaustedError(fmt::format(
        "declares {} processes{} in {} bytes decompressed (at least {} per process)", processes,
        key ? "" : fmt::format(", {} more than the moment before,", Grouped(added)),
        Grouped(h.raw_bytes), kMinProcessBytes));
  }
  if (h.raw_bytes > MomentBudget(h.payload_bytes)) {
    return absl::ResourceExhaustedError(
        fmt::format("declares {} bytes decompressed from {} (at most {} times as many, or {})",
                    Grouped(h.raw_bytes), Grouped(h.payload_bytes), kBytesPerCompressedByte,
                    Grouped(kMomentFloorBytes)));
  }
  return absl::OkStatus();
}

std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  for (size_t i = digits.size(); i > 3; i -= 3) digits.insert(i - 3, 1, ',');
  return digits;
}

absl::StatusOr<FrameHeader> ParseFrameHeader(std::string_view bytes) {
  if (bytes.size() < kFrameHeaderSize) return absl::InvalidArgumentError("short frame header");
  bytes = bytes.substr(0, kFrameHeaderSize);
  if (!bytes.starts_with(kFrameMagic)) return absl::DataLossError("no frame magic");
  if (Fnv1a32(bytes.substr(0, 28)) != GetFixed(bytes, 28, 4)) {
    return absl::DataLossError("frame header checksum mismatch");
  }
  FrameHeader h;
  uint8_t type = static_cast<uint8_t>(bytes[4]);
  if (type != static_cast<uint8_t>(FrameType::kKey) &&
      type != static_cast<uint8_t>(FrameType::kDelta)) {
    return absl::DataLossError(fmt::format("unknown frame type {:#04x}", type));
  }
  if (bytes.substr(5, 3) != std::string_view("\0\0\0", 3)) {
    return absl::DataLossError("reserved frame header bytes are not zero");
  }
  h.type = static_cast<FrameType>(type);
  h.scanned_at_ns = static_cast<int64_t>(GetFixed(bytes, 8, 8));
  h.processes = static_cast<uint32_t>(GetFixed(bytes, 16, 4));
  h.payload_bytes = static_cast<uint32_t>(GetFixed(bytes, 20, 4));
  h.raw_bytes = static_cast<uint32_t>(GetFixed(bytes, 24, 4));
  if (h.payload_bytes > kMaxPayloadBytes || h.raw_bytes > kMaxPayloadBytes) {
    return absl::DataLossError(
        fmt::format("frame payload of {} bytes ({} decompressed) is above the {} MiB limit",
                    h.payload_bytes, h.raw_bytes, kMaxPayloadBytes >> 20));
  }
  return h;
}

struct Compressor::Context {
  ZSTD_CCtx* cctx = nullptr;
  ~Context() { ZSTD_freeCCtx(cctx); }
};

Compressor::Compressor(int level) : context_(std::make_unique<Context>()) {
  context_->cctx = ZSTD_createCCtx();
  if (context_->cctx != nullptr) {
    ZSTD_CCtx_setParameter(context_->cctx, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(context_->cctx, ZSTD_c_checksumFlag, 1);
  }
}
Compressor::~Compressor() = default;
Compressor::Compressor(Compressor&&) noexcept = default;
Compressor& Compressor::operator=(Compressor&&) noexcept = default;

absl::Status Compressor::Compress(std::string_view raw, std::string* out) {
  if (context_ == nullptr || context_->cctx == nullptr) {
    return absl::ResourceExhaustedError("cannot allocate a zstd compression context");
  }
  size_t start = out->size();
  out->resize(start + ZSTD_compressBound(raw.size()));
  // ZSTD_compress2 writes the content size into the frame header, so readers can check it.
  size_t n = ZSTD_compress2(context_->cctx, out->data() + start, out->size() - start, raw.data(),
                            raw.size());
  if (ZSTD_isError(n)) {
    out->resize(start);
    return absl::InternalError(fmt::format("zstd: {}", ZSTD_getErrorName(n)));
  }
  out->resize(start + n);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Decompress(std::string_view compressed, uint32_t raw_bytes) {
  unsigned long long declared = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN) {
    return absl::DataLossError("payload is not a zstd frame with its size");
  }
  if (declared != raw_bytes) {
    return absl::DataLossError(fmt::format(
        "payload decompresses to {} bytes, the frame header says {}", declared, raw_bytes));
  }
  std::unique_ptr<ZSTD_DCtx, DctxDeleter> dctx(ZSTD_createDCtx());
  if (dctx == nullptr) return absl::ResourceExhaustedError("cannot allocate a zstd context");
  // One byte beyond the declared size, so a frame that holds more shows as a full buffer.
  const size_t limit = size_t{raw_bytes} + 1;
  std::string out;
  out.resize(std::min<size_t>(limit, 64 << 10));
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  ZSTD_outBuffer outbuf{out.data(), out.size(), 0};
  while (true) {
    size_t left = ZSTD_decompressStream(dctx.get(), &outbuf, &in);
    if (ZSTD_isError(left)) {
      return absl::DataLossError(fmt::format("zstd: {}", ZSTD_getErrorName(left)));
    }
    if (left == 0) break;  // the frame is complete and its checksum verified
    if (outbuf.pos == outbuf.size) {
      if (out.size() == limit) {
        return absl::DataLossError("payload decompresses to more than its declared size");
      }
      out.resize(std::min<size_t>(limit, out.size() * 2));
      outbuf.dst = out.data();
      outbuf.size = out.size();
    } else if (in.pos == in.size) {
      return absl::DataLossError("payload ends inside its zstd frame");
    }
  }
  if (in.pos != in.size) return absl::DataLossError("bytes after the payload's zstd frame");
  if (outbuf.pos != raw_bytes) {
    return absl::DataLossError(
        fmt::format("payload decompresses to {} bytes, expected {}", outbuf.pos, raw_bytes));
  }
  out.resize(raw_bytes);
  return out;
}

}  // namespace procleak::store
