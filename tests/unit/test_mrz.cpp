// idkit::mrz against every vector of ../shared/data/mrz/vectors.jsonl, plus
// the behaviours the vectors do not cover (composition, correction).
#include <catch2/catch.hpp>
#include <idkit/mrz.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "support.hpp"

using namespace idkit;
using namespace idkit::mrz;

namespace {

std::vector<Json> loadVectors(const std::filesystem::path& shared) {
  std::ifstream in(shared / "data/mrz/vectors.jsonl");
  std::vector<Json> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(Json::parse(line));
  return out;
}

std::vector<std::string> linesOf(const Json& j) { return j.get<std::vector<std::string>>(); }

// A reader's candidates for printed lines: each cell its character alone, at 0.9.
std::vector<LineCandidates> readSurely(const std::vector<std::string>& text) {
  std::vector<LineCandidates> lines;
  for (const auto& l : text) {
    LineCandidates lc;
    for (char c : l) lc.push_back({{c, 0.9f}});
    lines.push_back(lc);
  }
  return lines;
}

// The vectors' comparison rule: '<' and runs of blanks are one space, trimmed.
std::string norm(std::string_view s) { return idkit::mrz::nameText(s); }

// Vector keys whose value is in another of our keys (dates: vectors give the
// printed YYMMDD under the plain name, we give ISO there and raw beside).
std::string ourKey(const std::string& k) {
  if (k == "birth_date" || k == "expiry_date" || k == "issue_date") return k + "_raw";
  if (k == "birth_date_iso") return "birth_date";
  if (k == "expiry_date_iso") return "expiry_date";
  return k;
}

// Where a source's convention differs from idkit's reading: (vector id,
// field) -> why. Each is explained in docs/mrz.md ("Where sources disagree").
const std::map<std::pair<std::string, std::string>, std::string>& deviations() {
  static const std::map<std::pair<std::string, std::string>, std::string> d{
      // cheminfo/mrz rejects the specimen country code UTO (returns null).
      {{"td1-a613e934", "issuing_state"}, "cheminfo UTO=null"},
      {{"td1-a613e934", "nationality"}, "cheminfo UTO=null"},
      // cheminfo/mrz keeps the long number's extension in optional_data.
      {{"td1-781ae4c3", "optional_data"}, "cheminfo long-number optional data"},
      {{"td1-a036d38d", "optional_data"}, "cheminfo long-number optional data"},
      {{"td1-452f73cd", "optional_data"}, "cheminfo long-number optional data"},
      {{"td1-be736efb", "optional_data"}, "cheminfo long-number optional data"},
      // cheminfo/mrz gives the French ID's 5-digit serial as the number.
      {{"french_id-dcff4a33", "document_number"}, "cheminfo French serial"},
      {{"french_id-8c83463b", "document_number"}, "cheminfo French serial"},
      {{"french_id-b99106e2", "document_number"}, "cheminfo French serial"},
      // datacheckerbv/MRZParser reports no TD1 line-1 optional data.
      {{"td1-1474ad7b", "optional_data"}, "datacheckerbv TD1 optional data"},
      {{"td1-7b796ae3", "optional_data"}, "datacheckerbv TD1 optional data"},
      {{"td1-e4c1f637", "optional_data"}, "datacheckerbv TD1 optional data"},
      {{"td1-1ab61dc2", "optional_data"}, "datacheckerbv TD1 optional data"},
      {{"td1-f87ea355", "optional_data_2"}, "datacheckerbv TD1 optional data"},
      {{"td1-609dfee8", "optional_data_2"}, "datacheckerbv TD1 optional data"},
      {{"td1-789eff48", "optional_data_2"}, "datacheckerbv TD1 optional data"},
      // datacheckerbv/MRZParser reads a number no layout rule gives.
      {{"td1-1ab61dc2", "document_number"}, "datacheckerbv PRT number"},
      // GioviQ/MRZ does not join TD1 long numbers.
      {{"td1-d51d1a75", "document_number"}, "GioviQ long number not joined"},
      {{"td1-d51d1a75", "optional_data"}, "GioviQ long number not joined"},
      // GioviQ/MRZ: French given names with ", ", no nationality, no expiry.
      {{"french_id-92f41b40", "given_names"}, "GioviQ French given names"},
      {{"french_id-92f41b40", "nationality"}, "GioviQ French nationality"},
      {{"french_id-92f41b40", "expiry_date"}, "GioviQ French expiry"},
      {{"french_id-9ddc51ac", "given_names"}, "GioviQ French given names"},
      // GioviQ/MRZ: Swiss licence number = PIN + version, no nationality.
      {{"swiss_dl-1cdebc3f", "document_number"}, "GioviQ Swiss number"},
      {{"swiss_dl-09910f9d", "document_number"}, "GioviQ Swiss number"},
  };
  return d;
}

struct Tally {
  int vectors = 0, parsed = 0, rejected_as_expected = 0, unsupported = 0;
  int fields = 0, field_matches = 0, field_deviations = 0;
  int checks = 0, check_matches = 0;
  int valid_matches = 0, valid_incl_filler = 0;
  std::vector<std::string> failures;
};

void compareVector(const Json& v, Tally& t) {
  const std::string id = v["id"];
  const std::string vformat = v["format"];
  const auto lines = linesOf(v["lines"]);
  const auto r = parse(lines);
  ++t.vectors;
  if (vformat == "MALFORMED") {
    if (r) t.failures.push_back(id + ": malformed lines parsed as " + std::string(toString(r->format)));
    else ++t.rejected_as_expected;
    return;
  }
  if (vformat == "SVK_ID_34") {
    // Old Slovak 2x34 card: not an ICAO shape and not supported (docs/mrz.md).
    if (r) t.failures.push_back(id + ": SVK_ID_34 unexpectedly parsed");
    ++t.unsupported;
    return;
  }
  if (!r) {
    t.failures.push_back(id + ": " + r.error().message);
    return;
  }
  ++t.parsed;
  if (toString(r->format) != vformat)
    t.failures.push_back(id + ": format " + std::string(toString(r->format)) + " != " + vformat);

  bool incl_filler = false;
  for (const auto& [k, val] : v["checks"].items()) {
    ++t.checks;
    bool present = false, ours = false;
    for (const auto& [n, ok] : r->checks)
      if (n == k) present = true, ours = ok;
    if (present && ours == val.get<bool>()) ++t.check_matches;
    else t.failures.push_back(id + ": check " + k + " expected " + val.dump());
    if (k == "document_number_incl_filler" && val.get<bool>()) incl_filler = true;
  }
  // idkit accepts the Belgian/Portuguese convention (valid=true, the
  // document_number_incl_filler check says so); the vectors follow strict ICAO.
  bool expected_valid = v["valid"].get<bool>();
  if (incl_filler && !expected_valid) {
    bool others = true;
    for (const auto& [k, val] : v["checks"].items())
      if (k != "document_number" && !val.get<bool>()) others = false;
    if (others) expected_valid = true, ++t.valid_incl_filler;
  }
  if (r->valid == expected_valid) ++t.valid_matches;
  else t.failures.push_back(id + ": valid " + (r->valid ? "true" : "false"));

  const bool charset_ok = !v.contains("charset_ok") || v["charset_ok"].get<bool>();
  for (const auto& [k, val] : v["fields"].items()) {
    if (!charset_ok) break;  // sources disagree on what to return for junk
    ++t.fields;
    // A null date is an absent one: no ISO value (the raw stays "<<<<<<").
    const bool null_date = val.is_null() && (k == "birth_date" || k == "expiry_date");
    const std::string ours = r->field(null_date ? k : ourKey(k));
    const bool same = val.is_null() ? ours.empty() : norm(ours) == norm(val.get<std::string>());
    if (same) {
      ++t.field_matches;
    } else if (deviations().contains({id, k})) {
      ++t.field_deviations;
    } else {
      t.failures.push_back(id + ": field " + k + " = '" + ours + "', expected " + val.dump());
    }
  }
}

}  // namespace

