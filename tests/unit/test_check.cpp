#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include <idkit/check.hpp>
#include <idkit/mrz.hpp>
#include <idkit/ocr.hpp>

#include "support.hpp"

using idkit::Json;
namespace check = idkit::check;

namespace {

// A genuine passport record: MRZ composed and parsed by libid, VIZ fields as
// id-ocr writes them, a face match and a usable image.
Json passport(const std::string& surname_printed = "MÜLLER", const std::string& given_printed = "ANNA MARIA") {
  idkit::mrz::Fields f;
  f.document_code = "P";
  f.issuing_state = "D";
  f.document_number = "C01X00T47";
  f.surname = surname_printed;
  f.given_names = given_printed;
  f.nationality = "D";
  f.birth_date = "1974-08-12";
  f.sex = "F";
  f.expiry_date = "2031-10-31";
  const auto lines = idkit::mrz::compose(idkit::mrz::Format::TD3, f);
  auto parsed = idkit::mrz::parse(lines);
  REQUIRE(parsed);
  REQUIRE(parsed->valid);
  auto viz = [](std::string text, std::string value) { return Json{{"text", text}, {"value", value}, {"confidence", 0.9}}; };
  Json rec{{"idkit", 1}, {"input", "scans/a.jpg"}, {"ref", "case-17"}, {"status", "ok"}};
  rec["quality"] = {{"usable", true}, {"reasons", Json::array()}};
  rec["mrz"] = parsed->toJson();
  rec["ocr"] = {{"template", "td3"},
                {"fields",
                 {{"surname", viz(surname_printed, idkit::mrz::transliterate(surname_printed))},
                  {"given_names", viz(given_printed, given_printed)},
                  {"birth_date", viz("12 AUG/AOÛT 1974", "1974-08-12")},
                  {"expiry_date", viz("31 OCT/OCT 2031", "2031-10-31")},
                  {"document_number", viz("C01X00T47", "C01X00T47")},
                  {"sex", viz("F", "F")},
                  {"nationality", viz("DEUTSCH", "DEUTSCH")}}}};
  rec["face"] = {{"similarity", 0.97}, {"threshold", 0.92}, {"match", true}};
  return rec;
}

// An id-ocr field as read: the printed text, its normalised value, and one
// confidence and one runner-up (null for none) per character of the value.
Json ocrField(const std::string& text, const std::string& value, double confidence, const Json& char_confidence,
              const Json& char_alternatives) {
  return {{"text", text},
          {"value", value},
          {"confidence", confidence},
          {"char_confidence", char_confidence},
          {"char_alternatives", char_alternatives}};
}

check::Options opts(std::string as_of = "2025-06-01", int min_age = 0) {
  check::Options o;
  o.as_of = std::move(as_of);
  o.min_age = min_age;
  return o;
}

// data/policy/strict.json as shipped.
check::Policy strictPolicy() {
  std::ifstream in(idkit::test::sourceDir() / "data/policy/strict.json");
  std::stringstream text;
  text << in.rdbuf();
  auto p = check::Policy::parse(text.str());
  REQUIRE(p);
  return *p;
}

std::vector<std::string> codes(const check::Result& r) {
  std::vector<std::string> out;
  for (const auto& reason : r.reasons) out.push_back(reason.code);
  return out;
}

}  // namespace

TEST_CASE("check: a genuine document passes with no reasons", "[check]") {
  const auto r = check::evaluate(passport(), opts());
  INFO(r.toJson().dump());
  CHECK(r.pass);
  CHECK(r.reasons.empty());
  CHECK(r.as_of == "2025-06-01");
  CHECK(r.birth_date == "1974-08-12");
  CHECK(r.expiry_date == "2031-10-31");
  CHECK(r.nationality == "D");
  CHECK(r.face_matched == true);
}

TEST_CASE("check: each reason code from a hand-built record", "[check]") {
  SECTION("mrz_invalid") {
    Json rec = passport();
    rec["mrz"]["valid"] = false;
    rec["mrz"]["checks"]["birth_date"] = false;
    const auto r = check::evaluate(rec, opts());
    CHECK(codes(r) == std::vector<std::string>{"mrz_invalid"});
    CHECK(r.reasons[0].detail == "MRZ check failed: birth_date. Not compared: birth_date.");
    CHECK_FALSE(r.pass);
  }
  SECTION("mrz_unreadable: a zone id-mrz was unsure of (a warning); its unsure fields are not compared") {
    // As id-mrz reads a blurred passport: every check digit verifies, but
    // the zone is not legible; the document number verified only by its
    // digit (0.904) was misread, the names were read surely.
    Json rec = passport();
    rec["mrz"]["valid"] = false;
    rec["mrz"]["checks"]["legible"] = false;
    rec["mrz"]["checks"]["known_state"] = false;
    rec["mrz"]["fields"]["document_number"] = "C01XOOT47";
    rec["mrz"]["field_confidence"] = {{"document_number", 0.904}, {"birth_date", 0.9}, {"expiry_date", 0.99},
                                      {"surname", 0.958}, {"given_names", 0.958}};
    auto r = check::evaluate(rec, opts());
    CHECK(r.pass);
    CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable"});
    CHECK(r.reasons[0].detail ==
          "The MRZ was read with doubt (legible, known_state). Not compared: document_number, nationality, sex, "
          "birth_date.");
    CHECK(r.reasons[0].severity == check::Severity::warn);
    // Sure fields still compare: a changed printed expiry date fails, and
    // the unsure MRZ birth date leaves the printed one to decide the age.
    rec["ocr"]["fields"]["expiry_date"]["value"] = "2032-10-31";
    r = check::evaluate(rec, opts("2025-06-01", 18));
    CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable", "expiry_date_mismatch"});
    CHECK(*r.birth_date == "1974-08-12");
    rec["ocr"]["fields"]["expiry_date"]["value"] = "2031-10-31";
    rec["ocr"]["fields"]["surname"]["value"] = "MILLER";
    rec["ocr"]["fields"]["surname"]["text"] = "MILLER";
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable", "name_mismatch"});
    // With no printed birth date, the MRZ's (0.9, its check digit verifies)
    // is the best estimate left for the age: not compared, but used.
    rec["ocr"]["fields"].erase("birth_date");
    rec["ocr"]["fields"]["surname"] = rec["ocr"]["fields"]["given_names"];
    rec["ocr"]["fields"]["surname"]["value"] = rec["ocr"]["fields"]["surname"]["text"] = "MÜLLER";
    r = check::evaluate(rec, opts("2025-06-01", 60));
    REQUIRE(r.birth_date);
    CHECK(*r.birth_date == "1974-08-12");
    CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable", "under_age"});
    // Sure readings of an unknown state code are not doubt: mrz_invalid.
    rec = passport();
    rec["mrz"]["valid"] = false;
    rec["mrz"]["checks"]["known_state"] = false;
    r = check::evaluate(rec, opts());
    CHECK(codes(r) == std::vector<std::string>{"mrz_invalid"});
    CHECK(r.reasons[0].detail == "MRZ check failed: known_state. Not compared: nationality.");
    // The strict policy fails an unsure zone.
    CHECK(strictPolicy().of("mrz_unreadable") == check::Severity::fail);
  }
  SECTION("an MRZ date whose check digit fails says nothing about expiry or age") {
    // id-mrz read the expiry 840302 for 340302 (its digit fails): not expired
    // on that evidence; the printed expiry date stands in.
    Json rec = passport();
    rec["mrz"]["valid"] = false;
    rec["mrz"]["checks"]["expiry_date"] = false;
    rec["mrz"]["fields"]["expiry_date_raw"] = "840302";
    rec["mrz"]["fields"]["expiry_date"] = "1984-03-02";
    rec["mrz"]["field_confidence"]["expiry_date"] = 0.021;
    auto r = check::evaluate(rec, opts());
    CHECK(codes(r) == std::vector<std::string>{"mrz_invalid"});
    CHECK(*r.expiry_date == "2031-10-31");
    rec["ocr"]["fields"].erase("expiry_date");
    r = check::evaluate(rec, opts());
    CHECK(codes(r) == std::vector<std::string>{"mrz_invalid", "expiry_unknown"});
    CHECK_FALSE(r.expiry_date);
  }
  SECTION("a French ID card's expiry is vouched for by its document number's check digit") {
    // id-mrz derives it from the issue date the number begins with (2007 +
    // 15 years); an unsure zone whose number verifies still dates the card.
    auto lines = std::vector<std::string>{"IDFRALEFEVRE<<<<<<<<<<<<<<<<<<306147", "2007305062580CELINE<<<<<<<<6302223F3"};
    auto parsed = idkit::mrz::parse(lines);
    REQUIRE(parsed);
    REQUIRE(parsed->valid);
    Json rec{{"idkit", 1}, {"input", "f.jpg"}, {"status", "ok"}, {"mrz", parsed->toJson()}};
    rec["face"] = {{"similarity", 0.97}, {"threshold", 0.92}, {"match", true}};
    REQUIRE(rec["mrz"]["fields"].contains("expiry_date_rule"));
    rec["mrz"]["valid"] = false;
    rec["mrz"]["checks"]["legible"] = false;
    rec["mrz"]["field_confidence"] = {{"document_number", 0.917}, {"birth_date", 0.917}, {"surname", 0.09}};
    // No field of it sure: unverified too.
    auto r = check::evaluate(rec, opts("2045-01-01"));
    CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable", "unverified", "expired"});
    rec["mrz"]["checks"]["document_number"] = false;
    r = check::evaluate(rec, opts("2045-01-01"));
    CHECK(codes(r) == std::vector<std::string>{"mrz_invalid", "unverified", "expiry_unknown"});
  }
  SECTION("birth_date_mismatch: VIZ date differs from the MRZ") {
    Json rec = passport();
    rec["ocr"]["fields"]["birth_date"]["value"] = "1975-08-12";
    rec["ocr"]["fields"]["birth_date"]["text"] = "12 AUG/AOÛT 1975";
    const auto r = check::evaluate(rec, opts());
    REQUIRE(codes(r) == std::vector<std::string>{"birth_date_mismatch"});
    CHECK(r.reasons[0].detail == "Date of birth differs: the MRZ says '1974-08-12', the VIZ says '12 AUG/AOÛT 1975'.");
    CHECK(r.reasons[0].severity == check::Severity::fail);
  }
  SECTION("expiry_date_mismatch, document_number_mismatch, sex_mismatch") {
    Json rec = passport();
    rec["ocr"]["fields"]["expiry_date"]["value"] = "2032-10-31";
    rec["ocr"]["fields"]["document_number"]["value"] = "C01X00T48";
    rec["ocr"]["fields"]["sex"]["value"] = "M";
    CHECK(codes(check::evaluate(rec, opts())) ==
          std::vector<std::string>{"expiry_date_mismatch", "document_number_mismatch", "sex_mismatch"});
  }
  SECTION("nationality_mismatch only between codes") {
    Json rec = passport();
    rec["ocr"]["fields"]["nationality"]["value"] = "AUT";
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"nationality_mismatch"});
    // Three letters compare whether ICAO knows them or not (a forged code).
    rec["ocr"]["fields"]["nationality"] = {{"text", "QQX"}, {"value", "QQX"}, {"confidence", 0.9}};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"nationality_mismatch"});
    rec["ocr"]["fields"]["nationality"] = {
        {"text", "QQX"}, {"value", "QQX"}, {"confidence", 0.31}, {"char_confidence", {0.97, 0.99, 0.96}}};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"nationality_mismatch"});
  }
  SECTION("a value shorter than its field's pattern is a fragment: unreadable, not a mismatch") {
    // Held-out td3-photo-s6161-0090: ISL read "A" (line 0.31, the A at 0.95)
    // against the template's D|[A-Z]{3,}. id-ocr leaves no character of a
    // fragment surely read (ocr::fragmentOf; the A at 0.9), so the
    // difference is unreadable print, whatever the field.
    REQUIRE(idkit::ocr::fragmentOf("A", std::regex("D|[A-Z]{3,}")));
    Json rec = passport();
    rec["ocr"]["fields"]["nationality"] = {{"text", "A"}, {"value", "A"}, {"confidence", 0.31}, {"char_confidence", {0.9}}};
    const auto fragment = check::evaluate(rec, opts());
    CHECK(codes(fragment) == std::vector<std::string>{"viz_unreadable"});
    CHECK(fragment.pass);
    // A document number read a character short ([A-Z0-9]+ takes it: no
    // fragment by the pattern) keeps its sure characters: a mismatch.
    REQUIRE_FALSE(idkit::ocr::fragmentOf("C01X00T4", std::regex("[A-Z0-9]+")));
    rec = passport();
    rec["ocr"]["fields"]["document_number"] = {
        {"text", "C01X00T4"}, {"value", "C01X00T4"}, {"confidence", 0.9}, {"char_confidence", std::vector<double>(8, 0.98)}};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"document_number_mismatch"});
    // The same read against a fixed-length pattern ([A-Z0-9]{9}) is a
    // fragment, its characters capped: unreadable.
    REQUIRE(idkit::ocr::fragmentOf("C01X00T4", std::regex("[A-Z0-9]{9}")));
    rec["ocr"]["fields"]["document_number"]["char_confidence"] = std::vector<double>(8, 0.9);
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"viz_unreadable"});
    // A forged full-length number read surely stays a mismatch.
    REQUIRE_FALSE(idkit::ocr::fragmentOf("C01X00T48", std::regex("[A-Z0-9]{9}")));
    rec["ocr"]["fields"]["document_number"] = {
        {"text", "C01X00T48"}, {"value", "C01X00T48"}, {"confidence", 0.9}, {"char_confidence", std::vector<double>(9, 0.98)}};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"document_number_mismatch"});
  }
  SECTION("viz_unreadable: low-confidence printed fields are not compared") {
    Json rec = passport();
    rec["ocr"]["fields"]["birth_date"] = {{"text", "1Z AU6 1P74"}, {"value", "1975-08-12"}, {"confidence", 0.2}};
    const auto r = check::evaluate(rec, opts());
    REQUIRE(codes(r) == std::vector<std::string>{"viz_unreadable"});
    CHECK(r.reasons[0].detail == "Printed fields read with low confidence, not compared: birth_date.");
    CHECK(r.pass);
  }
  SECTION("a visa's MRZ number may be the passport number") {
    Json rec = passport();
    rec["ocr"]["fields"]["document_number"]["value"] = "VX1234567";
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"document_number_mismatch"});
    rec["ocr"]["fields"]["passport_number"] = {{"text", "C01X00T47"}, {"value", "C01X00T47"}};
    CHECK(check::evaluate(rec, opts()).pass);
    // The passport number read below the bar: the visa number says nothing.
    rec["ocr"]["fields"]["passport_number"] = {{"text", "C01X00T47 Z"}, {"value", "C01X00T47Z"}, {"confidence", 0.2}};
    auto r = check::evaluate(rec, opts());
    CHECK(r.pass);
    CHECK(codes(r) == std::vector<std::string>{"viz_unreadable"});
    // Read surely and another number: both numbers differ, a mismatch.
    rec["ocr"]["fields"]["passport_number"] = {{"text", "C01X00T48"}, {"value", "C01X00T48"}};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"document_number_mismatch"});
  }
  SECTION("a visa's name the reference settled compares in the reference's spelling") {
    // mrvb-photo-s5353-0068: CAKIR, CAĞRI EMRE printed, read CACRI; id-ocr
    // found the print showing the MRZ's G and gave the value its spelling
    // (source template+mrz), the text as Tesseract read it.
    Json rec = passport("DE SAINT CAKIR", "CAGRI EMRE");
    rec["ocr"]["fields"].erase("surname");
    rec["ocr"]["fields"].erase("given_names");
    rec["ocr"]["fields"]["name"] = {{"text", "DE SAINT CAKIR, CACRI EMRE"},
                                    {"value", "DE SAINT CAKIR CAGRI EMRE"},
                                    {"confidence", 0.9},
                                    {"char_confidence", std::vector<double>(25, 0.99)},
                                    {"source", "template+mrz"}};
    CHECK(check::evaluate(rec, opts()).pass);
    CHECK(codes(check::evaluate(rec, opts())).empty());
    // The same reading not settled compares as printed: a mismatch.
    rec["ocr"]["fields"]["name"]["value"] = "DE SAINT CAKIR CACRI EMRE";
    rec["ocr"]["fields"]["name"].erase("source");
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"name_mismatch"});
  }
  SECTION("name_mismatch") {
    Json rec = passport();
    rec["ocr"]["fields"]["surname"] = {{"text", "MILLER"}, {"value", "MILLER"}};
    const auto r = check::evaluate(rec, opts());
    REQUIRE(codes(r) == std::vector<std::string>{"name_mismatch"});
    CHECK(r.reasons[0].detail == "Surname differs: the MRZ says 'MUELLER', the VIZ says 'MILLER'.");
  }
  SECTION("expired, against --as-of; valid on its expiry day") {
    CHECK(codes(check::evaluate(passport(), opts("2031-11-01"))) == std::vector<std::string>{"expired"});
    CHECK(check::evaluate(passport(), opts("2031-10-31")).pass);
  }
  SECTION("under_age and age_unknown with a minimum age") {
    CHECK(check::evaluate(passport(), opts("2025-06-01", 50)).pass);
    const auto r = check::evaluate(passport(), opts("2025-06-01", 51));
    REQUIRE(codes(r) == std::vector<std::string>{"under_age"});
    CHECK(r.reasons[0].detail == "The holder is 50 on 2025-06-01, younger than the minimum age of 51.");
    Json rec = passport();
    rec["mrz"]["fields"].erase("birth_date");
    rec["mrz"]["fields"].erase("birth_date_raw");
    rec["ocr"]["fields"].erase("birth_date");
    CHECK(codes(check::evaluate(rec, opts("2025-06-01", 18))) == std::vector<std::string>{"age_unknown"});
  }
  SECTION("face_mismatch and face_not_compared (a warning)") {
    Json rec = passport();
    rec["face"]["match"] = false;
    rec["face"]["similarity"] = 0.41;
    auto r = check::evaluate(rec, opts());
    REQUIRE(codes(r) == std::vector<std::string>{"face_mismatch"});
    CHECK(r.reasons[0].detail == "The selfie does not match the portrait (similarity 0.410, threshold 0.920).");
    rec.erase("face");
    r = check::evaluate(rec, opts());
    REQUIRE(codes(r) == std::vector<std::string>{"face_not_compared"});
    CHECK(r.reasons[0].severity == check::Severity::warn);
    CHECK(r.pass);
  }
  SECTION("poor_quality (a warning by default)") {
    Json rec = passport();
    rec["quality"] = {{"usable", false}, {"reasons", {"blurry", "glare"}}};
    const auto r = check::evaluate(rec, opts());
    REQUIRE(codes(r) == std::vector<std::string>{"poor_quality"});
    CHECK(r.reasons[0].detail == "The image is not usable: blurry, glare.");
    CHECK(r.pass);
  }
  SECTION("not_processed: records that arrive with status error") {
    Json rec{{"idkit", 1}, {"input", "x.jpg"}, {"status", "error"},
             {"errors", {{{"tool", "id-mrz"}, {"code", "mrz_not_found"}, {"message", "no MRZ"}}}}};
    const auto r = check::evaluate(rec, opts());
    CHECK(codes(r) == std::vector<std::string>{"not_processed", "face_not_compared"});
    CHECK(r.reasons[0].detail == "id-mrz failed with mrz_not_found");
    CHECK_FALSE(r.pass);
  }
  SECTION("no_document_data") {
    Json rec{{"idkit", 1}, {"input", "x.jpg"}, {"status", "ok"}, {"face", {{"match", true}}}};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"no_document_data"});
  }
  SECTION("issue_date_mismatch between barcode and VIZ (a warning)") {
    Json rec{{"idkit", 1}, {"status", "ok"}, {"face", {{"match", true}}}};
    rec["barcodes"] = {{{"format", "PDF417"},
                        {"aamva",
                         {{"fields",
                           {{"surname", "SAMPLE"}, {"first_name", "MICHAEL"}, {"middle_names", "JOHN"},
                            {"birth_date", "1986-06-06"}, {"expiry_date", "2029-12-10"},
                            {"issue_date", "2019-06-06"}, {"sex", "M"}, {"document_number", "T64235789"}}}}}}};
    rec["ocr"] = {{"fields",
                   {{"surname", {{"text", "SAMPLE"}, {"value", "SAMPLE"}}},
                    {"given_names", {{"text", "MICHAEL JOHN"}, {"value", "MICHAEL JOHN"}}},
                    {"issue_date", {{"text", "06/07/2019"}, {"value", "2019-06-07"}}},
                    {"document_number", {{"text", "T64235789"}, {"value", "T64235789"}}}}}};
    const auto r = check::evaluate(rec, opts());
    REQUIRE(codes(r) == std::vector<std::string>{"issue_date_mismatch"});
    CHECK(r.pass);
  }
}

