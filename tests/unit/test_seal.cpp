#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <sodium.h>

#include <idkit/seal.hpp>

using idkit::Json;
namespace seal = idkit::seal;

namespace {

Json passportRecord() {
  return Json::parse(R"({"idkit":1,"input":"a.jpg","sha256":"ab12","ref":"case-17","status":"ok",
    "mrz":{"format":"TD3","valid":true,"fields":{"document_code":"P","issuing_state":"GBR",
    "document_number":"TS0509957","surname":"BROWN","given_names":"CHARLOTTE ELIZABETH",
    "birth_date":"1983-05-02","sex":"F"}},"check":{"pass":true}})");
}

std::string logOf(const seal::SecretKey& key, const std::vector<Json>& records) {
  seal::LogHead head;
  std::string log;
  for (const auto& r : records) log += seal::logEntry(head, r.dump(), r, key, "2026-01-01T00:00:00Z") + "\n";
  return log;
}

seal::LogVerdict verify(const std::string& log, const seal::PublicKey& key) {
  std::istringstream in(log);
  return seal::verifyLog(in, key);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string join(const std::vector<std::string>& ls) {
  std::string out;
  for (const auto& l : ls) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("sealed records open only with the recipient's secret key", "[seal]") {
  auto key = seal::generate();
  auto other = seal::generate();
  Json rec = passportRecord();
  Json sealed = seal::sealRecord(rec, key.pub, {"status", "ref", "pseudonym"});

  // Only the kept keys are in clear; no field value is readable.
  CHECK(sealed["idkit"] == 1);
  CHECK(sealed["status"] == "ok");
  CHECK(sealed["ref"] == "case-17");
  CHECK_FALSE(sealed.contains("mrz"));
  CHECK_FALSE(sealed.contains("pseudonym"));  // not in the record: nothing kept
  CHECK(sealed["sealed"]["to"] == key.pub.id());
  CHECK(sealed.dump().find("BROWN") == std::string::npos);
  CHECK(sealed.dump().find("TS0509957") == std::string::npos);

  auto opened = seal::openRecord(sealed, key);
  REQUIRE(opened);
  CHECK(*opened == rec);

  // Sealing is randomised: the same record never gives the same bytes.
  CHECK(seal::sealRecord(rec, key.pub, {})["sealed"]["data"] != sealed["sealed"]["data"]);

  auto wrong = seal::openRecord(sealed, other);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == "wrong_key");

  // Pretending it was sealed to the other key does not help.
  Json relabelled = sealed;
  relabelled["sealed"]["to"] = other.pub.id();
  auto stillWrong = seal::openRecord(relabelled, other);
  REQUIRE_FALSE(stillWrong);
  CHECK(stillWrong.error().code == "unseal_failed");

  // One flipped bit anywhere in the ciphertext is refused.
  std::string data = sealed["sealed"]["data"];
  std::string bin(data.size(), '\0');
  size_t len = 0;
  REQUIRE(sodium_base642bin(reinterpret_cast<unsigned char*>(bin.data()), bin.size(), data.data(), data.size(),
                            nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) == 0);
  bin.resize(len);
  for (size_t pos : {size_t(0), len / 2, len - 1}) {
    std::string flipped = bin;
    flipped[pos] = char(flipped[pos] ^ 0x01);
    std::string b64(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(flipped.data()), len,
                      sodium_base64_VARIANT_ORIGINAL);
    b64.resize(std::strlen(b64.c_str()));
    Json t = sealed;
    t["sealed"]["data"] = b64;
    auto r = seal::openRecord(t, key);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "unseal_failed");
  }

  for (const char* bad : {R"({"idkit":1})", R"({"sealed":"x"})", R"({"sealed":{"v":2,"alg":"crypto_box_seal"}})",
                          R"([1,2])"}) {
    auto r = seal::openRecord(Json::parse(bad), key);
    CHECK_FALSE(r);
  }
  Json notB64 = sealed;
  notB64["sealed"]["data"] = "@@@@";
  CHECK(seal::openRecord(notB64, key).error().code == "unseal_failed");
}

