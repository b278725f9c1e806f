#include <idkit/seal.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <sodium.h>

#include <idkit/base64.hpp>
#include <idkit/mrz.hpp>
#include <idkit/record.hpp>

namespace idkit::seal {
namespace {

constexpr int kKeyFileVersion = 1;
constexpr int kSealVersion = 1;
constexpr size_t kMaxKeyFileBytes = 64 * 1024;
constexpr std::string_view kSealAlg = "crypto_box_seal";

std::string toHex(const std::uint8_t* data, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

// A key file member: base64 of exactly N bytes.
template <size_t N>
bool readKey(const Json& j, const char* name, std::array<std::uint8_t, N>& out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return false;
  auto bytes = base64::decode(it->get_ref<const std::string&>());
  if (!bytes || bytes->size() != N) {
    if (bytes) sodium_memzero(bytes->data(), bytes->size());
    return false;
  }
  std::memcpy(out.data(), bytes->data(), N);
  sodium_memzero(bytes->data(), bytes->size());
  return true;
}

Expected<Json> readJsonFile(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return std::unexpected(Error{"key_not_found", fmt::format("cannot read key file {}", path)});
  if (size > kMaxKeyFileBytes)
    return std::unexpected(Error{"bad_key", fmt::format("{} is too large to be an idkit key file", path)});
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Json j = parseJson(text);
  sodium_memzero(text.data(), text.size());
  if (j.is_discarded() || !j.is_object())
    return std::unexpected(Error{"bad_key", fmt::format("{} is not an idkit key file (not JSON)", path)});
  return j;
}

Error badKey(std::string_view what) { return Error{"bad_key", fmt::format("not an idkit key: {}", what)}; }

// Writes `text` to a new file; fails if it exists.
Expected<void> createFile(const std::string& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return std::unexpected(Error{errno == EEXIST ? "exists" : "write_failed",
                                 fmt::format("cannot create {}: {}", path, std::strerror(errno))});
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return std::unexpected(Error{"write_failed", fmt::format("cannot write {}: {}", path, std::strerror(err))});
    }
    done += size_t(n);
  }
  bool ok = ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    ::unlink(path.c_str());
    return std::unexpected(Error{"write_failed", fmt::format("cannot write {}", path)});
  }
  return {};
}

std::string str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A name or code reduced to A-Z0-9 and single spaces, as the MRZ spells it.
std::string canonicalText(std::string_view utf8) {
  std::string t = mrz::transliterate(utf8);
  std::string out;
  for (char c : t) {
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) out += c;
    else if (!out.empty() && out.back() != ' ') out += ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

struct Identity {
  std::string source;
  std::string kind, issuer, number;   // the document
  std::string surname, given, birth;  // the person
};

std::optional<Identity> fromMrz(const Json& rec, bool require_valid) {
  auto m = rec.find("mrz");
  if (m == rec.end() || !m->is_object()) return std::nullopt;
  if (require_valid && !(m->contains("valid") && (*m)["valid"].is_boolean() && (*m)["valid"].get<bool>()))
    return std::nullopt;
  auto f = m->find("fields");
  if (f == m->end() || !f->is_object()) return std::nullopt;
  Identity id;
  id.source = "mrz";
  std::string code = str(*f, "document_code");
  id.kind = code.empty() ? std::string() : code.substr(0, 1);
  id.issuer = str(*f, "issuing_state");
  id.number = str(*f, "document_number");
  id.surname = str(*f, "surname");
  id.given = str(*f, "given_names");
  id.birth = str(*f, "birth_date");
  return id;
}

std::optional<Identity> fromBarcode(const Json& rec) {
  auto b = rec.find("barcodes");
  if (b == rec.end() || !b->is_array()) return std::nullopt;
  for (const Json& code : *b) {
    if (!code.is_object()) continue;
    auto a = code.find("aamva");
    if (a == code.end() || !a->is_object()) continue;
    auto f = a->find("fields");
    if (f == a->end() || !f->is_object()) continue;
    Identity id;
    id.source = "barcode";
    id.kind = "D";  // AAMVA DL/ID card
    id.issuer = str(*a, "country") + " " + str(*a, "jurisdiction");
    id.number = str(*f, "document_number");
    id.surname = str(*f, "surname");
    id.given = str(*f, "given_names");
    id.birth = str(*f, "birth_date");
    if (!id.number.empty() || !id.surname.empty()) return id;
  }
  return std::nullopt;
}

// Keyed BLAKE2b-128 of domain-separated parts.
std::string keyedHash(const SecretKey& key, std::string_view domain, std::initializer_list<std::string> parts) {
  std::string msg(domain);
  for (const auto& p : parts) {
    msg += '\n';
    msg += p;
  }
  std::array<std::uint8_t, 16> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                     key.pseudonym.data(), key.pseudonym.size());
  return toHex(out.data(), out.size());
}