TEST_CASE("check: names follow Doc 9303 transliteration and truncation", "[check]") {
  CHECK(check::nameSpellings("Müller") == std::vector<std::string>{"MUELLER", "MULLER", "MUXXLLER"});
  CHECK(check::nameSpellings("Strauß")[0] == "STRAUSS");
  CHECK(check::nameSpellings("Søren")[0] == "SOEREN");
  CHECK(check::nameSpellings("Jean-Paul O'Brien")[0] == "JEAN PAUL OBRIEN");
  CHECK(check::nameMatches("MUELLER", "Müller", false));
  CHECK(check::nameMatches("MULLER", "MÜLLER", false));
  CHECK(check::nameMatches("IBANEZ", "IBÁÑEZ", false));
  CHECK(check::nameMatches("IBANXXEZ", "IBÁÑEZ", false));
  CHECK_FALSE(check::nameMatches("MILLER", "MÜLLER", false));
  CHECK(check::nameMatches("CHATEAUBRIAND", "CHATEAU BRIAND", false));  // word breaks do not count
  CHECK(check::nameMatches("DE LA CRUZ", "DELACRUZ", false));
  CHECK_FALSE(check::nameMatches("CHATEAUBRIAND", "CHATEAU BRIANT", false));
  CHECK(check::nameMatches("HOELZENBEIN", "HOLZENBEIN", false));  // the printed Ö lost by OCR
  CHECK_FALSE(check::nameMatches("HOELZENBEIN", "HILZENBEIN", false));
  // Truncated (the name field is full): prefixes at full width match, nothing else.
  CHECK_FALSE(check::nameMatches("ANNA MAR", "ANNA MARIA", false));
  CHECK(check::nameMatches("ANNA MAR", "ANNA MARIA", true));
  CHECK(check::nameMatches("ANNA M", "ANNA MARIA LUISA", true));
  CHECK(check::nameMatches("ANNA", "ANNA MARIA", true));
  CHECK_FALSE(check::nameMatches("ANNE", "ANNA MARIA", true));
  CHECK_FALSE(check::nameMatches("ANNA MARIA X", "ANNA MARIA", true));
  // Truncation word by word: MRZ word i stands for printed word i, trailing printed words dropped.
  using Words = std::vector<std::string>;
  using Views = std::vector<std::string_view>;
  CHECK(check::alignedByTruncation(Words{"ANNA", "M"}, Words{"ANNA", "MARIA", "LUISA"}) == Views{"ANNA", "M", ""});
  CHECK(check::alignedByTruncation(Words{}, Words{"ANNA"}) == Views{""});
  CHECK(check::alignedByTruncation(Words{"ANNE"}, Words{"ANNA"}) == Views{"ANNE"});  // a misread kept word stays
  CHECK_FALSE(check::alignedByTruncation(Words{"ANNA", "MARIA", "X"}, Words{"ANNA", "MARIA"}));
  // completedByPrint fills each word out from the print: a difference shows only where the MRZ holds letters.
  CHECK(check::completedByPrint("FRANCOISE FRA", "PRANCOISE FRANCE") == "FRANCOISE FRANCE");
  CHECK(check::completedByPrint("ANNA M", "ANNA MARIA LUISA") == "ANNA MARIA LUISA");
  CHECK(check::completedByPrint("ANNE MARIA", "ANNA M") == "ANNE MARIA");  // an MRZ word longer than the print's stays
  CHECK(check::completedByPrint("ANNA MARIA X", "ANNA MARIA") == "ANNA MARIA X");  // more words: as it is
  CHECK(check::completedByPrint("", "ANNA") == "");
  // An apostrophe the MRZ omits, read from print as a gap, in a truncated field.
  CHECK(check::nameMatches("DARTAGNAN", "D ARTAGNAN", true));
  CHECK_FALSE(check::nameMatches("DARTAGNAN", "D ARTAGMAN", true));
  CHECK_FALSE(check::nameMatches("DARTAGNAN", "D ART", true));

  // A long name composed into a TD3 MRZ is truncated by compose(); the check accepts it.
  const std::string surname = "WOLFESCHLEGELSTEINHAUSENBERGERDORFF";
  Json rec = passport(surname, "HUBERT BLAINE CHRISTOPHER");
  INFO(rec["mrz"]["lines"].dump());
  CHECK(check::evaluate(rec, opts()).pass);
  rec["ocr"]["fields"]["given_names"] = {{"text", "GERALD"}, {"value", "GERALD"}};
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"name_mismatch"});

  // A name cut at the end of its field where a filler falls (Doc 9303 part 3):
  // it ends in '<' like a name that fits, but the printed one runs past the end.
  CHECK(check::cutAtFieldEnd("MARIE<", "MARIE-THÉRÈSE"));
  CHECK(check::cutAtFieldEnd("MARIE<", "MARIE ANTOINETTE"));  // the cut cannot tell the second name
  CHECK(check::cutAtFieldEnd("JOHN<PAU", "JOHN PAUL"));
  CHECK_FALSE(check::cutAtFieldEnd("MARIE<", "MARIE"));                 // fits: nothing was cut
  CHECK_FALSE(check::cutAtFieldEnd("MARIE<<<<<<<<", "MARIE-THÉRÈSE"));  // 13 places hold all 13
  CHECK_FALSE(check::cutAtFieldEnd("MARIE<", "MARIA-THÉRÈSE"));
  CHECK_FALSE(check::cutAtFieldEnd("MARIE<", "MARIETTE"));
  CHECK_FALSE(check::cutAtFieldEnd("<<<<<<", "MARIE-THÉRÈSE"));
  // An umlaut the print was read without (BJÖRN read BJORN) in a name cut on a filler.
  CHECK(check::cutAtFieldEnd("BJOERN<KLAUS<", "BJÖRN KLAUS-DIETER"));
  CHECK(check::cutAtFieldEnd("BJOERN<KLAUS<", "BJORN KLAUS-DIETER"));
  CHECK(check::cutAtFieldEnd("BJOERN<KL", "BJORN KLAUS-DIETER"));
  CHECK_FALSE(check::cutAtFieldEnd("BJOERN<KLAUS<<<<<", "BJORN KLAUS"));  // fits
  CHECK_FALSE(check::cutAtFieldEnd("BJOERN<KLAUS<", "BJARN KLAUS-DIETER"));
  CHECK_FALSE(check::cutAtFieldEnd("BJOERN<KLAUS<", "BJORN KLAUSDIETER"));  // no break where the field's filler is
  // TD3: 39 places after the state; the given names start at 25 and have 14.
  Json cut = passport("ABERNATHY-WOLFESCHLEGEL", "MARIE-THÉRÈSE ANNA");
  REQUIRE(cut["mrz"]["lines"][0].get<std::string>().ends_with("<<MARIE<THERESE<"));
  CHECK(check::evaluate(cut, opts()).pass);
  // The same print over an MRZ whose given names are MARIE alone, with room to spare: a mismatch.
  Json added = passport("ABERNATHY-WOLFESCHLEGEL", "MARIE");
  added["ocr"]["fields"]["given_names"] = {{"text", "MARIE-THÉRÈSE ANNA"}, {"value", "MARIE THERESE ANNA"}};
  CHECK(codes(check::evaluate(added, opts())) == std::vector<std::string>{"name_mismatch"});
  // The same cut on a filler where the print was read without its umlaut's dots.
  Json dots = passport("ABERNATHY-WOLFESCHLEGELS", "BJÖRN KLAUS-DIETER");
  REQUIRE(dots["mrz"]["lines"][0].get<std::string>().ends_with("<<BJOERN<KLAUS<"));
  dots["ocr"]["fields"]["given_names"] = {{"text", "BJORN KLAUS-DIETER"}, {"value", "BJORN KLAUS DIETER"}};
  CHECK(check::evaluate(dots, opts()).pass);
  dots["ocr"]["fields"]["given_names"] = {{"text", "BJARN KLAUS-DIETER"}, {"value", "BJARN KLAUS DIETER"}};
  CHECK(codes(check::evaluate(dots, opts())) == std::vector<std::string>{"name_mismatch"});

  // id-ocr read GROß as GROB and gave it the MRZ's spelling (source template+mrz): that compares.
  Json gross = passport("GROß");
  gross["ocr"]["fields"]["surname"] = {{"text", "GROB"}, {"value", "GROSS"}, {"confidence", 0.9}, {"source", "template+mrz"}};
  CHECK(check::evaluate(gross, opts()).pass);
  gross["ocr"]["fields"]["surname"].erase("source");  // as read: a B is not an ß
  CHECK(codes(check::evaluate(gross, opts())) == std::vector<std::string>{"name_mismatch"});
}

