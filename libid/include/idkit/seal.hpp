// Keeping records safely (libsodium): sealing records to a public key, opening
// them with the secret key, keyed pseudonyms for finding the same document or
// person again without keeping who they are, and a signed, hash-chained audit
// log of what was processed.
//
// Key files are JSON with base64 keys. The public file can sit on every
// machine that seals; only the machine that opens records (and signs the log)
// needs the secret file.
#pragma once
#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <idkit/error.hpp>
#include <idkit/json.hpp>

namespace idkit::seal {

// Makes libsodium ready (idempotent, thread-safe); throws if it cannot start.
void init();

struct PublicKey {
  std::array<std::uint8_t, 32> box{};   // X25519: records are sealed to it
  std::array<std::uint8_t, 32> sign{};  // Ed25519: verifies the audit log
  // 16 hex characters naming the key pair in sealed records and log entries.
  std::string id() const;
  Json toJson() const;
};

// Secret material is wiped from memory when the object goes away.
class SecretKey {
 public:
  SecretKey() = default;
  SecretKey(const SecretKey&);
  SecretKey& operator=(const SecretKey&);
  ~SecretKey();

  PublicKey pub;
  std::array<std::uint8_t, 32> box{};        // X25519 secret
  std::array<std::uint8_t, 64> sign{};       // Ed25519 secret (seed + public)
  std::array<std::uint8_t, 32> pseudonym{};  // BLAKE2b key for pseudonyms
  Json toJson() const;
};

SecretKey generate();

// Parses a key file's JSON. A secret file also serves as a public key.
Expected<PublicKey> publicKeyFromJson(const Json& j);
Expected<SecretKey> secretKeyFromJson(const Json& j);
Expected<PublicKey> loadPublicKey(const std::string& path);
// `warning` receives a sentence when the file is readable by other users.
Expected<SecretKey> loadSecretKey(const std::string& path, std::string* warning = nullptr);

// Writes PREFIX.public.json and PREFIX.secret.json (mode 0600). Never
// overwrites: fails when either file exists.
Expected<std::vector<std::string>> writeKeyPair(const std::string& prefix, const SecretKey& key);

// ---- sealed records ---------------------------------------------------------

// {"idkit": 1, <kept keys>, "sealed": {"v": 1, "alg": "crypto_box_seal",
// "to": key id, "data": base64}}: the whole record, encrypted so that only the
// secret key opens it. Keys named in `keep` (present in the record) stay in
// clear beside it, for routing and deduplication.
Json sealRecord(const Json& record, const PublicKey& to, const std::vector<std::string>& keep);

// The original record back. Errors: not_sealed, wrong_key, unseal_failed.
Expected<Json> openRecord(const Json& sealed, const SecretKey& key);

// ---- pseudonyms ---------------------------------------------------------------

// Keyed BLAKE2b-128 (hex) of the document's identity (kind, issuer, number)
// and of the person's (names transliterated, birth date), from the MRZ when it
// validated, else an AAMVA barcode, else a valid-or-not MRZ. Without the key
// nobody can compute or reverse them; with the same key the same document
// gives the same pseudonym in every batch.
// {"key": id, "source": "mrz"|"barcode", "document": hex, "person": hex};
// parts whose fields are missing are left out; {} when the record has no source.
Json pseudonyms(const Json& record, const SecretKey& key);

// ---- audit log ----------------------------------------------------------------

// One NDJSON line per record: {"seq", "prev" (BLAKE2b-256 hex of the previous
// line, zeros for the first), "at", "key", "record" (BLAKE2b-256 hex of the
// record line as written), "input_sha256", "status", "pass", "pseudonym",
// "sig" (Ed25519 over the line without "sig")}. No personal field is logged.
struct LogHead {
  std::uint64_t next_seq = 0;
  std::string prev;  // hex hash of the last line
};

// Reads an existing log's last entry (checking its signature with `key`) to
// continue the chain. An empty or missing log starts at seq 0.
Expected<LogHead> readLogHead(std::istream& log, const PublicKey& key);

// The signed entry line (no newline) for `record_line`, and advances `head`.
std::string logEntry(LogHead& head, std::string_view record_line, const Json& record,
                     const SecretKey& key, std::string_view at);

struct LogVerdict {
  std::uint64_t entries = 0;
  bool valid = true;
  std::uint64_t first_bad = 0;  // line number (1-based) of the first bad entry
  std::string reason;
  Json toJson() const;
};

// Checks every line: JSON, signature, sequence, and the hash chain.
LogVerdict verifyLog(std::istream& log, const PublicKey& key);

// BLAKE2b-256 hex of bytes (what "record" and "prev" hold).
std::string hashHex(std::string_view bytes);

}  // namespace idkit::seal
