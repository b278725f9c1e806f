// libFuzzer target: hostile text as a sealed record, a key file and an audit
// log; any JSON object must also survive a seal/open round trip unchanged.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include <sodium.h>

#include <idkit/json.hpp>
#include <idkit/seal.hpp>

namespace {

// A fixed key, so that runs are reproducible.
const idkit::seal::SecretKey& fuzzKey() {
  static const idkit::seal::SecretKey key = [] {
    idkit::seal::init();
    idkit::seal::SecretKey k;
    unsigned char seed[32] = {1, 2, 3};
    crypto_box_seed_keypair(k.pub.box.data(), k.box.data(), seed);
    crypto_sign_seed_keypair(k.pub.sign.data(), k.sign.data(), seed);
    k.pseudonym.fill(7);
    return k;
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const auto& key = fuzzKey();
  std::string text(reinterpret_cast<const char*>(data), size);
  {
    std::istringstream log(text);
    (void)idkit::seal::verifyLog(log, key.pub);
    std::istringstream head(text);
    (void)idkit::seal::readLogHead(head, key.pub);
  }
  idkit::Json j = idkit::parseJson(text);
  if (j.is_discarded()) return 0;
  (void)idkit::seal::openRecord(j, key);
  (void)idkit::seal::publicKeyFromJson(j);
  (void)idkit::seal::secretKeyFromJson(j);
  if (!j.is_object()) return 0;
  (void)idkit::seal::pseudonyms(j, key);
  auto opened = idkit::seal::openRecord(idkit::seal::sealRecord(j, key.pub, {"status"}), key);
  // The parser only accepts valid UTF-8, so every record must come back as it went in.
  if (!opened || *opened != j) std::abort();
  return 0;
}