TEST_CASE("check: ages and the reference date", "[check]") {
  CHECK(check::ageOn("2007-06-01", "2025-06-01") == 18);
  CHECK(check::ageOn("2007-06-02", "2025-06-01") == 17);
  CHECK(check::ageOn("2004-02-29", "2022-02-28") == 17);
  CHECK(check::ageOn("2004-02-29", "2022-03-01") == 18);
  CHECK_FALSE(check::ageOn("2004-13-01", "2022-03-01"));
  CHECK_FALSE(check::ageOn("garbage", "2022-03-01"));
  // Without --as-of the verdict records the day it used.
  const auto r = check::evaluate(passport(), check::Options{});
  CHECK(r.as_of == check::today());
  CHECK(r.toJson()["as_of"] == check::today());
}

TEST_CASE("check: Indonesian NIK structure, birth date and sex", "[check]") {
  CHECK(check::nikStructureError("3171234808900001").empty());
  CHECK_FALSE(check::nikStructureError("317123480890001").empty());   // 15 digits
  CHECK_FALSE(check::nikStructureError("9971234808900001").empty());  // no province 99
  CHECK_FALSE(check::nikStructureError("3171233508900001").empty());  // day 35
  CHECK_FALSE(check::nikStructureError("3171234813900001").empty());  // month 13
  CHECK_FALSE(check::nikStructureError("3171234808900000").empty());  // serial 0000
  const auto d = check::parseNik("3171234808900001");
  REQUIRE(d);
  CHECK(d->day == 8);
  CHECK(d->month == 8);
  CHECK(d->year2 == 90);
  CHECK(d->sex == 'F');

  auto ktp = [](std::string nik, std::string birth, std::string sex) {
    Json rec{{"idkit", 1}, {"status", "ok"}, {"face", {{"match", true}}}};
    rec["ocr"] = {{"template", "idn-ektp"},
                  {"fields",
                   {{"nik", {{"text", nik}, {"value", nik}}},
                    {"surname", {{"text", "SITI AMINAH"}, {"value", "SITI AMINAH"}}},
                    {"birth_date", {{"text", "08-08-1990"}, {"value", birth}}},
                    {"sex", {{"text", sex == "F" ? "PEREMPUAN" : "LAKI-LAKI"}, {"value", sex}}},
                    {"expiry_date", {{"text", "SEUMUR HIDUP"}, {"value", "SEUMUR HIDUP"}}}}}};
    return rec;
  };
  const auto ok = check::evaluate(ktp("3171234808900001", "1990-08-08", "F"), opts());
  INFO(ok.toJson().dump());
  CHECK(codes(ok) == std::vector<std::string>{"expiry_unknown"});  // e-KTPs are valid for life
  CHECK(ok.pass);
  CHECK(codes(check::evaluate(ktp("3171234808900001", "1990-08-08", "M"), opts())) ==
        std::vector<std::string>{"nik_mismatch", "expiry_unknown"});
  CHECK(codes(check::evaluate(ktp("3171234808900001", "1991-08-08", "F"), opts())) ==
        std::vector<std::string>{"nik_mismatch", "expiry_unknown"});
  CHECK(codes(check::evaluate(ktp("3171230808900001", "1990-08-08", "M"), opts())) ==
        std::vector<std::string>{"expiry_unknown"});
  CHECK(codes(check::evaluate(ktp("31712348089000", "1990-08-08", "F"), opts())) ==
        std::vector<std::string>{"nik_invalid", "expiry_unknown"});
}

TEST_CASE("check: policies decide what fails", "[check]") {
  // The shipped default policy is the built-in one.
  std::ifstream in(idkit::test::sourceDir() / "data/policy/default.json");
  std::stringstream text;
  text << in.rdbuf();
  auto file = check::Policy::parse(text.str());
  REQUIRE(file);
  const auto builtin = check::Policy::defaults();
  for (std::string_view c : check::allCodes()) CHECK(file->of(c) == builtin.of(c));
  CHECK(file->fallback == builtin.fallback);
  CHECK(file->min_age == builtin.min_age);
  // What the default policy only warns about: what could not be read or verified.
  std::vector<std::string_view> warn;
  for (std::string_view c : check::allCodes())
    if (builtin.of(c) == check::Severity::warn) warn.push_back(c);
  CHECK(warn == std::vector<std::string_view>{"mrz_unreadable", "unverified", "issue_date_mismatch", "viz_unreadable",
                                              "viz_misread", "expiry_unknown", "face_not_compared", "poor_quality"});

  auto strict = check::Policy::parse(R"({"required": ["face_not_compared"], "default": "required"})");
  REQUIRE(strict);
  Json rec = passport();
  rec.erase("face");
  auto o = opts();
  o.policy = *strict;
  CHECK_FALSE(check::evaluate(rec, o).pass);

  auto lenient = check::Policy::parse(R"({"warn": ["expired"], "ignore": ["face_not_compared"], "min_age": 21})");
  REQUIRE(lenient);
  o = opts("2040-01-01");
  o.policy = *lenient;
  const auto r = check::evaluate(rec, o);
  CHECK(r.pass);
  CHECK(codes(r) == std::vector<std::string>{"expired"});
  CHECK(r.min_age == 21);

  CHECK_FALSE(check::Policy::parse(R"({"required": ["no_such_code"]})"));
  CHECK_FALSE(check::Policy::parse(R"({"requried": ["expired"]})"));
  CHECK_FALSE(check::Policy::parse(R"({"required": ["expired"], "warn": ["expired"]})"));
  CHECK_FALSE(check::Policy::parse("not json"));
  CHECK_FALSE(check::Policy::parse(R"({"min_age": -3})"));
}

TEST_CASE("check: --claims keeps derived claims only", "[check]") {
  Json rec = passport();
  auto o = opts("2025-06-01", 21);
  rec["ocr"]["fields"]["birth_date"]["value"] = "1975-08-12";  // a failing reason with values in its detail
  const auto r = check::evaluate(rec, o);
  const Json c = check::claims(rec, r, {"ref"});
  INFO(c.dump());
  CHECK(c["ref"] == "case-17");
  CHECK_FALSE(c.contains("input"));
  CHECK_FALSE(c.contains("mrz"));
  CHECK_FALSE(c.contains("ocr"));
  CHECK(c["claims"]["age_over_18"] == true);
  CHECK(c["claims"]["age_over_21"] == true);
  CHECK(c["claims"]["document_valid_until"] == "2031-10-31");
  CHECK(c["claims"]["document_valid"] == true);
  CHECK(c["claims"]["nationality"] == "D");
  CHECK(c["claims"]["face_matched"] == true);
  CHECK(c["claims"]["pass"] == false);
  const std::string text = c.dump();
  for (const char* pii : {"MUELLER", "ANNA", "1974", "1975", "C01X00T47", "P<D<<", "scans/a.jpg"})
    CHECK(text.find(pii) == std::string::npos);
  CHECK(c["check"]["reasons"][0]["code"] == "birth_date_mismatch");
}

TEST_CASE("check: records of the wrong shape never throw", "[check]") {
  for (const char* text : {
           R"({"mrz": 5, "ocr": [], "barcodes": {}, "face": "yes", "quality": null})",
           R"({"mrz": {"valid": "no", "fields": [], "lines": "x", "checks": 3}, "status": 7})",
           R"({"mrz": {"valid": false, "checks": {"a": "b"}, "fields": {"birth_date_raw": "99", "surname": 4}}})",
           R"({"barcodes": [1, {"aamva": {"fields": {"surname_truncated": "T", "birth_date": "2020-1"}}}]})",
           R"({"ocr": {"fields": {"nik": {"value": "x"}, "birth_date": 3, "sex": {"value": ""}, "name": "A,B,C"}}})",
           R"({"face": {"match": false, "similarity": "high"}, "quality": {"usable": false, "reasons": [1, "x"]}})",
           R"({"errors": [1, {"tool": 2}], "status": "error", "ref": {"a": 1}})"}) {
    INFO(text);
    const Json rec = Json::parse(text);
    check::Result r;
    REQUIRE_NOTHROW(r = check::evaluate(rec, opts("2025-06-01", 18)));
    REQUIRE_NOTHROW(check::claims(rec, r, {"ref", "input"}).dump());
  }
}