TEST_CASE("mrz check digits follow ICAO 7-3-1", "[mrz]") {
  CHECK(checkDigit("L898902C3") == 6);
  CHECK(checkDigit("740812") == 2);
  CHECK(checkDigit("120415") == 9);
  CHECK(checkDigit("<<<<<<") == 0);
  CHECK(checkDigit("") == 0);
  CHECK(checkDigit("D23145890734") == 9);
  CHECK(charValue('Z') == 35);
  CHECK(!charValue('?'));
}

TEST_CASE("mrz dates: centuries and raw values", "[mrz]") {
  CHECK(resolveDate("740812", DateKind::Birth, "2025-01-01").iso == "1974-08-12");
  CHECK(resolveDate("120217", DateKind::Birth, "2025-01-01").iso == "2012-02-17");
  CHECK(resolveDate("250102", DateKind::Birth, "2025-01-01").iso == "1925-01-02");  // not future
  CHECK(resolveDate("250101", DateKind::Birth, "2025-01-01").iso == "2025-01-01");
  CHECK(resolveDate("700601", DateKind::Expiry, "2025-01-01").iso == "2070-06-01");
  CHECK(resolveDate("810913", DateKind::Expiry, "2025-01-01").iso == "1981-09-13");
  CHECK(resolveDate("000229", DateKind::Birth, "2025-01-01").iso == "2000-02-29");
  CHECK(resolveDate("010229", DateKind::Birth, "2025-01-01").iso.empty());
  CHECK(resolveDate("880941", DateKind::Birth).iso.empty());
  CHECK(resolveDate("<<<<<<", DateKind::Expiry).iso.empty());
  CHECK(resolveDate("<<<<<<", DateKind::Expiry).raw == "<<<<<<");
}