// The entry without its signature, exactly as it is signed.
std::string unsignedText(Json entry) {
  entry.erase("sig");
  return entry.dump();
}

bool verifyEntry(const Json& entry, const PublicKey& key) {
  auto sig = entry.find("sig");
  if (sig == entry.end() || !sig->is_string()) return false;
  auto bytes = base64::decode(sig->get_ref<const std::string&>());
  if (!bytes || bytes->size() != crypto_sign_BYTES) return false;
  std::string text = unsignedText(entry);
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(bytes->data()),
                                     reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                                     key.sign.data()) == 0;
}

const std::string kZeroHash(64, '0');

}  // namespace

void init() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  if (!ok) throw std::runtime_error("libsodium could not be initialised");
}

std::string hashHex(std::string_view bytes) {
  std::array<std::uint8_t, 32> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                     nullptr, 0);
  return toHex(out.data(), out.size());
}

std::string PublicKey::id() const {
  std::string msg = "idkit-key-v1";
  msg.append(reinterpret_cast<const char*>(box.data()), box.size());
  msg.append(reinterpret_cast<const char*>(sign.data()), sign.size());
  std::array<std::uint8_t, 16> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                     nullptr, 0);
  return toHex(out.data(), 8);
}

Json PublicKey::toJson() const {
  return {{"idkit_key", kKeyFileVersion},
          {"type", "public"},
          {"id", id()},
          {"box", base64::encode(box)},
          {"sign", base64::encode(sign)}};
}

SecretKey::SecretKey(const SecretKey& o) : pub(o.pub), box(o.box), sign(o.sign), pseudonym(o.pseudonym) {}
SecretKey& SecretKey::operator=(const SecretKey& o) {
  pub = o.pub;
  box = o.box;
  sign = o.sign;
  pseudonym = o.pseudonym;
  return *this;
}
SecretKey::~SecretKey() {
  sodium_memzero(box.data(), box.size());
  sodium_memzero(sign.data(), sign.size());
  sodium_memzero(pseudonym.data(), pseudonym.size());
}

Json SecretKey::toJson() const {
  Json j = pub.toJson();
  j["type"] = "secret";
  j["box_secret"] = base64::encode(box);
  j["sign_secret"] = base64::encode(sign);
  j["pseudonym_secret"] = base64::encode(pseudonym);
  return j;
}

SecretKey generate() {
  init();
  SecretKey k;
  crypto_box_keypair(k.pub.box.data(), k.box.data());
  crypto_sign_keypair(k.pub.sign.data(), k.sign.data());
  randombytes_buf(k.pseudonym.data(), k.pseudonym.size());
  return k;
}

Expected<PublicKey> publicKeyFromJson(const Json& j) {
  if (!j.is_object() || !j.contains("idkit_key")) return std::unexpected(badKey("no \"idkit_key\" member"));
  if (!j["idkit_key"].is_number_integer() || j["idkit_key"].get<int>() != kKeyFileVersion)
    return std::unexpected(badKey("unknown key file version"));
  PublicKey k;
  if (!readKey(j, "box", k.box) || !readKey(j, "sign", k.sign))
    return std::unexpected(badKey("\"box\" or \"sign\" is not a base64 32-byte key"));
  if (j.contains("id") && str(j, "id") != k.id())
    return std::unexpected(badKey("its \"id\" does not match its keys"));
  return k;
}