TEST_CASE("check: a printed difference fails only where every differing character was read surely", "[check]") {
  SECTION("the alignment finds the differing characters") {
    const std::vector<double> conf{0.99, 0.99, 0.99, 0.99, 1, 0.99, 0.99, 1, 0.4, 0.99};
    CHECK(check::differenceConfidence("1974-08-12", conf, "1974-08-12") == 1);
    CHECK(check::differenceConfidence("1974-08-12", conf, "1974-08-17") == Approx(0.99));  // last digit: sure
    CHECK(check::differenceConfidence("1974-08-12", conf, "1974-08-02") == Approx(0.4));   // the unsure one
    // A dropped letter: its neighbours decide; a length mismatch of conf: unknown (0).
    CHECK(check::differenceConfidence("MLLER", {0.99, 0.5, 0.99, 0.99, 0.99}, "MULLER") == Approx(0.5));
    CHECK(check::differenceConfidence("MULLER", {0.9}, "MILLER") == 0);
  }
  SECTION("an unsure misread warns viz_unreadable, a sure difference fails") {
    Json rec = passport();
    rec["ocr"]["fields"]["birth_date"] = {{"text", "12 AUG/AOÛT 1975"}, {"value", "1975-08-12"}, {"confidence", 0.93},
                                          {"char_confidence", {0.99, 0.99, 0.99, 0.41, 1, 0.98, 0.98, 1, 0.97, 0.97}}};
    auto r = check::evaluate(rec, opts());
    CHECK(r.pass);
    CHECK(codes(r) == std::vector<std::string>{"viz_unreadable"});
    CHECK_THAT(r.reasons.front().detail, Catch::Contains("birth_date"));
    rec["ocr"]["fields"]["birth_date"]["char_confidence"][3] = 0.97;
    r = check::evaluate(rec, opts());
    CHECK_FALSE(r.pass);
    CHECK(codes(r) == std::vector<std::string>{"birth_date_mismatch"});
  }
  SECTION("a line read below 0.5 counts where each character's confidence is known") {
    // fra-id-photo-s31-0013: "02.01.2008" on a line Tesseract gave 0.34
    // (its mean over the words, junk beside the date included).
    Json rec = passport();
    rec["ocr"]["fields"]["birth_date"] = {{"text", "12 AUG/AOÛT 1975"}, {"value", "1975-08-12"}, {"confidence", 0.34},
                                          {"char_confidence", {1, 1, 1, 0.99, 1, 1, 0.99, 1, 0.99, 1}}};
    auto r = check::evaluate(rec, opts());
    CHECK(codes(r) == std::vector<std::string>{"birth_date_mismatch"});
    rec["ocr"]["fields"]["birth_date"]["value"] = "1974-08-12";
    CHECK(check::evaluate(rec, opts()).reasons.empty());
    // A character under 0.95 outside the difference (td2-photo-s2020-0033's
    // month on a 0.25 line): the difference's characters decide, as on any line.
    rec["ocr"]["fields"]["birth_date"]["value"] = "1975-08-12";
    rec["ocr"]["fields"]["birth_date"]["char_confidence"][8] = 0.89;
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"birth_date_mismatch"});
    rec["ocr"]["fields"]["birth_date"]["value"] = "1974-08-12";
    CHECK(check::evaluate(rec, opts()).reasons.empty());  // the same as the MRZ's: verified
    // A differing character under 0.95: unreadable print, not a forgery.
    rec["ocr"]["fields"]["birth_date"]["value"] = "1975-08-12";
    rec["ocr"]["fields"]["birth_date"]["char_confidence"][3] = 0.94;
    r = check::evaluate(rec, opts());
    CHECK(codes(r) == std::vector<std::string>{"viz_unreadable"});
    CHECK_THAT(r.reasons.front().detail, Catch::Contains("only in characters read with low confidence: birth_date"));
    // A field no other source holds (a TD3's issue date) is not read from such a line.
    rec["ocr"]["fields"]["birth_date"]["char_confidence"][3] = 0.99;
    rec["ocr"]["fields"]["birth_date"]["value"] = "1974-08-12";
    rec["ocr"]["fields"]["issue_date"] = {{"text", "01 NOV/NOV 2021"}, {"value", "2021-11-01"}, {"confidence", 0.34},
                                          {"char_confidence", {1, 1, 1, 0.9, 1, 1, 1, 1, 1, 1}}};
    r = check::evaluate(rec, opts());
    CHECK(codes(r) == std::vector<std::string>{"viz_unreadable"});
    CHECK_THAT(r.reasons.front().detail, Catch::Contains("low confidence, not compared: issue_date"));
    rec["ocr"]["fields"].erase("issue_date");
    // Without character confidences: unreadable, as before.
    rec["ocr"]["fields"]["birth_date"]["value"] = "1975-08-12";
    rec["ocr"]["fields"]["birth_date"].erase("char_confidence");
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"viz_unreadable"});
    // Confidences that do not cover the value (one per character) do not count.
    rec["ocr"]["fields"]["birth_date"]["char_confidence"] = {1, 1, 1, 1};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"viz_unreadable"});
  }
  SECTION("names: the transliterated printed name against the MRZ's") {
    Json rec = passport("MÜLLER");
    rec["ocr"]["fields"]["surname"] = {{"text", "MÜLER"}, {"value", "MUELER"}, {"confidence", 0.9},
                                       {"char_confidence", {0.99, 0.6, 0.6, 0.98, 0.98, 0.98}}};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"viz_unreadable"});
    rec["ocr"]["fields"]["surname"]["char_confidence"] = {0.99, 0.99, 0.99, 0.98, 0.98, 0.98};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"name_mismatch"});
  }
}

TEST_CASE("check: an idkit QR card's payload is a second source", "[check]") {
  const std::string payload = "IDKIT1|UTO|ID|WY2MV0FLL|STORM|KWAME ANDERS|1944-11-19|M|2035-05-15|MF64R6";
  const auto p = check::parseIdkitPayload(payload);
  REQUIRE(p);
  CHECK(p->document_number == "WY2MV0FLL");
  CHECK(p->given_names == "KWAME ANDERS");
  CHECK(p->birth_date == "1944-11-19");
  CHECK(p->expiry_date == "2035-05-15");
  CHECK_FALSE(check::parseIdkitPayload("IDKIT1|UTO|ID"));
  CHECK_FALSE(check::parseIdkitPayload("IDKIT2|UTO|ID|WY2MV0FLL|STORM|KWAME|1944-11-19|M|2035-05-15|X"));
  CHECK_FALSE(check::parseIdkitPayload("IDKIT1|UTO|ID||STORM|KWAME|1944-11-19|M|2035-05-15|X"));

  auto viz = [](std::string v) { return Json{{"text", v}, {"value", v}, {"confidence", 0.95}}; };
  Json rec{{"idkit", 1}, {"input", "cards/q.jpg"}, {"status", "ok"}};
  rec["barcodes"] = Json::array({{{"format", "QRCode"}, {"text", payload}}});
  rec["ocr"] = {{"template", "qr-id"},
                {"fields",
                 {{"surname", viz("STORM")}, {"given_names", viz("KWAME ANDERS")}, {"birth_date", viz("1944-11-19")},
                  {"expiry_date", viz("2035-05-15")}, {"document_number", viz("WY2MV0FLL")}, {"sex", viz("M")}}}};
  rec["face"] = {{"similarity", 0.97}, {"threshold", 0.92}, {"match", true}};
  // id-mrz found no MRZ on it: the card has none, the QR code stands in.
  rec["status"] = "error";
  rec["errors"] = Json::array({{{"tool", "id-mrz"}, {"code", "mrz_not_found"}, {"message", "no MRZ"}}});
  auto r = check::evaluate(rec, opts());
  CHECK(r.pass);
  CHECK(r.reasons.empty());
  rec["ocr"]["fields"]["birth_date"] = viz("1945-11-19");
  r = check::evaluate(rec, opts());
  CHECK(codes(r) == std::vector<std::string>{"birth_date_mismatch"});
  CHECK_THAT(r.reasons.front().detail, Catch::Contains("barcode"));
}

TEST_CASE("check: a licence front pairs with its back's barcode", "[check]") {
  CHECK(check::sideOf("dl/ab12-front.jpg") == std::pair<std::string, std::string>{"dl/ab12", "front"});
  CHECK(check::sideOf("ab12_back.png") == std::pair<std::string, std::string>{"ab12", "back"});
  CHECK_FALSE(check::sideOf("dl/front.jpg"));
  CHECK_FALSE(check::sideOf("dl/ab12.jpg"));

  Json back{{"idkit", 1}, {"input", "dl/ab12-back.jpg"}, {"status", "ok"}};
  back["barcodes"] = Json::array({{{"format", "PDF417"},
                                   {"aamva",
                                    {{"fields",
                                      {{"surname", "SMITH"}, {"first_name", "JOHN"}, {"birth_date", "1980-02-29"},
                                       {"expiry_date", "2030-02-28"}, {"document_number", "D1234567"}}}}}}});
  auto viz = [](std::string v) { return Json{{"text", v}, {"value", v}, {"confidence", 0.95}}; };
  Json front{{"idkit", 1}, {"input", "dl/ab12-front.jpg"}, {"status", "ok"}};
  front["ocr"] = {{"template", "us-dl"},
                  {"fields", {{"surname", viz("SMITH")}, {"birth_date", viz("1981-02-28")}, {"expiry_date", viz("2030-02-28")}}}};
  front["face"] = {{"similarity", 0.97}, {"threshold", 0.92}, {"match", true}};
  check::Pairs pairs;
  pairs.add(back);
  pairs.add(front);
  REQUIRE(pairs.partnerOf(front));
  CHECK((*pairs.partnerOf(front))["input"] == "dl/ab12-back.jpg");
  // Alone the front has nothing to compare the printed date with (unverified,
  // a warning); paired, the change shows.
  auto alone = check::evaluate(front, opts());
  CHECK(alone.pass);
  CHECK(codes(alone) == std::vector<std::string>{"unverified"});
  const auto r = check::evaluate(front, opts(), pairs.partnerOf(front));
  CHECK(codes(r) == std::vector<std::string>{"birth_date_mismatch"});
  // A front id-ocr found no layout on (its card cut wrongly), paired with a
  // read back: the print was never compared, which is said (a warning), not
  // passed with no reason; the strict policy fails it.
  Json unread{{"idkit", 1}, {"input", "dl/ab12-front.jpg"}, {"status", "error"}};
  unread["errors"] = Json::array({{{"tool", "id-mrz"}, {"code", "mrz_not_found"}, {"message", "no MRZ"}}});
  unread["ocr"] = {{"template", nullptr}, {"fields", Json::object()}};
  unread["face"] = front["face"];
  const auto u = check::evaluate(unread, opts(), pairs.partnerOf(unread));
  CHECK(u.pass);
  CHECK(codes(u) == std::vector<std::string>{"viz_unreadable"});
  // No id-ocr in the pipeline: nothing is said of the print.
  unread.erase("ocr");
  CHECK(codes(check::evaluate(unread, opts(), pairs.partnerOf(unread))).empty());
}