TEST_CASE("mrz parses every shared vector to its expected fields", "[mrz][vectors]") {
  REQUIRE_SHARED(shared);
  const auto vectors = loadVectors(shared);
  REQUIRE(vectors.size() == 174);
  Tally t;
  for (const Json& v : vectors) compareVector(v, t);
  std::ostringstream report;
  report << "mrz vectors: " << t.vectors << " line sets, " << t.parsed << " parsed, "
         << t.rejected_as_expected << " malformed rejected, " << t.unsupported << " unsupported; "
         << "fields " << t.field_matches << "/" << t.fields << " equal + " << t.field_deviations
         << " documented deviations; checks " << t.check_matches << "/" << t.checks
         << "; valid " << t.valid_matches << "/" << t.parsed << " (" << t.valid_incl_filler
         << " accepted by the incl-filler convention)";
  WARN(report.str());
  for (const auto& f : t.failures) UNSCOPED_INFO(f);
  CHECK(t.failures.empty());
  CHECK(t.field_matches + t.field_deviations == t.fields);
}

TEST_CASE("mrz repair turns every damaged vector into its clean lines", "[mrz][vectors]") {
  REQUIRE_SHARED(shared);
  int noisy = 0, repaired = 0;
  for (const Json& v : loadVectors(shared)) {
    if (!v.contains("expected_lines")) continue;
    ++noisy;
    const auto lines = linesOf(v["lines"]);
    const auto expected = linesOf(v["expected_lines"]);
    const auto r = repair(lines);
    INFO(v["id"].get<std::string>());
    REQUIRE(r);
    CHECK(r->lines == expected);
    if (r->lines == expected) ++repaired;
    // Every changed character is reported.
    int changed = 0;
    for (const Correction& c : r->corrections) changed += c.why == "length" ? 0 : 1;
    int differ = 0;
    if (lines.size() == expected.size())
      for (std::size_t i = 0; i < lines.size(); ++i)
        if (lines[i].size() == expected[i].size())
          for (std::size_t j = 0; j < lines[i].size(); ++j) differ += lines[i][j] != expected[i][j];
    if (differ) CHECK(changed == differ);
  }
  WARN("mrz repair: " << repaired << "/" << noisy << " damaged vectors restored exactly");
}

TEST_CASE("mrz compose reproduces every valid vector from its parsed fields", "[mrz][vectors]") {
  REQUIRE_SHARED(shared);
  int tried = 0, same = 0;
  std::vector<std::string> differ;
  for (const Json& v : loadVectors(shared)) {
    const auto lines = linesOf(v["lines"]);
    const auto r = parse(lines);
    if (!r || !r->valid || v.contains("expected_lines")) continue;
    ++tried;
    const auto composed = compose(r->format, fieldsOf(*r));
    if (composed == lines) {
      ++same;
      continue;
    }
    std::string d = v["id"].get<std::string>() + ":";
    for (std::size_t i = 0; i < composed.size() && i < lines.size(); ++i)
      if (composed[i] != lines[i]) d += " " + lines[i] + " -> " + composed[i];
    differ.push_back(d);
    // Whatever the layout detail, what compose writes must itself be valid.
    const auto again = parse(composed);
    REQUIRE(again);
    CHECK(again->valid);
  }
  WARN("mrz compose: " << same << "/" << tried << " valid vectors reproduced exactly");
  for (const auto& d : differ) WARN(d);
}

