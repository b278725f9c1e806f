// Base64 (RFC 4648, standard alphabet, padded): one encoder and one strict
// decoder for every tool (barcode bytes in records, sealed data and keys).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace idkit::base64 {

std::string encode(std::span<const std::uint8_t> bytes);
std::string encode(std::string_view bytes);

// Strict: nullopt on any character outside the alphabet, bad padding or trailing data.
std::optional<std::string> decode(std::string_view text);

}  // namespace idkit::base64