TEST_CASE("check: a failing MRZ check digit on a field read with doubt is a misreading", "[check]") {
  // As id-mrz reads a blurred photo (td2-photo-s31-0153 of bench/ocr.sh):
  // the zone not legible, the expiry read 840302 for 340302 with its digit
  // failing, its weakest character at 0.042 (field_confidence halved: 0.021).
  Json rec = passport();
  rec["mrz"]["valid"] = false;
  rec["mrz"]["checks"]["legible"] = false;
  rec["mrz"]["checks"]["expiry_date"] = false;
  rec["mrz"]["checks"]["composite"] = false;
  rec["mrz"]["fields"]["expiry_date_raw"] = "840302";
  rec["mrz"]["fields"]["expiry_date"] = "1984-03-02";
  rec["mrz"]["field_confidence"] = {{"document_number", 0.99}, {"birth_date", 0.99}, {"expiry_date", 0.021},
                                    {"surname", 0.97}, {"given_names", 0.97}};
  auto r = check::evaluate(rec, opts());
  CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable"});
  CHECK(r.reasons[0].detail ==
        "The MRZ was read with doubt (expiry_date, composite, legible). Not compared: nationality, sex, expiry_date.");
  CHECK(r.reasons[0].severity == check::Severity::warn);
  CHECK(r.pass);
  CHECK(*r.expiry_date == "2031-10-31");  // the printed one: the failing MRZ date is not used
  // The sure fields still compare: a changed printed birth date is caught.
  rec["ocr"]["fields"]["birth_date"]["value"] = "1975-08-12";
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable", "birth_date_mismatch"});
  rec["ocr"]["fields"]["birth_date"]["value"] = "1974-08-12";
  // Every character of the failing field read at 0.95 or more (0.475 after
  // halving): a confident wrong check digit is a sign of an altered field.
  rec["mrz"]["field_confidence"]["expiry_date"] = check::kSureFailingField;
  r = check::evaluate(rec, opts());
  CHECK(codes(r) == std::vector<std::string>{"mrz_invalid"});
  CHECK(r.reasons[0].detail ==
        "MRZ check failed: expiry_date, composite, legible. Not compared: nationality, sex, expiry_date.");
  CHECK_FALSE(r.pass);
  rec["mrz"]["field_confidence"]["expiry_date"] = 0.474;
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  // A field id-mrz gave no confidence for counts as read surely.
  rec["mrz"]["field_confidence"].erase("expiry_date");
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_invalid"});
  rec["mrz"]["field_confidence"]["expiry_date"] = 0.021;
  // One unsure failing field does not excuse another read surely.
  rec["mrz"]["checks"]["birth_date"] = false;
  rec["mrz"]["field_confidence"]["birth_date"] = 0.495;
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_invalid"});
  rec["mrz"]["field_confidence"]["birth_date"] = 0.3;
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  rec["mrz"]["checks"].erase("birth_date");
  // In a zone id-mrz marks legible, any failing digit is mrz_invalid.
  rec["mrz"]["checks"].erase("legible");
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_invalid"});
  rec["mrz"]["checks"]["legible"] = false;
  // A composite failing while every field's own digit verifies: the
  // composite digit or a field changed with its own digit; evidence.
  rec["mrz"]["checks"].erase("expiry_date");
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_invalid"});
  // A character outside the MRZ alphabet is never a misreading id-check excuses.
  rec["mrz"]["checks"]["composite"] = true;
  rec["mrz"]["checks"]["charset"] = false;
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_invalid"});
  // The strict policy fails the misread zone too.
  rec["mrz"]["checks"].erase("charset");
  rec["mrz"]["checks"]["expiry_date"] = false;
  check::Options o = opts();
  o.policy = strictPolicy();
  r = check::evaluate(rec, o);
  CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable"});
  CHECK_FALSE(r.pass);
}

TEST_CASE("check: an unsure zone's date vouched for by its own check digit is a second witness to a sure print",
          "[check]") {
  // td1-photo-s9191-0088 (bench/ocr.sh): the zone not legible (names at
  // 0.119), its birth date 410703 verified by its digit at 0.917; the
  // printed 03.07.1941 read at 0.97-1 a digit. Its +1 year tamper passed.
  Json rec = passport();
  rec["mrz"]["valid"] = false;
  rec["mrz"]["checks"]["legible"] = false;
  rec["mrz"]["field_confidence"] = {{"document_number", 0.998},
                                    {"birth_date", 0.917},
                                    {"expiry_date", 0.921},
                                    {"surname", 0.119},
                                    {"given_names", 0.119}};
  Json& bd = rec["ocr"]["fields"]["birth_date"];
  bd["char_confidence"] = {0.97, 0.99, 0.97, 0.99, 1, 0.99, 0.99, 1, 0.99, 0.99};
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  bd["value"] = "1975-08-12";
  auto r = check::evaluate(rec, opts());
  CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable", "birth_date_mismatch"});
  CHECK(r.reasons[1].detail ==
        "Date of birth differs: the MRZ says '1974-08-12' (read with doubt, its check digit "
        "verifies), the VIZ says '12 AUG/AOÛT 1974'.");
  CHECK_FALSE(r.pass);
  // The differing digit read unsurely (the 0.9 of a digit Tesseract did not
  // confirm), or its runner-up the MRZ's digit: nothing is said (a sure MRZ
  // would make these viz_unreadable and viz_misread).
  bd["char_confidence"][3] = 0.9;
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  bd["char_confidence"][3] = 0.99;
  bd["char_alternatives"] = {nullptr, nullptr, nullptr, {"4", 0.3}, nullptr,
                             nullptr, nullptr, nullptr, nullptr,    nullptr};
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  bd.erase("char_alternatives");
  // No confidence for each printed character: nothing to weigh.
  Json no_conf = rec;
  no_conf["ocr"]["fields"]["birth_date"].erase("char_confidence");
  CHECK(codes(check::evaluate(no_conf, opts())) == std::vector<std::string>{"mrz_unreadable"});
  // The MRZ date not vouched for: its digit decided an erased digit (0.5,
  // fra-id-photo-s4242-0077), its digit fails, or a line was placed cells off.
  rec["mrz"]["field_confidence"]["birth_date"] = 0.5;
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  rec["mrz"]["field_confidence"]["birth_date"] = 0.917;
  rec["mrz"]["checks"]["lines_aligned"] = false;
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  rec["mrz"]["checks"].erase("lines_aligned");
  rec["mrz"]["checks"]["birth_date"] = false;
  rec["mrz"]["field_confidence"]["birth_date"] = 0.2;
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  rec["mrz"]["checks"]["birth_date"] = true;
  // Any date its own digit covers: the expiry date too.
  rec["mrz"]["field_confidence"]["birth_date"] = 0.917;
  bd["value"] = "1974-08-12";
  rec["ocr"]["fields"]["expiry_date"]["value"] = "2033-10-31";
  rec["ocr"]["fields"]["expiry_date"]["char_confidence"] = std::vector<double>(10, 0.99);
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable", "expiry_date_mismatch"});
}

TEST_CASE("check: an unsure zone's name with no letter in doubt is a second witness to a sure print", "[check]") {
  // td3-photo-s41-0066 (bench/tamper.sh): the zone's expiry and optional
  // data digits failing, not legible, its names read at 0.91 with no letter
  // listed uncertain; the forged print HÆYELAND (HÆGELAND) read at 0.99 a
  // letter passed with mrz_unreadable alone.
  Json rec = passport();
  rec["mrz"]["valid"] = false;
  for (const char* c : {"expiry_date", "legible"}) rec["mrz"]["checks"][c] = false;
  rec["mrz"]["field_confidence"] = {{"document_number", 0.997}, {"birth_date", 0.992}, {"expiry_date", 0.125},
                                    {"surname", 0.91}, {"given_names", 0.91}};
  rec["ocr"]["fields"]["surname"] = ocrField("MÜLLER", "MUELLER", 0.91, std::vector<double>(7, 0.99), nullptr);
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  rec["ocr"]["fields"]["surname"] = ocrField("MÜLLFR", "MUELLFR", 0.91, std::vector<double>(7, 0.99), nullptr);
  auto r = check::evaluate(rec, opts());
  CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable", "name_mismatch"});
  CHECK(r.reasons[1].detail ==
        "Surname differs: the MRZ says 'MUELLER' (a zone read with doubt, no letter of the name in doubt), the VIZ "
        "says 'MÜLLFR'.");
  CHECK_FALSE(r.pass);
  // The differing letter read unsurely, or its runner-up the zone's letter:
  // nothing is said.
  rec["ocr"]["fields"]["surname"]["char_confidence"][5] = 0.9;
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  rec["ocr"]["fields"]["surname"]["char_confidence"][5] = 0.99;
  rec["ocr"]["fields"]["surname"]["char_alternatives"] = {nullptr, nullptr, nullptr, nullptr, nullptr, {"E", 0.4}, nullptr};
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  rec["ocr"]["fields"]["surname"].erase("char_alternatives");
  // The zone's names no witness: a letter under kVouchedMrzConfidence
  // (fra-id-photo-s41-0085's AURELIE read AUTFLIE at 0.685, none listed),
  // a letter listed uncertain, a line placed cells off, or a code read as
  // no known one.
  rec["mrz"]["field_confidence"]["surname"] = 0.685;
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  rec["mrz"]["field_confidence"]["surname"] = 0.91;
  rec["mrz"]["uncertain"] = Json::array({{{"line", 1}, {"pos", 9}, {"read", "E"}, {"rival", "F"}}});
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  rec["mrz"].erase("uncertain");
  for (const char* c : {"lines_aligned", "known_state", "known_document_code"}) {
    rec["mrz"]["checks"][c] = false;
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
    rec["mrz"]["checks"].erase(c);
  }
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable", "name_mismatch"});
}

TEST_CASE("check: a zone id-mrz read with a line cells off the others is a misreading", "[check]") {
  // td2-photo-s8383-0041 (bench/ocr.sh): a thumb and glare over the zone, the
  // TD2 read as an MRV-B with line 2 a cell off line 1; every failing digit
  // on a field read at 0-0.093, the zone not legible, and lines_aligned
  // false: the genuine card was rejected (mrz_invalid) for id-mrz's reading.
  Json rec = passport();
  rec["mrz"]["valid"] = false;
  for (const char* c : {"document_number", "birth_date", "expiry_date", "legible", "known_state",
                        "known_document_code", "lines_aligned"})
    rec["mrz"]["checks"][c] = false;
  rec["mrz"]["field_confidence"] = {{"document_number", 0.0}, {"birth_date", 0.002}, {"expiry_date", 0.093},
                                    {"surname", 0.97}, {"given_names", 0.97}};
  CHECK(check::mrzDoubtCheck("lines_aligned"));
  auto r = check::evaluate(rec, opts());
  CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable"});
  CHECK(r.pass);
  // Its names, read surely, still compare: a changed printed surname is caught.
  rec["ocr"]["fields"]["surname"] = {{"text", "MILLER"}, {"value", "MILLER"}, {"confidence", 0.97}};
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable", "name_mismatch"});
  rec = passport();
  rec["mrz"]["valid"] = false;
  rec["mrz"]["checks"]["legible"] = false;
  rec["mrz"]["checks"]["lines_aligned"] = false;
  rec["mrz"]["checks"]["birth_date"] = false;
  rec["mrz"]["field_confidence"] = {{"document_number", 0.99}, {"birth_date", 0.2}, {"expiry_date", 0.99},
                                    {"surname", 0.97}, {"given_names", 0.97}};
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_unreadable"});
  // A digit failing on a field read surely stays evidence, aligned or not.
  rec["mrz"]["field_confidence"]["birth_date"] = 0.49;
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_invalid"});
  // In a zone id-mrz marks legible, a failing digit is mrz_invalid as before.
  rec["mrz"]["field_confidence"]["birth_date"] = 0.2;
  rec["mrz"]["checks"].erase("legible");
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"mrz_invalid"});
}

TEST_CASE("check: a date that differs in a digit read surely is a mismatch beside digits read with doubt", "[check]") {
  using D = check::Difference;
  const auto date = [](std::string_view printed, const std::vector<double>& c, std::string_view runner_up,
                       std::string_view other) {
    return check::printedDifference(check::FieldKind::date, printed, &c, runner_up, other);
  };
  const std::vector<double> conf{0.99, 0.98, 0.9, 0.99, 1, 1, 1, 1, 0.97, 0.99};
  const std::string none(10, '\0');
  SECTION("the rule") {
    // qr-id-photo-s31-0047 (bench/ocr.sh): 1985 printed, read 1965 with the
    // 6 at 0.9; the year moved on a year (1966) differs in its last digit,
    // read at 0.99.
    CHECK(date("1966-11-06", conf, none, "1985-11-06") == D::shown);
    CHECK(date("1966-11-06", conf, "", "1985-11-06") == D::shown);
    // The genuine reading differs only in the doubted digit.
    CHECK(date("1965-11-06", conf, none, "1985-11-06") == D::unsure);
    // A sure digit whose runner-up is the other source's is a misread; beside
    // a doubted one, the difference stays unsure.
    const std::string eight_for_six("\0\0\0" "5\0\0\0\0\0\0", 10);
    CHECK(date("1966-11-06", conf, eight_for_six, "1985-11-06") == D::unsure);
    CHECK(date("1986-11-06", conf, eight_for_six, "1985-11-06") == D::misread);
    CHECK(date("1986-11-06", conf, none, "1985-11-06") == D::shown);
    // Another length, confidences not one per character: the rule of any
    // field (the lowest confidence of the difference: 0 without one per
    // character).
    CHECK(date("1985-11-6", conf, none, "1985-11-06") == D::unsure);
    CHECK(date("1986-11-06", {0.99, 0.98}, none, "1985-11-06") == D::unsure);
    // Runner-ups not one per character: the difference read at 0.99, shown.
    CHECK(date("1986-11-06", conf, "5", "1985-11-06") == D::shown);
    // No confidences at all: shown.
    CHECK(check::printedDifference(check::FieldKind::date, "1986-11-06", nullptr, none, "1985-11-06") == D::shown);
  }
  SECTION("in a record") {
    Json rec = passport();
    rec["ocr"]["fields"]["birth_date"] = {{"text", "12 AUG/AOÛT 1964"},
                                          {"value", "1964-08-12"},
                                          {"confidence", 0.78},
                                          {"char_confidence", conf}};
    // The genuine card, its 7 misread 6 with doubt: a warning. Its year
    // moved on (1965): the 5 read surely differs from the MRZ's 4, a failure.
    const auto genuine = check::evaluate(rec, opts());
    rec["ocr"]["fields"]["birth_date"]["value"] = "1965-08-12";
    const auto tampered = check::evaluate(rec, opts());
    CHECK(codes(genuine) == std::vector<std::string>{"viz_unreadable"});
    CHECK(codes(tampered) == std::vector<std::string>{"birth_date_mismatch"});
    CHECK(std::pair(genuine.pass, tampered.pass) == std::pair(true, false));
    // The same digit read with doubt too: nothing shows the change.
    rec["ocr"]["fields"]["birth_date"]["char_confidence"][3] = 0.9;
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"viz_unreadable"});
    // A name's difference is still weighed by its least sure character.
    rec = passport();
    rec["ocr"]["fields"]["surname"] = {{"text", "MOLLAR"},
                                       {"value", "MOLLAR"},
                                       {"confidence", 0.8},
                                       {"char_confidence", {1, 0.99, 1, 1, 0.9, 1}}};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"viz_unreadable"});
  }
}