TEST_CASE("mrz compose: long TD1 numbers, truncated names, transliteration", "[mrz]") {
  Fields f;
  f.document_code = "ID";
  f.issuing_state = "BEL";
  f.document_number = "600001795015";
  f.birth_date = "2013-01-01";
  f.sex = "F";
  f.expiry_date = "231120";
  f.nationality = "BEL";
  f.optional_data_2 = "13010198739";
  f.surname = "SPECIMEN";
  f.given_names = "SPECIMEN";
  const auto lines = compose(Format::TD1, f);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "IDBEL600001795<0152<<<<<<<<<<<");
  CHECK(lines[1] == "1301014F2311207BEL130101987398");
  const auto r = parse(lines);
  REQUIRE(r);
  CHECK(r->valid);
  CHECK(r->field("document_number") == "600001795015");

  Fields g;
  g.document_code = "P";
  g.issuing_state = "D";
  g.nationality = "D";
  g.surname = "Müller-Lüdenscheidt";
  g.given_names = "Karl-Theodor Maria Nikolaus Johann Jacob Philipp";
  g.document_number = "C01X0006H";
  g.birth_date = "640812";
  g.sex = "m";
  g.expiry_date = "";
  const auto p = compose(Format::TD3, g);
  CHECK(p[0] == "P<D<<MUELLER<LUEDENSCHEIDT<<KARL<THEODOR<MAR");
  CHECK(p[1].substr(0, 28) == "C01X0006H1D<<6408125M<<<<<<<");
  const auto q = parse(p);
  REQUIRE(q);
  CHECK(q->valid);
  CHECK(q->field("expiry_date").empty());
  CHECK(transliterate("МАР'ЯНА") == "MARIANA");
  CHECK(transliterate("ESPAÑOLA ESPAÑOLA") == "ESPANOLA<ESPANOLA");
  CHECK(transliterate("ÊrÌkS'ŝóN") == "ERIKSSON");
  CHECK(transliterate("Łódź") == "LODZ");

  // A full stop beside a space is one word break, never the "<<" that ends the surname.
  Fields h = g;
  h.surname = "St. John-Smythe";
  h.given_names = "Anna  Maria";
  const auto s = compose(Format::TD3, h);
  CHECK(s[0] == "P<D<<ST<JOHN<SMYTHE<<ANNA<MARIA<<<<<<<<<<<<<");
  const auto t = parse(s);
  REQUIRE(t);
  CHECK(t->field("surname") == "ST JOHN SMYTHE");
  CHECK(t->field("given_names") == "ANNA MARIA");
}

TEST_CASE("mrz correct uses the reader's alternatives and reports every change", "[mrz]") {
  const std::vector<std::string> clean{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                       "L898902C36UTO7408122F1204159ZE184226B<<<<<10"};
  std::vector<LineCandidates> lines = readSurely(clean);
  // Document number position 2 read 'B' (a letter is allowed there), '8' second.
  lines[1][1] = {{'B', 0.5f}, {'8', 0.45f}};
  // Birth date position 19: the reader's best is '3', '2' second.
  lines[1][18] = {{'3', 0.6f}, {'2', 0.4f}};
  // A digit position (expiry, 24) read as a letter: fixed by type.
  lines[1][23] = {{'O', 0.9f}};
  const auto r = correct(lines);
  REQUIRE(r);
  CHECK(r->lines == clean);
  CHECK(r->valid);
  REQUIRE(r->corrections.size() == 3);
  CHECK(r->corrections[0].line == 2);
  CHECK(r->corrections[0].pos == 2);
  CHECK(r->corrections[0].from == 'B');
  CHECK(r->corrections[0].why == "check_digit");
  CHECK(r->corrections[1].pos == 19);
  CHECK(r->corrections[1].why == "check_digit");
  CHECK(r->corrections[2].pos == 24);
  CHECK(r->corrections[2].from == 'O');
  CHECK(r->corrections[2].to == '0');
  CHECK(r->corrections[2].why == "type");
  CHECK(r->confidence > 0.5);
  const Json j = r->toJson();
  CHECK(j["corrections"].size() == 3);
  CHECK(j["checks"]["composite"] == true);
}