Expected<SecretKey> secretKeyFromJson(const Json& j) {
  auto pub = publicKeyFromJson(j);
  if (!pub) return std::unexpected(pub.error());
  if (str(j, "type") != "secret") return std::unexpected(badKey("this is a public key; the secret key is needed"));
  init();
  SecretKey k;
  k.pub = *pub;
  if (!readKey(j, "box_secret", k.box) || !readKey(j, "sign_secret", k.sign) ||
      !readKey(j, "pseudonym_secret", k.pseudonym))
    return std::unexpected(badKey("a secret member is missing or malformed"));
  // The secrets must belong to the public halves: a mixed-up file would seal
  // records nobody can open or sign a log nobody can verify.
  std::array<std::uint8_t, 32> derived{};
  crypto_scalarmult_base(derived.data(), k.box.data());
  bool boxOk = sodium_memcmp(derived.data(), k.pub.box.data(), derived.size()) == 0;
  bool signOk = sodium_memcmp(k.sign.data() + 32, k.pub.sign.data(), 32) == 0;
  if (!boxOk || !signOk) return std::unexpected(badKey("the secret keys do not match the public keys"));
  return k;
}

Expected<PublicKey> loadPublicKey(const std::string& path) {
  auto j = readJsonFile(path);
  if (!j) return std::unexpected(j.error());
  auto k = publicKeyFromJson(*j);
  if (!k) return std::unexpected(Error{k.error().code, fmt::format("{}: {}", path, k.error().message)});
  return k;
}

Expected<SecretKey> loadSecretKey(const std::string& path, std::string* warning) {
  auto j = readJsonFile(path);
  if (!j) return std::unexpected(j.error());
  auto k = secretKeyFromJson(*j);
  for (const char* m : {"box_secret", "sign_secret", "pseudonym_secret"})
    if (auto it = j->find(m); it != j->end() && it->is_string()) {
      auto& s = it->get_ref<std::string&>();
      sodium_memzero(s.data(), s.size());
    }
  if (!k) return std::unexpected(Error{k.error().code, fmt::format("{}: {}", path, k.error().message)});
  struct stat st{};
  if (warning && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077))
    *warning = fmt::format("{} can be read by other users (chmod 600 it)", path);
  return k;
}

Expected<std::vector<std::string>> writeKeyPair(const std::string& prefix, const SecretKey& key) {
  std::string pubPath = prefix + ".public.json", secPath = prefix + ".secret.json";
  for (const auto& p : {pubPath, secPath})
    if (std::error_code ec; std::filesystem::exists(std::filesystem::symlink_status(p, ec)))
      return std::unexpected(Error{"exists", fmt::format("{} exists; idkit never overwrites a key", p)});
  std::string secret = key.toJson().dump(2) + "\n";
  auto s = createFile(secPath, secret, 0600);
  sodium_memzero(secret.data(), secret.size());
  if (!s) return std::unexpected(s.error());
  if (auto p = createFile(pubPath, key.pub.toJson().dump(2) + "\n", 0644); !p) {
    ::unlink(secPath.c_str());
    return std::unexpected(p.error());
  }
  return std::vector<std::string>{pubPath, secPath};
}

Json sealRecord(const Json& record, const PublicKey& to, const std::vector<std::string>& keep) {
  init();
  std::string plain = record.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string cipher(plain.size() + crypto_box_SEALBYTES, '\0');
  crypto_box_seal(reinterpret_cast<unsigned char*>(cipher.data()), reinterpret_cast<const unsigned char*>(plain.data()),
                  plain.size(), to.box.data());
  sodium_memzero(plain.data(), plain.size());
  Json out;
  out["idkit"] = kRecordVersion;
  for (const auto& k : keep)
    if (k != "idkit" && k != "sealed" && record.is_object())
      if (auto it = record.find(k); it != record.end()) out[k] = *it;
  out["sealed"] = {{"v", kSealVersion},
                   {"alg", kSealAlg},
                   {"to", to.id()},
                   {"data", base64::encode(cipher)}};
  return out;
}