TEST_CASE("check: unverified, when no MRZ or barcode field was read surely", "[check]") {
  auto viz = [](std::string v) { return Json{{"text", v}, {"value", v}, {"confidence", 0.95}}; };
  // A licence front: id-mrz finds no MRZ (it has none), the PDF417 on its
  // back was not decoded. It was processed; its print is verified by nothing.
  Json front{{"idkit", 1}, {"input", "dl/ab12-front.jpg"}, {"status", "error"}};
  front["errors"] = Json::array({{{"tool", "id-mrz"}, {"code", "mrz_not_found"}, {"message", "no MRZ"}}});
  front["ocr"] = {{"template", "us-dl"},
                  {"fields", {{"surname", viz("SMITH")}, {"birth_date", viz("1980-02-29")}, {"expiry_date", viz("2030-02-28")}}}};
  front["face"] = {{"similarity", 0.97}, {"threshold", 0.92}, {"match", true}};
  Json back{{"idkit", 1}, {"input", "dl/ab12-back.jpg"}, {"status", "ok"}, {"barcodes", Json::array()}};
  auto r = check::evaluate(front, opts(), &back);
  CHECK(codes(r) == std::vector<std::string>{"unverified"});
  CHECK(r.reasons[0].detail ==
        "No MRZ or barcode was read (on this side or, with --pair, the other): the printed fields were compared with "
        "nothing.");
  CHECK(r.reasons[0].severity == check::Severity::warn);
  CHECK(r.pass);
  CHECK(*r.expiry_date == "2030-02-28");
  // Decoded, the back's barcode verifies the print: nothing to report.
  back["barcodes"] = Json::array({{{"format", "PDF417"},
                                   {"aamva",
                                    {{"fields",
                                      {{"surname", "SMITH"}, {"birth_date", "1980-02-29"},
                                       {"expiry_date", "2030-02-28"}}}}}}});
  r = check::evaluate(front, opts(), &back);
  CHECK(codes(r).empty());
  // Another tool's failure is still not_processed, read or not.
  front["errors"].push_back({{"tool", "id-ocr"}, {"code", "timeout"}, {"message", "30 s"}});
  r = check::evaluate(front, opts(), &back);
  CHECK(codes(r) == std::vector<std::string>{"not_processed"});
  CHECK_FALSE(r.pass);
  // Nothing read at all: not_processed as before (no printed field either).
  front["errors"].erase(1);
  front["ocr"]["fields"] = {{"birth_date", {{"text", ""}, {"value", ""}, {"confidence", 0.1}}}};
  r = check::evaluate(front, opts());
  CHECK(codes(r) == std::vector<std::string>{"not_processed", "viz_unreadable", "expiry_unknown"});
  // An MRZ of which no field was read surely, and no barcode.
  Json rec = passport();
  rec["mrz"]["valid"] = false;
  rec["mrz"]["checks"]["legible"] = false;
  rec["mrz"]["field_confidence"] = {{"document_number", 0.6}, {"birth_date", 0.6}, {"expiry_date", 0.6},
                                    {"surname", 0.3}, {"given_names", 0.3}};
  r = check::evaluate(rec, opts());
  CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable", "unverified"});
  CHECK(r.reasons[1].detail == "No field of the MRZ or barcode was read surely: the printed fields were compared with nothing.");
  CHECK(r.pass);
  // The strict policy fails it.
  CHECK(strictPolicy().of("unverified") == check::Severity::fail);
  CHECK(check::Policy::defaults().of("unverified") == check::Severity::warn);
  CHECK(check::describe("unverified") ==
        "No machine-readable zone or barcode field was read surely; the printed fields, if any were read surely, were "
        "not verified.");

  // Nothing read surely at all (a blurred photo, fra-id-photo-s31-0093 of
  // bench/ocr.sh: every printed field under 0.5, every MRZ field unsure, its
  // number and dates failing their digits): could not verify, not forged;
  // the strict policy fails it.
  for (const char* f : {"surname", "given_names", "birth_date", "expiry_date", "document_number", "sex", "nationality"})
    rec["ocr"]["fields"][f]["confidence"] = 0.2;
  for (const char* f : {"document_number", "birth_date", "expiry_date"}) {
    rec["mrz"]["checks"][f] = false;
    rec["mrz"]["field_confidence"][f] = 0.01;
  }
  r = check::evaluate(rec, opts());
  CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable", "unverified", "viz_unreadable", "expiry_unknown"});
  CHECK(r.reasons[1].detail == "Nothing was read surely: every MRZ and printed field read was below its confidence "
                               "bar, so nothing could be compared or verified.");
  CHECK(r.reasons[1].severity == check::Severity::warn);
  CHECK(r.pass);
  {
    check::Options o = opts();
    o.policy = strictPolicy();
    r = check::evaluate(rec, o);
    CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable", "unverified", "viz_unreadable", "expiry_unknown"});
    CHECK_FALSE(r.pass);
  }
  // A record holding no reading at all (an MRZ without fields, no printed
  // field) is no_document_data, which fails.
  Json empty{{"idkit", 1}, {"input", "x.jpg"}, {"status", "ok"}, {"mrz", {{"fields", Json::object()}}}};
  r = check::evaluate(empty, opts());
  CHECK(codes(r) == std::vector<std::string>{"no_document_data", "expiry_unknown", "face_not_compared"});
  CHECK(r.reasons[0].detail == "Nothing was read from the document: no MRZ field, barcode or printed field to check.");
  CHECK_FALSE(r.pass);
  // A date its check digit vouches for (0.6: not compared) still dates the
  // document: read, but verified by nothing.
  rec["mrz"]["checks"]["expiry_date"] = true;
  rec["mrz"]["field_confidence"]["expiry_date"] = 0.6;
  r = check::evaluate(rec, opts());
  CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable", "unverified", "viz_unreadable"});
  CHECK(r.pass);
  CHECK(*r.expiry_date == "2031-10-31");
}

TEST_CASE("check: which printed fields are compared with another source", "[check]") {
  for (const char* f : {"surname", "given_names", "name", "birth_date", "expiry_date", "issue_date", "document_number",
                        "passport_number", "nik", "sex", "nationality"})
    CHECK(check::comparedVizField(f));
  // Reported only: id-ocr spends no second reading on their characters.
  for (const char* f : {"remarks", "height", "place_of_birth", "authority", "address", "eyes", ""})
    CHECK_FALSE(check::comparedVizField(f));
  // A doubtful remark is not reported unreadable; a doubtful birth date is.
  Json rec = passport();
  rec["ocr"]["fields"]["remarks"] = {{"text", "?"}, {"value", "?"}, {"confidence", 0.2}};
  CHECK(codes(check::evaluate(rec, opts())).empty());
  rec["ocr"]["fields"]["birth_date"] = {{"text", "12.08.1974"}, {"value", "1974-08-12"}, {"confidence", 0.2}};
  CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"viz_unreadable"});
}