TEST_CASE("mrz: a visa whose V is misread is still a visa by its last cell", "[mrz]") {
  // ICAO's MRV-A example; its first cell read 'K' (V second). A passport's
  // zone ends in the composite check digit, a visa's in optional data (here
  // a filler): the zone is an MRV-A and its document code is put right.
  const std::vector<std::string> visa{"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                      "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"};
  std::vector<std::string> misread = visa;
  misread[0][0] = 'K';
  CHECK(detectFormat(visa) == Format::MRVA);
  CHECK(detectFormat(misread) == Format::MRVA);
  std::vector<LineCandidates> lines = readSurely(misread);
  lines[0][0] = {{'K', 0.6f}, {'V', 0.3f}};
  const auto r = correct(lines);
  REQUIRE(r);
  CHECK(r->format == Format::MRVA);
  CHECK(r->lines == visa);
  CHECK(r->valid);
  REQUIRE(r->corrections.size() == 1);
  CHECK(r->corrections[0].why == "document_code");
  // The same misread on a passport, whose zone ends in a digit, stays a TD3;
  // so does a passport read 'P' whatever its last cell, and a TD2 or MRV-B by the same rule.
  std::vector<std::string> passport{"K<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                    "L898902C36UTO7408122F1204159ZE184226B<<<<<10"};
  CHECK(detectFormat(passport) == Format::TD3);
  passport[0][0] = 'P', passport[1].back() = '<';
  CHECK(detectFormat(passport) == Format::TD3);
  const std::vector<std::string> mrvb{"R<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
                                      "L8988901C4XXX4009078F9612109<<<<<<<<"};
  CHECK(detectFormat(mrvb) == Format::MRVB);
  const std::vector<std::string> td2{"R<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
                                     "D231458907UTO7408122F9404159<<<<<<<6"};
  CHECK(detectFormat(td2) == Format::TD2);
}

TEST_CASE("mrz correct never forces a reading: failing checks stay visible", "[mrz]") {
  // Birth date check digit wrong and no alternative that could fix it.
  const std::vector<std::string> text{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                      "L898902C36UTO7408123F1204159ZE184226B<<<<<10"};
  const auto r = repair(text);
  REQUIRE(r);
  CHECK_FALSE(r->valid);
  CHECK_FALSE(r->check("birth_date"));
  CHECK(r->lines == text);
  CHECK(r->corrections.empty());
  CHECK(r->confidence < 0.5);
}

TEST_CASE("mrz accepts the Belgian long-number convention and says so", "[mrz]") {
  const std::vector<std::string> l{"IDBEL000590240<6013<<<<<<<<<<<", "8512017F1311048BEL851201002007",
                                   "REINARTZ<<ULRIKE<KATIA<E<<<<<<"};
  const auto r = parse(l);
  REQUIRE(r);
  CHECK(r->valid);
  CHECK_FALSE(r->check("document_number"));
  CHECK(r->check("document_number_incl_filler"));
  CHECK(r->field("document_number") == "000590240601");
  // And correction leaves it alone.
  const auto c = repair(l);
  REQUIRE(c);
  CHECK(c->corrections.empty());
  CHECK(c->valid);
}

TEST_CASE("mrz hostile text is an error or an invalid result, never a crash", "[mrz]") {
  const std::vector<std::vector<std::string>> inputs{
      {}, {""}, {"", ""}, {std::string(1000, '<')}, {"\xff\xfe", "\x00\x01"},
      {std::string(30, '?'), std::string(30, '?'), std::string(30, '?')},
      {std::string(44, 'K'), std::string(44, 'K')},
  };
  for (const auto& in : inputs) {
    const auto p = parse(in);
    if (p) CHECK_FALSE(p->valid);
    const auto r = repair(in);
    if (r) CHECK_FALSE(r->toJson().dump().empty());
  }
}

TEST_CASE("mrz: a French ID holder's birth century is resolved against the card's issue month", "[mrz]") {
  mrz::Fields f;
  f.document_code = "ID";
  f.issuing_state = "FRA";
  f.surname = "DUPONT";
  f.given_names = "NOEL";
  f.sex = "M";
  f.administrative_code = "750123";
  f.document_number = "181275012345";  // issued December 2018
  f.birth_date = "250910";
  const auto lines = mrz::compose(mrz::Format::FrenchID, f);
  const auto r = mrz::parse(lines, {.as_of = "2026-01-01"});
  REQUIRE(r);
  // '25 is not after --as-of, but it is after the issue: born 1925, an adult when issued.
  CHECK(r->fields.at("birth_date") == "1925-09-10");
  CHECK(r->fields.at("issue_date") == "2018-12");
  CHECK(r->fields.at("expiry_date") == "2033-12-01");
  // Issued January 2026 to a baby born in September 2025: a child's card, 10 years.
  f.document_number = "260175012345";
  f.birth_date = "250910";
  const auto child = mrz::parse(mrz::compose(mrz::Format::FrenchID, f), {.as_of = "2026-06-01"});
  REQUIRE(child);
  CHECK(child->fields.at("birth_date") == "2025-09-10");
  CHECK(child->fields.at("expiry_date") == "2036-01-01");
}