Expected<Json> openRecord(const Json& sealed, const SecretKey& key) {
  init();
  auto s = sealed.is_object() ? sealed.find("sealed") : sealed.end();
  if (!sealed.is_object() || s == sealed.end() || !s->is_object())
    return std::unexpected(Error{"not_sealed", "the record has no \"sealed\" section"});
  if (!(*s).contains("v") || !(*s)["v"].is_number_integer() || (*s)["v"].get<int>() != kSealVersion ||
      str(*s, "alg") != kSealAlg)
    return std::unexpected(Error{"unseal_failed", "unknown sealed-record version or algorithm"});
  std::string to = str(*s, "to");
  if (to != key.pub.id())
    return std::unexpected(
        Error{"wrong_key", fmt::format("sealed to key {}, not to this key ({})", to, key.pub.id())});
  auto cipher = base64::decode(str(*s, "data"));
  if (!cipher || cipher->size() < crypto_box_SEALBYTES)
    return std::unexpected(Error{"unseal_failed", "the sealed data is not base64 or too short"});
  std::string plain(cipher->size() - crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()),
                           reinterpret_cast<const unsigned char*>(cipher->data()), cipher->size(),
                           key.pub.box.data(), key.box.data()) != 0)
    return std::unexpected(Error{"unseal_failed", "the sealed data does not open: altered, or not for this key"});
  Json rec = parseJson(plain);
  sodium_memzero(plain.data(), plain.size());
  if (rec.is_discarded() || !rec.is_object())
    return std::unexpected(Error{"unseal_failed", "the opened data is not a record"});
  return rec;
}

Json pseudonyms(const Json& record, const SecretKey& key) {
  init();
  std::optional<Identity> id = fromMrz(record, true);
  if (!id) id = fromBarcode(record);
  if (!id) id = fromMrz(record, false);
  if (!id) return Json::object();
  Json out;
  out["key"] = key.pub.id();
  out["source"] = id->source;
  std::string number = canonicalText(id->number);
  number.erase(std::remove(number.begin(), number.end(), ' '), number.end());
  if (!number.empty())
    out["document"] = keyedHash(key, "idkit/pseudonym/document/v1", {id->kind, canonicalText(id->issuer), number});
  std::string surname = canonicalText(id->surname);
  if (!surname.empty() && !id->birth.empty())
    out["person"] =
        keyedHash(key, "idkit/pseudonym/person/v1", {surname, canonicalText(id->given), id->birth});
  return out;
}

namespace {

// The last non-empty line of `in`. A seekable stream (the log file) is read
// backwards from its end in blocks, so appending to a log of millions of
// entries does not read it whole; anything else is read through.
std::string lastLine(std::istream& in) {
  in.seekg(0, std::ios::end);
  std::streamoff pos = in.fail() ? -1 : std::streamoff(in.tellg());
  if (pos < 0) {
    in.clear();
    std::string line, last;
    while (std::getline(in, line))
      if (!line.empty()) last = line;
    return last;
  }
  constexpr std::streamoff kBlock = 4096;
  std::string tail;
  while (pos > 0) {
    std::streamoff n = std::min(kBlock, pos);
    pos -= n;
    std::string block(size_t(n), '\0');
    in.seekg(pos);
    if (!in.read(block.data(), n)) return {};
    tail.insert(0, block);
    size_t stop = tail.find_last_not_of('\n');
    if (stop == std::string::npos) continue;
    if (size_t nl = tail.rfind('\n', stop); nl != std::string::npos) return tail.substr(nl + 1, stop - nl);
  }
  size_t stop = tail.find_last_not_of('\n');
  return stop == std::string::npos ? std::string() : tail.substr(0, stop + 1);
}

}  // namespace