TEST_CASE("check: a sure printed difference that the OCR's runner-up explains is a misread", "[check]") {
  SECTION("the rule") {
    // Every differing position's runner-up is the other source's character.
    CHECK(check::explainedByRunnerUps("1925-06-15", std::string("\0\0" "8\0\0\0\0\0\0\0", 10), "1985-06-15"));
    CHECK(check::explainedByRunnerUps("1922-09-29", std::string("\0\0" "83\0\0\0\0\0\0", 10), "1983-09-29"));
    // One differing position without a runner-up, or with another one: not explained.
    CHECK_FALSE(check::explainedByRunnerUps("1922-09-29", std::string("\0\0" "8\0\0\0\0\0\0\0", 10), "1983-09-29"));
    CHECK_FALSE(check::explainedByRunnerUps("1925-06-15", std::string("\0\0" "3\0\0\0\0\0\0\0", 10), "1985-06-15"));
    // Equal values, another length, runner-ups not one per character: not a misread.
    CHECK_FALSE(check::explainedByRunnerUps("1985-06-15", std::string("\0\0" "3\0\0\0\0\0\0\0", 10), "1985-06-15"));
    CHECK_FALSE(check::explainedByRunnerUps("AARIE", std::string("M\0\0\0\0", 5), "MARIEE"));
    CHECK_FALSE(check::explainedByRunnerUps("AARIE", "M", "MARIE"));
    CHECK(check::explainedByRunnerUps("AARIE", std::string("M\0\0\0\0", 5), "MARIE"));
    // One character missing, a neighbour's runner-up (td2-photo-s31-0209:
    // HUIJSMANS read HUISMANS, J the I's runner-up at 0.26); not so where no
    // neighbour of the gap offered it, or two are missing.
    CHECK(check::explainedByRunnerUps("HUISMANS", std::string("\0HJA\0\0\0G", 8), "HUIJSMANS"));
    CHECK_FALSE(check::explainedByRunnerUps("HUISMANS", std::string("\0H\0A\0\0\0G", 8), "HUIJSMANS"));
    CHECK_FALSE(check::explainedByRunnerUps("HUSMANS", std::string("\0HJ\0\0\0\0", 7), "HUIJSMANS"));
    // A letter missing from a run may stand at either end of it: MULLER read
    // MULER, the L a runner-up of the E beside the second L; not of the R.
    CHECK(check::explainedByRunnerUps("MULER", std::string("\0\0\0L\0", 5), "MULLER"));
    CHECK(check::explainedByRunnerUps("MULER", std::string("\0L\0\0\0", 5), "MULLER"));
    CHECK_FALSE(check::explainedByRunnerUps("MULER", std::string("\0\0\0\0L", 5), "MULLER"));
  }
  SECTION("in a record: viz_misread warns, the strict policy fails it") {
    // qr-id-photo-s31-0199 (bench/ocr.sh): 1985 printed, 1925 read with the 2
    // at 0.97 and 8 its runner-up at 0.78.
    Json rec = passport();
    rec["ocr"]["fields"]["birth_date"] =
        ocrField("12 AUG/AOÛT 1924", "1924-08-12", 0.93, {0.99, 0.98, 0.97, 0.99, 1, 1, 1, 1, 0.99, 1},
                 {nullptr, {"3", 0.37}, {"7", 0.78}, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr});
    auto r = check::evaluate(rec, opts());
    CHECK(r.pass);
    CHECK(codes(r) == std::vector<std::string>{"viz_misread"});
    CHECK(r.reasons[0].severity == check::Severity::warn);
    CHECK(r.reasons[0].detail ==
          "Printed fields read surely but differing from another source only where the OCR's second choice is that "
          "source's character: birth_date (the MRZ says '1974-08-12', the VIZ '12 AUG/AOÛT 1924').");
    check::Options o = opts();
    o.policy = strictPolicy();
    r = check::evaluate(rec, o);
    CHECK(codes(r) == std::vector<std::string>{"viz_misread"});
    CHECK_FALSE(r.pass);
    // A second differing digit with no runner-up (a changed year read
    // surely) is evidence, whatever the first one's runner-up says.
    rec["ocr"]["fields"]["birth_date"]["value"] = "1925-08-12";
    r = check::evaluate(rec, opts());
    CHECK(codes(r) == std::vector<std::string>{"birth_date_mismatch"});
    CHECK_FALSE(r.pass);
    // A runner-up that is not the other source's character explains nothing.
    rec["ocr"]["fields"]["birth_date"]["value"] = "1924-08-12";
    rec["ocr"]["fields"]["birth_date"]["char_alternatives"][2] = {"1", 0.78};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"birth_date_mismatch"});
    // Alternatives that do not cover the value one to one are ignored.
    rec["ocr"]["fields"]["birth_date"]["char_alternatives"] = {nullptr, nullptr, {"7", 0.78}};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"birth_date_mismatch"});
    // An unsure difference stays viz_unreadable, runner-up or not.
    rec["ocr"]["fields"]["birth_date"]["char_alternatives"] = {nullptr, nullptr, {"7", 0.78}, nullptr, nullptr,
                                                               nullptr, nullptr, nullptr, nullptr, nullptr};
    rec["ocr"]["fields"]["birth_date"]["char_confidence"][2] = 0.6;
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"viz_unreadable"});
  }
  SECTION("a second choice the OCR gave next to no weight explains nothing") {
    // bench/tamper.sh's qr-id-photo-s41-0007, a forged print: 05.03.1989 printed over a true
    // 1988-03-05 (MRZ here), read 1989 surely; the typeface check names 8, the 9's closest
    // rival, at 0.03. That is no misread: the forgery is a mismatch. At 0.78 it would be one.
    Json rec = passport();
    rec["ocr"]["fields"]["birth_date"] =
        ocrField("12.08.1975", "1975-08-12", 0.75, {0.97, 0.97, 0.97, 0.97, 1, 0.97, 0.97, 1, 0.97, 0.97},
                 {nullptr, nullptr, nullptr, {"4", 0.03}, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr});
    auto r = check::evaluate(rec, opts());
    CHECK_FALSE(r.pass);
    CHECK(codes(r) == std::vector<std::string>{"birth_date_mismatch"});
    rec["ocr"]["fields"]["birth_date"]["char_alternatives"][3] = {"4", 0.78};
    r = check::evaluate(rec, opts());
    CHECK(r.pass);
    CHECK(codes(r) == std::vector<std::string>{"viz_misread"});
    // At the bar, the second choice counts.
    rec["ocr"]["fields"]["birth_date"]["char_alternatives"][3] = {"4", check::kRunnerUpWeight};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"viz_misread"});
  }
  SECTION("a number differing in look-alikes and where the runner-up is the other's is a misread") {
    // Held-out td2-photo-s9191-0001: HGC1M7KPF read HGCIM7KPE, the I at 0.99
    // for the 1 (a printed look-alike), the E at 0.96 with F its runner-up:
    // each kind of difference alone is a misread, so both together are.
    Json rec = passport();
    rec["ocr"]["fields"]["document_number"] =
        ocrField("CO1X00F47", "CO1X00F47", 0.9, {0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.96, 0.99, 0.99},
                 {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, {"T", 0.33}, nullptr, nullptr});
    auto r = check::evaluate(rec, opts());
    CHECK(r.pass);
    CHECK(codes(r) == std::vector<std::string>{"viz_misread"});
    // The runner-up another character: the F is printed, a mismatch.
    rec["ocr"]["fields"]["document_number"]["char_alternatives"][6] = {"E", 0.33};
    r = check::evaluate(rec, opts());
    CHECK_FALSE(r.pass);
    CHECK(codes(r) == std::vector<std::string>{"document_number_mismatch"});
  }
  SECTION("names compare in the MRZ's spelling") {
    // fra-id-photo-s31-0133's MARIE read AARIE, here with M as the runner-up of the first A.
    Json rec = passport("MÜLLER", "MARIE");
    rec["ocr"]["fields"]["given_names"] = {{"text", "AARIE"},
                                           {"value", "AARIE"},
                                           {"confidence", 0.9},
                                           {"char_confidence", {0.98, 0.99, 0.99, 0.99, 0.99}},
                                           {"char_alternatives", {{"M", 0.4}, nullptr, nullptr, nullptr, nullptr}}};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"viz_misread"});
    // A marked letter as another character's runner-up (id-ocr's sure letter
    // against a barcode's É) leaves the M where it is.
    rec["ocr"]["fields"]["given_names"]["char_alternatives"][4] = {"É", 0.03};
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"viz_misread"});
    rec["ocr"]["fields"]["given_names"].erase("char_alternatives");
    CHECK(codes(check::evaluate(rec, opts())) == std::vector<std::string>{"name_mismatch"});
  }
}

TEST_CASE("check: printedDifference asks one question of every kind of field", "[check]") {
  using D = check::Difference;
  using K = check::FieldKind;
  const std::vector<double> sure(9, 0.99);
  const std::string none(9, '\0');
  // A document number equal up to look-alikes of printed fonts is the same
  // value, with or without confidences; a text field is not read so.
  CHECK(check::printedDifference(K::document_number, "HGCIM7KPF", nullptr, "", "HGC1M7KPF") == D::none);
  CHECK(check::printedDifference(K::document_number, "HGCIM7KPF", &sure, none, "HGC1M7KPF") == D::none);
  CHECK(check::printedDifference(K::text, "HGCIM7KPF", &sure, none, "HGC1M7KPF") == D::shown);
  // Held-out td2-photo-s9191-0001: the I a look-alike of the 1, the E's
  // runner-up the F: a misread for a number only.
  std::string f_for_e = none;
  f_for_e[8] = 'F';
  CHECK(check::printedDifference(K::document_number, "HGCIM7KPE", &sure, f_for_e, "HGC1M7KPF") == D::misread);
  CHECK(check::printedDifference(K::text, "HGCIM7KPE", &sure, f_for_e, "HGC1M7KPF") == D::shown);
  // Without the runner-up, or with the E doubted.
  CHECK(check::printedDifference(K::document_number, "HGCIM7KPE", &sure, none, "HGC1M7KPF") == D::shown);
  CHECK(check::printedDifference(K::document_number, "HGCIM7KPE", nullptr, f_for_e, "HGC1M7KPF") == D::shown);
  std::vector<double> doubted = sure;
  doubted[8] = 0.6;
  CHECK(check::printedDifference(K::document_number, "HGC1M7KPE", &doubted, none, "HGC1M7KPF") == D::unsure);
  // A name: the runner-ups alone (td2-photo-s31-0209: HUIJSMANS read
  // HUISMANS, J the I's runner-up), else the lowest confidence.
  const std::vector<double> name_conf(8, 0.99);
  CHECK(check::printedDifference(K::text, "HUISMANS", &name_conf, std::string("\0HJA\0\0\0G", 8), "HUIJSMANS") ==
        D::misread);
  CHECK(check::printedDifference(K::text, "HUISMANS", &name_conf, "", "HUIJSMANS") == D::shown);
  CHECK(check::printedDifference(K::text, "HUISMANS", &name_conf, "", "HUIJSMANT") == D::shown);
}

TEST_CASE("check: a glyph read twice, a name the MRZ cut", "[check]") {
  using D = check::Difference;
  using K = check::FieldKind;
  // td2-photo-s6464-0089: SWCRNLKN5 read SWCRNLKNS5, the S at 0.97 with 5 its
  // runner-up beside the 5 read again: one glyph read twice is a misread;
  // without that runner-up, or with another, the extra S shows a difference.
  const std::vector<double> number_conf{0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.97, 0.98};
  const std::string five_for_s("\0\0\0\0\0\0\0\0" "5S", 10);
  CHECK(check::explainedByRunnerUps("SWCRNLKNS5", five_for_s, "SWCRNLKN5"));
  CHECK(check::printedDifference(K::document_number, "SWCRNLKNS5", &number_conf, five_for_s, "SWCRNLKN5") ==
        D::misread);
  CHECK(check::printedDifference(K::document_number, "SWCRNLKNS5", &number_conf, std::string(10, '\0'),
                                 "SWCRNLKN5") == D::shown);
  CHECK_FALSE(check::explainedByRunnerUps("SWCRNLKNS5", std::string("\0\0\0\0\0\0\0\0" "8\0", 10), "SWCRNLKN5"));
  CHECK_FALSE(check::explainedByRunnerUps("SWCRNLKNS55", std::string("\0\0\0\0\0\0\0\0" "55\0", 11), "SWCRNLKN5"));

  // fra-id-photo-s6464-0125: FRANCOISE<<FRA (14 places, cut) against the
  // print PRANCOISE, FRANCOISE: the cut name completed by the print differs
  // in the P alone, whose runner-up is the F.
  CHECK(check::completedByPrint("FRANCOISE FRA", "PRANCOISE FRANCOISE") == "FRANCOISE FRANCOISE");
  CHECK(check::completedByPrint("ANNA M", "ANNA MARIA LUISA") == "ANNA MARIA LUISA");
  CHECK(check::completedByPrint("ANNE M", "ANNA MARIA") == "ANNE MARIA");   // the letters held still differ
  CHECK(check::completedByPrint("ANNA MARIA X", "ANNA MARIA") == "ANNA MARIA X");  // more words: as it is
  CHECK(check::completedByPrint("WOLFESCHLEG", "WOLFE") == "WOLFESCHLEG");
  const std::vector<double> given(19, 0.99);
  std::string p_for_f(19, '\0');
  p_for_f[0] = 'F';
  CHECK(check::printedDifference(K::text, "PRANCOISE FRANCOISE", &given, p_for_f,
                                 check::completedByPrint("FRANCOISE FRA", "PRANCOISE FRANCOISE")) == D::misread);
  CHECK(check::printedDifference(K::text, "PRANCOISE FRANCOISE", &given, p_for_f, "FRANCOISE FRA") == D::shown);
  CHECK(check::printedDifference(K::text, "PRANCOISE FRANCOISE", &given, "",
                                 check::completedByPrint("FRANCOISE FRA", "PRANCOISE FRANCOISE")) == D::shown);
}

TEST_CASE("check: letters missing before a reading's first character are not shown by the print", "[check]") {
  using D = check::Difference;
  using K = check::FieldKind;
  // dl-photo-s79-0046-front (forged seed 79's genuine set): a glare spot over
  // the surname's start; id-ocr read EILLY ERIKSSON, every letter at 0.99 or
  // more, against the back's barcode O'REILLY ERIKSSON. The O and R were not
  // read at all: nothing printed there was seen, so nothing differs surely.
  const std::vector<double> surname_conf{0.99, 0.99, 0.99, 0.99, 0.99, 1, 0.99, 1, 1, 1, 1, 1, 1, 1};
  CHECK(check::printedDifference(K::text, "EILLY ERIKSSON", &surname_conf, "", "O REILLY ERIKSSON") == D::unsure);
  // A letter missing inside the reading, or changed, is still shown.
  const std::vector<double> shorter(13, 0.99);
  CHECK(check::printedDifference(K::text, "EILLY ERIKSON", &shorter, "", "EILLY ERIKSSON") == D::shown);
  CHECK(check::printedDifference(K::text, "EILLY ERIKSSOM", &surname_conf, "", "O REILLY ERIKSSON") == D::shown);

  // The record as id-check met it: the licence passes, the print's doubt said.
  Json back{{"idkit", 1}, {"input", "dl-photo-s79-0046-back.jpg"}, {"status", "ok"}};
  back["barcodes"] = Json::array({{{"format", "PDF417"},
                                   {"aamva",
                                    {{"fields",
                                      {{"surname", "O'REILLY ERIKSSON"},
                                       {"first_name", "MAXIMILIAN"},
                                       {"middle_names", "ALEXANDER"},
                                       {"given_names", "MAXIMILIAN ALEXANDER"},
                                       {"birth_date", "2003-09-10"},
                                       {"expiry_date", "2030-04-17"},
                                       {"document_number", "D70499547"},
                                       {"sex", "M"}}}}}}});
  auto viz = [](const std::string& v, const std::vector<double>& conf) {
    return Json{{"text", v}, {"value", v}, {"confidence", 0.93}, {"char_confidence", conf}};
  };
  Json front{{"idkit", 1}, {"input", "dl-photo-s79-0046-front.jpg"}, {"status", "ok"}};
  front["ocr"] = {{"template", "us-dl"},
                  {"fields",
                   {{"surname", viz("EILLY ERIKSSON", surname_conf)},
                    {"given_names", viz("MAXIMILIAN ALEXANDER", std::vector<double>(20, 0.99))},
                    {"birth_date", viz("2003-09-10", std::vector<double>(10, 0.99))}}}};
  front["face"] = {{"similarity", 0.97}, {"threshold", 0.92}, {"match", true}};
  const auto r = check::evaluate(front, opts(), &back);
  CHECK(r.pass);
  CHECK(codes(r) == std::vector<std::string>{"viz_unreadable"});
  // Its forged surname read the same way, a letter changed: a mismatch.
  front["ocr"]["fields"]["surname"] = viz("EILLY ERIKSSOM", surname_conf);
  CHECK(codes(check::evaluate(front, opts(), &back)) == std::vector<std::string>{"name_mismatch"});
}

