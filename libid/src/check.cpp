// id-check's verdict: collects what each source on the document says and
// compares it (see check.hpp).
#include <idkit/check.hpp>
#include <idkit/cli.hpp>
#include <idkit/mrz.hpp>
#include <idkit/ocr.hpp>
#include <idkit/record.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <set>

namespace idkit::check {

namespace {

// What one source on the document says, field by field.
struct Source {
  std::string name;                         // "MRZ", "barcode", "VIZ"
  std::map<std::string, std::string> value;  // normalised: ISO dates, A-Z codes
  std::map<std::string, std::string> text;   // as printed (names keep their diacritics)
  bool mrz = false;
  bool names_truncated = false;  // the MRZ name field is full / AAMVA truncation flags
  // MRZ: the nationality is a known code id-mrz made by changing a letter it
  // read (a "state" correction on line 2): a guess no check digit covers.
  bool nationality_guessed = false;
  std::string name_field;        // MRZ: the name field as read, fillers included
  std::vector<std::string> unreadable;  // VIZ fields read below kMinVizConfidence
  // VIZ: of the values kept, those on a line read below kMinVizConfidence
  // (with a confidence for each character): compared only, see weighLowLines.
  std::vector<std::string> low_line;
  std::vector<std::string> untrusted;   // MRZ fields of a zone that does not verify, read unsurely
  // Of those, the ones whose own check digit verifies: not compared, but the
  // best estimate left for expiry and age when no sure source holds them.
  std::map<std::string, std::string> vouched;
  // Of those, the dates their own check digit covers, read at
  // kVouchedMrzConfidence or more on lines id-mrz placed together: evidence
  // against a printed date that shows the difference surely (see evaluate).
  std::map<std::string, std::string> vouched_dates;
  // Of the untrusted, the names of a zone whose reader doubted no cell
  // (`uncertain` empty: id-mrz lists every name letter it was unsure of),
  // whose codes, letters no check digit covers either, it read as known
  // ones (mrva-photo-s9191-0003: JV<FRAAASLUND, a cell off, names at 0.9)
  // and whose lines it placed together, each letter read at
  // kVouchedMrzConfidence or more (a name's confidence is its weakest
  // letter's): no check digit covers a name in a valid zone either; the
  // zone's doubt elsewhere keeps it evidence only against a print that
  // shows the difference surely (see evaluate). Lower, such a zone's names
  // are misread with no letter listed (fra-id-photo-s41-0085's AURELIE
  // read AUTFLIE at 0.685, fra-id-photo-s4141-0005's JEROME JEPMME at 0.651).
  std::map<std::string, std::string> unquestioned_names;
  // VIZ: Tesseract's confidence in each character of the value, when id-ocr gave it.
  std::map<std::string, std::vector<double>> char_conf;
  // VIZ: the runner-up character at each position of the value ('\0': none),
  // from id-ocr's char_alternatives.
  std::map<std::string, std::string> runner_up;
};

std::string str(const Json& j, std::string_view key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return {};
}

// Typed look-ups that never throw on a record of the wrong shape.
bool flag(const Json& j, std::string_view key, bool fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}
double number(const Json& j, std::string_view key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

std::string upperAlnum(std::string_view s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool isIso(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(d[i]))) return false;
  return true;
}
// "1974-08-12" -> "740812"
std::string yymmdd(std::string_view iso) {
  return std::string(iso.substr(2, 2)) + std::string(iso.substr(5, 2)) + std::string(iso.substr(8, 2));
}

std::string normalSex(std::string_view s) {
  const std::string u = upperAlnum(s);
  if (u.empty() || s == "<") return s == "<" ? "X" : "";
  if (u == "M" || u == "MALE" || u == "1" || u == "LAKILAKI" || u == "H") return "M";
  if (u == "F" || u == "FEMALE" || u == "2" || u == "PEREMPUAN" || u == "W") return "F";
  if (u == "X" || u == "9" || u == "U") return "X";
  return "";
}

void put(Source& s, const std::string& field, std::string v, std::string text = {}) {
  if (v.empty()) return;
  s.text[field] = text.empty() ? v : std::move(text);
  s.value[field] = std::move(v);
}

std::optional<Source> mrzSource(const Json& record, const std::string& as_of) {
  auto m = record.find("mrz");
  if (m == record.end() || !m->is_object() || !m->contains("fields")) return std::nullopt;
  const Json& f = (*m)["fields"];
  Source s;
  s.name = "MRZ";
  s.mrz = true;
  // A zone that does not verify is evidence only where it was read surely:
  // not a field whose check digit fails, nor one id-mrz read below
  // kSureMrzConfidence. A field without a confidence (sex, nationality, or
  // a zone parsed from text) is left out when the zone is not legible, and
  // nationality when its code is not a known one.
  std::set<std::string, std::less<>> failing, verified;
  if (auto c = m->find("checks"); c != m->end() && c->is_object())
    for (const auto& [name, ok] : c->items()) {
      if (ok == false) failing.insert(name);
      if (ok == true) verified.insert(name);
    }
  const bool valid = flag(*m, "valid", true) && failing.empty();
  const Json no_confidence = Json::object();
  const auto fc = m->find("field_confidence");
  const Json& conf = fc != m->end() && fc->is_object() ? *fc : no_confidence;
  // The check digit that covers a field: a French ID card's expiry follows
  // from the issue date its document number begins with.
  auto checkOf = [&](const std::string& field) {
    return field == "expiry_date" && f.contains("expiry_date_rule") ? std::string("document_number") : field;
  };
  auto sure = [&](const std::string& field) {
    if (valid) return true;
    if (failing.contains(checkOf(field))) return false;
    if (field == "nationality" && failing.contains("known_state")) return false;
    auto it = conf.find(field);
    if (it == conf.end() || !it->is_number()) return !failing.contains("legible");
    return it->get<double>() >= kSureMrzConfidence;
  };
  const auto doubts = m->find("uncertain");
  const bool letters_doubted = (doubts != m->end() && doubts->is_array() && !doubts->empty()) ||
                               failing.contains("lines_aligned") || failing.contains("charset") ||
                               failing.contains("known_state") || failing.contains("known_document_code");
  auto putSure = [&](const std::string& field, std::string v) {
    if (v.empty()) return;
    if (sure(field)) return put(s, field, std::move(v));
    s.untrusted.push_back(field);
    if (field == "surname" || field == "given_names") {
      const auto c = conf.find(field);
      if (!letters_doubted && c != conf.end() && c->is_number() && c->get<double>() >= kVouchedMrzConfidence)
        s.unquestioned_names[field] = v;
    }
    if (!verified.contains(checkOf(field))) return;
    const auto c = conf.find(field);
    if (field.ends_with("_date") && checkOf(field) == field && !failing.contains("lines_aligned") && c != conf.end() &&
        c->is_number() && c->get<double>() >= kVouchedMrzConfidence)
      s.vouched_dates[field] = v;
    s.vouched[field] = std::move(v);
  };
  putSure("surname", str(f, "surname"));
  putSure("given_names", str(f, "given_names"));
  putSure("document_number", upperAlnum(str(f, "document_number")));
  putSure("nationality", upperAlnum(str(f, "nationality")));
  if (auto c = m->find("corrections"); c != m->end() && c->is_array())
    for (const Json& fix : *c)
      if (str(fix, "why") == "state" && fix.value("line", 0) == 2) s.nationality_guessed = true;
  putSure("sex", normalSex(str(f, "sex")));
  // Dates again from the raw YYMMDD: the century depends on the reference date.
  auto date = [&](const char* key, mrz::DateKind kind) {
    const std::string raw = str(f, std::string(key) + "_raw");
    std::string iso = raw.size() == 6 ? mrz::resolveDate(raw, kind, as_of).iso : str(f, key);
    if (isIso(iso)) putSure(key, iso);
  };
  date("birth_date", mrz::DateKind::Birth);
  date("expiry_date", mrz::DateKind::Expiry);
  date("issue_date", mrz::DateKind::Other);
  // A name field that reaches the end of its line may have been truncated.
  const std::string format = str(*m, "format");
  if (auto lines = m->find("lines"); lines != m->end() && lines->is_array() && !lines->empty()) {
    const std::size_t idx = format == "TD1" ? 2 : 0;
    if (idx < lines->size() && (*lines)[idx].is_string()) {
      const std::string line = (*lines)[idx].get<std::string>();
      s.names_truncated = !line.empty() && line.back() != '<';
      // TD1's third line is all name; the others' first line starts with
      // the document code and the issuing state.
      if (format != "FRENCH_ID") s.name_field = idx == 2 ? line : line.substr(std::min<std::size_t>(5, line.size()));
    }
  }
  if (format == "FRENCH_ID") s.names_truncated = true;  // 25 + 14 characters, routinely cut
  return s;
}

std::optional<Source> barcodeSource(const Json& record, const std::string& name = "barcode") {
  auto b = record.find("barcodes");
  if (b == record.end() || !b->is_array()) return std::nullopt;
  // An idkit QR card's payload (id-synth qr-id): fields in a fixed order.
  for (const Json& code : *b)
    if (auto f = parseIdkitPayload(str(code, "text"))) {
      Source s;
      s.name = name;
      put(s, "surname", f->surname);
      put(s, "given_names", f->given_names);
      put(s, "document_number", upperAlnum(f->document_number));
      put(s, "sex", normalSex(f->sex));
      for (const auto& [key, v] : {std::pair{"birth_date", &f->birth_date}, {"expiry_date", &f->expiry_date}})
        if (isIso(*v)) put(s, key, *v);
      return s;
    }
  for (const Json& code : *b) {
    if (!code.is_object() || !code.contains("aamva") || !code["aamva"].is_object()) continue;
    const Json& f = code["aamva"].value("fields", Json::object());
    if (!f.is_object()) continue;
    Source s;
    s.name = name;
    put(s, "surname", str(f, "surname"));
    std::string given = str(f, "given_names");
    if (given.empty()) given = str(f, "first_name") + " " + str(f, "middle_names");
    if (!upperAlnum(given).empty()) put(s, "given_names", given);
    put(s, "document_number", upperAlnum(str(f, "document_number")));
    put(s, "sex", normalSex(str(f, "sex")));
    for (const char* d : {"birth_date", "expiry_date", "issue_date"})
      if (isIso(str(f, d))) put(s, d, str(f, d));
    s.names_truncated = flag(f, "surname_truncated", false) || flag(f, "first_name_truncated", false) ||
                        flag(f, "middle_names_truncated", false);
    return s;
  }
  return std::nullopt;
}

// id-ocr's char_alternatives: one entry per character of the value, null or
// [character, confidence]; the characters as one string ('\0' where there is
// none, one weighing under kRunnerUpWeight, or one of several bytes: a
// marked letter never equals a character of another source's transliterated
// value), empty when the entries do not cover the value one to one.
std::string runnerUps(const Json& f, const std::string& value) {
  auto a = f.is_object() ? f.find("char_alternatives") : f.end();
  if (!f.is_object() || a == f.end() || !a->is_array() || a->size() != value.size()) return {};
  std::string out;
  for (const Json& e : *a) {
    if (e.is_null()) {
      out += '\0';
    } else if (e.is_array() && !e.empty() && e[0].is_string() && !e[0].get<std::string>().empty()) {
      const std::string& c = e[0].get_ref<const std::string&>();
      const bool weighed = e.size() > 1 && e[1].is_number();
      out += c.size() > 1 || (weighed && e[1].get<double>() < kRunnerUpWeight) ? '\0' : c[0];
    } else {
      return {};
    }
  }
  return out;
}

// id-ocr fields: {"NAME": {"text": "...", "value": "...", ...}} (a plain string is taken as both).
std::optional<Source> vizSource(const Json& record) {
  auto o = record.find("ocr");
  if (o == record.end() || !o->is_object() || !o->contains("fields") || !(*o)["fields"].is_object())
    return std::nullopt;
  Source s;
  s.name = "VIZ";
  for (const auto& [key, f] : (*o)["fields"].items()) {
    std::string value = f.is_string() ? f.get<std::string>() : str(f, "value");
    std::string text = f.is_string() ? value : str(f, "text");
    // Only fields some other source holds are reported unreadable: a visa's
    // remarks or a licence's eye colour read badly is nothing to act on.
    const bool compared = comparedVizField(key);
    std::vector<double> conf;
    if (auto c = f.is_object() ? f.find("char_confidence") : f.end(); f.is_object() && c != f.end() && c->is_array()) {
      for (const Json& v : *c)
        if (v.is_number()) conf.push_back(v.get<double>());
      if (conf.size() != c->size()) conf.clear();
    }
    // The line's confidence is Tesseract's mean over its words, junk and label
    // remnants the value leaves out included: a value each of whose characters
    // was read surely is evidence even on a line read below kMinVizConfidence.
    const bool chars_sure = !value.empty() && conf.size() == value.size() &&
                            std::all_of(conf.begin(), conf.end(), [](double c) { return c >= kStrongCharConfidence; });
    // A value with a confidence for each character is kept for comparison
    // even on such a line: where it differs from another source, the
    // characters of the difference decide, as on any line (weighLowLines).
    if (f.is_object() && f.contains("confidence") && f["confidence"].is_number() &&
        f["confidence"].get<double>() < kMinVizConfidence && !chars_sure) {
      if (compared && key != "name" && !value.empty() && conf.size() == value.size()) {
        s.low_line.push_back(key);
      } else {
        if (compared) s.unreadable.push_back(key);
        continue;
      }
    }
    if (value.empty()) {
      // A compared field the template read as nothing is as unreadable as a
      // low-confidence one (a blurred date must not pass for a missing one).
      if (f.is_object() && compared) s.unreadable.push_back(key);
      continue;
    }
    if (!conf.empty()) s.char_conf[key] = std::move(conf);
    if (std::string alt = runnerUps(f, value); !alt.empty()) s.runner_up[key] = std::move(alt);
    if (key == "surname" || key == "given_names") {
      // id-ocr gave a name the reference's spelling of diacritics Tesseract
      // cannot see (source "template+mrz"): that spelling is what compares.
      const bool reconciled = str(f, "source") == "template+mrz";
      put(s, key, value, text.empty() || reconciled ? value : text);
    } else if (key == "name") {  // "SURNAME, GIVEN NAMES" (visas)
      const std::string t = text.empty() ? value : text;
      if (auto comma = t.find(','); comma != std::string::npos) {
        std::string surname = t.substr(0, comma), given = t.substr(comma + 1);
        // A name the reference settled (id-ocr: the print shows its spelling,
        // source "template+mrz") compares in that spelling, as a surname
        // field's does: its value split where the print's comma splits the
        // words (mrvb-photo-s5353-0068: CAKIR, CACRI EMRE read, its G shown,
        // the value CAKIR CAGRI EMRE).
        if (str(f, "source") == "template+mrz") {
          const std::string printed_surname = ocr::normaliseName(surname);
          const std::size_t words = static_cast<std::size_t>(std::ranges::count(printed_surname, ' ')) + 1;
          std::size_t cut = std::string::npos;  // the value's words-th space
          for (std::size_t w = 0, from = 0; w < words; ++w, from = cut + 1)
            if ((cut = value.find(' ', from)) == std::string::npos) break;
          if (!printed_surname.empty() && cut != std::string::npos)
            surname = value.substr(0, cut), given = value.substr(cut + 1);
        }
        if (!s.value.contains("surname")) put(s, "surname", surname);
        if (!s.value.contains("given_names")) put(s, "given_names", given);
      }
    } else if (key == "birth_date" || key == "expiry_date" || key == "issue_date") {
      if (isIso(value)) put(s, key, value, text);
    } else if (key == "document_number" || key == "nik" || key == "passport_number") {
      put(s, key, upperAlnum(value), text);
    } else if (key == "sex") {
      put(s, key, normalSex(value), text);
    } else if (key == "nationality") {
      // Only codes compare; "UTOPIAN" or "DEUTSCH" say the same in words. A
      // code read shorter than the template's pattern (ISL read "A") comes
      // with no character read surely (ocr::fragmentOf): a difference in it
      // is unreadable print, as in any field.
      const std::string code = upperAlnum(value);
      if (!code.empty() && code.size() <= 3 && std::all_of(code.begin(), code.end(), ::isalpha))
        put(s, key, code, text);
    }
  }
  if (s.value.empty() && s.unreadable.empty()) return std::nullopt;
  return s;
}

// A printed value on a line read below kMinVizConfidence is evidence only
// against another source holding the field: where they differ, the
// difference's characters decide (differenceConfidence), so a changed year
// read surely on a line whose mean the label or a blurred month pulls down
// is a mismatch (td2-photo-s2020-0033: 2018-08-12 on a 0.25 line, the year's
// digits at 0.97-1). Where no other source holds the field, it stays
// unreadable: such a value is no source of its own for expiry or age.
void weighLowLines(std::vector<Source>& sources) {
  for (Source& viz : sources) {
    for (const std::string& key : viz.low_line) {
      if (std::any_of(sources.begin(), sources.end(),
                      [&](const Source& o) { return &o != &viz && o.value.contains(key); }))
        continue;
      viz.value.erase(key), viz.text.erase(key);
      viz.unreadable.push_back(key);
    }
  }
}

struct Collector {
  const Policy& policy;
  Result& result;
  void add(std::string_view code, std::string detail) {
    const Severity sev = policy.of(code);
    if (sev == Severity::ignore) return;
    result.reasons.push_back({std::string(code), std::move(detail), sev});
  }
};

const char* label(const std::string& field) {
  if (field == "surname") return "Surname";
  if (field == "given_names") return "Given names";
  if (field == "birth_date") return "Date of birth";
  if (field == "expiry_date") return "Expiry date";
  if (field == "issue_date") return "Issue date";
  if (field == "document_number") return "Document number";
  if (field == "sex") return "Sex";
  if (field == "nationality") return "Nationality";
  return "Field";
}

// The part of an MRZ's name field that holds `field` when that part runs to
// the field's end (the given names after "<<"; a surname with no "<<" after
// it), where a name too long for the field is cut; "" for any other.
std::string_view namePartToEnd(const Source& mrz, const std::string& field) {
  const std::string_view f = mrz.name_field;
  const std::size_t sep = f.find("<<");
  if (field == "given_names") return sep == std::string_view::npos ? std::string_view{} : f.substr(sep + 2);
  return sep == std::string_view::npos ? f : std::string_view{};
}

// `name`: the zone's value of `field` (its `value`'s, or an untrusted zone's
// unquestioned name).
bool mrzNameMatches(const std::string& field, const std::string& name, const Source& mrz, const Source& printed) {
  const std::string& text = printed.text.at(field);
  return nameMatches(name, text, mrz.names_truncated) ||
         cutAtFieldEnd(namePartToEnd(mrz, field), text);
}

bool sameValue(const std::string& field, const Source& a, const Source& b) {
  const std::string& va = a.value.at(field);
  const std::string& vb = b.value.at(field);
  if (field == "surname" || field == "given_names") {
    if (a.mrz) return mrzNameMatches(field, va, a, b);
    if (b.mrz) return mrzNameMatches(field, vb, b, a);
    // Two printed renderings: any spelling of one against any of the other.
    for (const std::string& sa : nameSpellings(a.text.at(field)))
      for (const std::string& sb : nameSpellings(b.text.at(field))) {
        if (sa == sb) return true;
        if (a.names_truncated && sb.starts_with(sa)) return true;
        if (b.names_truncated && sa.starts_with(sb)) return true;
      }
    return false;
  }
  if (va == vb) return true;
  // A visa's MRZ may carry the passport number in its number field (Doc 9303 part 7).
  if (field == "document_number" && (a.mrz || b.mrz)) {
    const Source& printed = a.mrz ? b : a;
    const std::string& mrz_value = a.mrz ? va : vb;
    if (auto p = printed.value.find("passport_number"); p != printed.value.end() && p->second == mrz_value) return true;
    // Its passport number printed but not read surely: the visa's own number
    // differing from the zone's is no evidence (mrva-photo-s9191-0083: the
    // zone's KA3552472, the passport number KA3552472 read at 0.2 beside the
    // visa number F33801124).
    if (std::find(printed.unreadable.begin(), printed.unreadable.end(), "passport_number") != printed.unreadable.end())
      return true;
  }
  // The MRZ's two-digit year leaves the century to a rule; same digits = same date.
  if ((a.mrz || b.mrz) && field.ends_with("_date")) return yymmdd(va) == yymmdd(vb);
  return false;
}

std::string_view mismatchCode(const std::string& field) {
  if (field == "surname" || field == "given_names") return code::name_mismatch;
  if (field == "birth_date") return code::birth_date_mismatch;
  if (field == "expiry_date") return code::expiry_date_mismatch;
  if (field == "issue_date") return code::issue_date_mismatch;
  if (field == "document_number") return code::document_number_mismatch;
  if (field == "sex") return code::sex_mismatch;
  return code::nationality_mismatch;
}

// The first source (in trust order: MRZ, barcode, VIZ) holding `field`.
std::optional<std::string> first(const std::vector<Source>& sources, const std::string& field) {
  for (const Source& s : sources)
    if (auto it = s.value.find(field); it != s.value.end()) return it->second;
  return std::nullopt;
}
// A date an unsure MRZ's own check digit vouches for (a misread verifies one
// time in ten; unknown would let an expired document pass).
std::optional<std::string> vouchedDate(const std::vector<Source>& sources, const std::string& field) {
  for (const Source& s : sources)
    if (auto it = s.vouched.find(field); it != s.vouched.end()) return it->second;
  return std::nullopt;
}
// Whether a digit of a printed date was read under kStrongCharConfidence (a
// date without a confidence for each character counts as read surely).
bool doubtedDate(const Source& s, const std::string& field) {
  const auto c = s.char_conf.find(field);
  const auto v = s.value.find(field);
  if (c == s.char_conf.end() || v == s.value.end() || c->second.size() != v->second.size()) return false;
  for (std::size_t i = 0; i < v->second.size(); ++i)
    if (std::isdigit(static_cast<unsigned char>(v->second[i])) && c->second[i] < kStrongCharConfidence) return true;
  return false;
}

// The date that decides expiry or age, in the order sources vouch for it:
// the MRZ read surely, a barcode, a print whose every digit was read surely;
// then an unsure MRZ's date its own check digit verifies, before a print
// read with a digit in doubt (td2-photo-s2525-0001: the zone's 270112
// verified by its digit, the print's 2027 read 2077 with the 7 at 0.9).
std::optional<std::string> decidingDate(const std::vector<Source>& sources, const std::string& field) {
  const Source* doubted = nullptr;
  for (const Source& s : sources)
    if (auto it = s.value.find(field); it != s.value.end()) {
      if (!doubtedDate(s, field)) return it->second;
      if (!doubted) doubted = &s;
    }
  if (auto v = vouchedDate(sources, field)) return v;
  if (!doubted) return std::nullopt;
  return doubted->value.at(field);
}

// Why a zone does not verify, and whether that is a misreading (see
// check.hpp, kSureFailingField): every failing check is id-mrz's doubt, or a
// check digit failing on a field read with doubt in a zone id-mrz marks not
// legible (a failing composite explained by such a field). A check digit
// failing on a field read surely, a composite failing alone, a character
// outside the alphabet or a sure unknown code is evidence against the zone.
struct MrzFailure {
  std::string failing;   // the failing checks, comma-separated
  bool misread = false;  // mrz_unreadable rather than mrz_invalid
};
MrzFailure judgeMrz(const Json& m) {
  MrzFailure out;
  std::vector<std::string> failing;
  if (auto c = m.find("checks"); c != m.end() && c->is_object())
    for (const auto& [name, ok] : c->items())
      if (ok == false) failing.push_back(name);
  const auto fc = m.find("field_confidence");
  auto unsureField = [&](const std::string& name) {
    if (fc == m.end() || !fc->is_object()) return false;
    auto it = fc->find(name);
    return it != fc->end() && it->is_number() && it->get<double>() < kSureFailingField;
  };
  bool legible = true, sure_failure = false, unsure_digit = false, composite = false;
  for (const std::string& name : failing) {
    out.failing += (out.failing.empty() ? "" : ", ") + name;
    if (name == "legible") legible = false;
    if (mrzDoubtCheck(name)) continue;
    if (name == "composite") composite = true;
    else if (unsureField(name)) unsure_digit = true;
    else sure_failure = true;
  }
  if (composite && !unsure_digit) sure_failure = true;
  out.misread = !legible && !sure_failure;
  return out;
}

std::string errorSummary(const Json& record) {
  std::string out;
  if (auto e = record.find("errors"); e != record.end() && e->is_array())
    for (const Json& err : *e) {
      if (!out.empty()) out += "; ";
      out += fmt::format("{} failed with {}", str(err, "tool"), str(err, "code"));
    }
  return out.empty() ? "the record arrived with status error" : out;
}

// id-ocr ran on the document and read no printed field: it found no layout to
// read on the card (a licence front id-deskew cut wrongly). A licence's back
// (`"side": "back"`: its PDF417 read) holds no printed fields to read.
bool printNotRead(const Json& record) {
  const auto o = record.find("ocr");
  if (o == record.end() || !o->is_object() || str(*o, "side") == "back") return false;
  const auto t = o->find("template");
  const auto f = o->find("fields");
  return (t == o->end() || t->is_null()) && (f == o->end() || !f->is_object() || f->empty());
}

}  // namespace

bool Result::has(std::string_view c) const {
  return std::any_of(reasons.begin(), reasons.end(), [&](const Reason& r) { return r.code == c; });
}

Json Result::toJson() const {
  Json j;
  j["pass"] = pass;
  j["reasons"] = Json::array();
  for (const Reason& r : reasons)
    j["reasons"].push_back({{"code", r.code}, {"detail", r.detail}, {"severity", toString(r.severity)}});
  j["as_of"] = as_of;
  if (min_age > 0) j["min_age"] = min_age;
  return j;
}

std::optional<std::pair<std::string, std::string>> sideOf(std::string_view input) {
  const std::size_t slash = input.rfind('/');
  const std::size_t name_at = slash == std::string_view::npos ? 0 : slash + 1;
  std::string_view stem = input.substr(name_at);
  if (const std::size_t dot = stem.rfind('.'); dot != std::string_view::npos && dot > 0) stem = stem.substr(0, dot);
  for (std::string_view side : {"front", "back"})
    for (char sep : {'-', '_'}) {
      const std::string suffix = std::string(1, sep) + std::string(side);
      if (stem.size() > suffix.size() && stem.ends_with(suffix))
        return std::pair{std::string(input.substr(0, name_at)) + std::string(stem.substr(0, stem.size() - suffix.size())),
                         std::string(side)};
    }
  return std::nullopt;
}

Expected<Pairs> Pairs::load(const std::filesystem::path& file) {
  if (file.empty()) return Pairs{};
  std::ifstream in(file);
  if (!in) return std::unexpected(Error{"not_found", "cannot read --pair file " + file.string()});
  Pairs pairs;
  std::size_t line_no = 0;
  while (auto line = cli::readRecordLine(in, line_no))
    if (line->record) pairs.add(*line->record);
  return pairs;
}

void Pairs::add(const Json& record) {
  if (auto side = sideOf(str(record, "input"))) by_key_[side->first + "|" + side->second] = record;
}

const Json* Pairs::partnerOf(const Json& record) const {
  auto side = sideOf(str(record, "input"));
  if (!side) return nullptr;
  auto it = by_key_.find(side->first + "|" + (side->second == "front" ? "back" : "front"));
  return it == by_key_.end() ? nullptr : &it->second;
}

Result evaluate(const Json& record, const Options& opts, const Json* partner) {
  Result result;
  result.as_of = opts.as_of.empty() ? today() : opts.as_of;
  result.min_age = opts.min_age > 0 ? opts.min_age : opts.policy.min_age;
  Collector out{opts.policy, result};
  const std::string& as_of = result.as_of;

  std::vector<Source> sources;
  if (auto s = mrzSource(record, as_of)) sources.push_back(std::move(*s));
  bool has_barcode = false;
  if (auto s = barcodeSource(record)) sources.push_back(std::move(*s)), has_barcode = true;
  else if (partner && partner->is_object())
    if (auto p = barcodeSource(*partner, "barcode on the other side")) sources.push_back(std::move(*p)), has_barcode = true;
  if (auto s = vizSource(record)) sources.push_back(std::move(*s));
  weighLowLines(sources);

  // A document without an MRZ (a driving licence, a QR card) errs in id-mrz:
  // when anything was read from it (a value, or a field an unsure MRZ's
  // check digit vouches for: a date still dates the document), it was
  // processed. Whether anything machine-readable vouches for the print is
  // unverified's matter (an e-KTP's NIK, which encodes the birth date and
  // sex, counts).
  const bool read_any = std::any_of(sources.begin(), sources.end(),
                                    [](const Source& s) { return !s.value.empty() || !s.vouched.empty(); });
  const bool machine_read = std::any_of(sources.begin(), sources.end(),
                                        [](const Source& s) { return s.name != "VIZ" && !s.value.empty(); }) ||
                            first(sources, "nik").has_value();
  bool errored = recordStatus(record) == Status::error;
  if (errored && read_any) {
    bool only_no_mrz = false;
    if (auto e = record.find("errors"); e != record.end() && e->is_array() && !e->empty())
      only_no_mrz = std::all_of(e->begin(), e->end(), [](const Json& err) { return str(err, "code") == "mrz_not_found"; });
    errored = !only_no_mrz;
  }
  if (errored) out.add(code::not_processed, errorSummary(record));
  // Read, but nothing surely (a blurred photo: every MRZ field and printed
  // field under its bar) is "could not verify", unverified; only a record
  // holding no reading at all is no_document_data.
  const bool read_unsurely = std::any_of(sources.begin(), sources.end(), [](const Source& s) {
    return !s.untrusted.empty() || !s.unreadable.empty();
  });
  if (!errored && !read_any && !read_unsurely)
    out.add(code::no_document_data,
            sources.empty() ? "Nothing was read from the document: no MRZ, AAMVA barcode or printed fields."
                            : "Nothing was read from the document: no MRZ field, barcode or printed field to check.");
  else if (!errored && !read_any)
    out.add(code::unverified,
            "Nothing was read surely: every MRZ and printed field read was below its confidence bar, so nothing "
            "could be compared or verified.");
  else if (!errored && !machine_read)
    out.add(code::unverified,
            has_barcode || record.contains("mrz")
                ? "No field of the MRZ or barcode was read surely: the printed fields were compared with nothing."
                : "No MRZ or barcode was read (on this side or, with --pair, the other): the printed fields were "
                  "compared with nothing.");

  if (auto m = record.find("mrz"); m != record.end() && m->is_object() && !flag(*m, "valid", true)) {
    const MrzFailure why = judgeMrz(*m);
    std::string left_out;
    for (const Source& s : sources)
      if (s.mrz)
        for (const std::string& field : s.untrusted) left_out += (left_out.empty() ? "" : ", ") + field;
    if (!left_out.empty()) left_out = " Not compared: " + left_out + ".";
    if (why.misread)
      out.add(code::mrz_unreadable, "The MRZ was read with doubt (" + why.failing + ")." + left_out);
    else
      out.add(code::mrz_invalid,
              (why.failing.empty() ? "The MRZ does not verify." : "MRZ check failed: " + why.failing + ".") + left_out);
  }

  // How the print shows its difference from another source's value.
  auto printedAgainst = [](const Source& viz, const std::string& field, std::string_view theirs) {
    const auto c = viz.char_conf.find(field);
    const auto r = viz.runner_up.find(field);
    const FieldKind kind = field.ends_with("_date")     ? FieldKind::date
                           : field == "document_number" ? FieldKind::document_number
                                                        : FieldKind::text;
    return printedDifference(kind, viz.value.at(field), c == viz.char_conf.end() ? nullptr : &c->second,
                             r == viz.runner_up.end() ? std::string_view{} : std::string_view(r->second), theirs);
  };
  // Another source's value (`theirs`) as the print is weighed against it: a
  // name in its first spelling, completed by the print where the other cut it.
  auto referenceFor = [](const std::string& field, std::string theirs, const Source& other, const Source& viz) {
    if (field == "surname" || field == "given_names") {
      theirs = nameSpellings(theirs).front();
      if (other.names_truncated) theirs = completedByPrint(theirs, viz.value.at(field));
    }
    return theirs;
  };
  // Every pair of sources, field by field; one reason per field and pair.
  static const std::vector<std::string> kFields{"surname",     "given_names",     "birth_date", "expiry_date",
                                                "issue_date",  "document_number", "sex",        "nationality"};
  std::vector<std::pair<std::string_view, std::string>> mismatches;
  std::vector<std::string> uncertain;  // printed fields differing only where the OCR was unsure
  std::vector<std::string> misread;    // printed fields differing only where the OCR's runner-up agrees
  std::string guessed;                 // an MRZ nationality id-mrz guessed, differing from another source
  for (const std::string& field : kFields)
    for (std::size_t i = 0; i < sources.size(); ++i)
      for (std::size_t j = i + 1; j < sources.size(); ++j) {
        const Source &a = sources[i], &b = sources[j];
        if (!a.value.contains(field) || !b.value.contains(field) || sameValue(field, a, b)) continue;
        // A nationality id-mrz changed to a known code is its likelier
        // reading, not a vouched one: a difference from it is the zone's
        // doubt, not a forgery (td2-photo-s2525-0049: CAN read TAN, taken
        // as TON; the print read CAN at 1.0 a letter).
        if (field == "nationality" && (a.nationality_guessed || b.nationality_guessed)) {
          const Source &m = a.nationality_guessed ? a : b, &o = a.nationality_guessed ? b : a;
          guessed = fmt::format("the nationality '{}' is a known code id-mrz made by changing a letter it read; "
                                "the {} says '{}'",
                                m.text.at(field), o.name, o.text.at(field));
          continue;
        }
        // A misread is not a forgery: the printed value fails the document
        // only where the print shows the difference (printedDifference).
        if (const Source* viz = a.name == "VIZ" ? &a : b.name == "VIZ" ? &b : nullptr) {
          const Source& other = viz == &a ? b : a;
          switch (printedAgainst(*viz, field, referenceFor(field, other.value.at(field), other, *viz))) {
            case Difference::none: continue;
            case Difference::unsure:
              if (std::find(uncertain.begin(), uncertain.end(), field) == uncertain.end()) uncertain.push_back(field);
              continue;
            case Difference::misread:
              misread.push_back(fmt::format("{} (the {} says '{}', the VIZ '{}')", field, other.name,
                                            other.text.at(field), viz->text.at(field)));
              continue;
            case Difference::shown: break;
          }
        }
        mismatches.emplace_back(mismatchCode(field),
                                fmt::format("{} differs: the {} says '{}', the {} says '{}'.", label(field), a.name,
                                            a.text.at(field), b.name, b.text.at(field)));
      }

  // A date of an unsure zone vouched for by its own check digit: one misread
  // digit changes the digit's weighted sum (the weights 7, 3, 1 are prime to
  // 10), so only two misread digits that cancel pass it. Too weak alone to be
  // compared (mrz_unreadable leaves it out), it is the second witness where
  // the print shows the difference surely (printedDifference: shown): the two
  // sources then disagree on evidence from both sides. A print that differs
  // only where it was read unsurely or misread, or without a confidence for
  // each character, says nothing here.
  // Each zone with each print, for the second witnesses below.
  auto zonesAndPrints = [&](auto&& witness) {
    for (const Source& m : sources)
      for (const Source& viz : sources)
        if (m.mrz && viz.name == "VIZ") witness(m, viz);
  };
  zonesAndPrints([&](const Source& m, const Source& viz) {
    for (const auto& [field, date] : m.vouched_dates)
      if (viz.value.contains(field) && viz.char_conf.contains(field) && yymmdd(viz.value.at(field)) != yymmdd(date) &&
          printedAgainst(viz, field, date) == Difference::shown)
        mismatches.emplace_back(mismatchCode(field),
                                fmt::format("{} differs: the MRZ says '{}' (read with doubt, its check digit "
                                            "verifies), the VIZ says '{}'.",
                                            label(field), date, viz.text.at(field)));
  });
  // So is a name of an unsure zone none of whose letters id-mrz doubted
  // (td3-photo-s41-0066: the zone's expiry digit failing, its HAEGELAND
  // read at 0.91 with no letter in doubt; the print's forged HÆYELAND
  // read at 0.99 a letter).
  zonesAndPrints([&](const Source& m, const Source& viz) {
    for (const auto& [field, name] : m.unquestioned_names)
      if (viz.value.contains(field) && viz.char_conf.contains(field) && !mrzNameMatches(field, name, m, viz) &&
          printedAgainst(viz, field, referenceFor(field, name, m, viz)) == Difference::shown)
        mismatches.emplace_back(mismatchCode(field),
                                fmt::format("{} differs: the MRZ says '{}' (a zone read with doubt, no letter "
                                            "of the name in doubt), the VIZ says '{}'.",
                                            label(field), name, viz.text.at(field)));
  });

  // Indonesian NIK: its structure, and the birth date and sex it encodes.
  std::vector<std::pair<std::string_view, std::string>> nik_reasons;
  if (auto nik = first(sources, "nik")) {
    if (std::string why = nikStructureError(*nik); !why.empty()) {
      nik_reasons.emplace_back(code::nik_invalid, fmt::format("NIK {} is not valid: {}.", *nik, why));
    } else {
      const NikData d = *parseNik(*nik);
      if (auto birth = first(sources, "birth_date")) {
        const std::string encoded = fmt::format("{:02}{:02}{:02}", d.year2, d.month, d.day);
        if (yymmdd(*birth) != encoded)
          nik_reasons.emplace_back(code::nik_mismatch,
                                   fmt::format("NIK {} encodes the date of birth {:02}-{:02}-{:02} (DD-MM-YY), the "
                                               "card says {}.",
                                               *nik, d.day, d.month, d.year2, *birth));
      }
      if (auto sex = first(sources, "sex"); sex && (*sex == "M" || *sex == "F") && sex->front() != d.sex)
        nik_reasons.emplace_back(code::nik_mismatch,
                                 fmt::format("NIK {} encodes sex {} (day {}), the card says {}.", *nik, d.sex,
                                             nik->substr(6, 2), *sex));
    }
  }

  for (auto& [c, detail] : mismatches) out.add(c, detail);
  if (!guessed.empty()) {
    auto zone = std::find_if(result.reasons.begin(), result.reasons.end(), [](const Reason& r) {
      return r.code == code::mrz_unreadable || r.code == code::mrz_invalid;
    });
    if (zone != result.reasons.end()) zone->detail += " Also, " + guessed + ".";
    else out.add(code::mrz_unreadable, "The MRZ was read with doubt: " + guessed + ".");
  }
  for (const Source& s : sources)
    if (!s.unreadable.empty() || (s.name == "VIZ" && !uncertain.empty())) {
      auto join = [](const std::vector<std::string>& v) {
        std::string names;
        for (const std::string& n : v) names += (names.empty() ? "" : ", ") + n;
        return names;
      };
      std::string detail;
      if (!s.unreadable.empty()) detail = fmt::format("Printed fields read with low confidence, not compared: {}.", join(s.unreadable));
      if (s.name == "VIZ" && !uncertain.empty())
        detail += fmt::format("{}Printed fields that differ from another source only in characters read with low "
                              "confidence: {}.", detail.empty() ? "" : " ", join(uncertain));
      out.add(code::viz_unreadable, detail);
    }
  // A print id-ocr could not read at all is said, not passed in silence: a
  // licence front whose only reading was its back's barcode passed with no
  // reason (dl-photo-s67-0038 with a forged surname).
  if (printNotRead(record))
    out.add(code::viz_unreadable, "No printed field was read (id-ocr found no layout to read on the card): the print "
                                  "was compared with nothing.");
  if (!misread.empty()) {
    std::string fields;
    for (const std::string& m : misread) fields += (fields.empty() ? "" : "; ") + m;
    out.add(code::viz_misread, "Printed fields read surely but differing from another source only where the "
                               "OCR's second choice is that source's character: " + fields + ".");
  }
  for (auto& [c, detail] : nik_reasons) out.add(c, detail);

  result.expiry_date = decidingDate(sources, "expiry_date");
  if (!result.expiry_date) {
    if (!sources.empty()) out.add(code::expiry_unknown, "No expiry date was read from the document.");
  } else if (*result.expiry_date < as_of) {
    out.add(code::expired, fmt::format("The document expired on {} (reference date {}).", *result.expiry_date, as_of));
  }

  result.birth_date = decidingDate(sources, "birth_date");
  if (result.min_age > 0) {
    const auto age = result.birth_date ? ageOn(*result.birth_date, as_of) : std::nullopt;
    if (!age)
      out.add(code::age_unknown,
              fmt::format("A minimum age of {} is required but no date of birth was read.", result.min_age));
    else if (*age < result.min_age)
      out.add(code::under_age, fmt::format("The holder is {} on {}, younger than the minimum age of {}.", *age, as_of,
                                           result.min_age));
  }

  if (auto f = record.find("face");
      f != record.end() && f->is_object() && f->contains("match") && (*f)["match"].is_boolean()) {
    result.face_matched = (*f)["match"].get<bool>();
    if (!*result.face_matched)
      out.add(code::face_mismatch,
              fmt::format("The selfie does not match the portrait (similarity {:.3f}, threshold {:.3f}).",
                          number(*f, "similarity"), number(*f, "threshold")));
  } else {
    out.add(code::face_not_compared, "The record holds no face comparison (run id-face with a selfie).");
  }

  if (auto q = record.find("quality"); q != record.end() && q->is_object() && !flag(*q, "usable", true)) {
    std::string why;
    if (auto r = q->find("reasons"); r != q->end() && r->is_array())
      for (const Json& x : *r)
        if (x.is_string()) why += (why.empty() ? "" : ", ") + x.get<std::string>();
    out.add(code::poor_quality, "The image is not usable" + (why.empty() ? std::string(".") : ": " + why + "."));
  }

  // Reasons in allCodes() order, whatever order they were found in.
  std::stable_sort(result.reasons.begin(), result.reasons.end(), [](const Reason& a, const Reason& b) {
    const auto& codes = allCodes();
    return std::find(codes.begin(), codes.end(), a.code) < std::find(codes.begin(), codes.end(), b.code);
  });
  result.nationality = first(sources, "nationality");
  result.pass = std::none_of(result.reasons.begin(), result.reasons.end(),
                             [](const Reason& r) { return r.severity == Severity::fail; });
  return result;
}

Json claims(const Json& record, const Result& r, const std::vector<std::string>& keep) {
  Json out;
  out["idkit"] = kRecordVersion;
  for (const std::string& k : keep)
    if (auto it = record.find(k); it != record.end() && k != "claims" && k != "check") out[k] = *it;
  out["status"] = toString(recordStatus(record));
  Json c;
  auto ageOver = [&](int n) -> Json {
    if (!r.birth_date) return nullptr;
    auto age = ageOn(*r.birth_date, r.as_of);
    return age ? Json(*age >= n) : Json(nullptr);
  };
  c["age_over_18"] = ageOver(18);
  if (r.min_age > 0 && r.min_age != 18) c["age_over_" + std::to_string(r.min_age)] = ageOver(r.min_age);
  c["document_valid_until"] = r.expiry_date ? Json(*r.expiry_date) : Json(nullptr);
  c["document_valid"] = r.expiry_date ? Json(*r.expiry_date >= r.as_of) : Json(nullptr);
  c["nationality"] = r.nationality ? Json(*r.nationality) : Json(nullptr);
  c["face_matched"] = r.face_matched ? Json(*r.face_matched) : Json(nullptr);
  c["pass"] = r.pass;
  out["claims"] = std::move(c);
  Json check = r.toJson();
  for (Json& reason : check["reasons"]) reason["detail"] = describe(reason["code"].get<std::string>());
  out["check"] = std::move(check);
  // Error codes tell what went wrong; their messages may name files or values.
  if (auto e = record.find("errors"); e != record.end() && e->is_array()) {
    out["errors"] = Json::array();
    for (const Json& err : *e) out["errors"].push_back({{"tool", str(err, "tool")}, {"code", str(err, "code")}});
  }
  return out;
}

bool comparedVizField(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kCompared{
      "surname", "given_names", "name", "birth_date", "expiry_date", "issue_date",
      "document_number", "passport_number", "nik", "sex", "nationality"};
  return std::find(kCompared.begin(), kCompared.end(), name) != kCompared.end();
}

}  // namespace idkit::check