Expected<LogHead> readLogHead(std::istream& log, const PublicKey& key) {
  LogHead head;
  std::string last = lastLine(log);
  if (last.empty()) {
    head.prev = kZeroHash;
    return head;
  }
  Json entry = parseJson(last);
  if (entry.is_discarded() || !entry.is_object() || !entry.contains("seq") || !entry["seq"].is_number_unsigned())
    return std::unexpected(Error{"log_damaged", "the log's last line is not an idkit log entry"});
  if (str(entry, "key") != key.id())
    return std::unexpected(Error{"wrong_key", fmt::format("the log is signed by key {}, not {}", str(entry, "key"),
                                                          key.id())});
  if (!verifyEntry(entry, key))
    return std::unexpected(Error{"log_damaged", "the log's last entry does not verify (altered or cut)"});
  head.next_seq = entry["seq"].get<std::uint64_t>() + 1;
  head.prev = hashHex(last);
  return head;
}

std::string logEntry(LogHead& head, std::string_view record_line, const Json& record, const SecretKey& key,
                     std::string_view at) {
  init();
  Json e;
  e["seq"] = head.next_seq;
  e["prev"] = head.prev.empty() ? kZeroHash : head.prev;
  e["at"] = std::string(at);
  e["key"] = key.pub.id();
  e["record"] = hashHex(record_line);
  if (record.is_object()) {
    if (auto s = str(record, "sha256"); !s.empty()) e["input_sha256"] = s;
    e["status"] = str(record, "status").empty() ? "ok" : str(record, "status");
    if (auto c = record.find("check"); c != record.end() && c->is_object() && c->contains("pass") &&
                                       (*c)["pass"].is_boolean())
      e["pass"] = (*c)["pass"];
    if (auto p = record.find("pseudonym"); p != record.end() && p->is_object() && p->contains("document"))
      e["pseudonym"] = (*p)["document"];
  } else {
    e["status"] = "error";
  }
  std::string text = e.dump();
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                       key.sign.data());
  e["sig"] = base64::encode(sig);
  std::string line = e.dump();
  head.prev = hashHex(line);
  ++head.next_seq;
  return line;
}

Json LogVerdict::toJson() const {
  Json j;
  j["entries"] = entries;
  j["valid"] = valid;
  if (!valid) {
    j["first_bad_line"] = first_bad;
    j["reason"] = reason;
  }
  return j;
}

LogVerdict verifyLog(std::istream& log, const PublicKey& key) {
  init();
  LogVerdict v;
  std::string line, prev = kZeroHash;
  std::optional<std::uint64_t> lastSeq;
  std::uint64_t lineNo = 0;
  auto fail = [&](std::string reason) {
    v.valid = false;
    v.first_bad = lineNo;
    v.reason = std::move(reason);
    return v;
  };
  while (std::getline(log, line)) {
    ++lineNo;
    if (log.eof() && !line.empty()) return fail("the last line has no newline: the log was cut while written");
    Json e = parseJson(line);
    if (e.is_discarded() || !e.is_object() || !e.contains("seq") || !e["seq"].is_number_unsigned())
      return fail("not an idkit log entry");
    if (str(e, "key") != key.id()) return fail(fmt::format("signed by key {}, not {}", str(e, "key"), key.id()));
    if (!verifyEntry(e, key)) return fail("the signature does not verify: the entry was altered");
    auto seq = e["seq"].get<std::uint64_t>();
    // The chain starts at entry 0 with a zero hash, so cutting entries off
    // the front shows as much as cutting them from the middle.
    std::uint64_t want = lastSeq ? *lastSeq + 1 : 0;
    if (seq != want)
      return fail(fmt::format("entry {} where entry {} should be: entries missing or moved", seq, want));
    if (str(e, "prev") != prev) return fail("the hash chain breaks: an entry before this one was changed or removed");
    lastSeq = seq;
    prev = hashHex(line);
    ++v.entries;
  }
  return v;
}

}  // namespace idkit::seal