TEST_CASE("check: a name's letter read surely shows the difference beside letters read with doubt", "[check]") {
  using D = check::Difference;
  using K = check::FieldKind;
  // qr-id-photo-s79-0055 (forged seed 79, the surname's I printed V): id-ocr
  // read OUVNTANA DF LA PENA against the QR code's QUINTANA DE LA PENA: the
  // V at 0.98, no runner-up; the O at 0.9 (Q its runner-up, a look-alike);
  // the F at 0.99 with E its runner-up. The doubted O left the whole name
  // unsure; the V alone shows the difference, as a date's digit does.
  const std::vector<double> conf{0.9,  0.99, 0.98, 0.98, 0.99, 0.99, 0.99, 0.99, 1,   0.99,
                                 0.99, 1,    0.99, 0.99, 1,    1,    0.99, 0.99, 0.99};
  const std::string runner_up("Q\0\0\0\0\0\0\0\0\0E\0\0\0\0\0L\0\0", 19);
  CHECK(check::printedDifference(K::text, "OUVNTANA DF LA PENA", &conf, runner_up, "QUINTANA DE LA PENA") == D::shown);
  // The V read with doubt too: nothing shows the difference.
  std::vector<double> doubted_v = conf;
  doubted_v[2] = 0.9;
  CHECK(check::printedDifference(K::text, "OUVNTANA DF LA PENA", &doubted_v, runner_up, "QUINTANA DE LA PENA") ==
        D::unsure);
  // The genuine I: the look-alike O and the F its runner-up explains are no difference shown.
  CHECK(check::printedDifference(K::text, "OUINTANA DF LA PENA", &conf, runner_up, "QUINTANA DE LA PENA") == D::unsure);
  // Letters that do not stand in their places: td1-photo-s5151-0088 (genuine),
  // EIJKELENBOOM read LJKELENSOQOM at one length, EI read L and B read SO; the
  // sure J K E L E N between them each a place off are no difference shown
  // (the record's confidences and runner-ups as id-ocr wrote them).
  const std::vector<double> shifted_conf{0.99, 0.99, 0.99, 1,    0.99, 0.9,  0.97, 0.99, 0.98, 0.98, 0.98, 0.97, 0.97,
                                         0.9,  0.9,  0.93, 0.98, 0.94, 0.9,  0.9,  0.99, 0.9,  0.91, 0.9,  0.98, 0.99};
  const std::string shifted_alt("\0\0\0\0\0\0C\0\0\0\0I\0\0EI\0I\0I\0BQO\0\0", 26);
  CHECK(check::printedDifference(K::text, "VAN BEETHOVEN LJKELENSOQOM", &shifted_conf, shifted_alt,
                                 "VAN BEETHOVEN EIJKELENBOOM") == D::unsure);

  Json record{{"idkit", 1}, {"input", "qr-id-photo-s79-0055.jpg"}, {"status", "ok"}};
  record["barcodes"] = Json::array(
      {{{"format", "QRCode"},
        {"text", "IDKIT1|UTO|ID|SM6MJFP9Z|QUINTANA DE LA PE\u00d1A|OMAR|1927-08-04|M|2028-01-22|78781823211"}}});
  Json surname{{"text", "OUVNTANA DF LA PE\u00d1A"},
               {"value", "OUVNTANA DF LA PENA"},
               {"confidence", 0.84},
               {"char_confidence", conf},
               {"char_alternatives", Json::array()}};
  for (char c : runner_up)
    surname["char_alternatives"].push_back(c == '\0' ? Json(nullptr) : Json::array({std::string(1, c), 0.12}));
  record["ocr"] = {{"template", "qr-id"}, {"fields", {{"surname", surname}}}};
  record["face"] = {{"similarity", 0.97}, {"threshold", 0.92}, {"match", true}};
  CHECK(codes(check::evaluate(record, opts())) == std::vector<std::string>{"name_mismatch"});
}

TEST_CASE("check: an unsure MRZ's expiry its check digit verifies comes before a print read with doubt",
          "[check]") {
  // td2-photo-s2525-0001: the zone not legible, its expiry 270112 verified by
  // its digit (0.9); the print read 12.01.2077, the 7 that is a 2 unconfirmed.
  // The check digit vouches before a print read with doubt.
  const Json td2 = Json::parse(R"({"input":"td2-photo-s2525-0001.jpg","status":"ok","mrz":{"format":"TD2",
    "lines":["I<ISLHALLDORSSON<<EYDIS<ASTA<<<<<<<<","GWLJW90KL8ISL9403040F2701127<<<<<<<4"],
    "fields":{"birth_date":"1994-03-04","birth_date_raw":"940304","document_code":"I","document_number":"GWLJW90KL",
      "expiry_date":"2027-01-12","expiry_date_raw":"270112","given_names":"EYDIS ASTA","issuing_state":"ISL",
      "nationality":"ISL","optional_data":"","sex":"F","surname":"HALLDORSSON"},
    "checks":{"document_number":true,"birth_date":true,"expiry_date":true,"composite":true,"legible":false},
    "valid":false,"confidence":0.014,
    "field_confidence":{"birth_date":0.9,"document_number":0.028,"expiry_date":0.9,"given_names":0.949,"surname":0.949}},
    "ocr":{"template":"td2","fields":{"expiry_date":{"text":"12.01.2077","value":"2077-01-12","confidence":0.53,
      "char_confidence":[0.99,1,0.9,0.99,1,0.99,0.97,1,0.97,0.98],
      "char_alternatives":[null,null,null,["9",0.13],null,["6",0.48],["3",0.03],null,["3",0.03],["3",0.5]]}}},
    "face":{"similarity":0.97,"threshold":0.92,"match":true}})");
  auto r = check::evaluate(td2, opts());
  CHECK(r.pass);
  CHECK(r.expiry_date == "2027-01-12");
  r = check::evaluate(td2, opts("2045-01-01"));
  CHECK(r.has("expired"));
  CHECK(r.expiry_date == "2027-01-12");
  // Every printed digit read surely: the print comes first, as before.
  Json sure = td2;
  sure["ocr"]["fields"]["expiry_date"]["char_confidence"][2] = 0.97;
  CHECK(check::evaluate(sure, opts("2045-01-01")).expiry_date == "2077-01-12");

  // The date of birth that decides age is chosen the same way: the zone's
  // 940304, verified by its digit, before a print read 04.03.2004 whose
  // 0 (a 9) is in doubt; the print read surely comes first.
  Json aged = td2;
  aged["ocr"]["fields"]["birth_date"] = Json::parse(R"({"text":"04.03.2004","value":"2004-03-04","confidence":0.6,
      "char_confidence":[0.99,1,0.99,0.99,1,0.99,0.99,1,0.9,0.99]})");
  const auto older = opts("2025-06-01", 25);
  r = check::evaluate(aged, older);
  CHECK(r.birth_date == "1994-03-04");
  CHECK_FALSE(r.has("under_age"));
  aged["ocr"]["fields"]["birth_date"]["char_confidence"][8] = 0.99;
  r = check::evaluate(aged, older);
  CHECK(r.birth_date == "2004-03-04");
  CHECK(r.has("under_age"));
}

TEST_CASE("check: a nationality id-mrz changed to a known code is its doubt, not a mismatch", "[check]") {
  // td2-photo-s2525-0049 as id-mrz and id-ocr wrote it (photo seed 2525,
  // boxes left out): the zone verifies, but its nationality CAN was read TAN
  // and id-mrz made it TON, a known code (a "state" correction); the print
  // reads CAN at 1.0 a letter. Its genuine card was rejected.
  const Json rec = Json::parse(R"({"input":"td2-photo-s2525-0049.jpg","status":"ok","mrz":{"format":"TD2",
    "lines":["I<CANBOUCHARD<GAGNON<<OLIVIA<GENEVIE","KJ13VL2605TON4712255<3111264<<<<<<<4"],
    "fields":{"birth_date":"1947-12-25","birth_date_raw":"471225","document_code":"I","document_number":"KJ13VL260",
      "expiry_date":"2031-11-26","expiry_date_raw":"311126","given_names":"OLIVIA GENEVIE","issuing_state":"CAN",
      "nationality":"TON","optional_data":"","sex":"<","surname":"BOUCHARD GAGNON"},
    "checks":{"document_number":true,"birth_date":true,"expiry_date":true,"composite":true},"valid":true,
    "confidence":0.994,"field_confidence":{"birth_date":0.999,"document_number":0.997,"expiry_date":0.999,
      "given_names":0.987,"surname":0.987},
    "corrections":[{"line":2,"pos":12,"from":"A","to":"O","why":"state"}]},
    "ocr":{"template":"td2","fields":{
      "surname":{"text":"BOUCHARD GAGNON","value":"BOUCHARD GAGNON","confidence":0.95,
        "char_confidence":[1,0.99,1,0.99,1,1,1,1,1,1,1,1,1,0.99,1]},
      "given_names":{"text":"OLIVIA GENEVIÈVE","value":"OLIVIA GENEVIEVE","confidence":0.95,
        "char_confidence":[1,1,1,1,1,1,1,1,1,1,1,1,0.99,1,0.99,1]},
      "sex":{"text":"X","value":"X","confidence":0.82,"char_confidence":[0.98]},
      "nationality":{"text":"CAN","value":"CAN","confidence":0.96,"char_confidence":[1,1,1]},
      "birth_date":{"text":"25.12.1947","value":"1947-12-25","confidence":0.96,
        "char_confidence":[0.99,0.99,1,1,1,1,1,1,1,1]},
      "document_number":{"text":"KJ13VL260","value":"KJ13VL260","confidence":0.88,
        "char_confidence":[0.99,0.99,0.98,0.99,0.99,0.99,0.99,0.99,0.99],
        "char_alternatives":[null,null,["L",0.14],null,null,null,null,null,null]},
      "expiry_date":{"text":"26.11.2031","value":"2031-11-26","confidence":0.96,
        "char_confidence":[1,1,1,0.97,1,1,1,1,1,1]},
      "issue_date":{"text":"27.11.2021","value":"2021-11-27","confidence":0.96,"char_confidence":[1,1,1,1,1,1,1,1,1,1]},
      "authority":{"text":"HALIFAX","value":"HALIFAX","confidence":0.96}}},
    "face":{"similarity":0.97,"threshold":0.92,"match":true}})");
  auto r = check::evaluate(rec, opts());
  INFO(r.toJson().dump());
  CHECK(codes(r) == std::vector<std::string>{"mrz_unreadable"});
  CHECK(r.pass);
  CHECK(r.reasons[0].detail ==
        "The MRZ was read with doubt: the nationality 'TON' is a known code id-mrz made by changing a letter it "
        "read; the VIZ says 'CAN'.");
  check::Options strict = opts();
  strict.policy = strictPolicy();
  CHECK_FALSE(check::evaluate(rec, strict).pass);
  // The print agreeing with the guess: nothing to say.
  Json agree = rec;
  agree["ocr"]["fields"]["nationality"]["value"] = "TON";
  agree["ocr"]["fields"]["nationality"]["text"] = "TON";
  CHECK(codes(check::evaluate(agree, opts())).empty());
  // The nationality read as it stands (no state correction): a sure
  // difference is a mismatch, as before.
  Json read = rec;
  read["mrz"]["corrections"] = Json::array();
  CHECK(codes(check::evaluate(read, opts())) == std::vector<std::string>{"nationality_mismatch"});
  // A state correction of the issuing state (line 1) says nothing of the nationality.
  read["mrz"]["corrections"] = Json::parse(R"([{"line":1,"pos":4,"from":"O","to":"A","why":"state"}])");
  CHECK(codes(check::evaluate(read, opts())) == std::vector<std::string>{"nationality_mismatch"});
  // A zone that does not verify (a failing birth-date digit) whose
  // nationality is still compared: the doubt joins the zone's reason.
  Json invalid = rec;
  invalid["mrz"]["valid"] = false;
  invalid["mrz"]["checks"]["birth_date"] = false;
  r = check::evaluate(invalid, opts());
  REQUIRE(codes(r) == std::vector<std::string>{"mrz_invalid"});
  CHECK(r.reasons[0].detail.ends_with(" Also, the nationality 'TON' is a known code id-mrz made by changing a letter "
                                      "it read; the VIZ says 'CAN'."));
}