TEST_CASE("key files round-trip, are never overwritten, and the secret one is private", "[seal]") {
  auto dir = std::filesystem::temp_directory_path() / ("idkit-seal-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto key = seal::generate();
  std::string prefix = (dir / "office").string();
  auto written = seal::writeKeyPair(prefix, key);
  REQUIRE(written);
  REQUIRE(written->size() == 2);

  struct stat st{};
  REQUIRE(::stat((prefix + ".secret.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  auto pub = seal::loadPublicKey(prefix + ".public.json");
  REQUIRE(pub);
  CHECK(pub->id() == key.pub.id());
  CHECK(pub->box == key.pub.box);
  std::string warning;
  auto sec = seal::loadSecretKey(prefix + ".secret.json", &warning);
  REQUIRE(sec);
  CHECK(warning.empty());
  CHECK(sec->box == key.box);
  CHECK(sec->sign == key.sign);
  CHECK(sec->pseudonym == key.pseudonym);
  // A secret file also serves where a public key is wanted.
  CHECK(seal::loadPublicKey(prefix + ".secret.json")->id() == key.pub.id());
  // The public file is not a secret key.
  auto notSecret = seal::loadSecretKey(prefix + ".public.json");
  REQUIRE_FALSE(notSecret);
  CHECK(notSecret.error().code == "bad_key");

  // Never overwrite: the second keygen to the same prefix fails and leaves the first intact.
  auto again = seal::writeKeyPair(prefix, seal::generate());
  REQUIRE_FALSE(again);
  CHECK(again.error().code == "exists");
  CHECK(seal::loadSecretKey(prefix + ".secret.json")->pub.id() == key.pub.id());

  ::chmod((prefix + ".secret.json").c_str(), 0644);
  warning.clear();
  REQUIRE(seal::loadSecretKey(prefix + ".secret.json", &warning));
  CHECK(warning.find("chmod 600") != std::string::npos);

  // A secret file whose secret does not belong to its public key is refused.
  Json mixed = key.toJson();
  mixed["box"] = seal::generate().pub.toJson()["box"];
  mixed.erase("id");
  auto m = seal::secretKeyFromJson(mixed);
  REQUIRE_FALSE(m);
  CHECK(m.error().code == "bad_key");
  Json wrongId = key.toJson();
  wrongId["id"] = "0000000000000000";
  CHECK_FALSE(seal::secretKeyFromJson(wrongId));
  CHECK_FALSE(seal::publicKeyFromJson(Json::parse(R"({"idkit_key":1,"box":"AAAA","sign":"AAAA"})")));
  CHECK(seal::loadPublicKey((dir / "missing.json").string()).error().code == "key_not_found");
  std::filesystem::remove_all(dir);
}

TEST_CASE("pseudonyms are keyed, stable, and tell documents and people apart", "[seal]") {
  auto key = seal::generate();
  auto other = seal::generate();
  Json rec = passportRecord();
  Json p = seal::pseudonyms(rec, key);
  CHECK(p["source"] == "mrz");
  CHECK(p["key"] == key.pub.id());
  REQUIRE(p["document"].is_string());
  CHECK(p["document"].get<std::string>().size() == 32);
  REQUIRE(p["person"].is_string());
  CHECK(p == seal::pseudonyms(rec, key));                     // stable
  CHECK(p["document"] != seal::pseudonyms(rec, other)["document"]);  // keyed
  CHECK(p.dump().find("TS0509957") == std::string::npos);

  Json renewed = rec;  // a new passport of the same person
  renewed["mrz"]["fields"]["document_number"] = "TS0509958";
  Json q = seal::pseudonyms(renewed, key);
  CHECK(q["document"] != p["document"]);
  CHECK(q["person"] == p["person"]);

  Json otherPerson = rec;
  otherPerson["mrz"]["fields"]["birth_date"] = "1983-05-03";
  CHECK(seal::pseudonyms(otherPerson, key)["person"] != p["person"]);

  // The same name however it is spelled in the source: transliterated, blanks folded.
  Json spelled = rec;
  spelled["mrz"]["fields"]["given_names"] = "Charlotte  Elizabeth";
  CHECK(seal::pseudonyms(spelled, key)["person"] == p["person"]);

  // A driving licence read from its PDF417 when the record has no valid MRZ.
  Json dl = Json::parse(R"({"idkit":1,"input":"b.jpg","mrz":{"valid":false,"fields":{"document_number":"X"}},
    "barcodes":[{"format":"PDF417","aamva":{"country":"USA","jurisdiction":"CA","fields":{
    "document_number":"K25206273","surname":"MASTERSON","given_names":"MARIE-THÉRÈSE","birth_date":"1972-07-02"}}}]})");
  Json d = seal::pseudonyms(dl, key);
  CHECK(d["source"] == "barcode");
  CHECK(d["document"].is_string());
  Json dlPlain = dl;
  dlPlain["barcodes"][0]["aamva"]["fields"]["given_names"] = "MARIE THERESE";
  CHECK(seal::pseudonyms(dlPlain, key)["person"] == d["person"]);

  CHECK(seal::pseudonyms(Json::parse(R"({"idkit":1,"input":"c.jpg"})"), key).empty());
  Json noBirth = rec;
  noBirth["mrz"]["fields"].erase("birth_date");
  Json nb = seal::pseudonyms(noBirth, key);
  CHECK(nb.contains("document"));
  CHECK_FALSE(nb.contains("person"));
}

TEST_CASE("the audit log chains and signs every entry and shows any change", "[seal]") {
  auto key = seal::generate();
  Json a = passportRecord(), b = passportRecord(), c = passportRecord();
  b["input"] = "b.jpg";
  c["input"] = "c.jpg";
  c["status"] = "rejected";
  c["check"]["pass"] = false;
  std::string log = logOf(key, {a, b, c});
  auto ls = lines(log);
  REQUIRE(ls.size() == 3);

  auto v = verify(log, key.pub);
  CHECK(v.valid);
  CHECK(v.entries == 3);

  Json e2 = Json::parse(ls[2]);
  CHECK(e2["seq"] == 2);
  CHECK(e2["prev"] == seal::hashHex(ls[1]));
  CHECK(e2["record"] == seal::hashHex(c.dump()));
  CHECK(e2["status"] == "rejected");
  CHECK(e2["pass"] == false);
  CHECK(e2["input_sha256"] == "ab12");
  // No personal field in the log.
  CHECK(log.find("BROWN") == std::string::npos);
  CHECK(log.find("TS0509957") == std::string::npos);
  CHECK(log.find("a.jpg") == std::string::npos);

  // Altered entry.
  auto altered = ls;
  altered[1].replace(altered[1].find("\"status\":\"ok\""), 13, "\"status\":\"no\"");
  auto va = verify(join(altered), key.pub);
  CHECK_FALSE(va.valid);
  CHECK(va.first_bad == 2);

  // Removed entry (middle), removed first entry, swapped entries.
  CHECK(verify(join({ls[0], ls[2]}), key.pub).first_bad == 2);
  CHECK_FALSE(verify(join({ls[1], ls[2]}), key.pub).valid);
  CHECK_FALSE(verify(join({ls[0], ls[2], ls[1]}), key.pub).valid);
  // Cut while written.
  CHECK_FALSE(verify(log.substr(0, log.size() - 10), key.pub).valid);
  // Another signer's log.
  auto vk = verify(log, seal::generate().pub);
  CHECK_FALSE(vk.valid);
  CHECK(vk.first_bad == 1);
  // Garbage.
  CHECK_FALSE(verify("not json\n", key.pub).valid);
  CHECK(verify("", key.pub).valid);

  // A log is continued from its last entry.
  std::istringstream in(log);
  auto head = seal::readLogHead(in, key.pub);
  REQUIRE(head);
  CHECK(head->next_seq == 3);
  std::string more = log + seal::logEntry(*head, a.dump(), a, key, "2026-01-02T00:00:00Z") + "\n";
  CHECK(verify(more, key.pub).entries == 4);
  CHECK(verify(more, key.pub).valid);

  // A long log (entries across read blocks, blank lines at its end) is
  // continued from its last entry too.
  std::string longLog;
  seal::LogHead lh = {};
  lh.prev = std::string(64, '0');
  for (int i = 0; i < 40; ++i) longLog += seal::logEntry(lh, a.dump(), a, key, "2026-01-03T00:00:00Z") + "\n";
  REQUIRE(longLog.size() > 3 * 4096);
  std::istringstream longIn(longLog + "\n\n");
  auto lhead = seal::readLogHead(longIn, key.pub);
  REQUIRE(lhead);
  CHECK(lhead->next_seq == lh.next_seq);
  CHECK(lhead->prev == lh.prev);
  CHECK(verify(longLog, key.pub).entries == 40);

  std::istringstream damaged(join({ls[0], ls[1].substr(0, 40)}));
  auto dh = seal::readLogHead(damaged, key.pub);
  REQUIRE_FALSE(dh);
  CHECK(dh.error().code == "log_damaged");
  std::istringstream foreign(log);
  CHECK(seal::readLogHead(foreign, seal::generate().pub).error().code == "wrong_key");
}
