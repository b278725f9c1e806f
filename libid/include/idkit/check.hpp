// The verdict on one document: everything the record holds, compared.
//
//   auto policy = idkit::check::Policy::load("data/policy/default.json");
//   idkit::check::Options opts{.as_of = "2025-06-01", .min_age = 18, .policy = *policy};
//   idkit::check::Result r = idkit::check::evaluate(record, opts);
//   record["check"] = r.toJson();
//
// Sources: the MRZ (`mrz.fields`), AAMVA barcodes (`barcodes[].aamva.fields`)
// and the printed fields read by id-ocr (`ocr.fields.NAME.{text,value}`, the
// VIZ). Every pair of sources holding the same field is compared; names with
// the transliteration and truncation rules of ICAO Doc 9303 part 3. Each
// finding is a Reason with a stable code; the policy says whether it fails the
// document or only warns.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <idkit/error.hpp>
#include <idkit/json.hpp>

namespace idkit::check {

// Reason codes (stable; documented in id-check(1)).
namespace code {
inline constexpr std::string_view not_processed = "not_processed";
inline constexpr std::string_view no_document_data = "no_document_data";
inline constexpr std::string_view mrz_invalid = "mrz_invalid";
inline constexpr std::string_view mrz_unreadable = "mrz_unreadable";
inline constexpr std::string_view unverified = "unverified";
inline constexpr std::string_view name_mismatch = "name_mismatch";
inline constexpr std::string_view birth_date_mismatch = "birth_date_mismatch";
inline constexpr std::string_view expiry_date_mismatch = "expiry_date_mismatch";
inline constexpr std::string_view issue_date_mismatch = "issue_date_mismatch";
inline constexpr std::string_view document_number_mismatch = "document_number_mismatch";
inline constexpr std::string_view sex_mismatch = "sex_mismatch";
inline constexpr std::string_view nationality_mismatch = "nationality_mismatch";
inline constexpr std::string_view viz_unreadable = "viz_unreadable";
inline constexpr std::string_view viz_misread = "viz_misread";
inline constexpr std::string_view expired = "expired";
inline constexpr std::string_view expiry_unknown = "expiry_unknown";
inline constexpr std::string_view under_age = "under_age";
inline constexpr std::string_view age_unknown = "age_unknown";
inline constexpr std::string_view face_mismatch = "face_mismatch";
inline constexpr std::string_view face_not_compared = "face_not_compared";
inline constexpr std::string_view poor_quality = "poor_quality";
inline constexpr std::string_view nik_invalid = "nik_invalid";
inline constexpr std::string_view nik_mismatch = "nik_mismatch";
}  // namespace code

// Every code, in the order reasons are reported.
const std::vector<std::string_view>& allCodes();
// A sentence describing the code without any value from the document (used
// by --claims, where details must not leak personal data).
std::string_view describe(std::string_view code);

enum class Severity { fail, warn, ignore };
std::string_view toString(Severity);

// Which codes fail a document, which only warn, which are not reported.
struct Policy {
  std::map<std::string, Severity, std::less<>> severity;
  Severity fallback = Severity::fail;  // codes the policy does not name
  int min_age = 0;                     // 0: no age check unless --min-age

  Severity of(std::string_view code) const;
  // The built-in policy: data/policy/default.json, compiled in.
  static Policy defaults();
  // {"required": [codes], "warn": [codes], "ignore": [codes], "default": "required"|"warn"|"ignore",
  //  "min_age": N}. Errors: policy_unreadable, policy_invalid (unknown code, bad JSON).
  static Expected<Policy> parse(std::string_view json_text);
  static Expected<Policy> load(const std::filesystem::path& file);
};

// Printed fields read with a lower OCR confidence are not compared (a
// misread is not a forgery); they are reported as viz_unreadable. Unless
// every character of the value was read at kStrongCharConfidence or more:
// the line's confidence is Tesseract's mean over its words, junk beside the
// value included (bench/ocr.sh: 13 compared fields on lines under 0.5 with
// every character at 0.95 or more, all 13 right). A value with a confidence
// for each character is still compared with another source holding the
// field: where they differ, the differing characters decide (as
// kStrongCharConfidence says); where none holds it, it stays unreadable.
inline constexpr double kMinVizConfidence = 0.5;
// A printed value that differs from another source fails the document only
// when Tesseract was at least this sure of every character involved in the
// difference (id-ocr's char_confidence); else it is a likely misread and
// reported as viz_unreadable. A date's digits stand in their places: one
// digit that differs read this surely is enough (printedDifference). Measured on bench/ocr.sh (300 id-synth
// documents): 98 % of the year digits of printed birth dates read at >= 0.95,
// while genuine misreads of document numbers and names sit at 0.94-0.96; a
// higher bar would let more changed dates through.
inline constexpr double kStrongCharConfidence = 0.95;
// A second choice (id-ocr's char_alternatives) explains a difference as a
// misread only when the OCR gave it at least this weight. The typeface check
// of a date's digits names the closest other digit of one it read surely at
// 0.03: a forged 1989 over a true 1988 has 8 as the 9's closest rival, and is
// no misread (bench/tamper.sh). The second choices that explain genuine
// misreads on the photo sets weigh 0.26-0.77.
inline constexpr double kRunnerUpWeight = 0.1;

// An MRZ that id-mrz could not verify (`valid` false) is evidence only where
// its reading is sure: a field whose own check digit fails is left out, and
// so is one id-mrz read below this confidence (`field_confidence`; a verified
// check digit lifts a doubtful field to 0.9, so 0.9 means "verified by its
// digit alone", which a misread passes one time in ten). Measured on
// bench/ocr.sh: a zone with legible false read the document number
// XM6D59OR7 (printed XM6859087) at 0.904 with its check digit verifying.
inline constexpr double kSureMrzConfidence = 0.95;
// An MRZ field whose check digit verifies is read at this confidence or more
// (id-mrz lifts it to 0.9 at least) unless the digit decided an erased
// character of it in a zone that does not verify: such a field keeps its
// weakest cell's confidence (fra-id-photo-s4242-0077's birth date 900606 read
// 340606 at 0.5, both checking alike). A date vouched for so by its own
// digit is evidence where the print shows a difference surely; never alone.
inline constexpr double kVouchedMrzConfidence = 0.9;
// The MRZ checks that say id-mrz was unsure of characters no check digit
// covers, not that a check digit failed: legible, known_state,
// known_document_code; and lines_aligned, id-mrz's own finding that it
// placed a line cells off the others (a reading's fault: the lines of a
// printed zone start together), which misplaces every field on it. A zone
// failing only these (with legible among them) is reported as mrz_unreadable.
bool mrzDoubtCheck(std::string_view check);
// A failing check digit is evidence that the zone was altered (mrz_invalid)
// when id-mrz read its field and the digit surely: every character at
// kStrongCharConfidence or more, as for a printed difference. In a zone
// id-mrz marks not legible, a digit failing on a field read below that is a
// misreading (mrz_unreadable, the field left out). id-mrz halves a failing
// field's confidence (the weakest of its characters and its digit), hence
// the half. Measured on bench/ocr.sh (seed 31): in 11 of the 12 genuine
// zones with a failing digit the failing fields sat at 0-0.471, all zones
// not legible (in the 12th a line read a cell off gave a wrong field at
// 0.495); with a year digit of the birth date pasted over from another cell
// of the line, 167 of 171 stayed mrz_invalid (166 still legible).
inline constexpr double kSureFailingField = kStrongCharConfidence / 2;

// Whether id-check compares a printed field with another source (MRZ,
// barcode, QR payload): names, dates, numbers, sex, nationality. A visa's
// remarks or a licence's eye colour is only reported, never compared, so
// how sure each of its characters was read does not matter.
bool comparedVizField(std::string_view name);

struct Options {
  std::string as_of;  // YYYY-MM-DD; empty = today (local time), recorded in Result::as_of
  int min_age = 0;    // 0: the policy's min_age
  Policy policy = Policy::defaults();
};

struct Reason {
  std::string code;
  std::string detail;  // a human sentence naming the sources and values
  Severity severity = Severity::fail;
};

struct Result {
  bool pass = true;
  std::vector<Reason> reasons;  // fail and warn only, in allCodes() order
  std::string as_of;
  int min_age = 0;
  // Derived facts for --claims (nullopt when unknown).
  std::optional<std::string> birth_date, expiry_date, nationality;
  std::optional<bool> face_matched;

  bool has(std::string_view code) const;
  // {"pass", "reasons": [{"code","detail","severity"}], "as_of", "min_age"?}
  Json toJson() const;
};

// Today's date (local time) as YYYY-MM-DD: only used when --as-of is absent.
std::string today();

// `partner`: the record of the document's other side (see Pairs), whose
// barcodes count as a source when the record has none of its own.
Result evaluate(const Json& record, const Options& opts, const Json* partner = nullptr);

// Two-sided documents scanned as two images: a driving licence's front holds
// the printed fields, its back the PDF417. Records pair by their input path:
// the same folder and file stem up to a final "-front"/"-back" (or "_front",
// "_back"), whatever the extension ("ab12-front.jpg" with "ab12-back.png").
class Pairs {
 public:
  // The records of an NDJSON file (--pair; an empty path: none); a broken
  // line pairs with nothing. Error code "not_found" when it cannot be opened.
  static Expected<Pairs> load(const std::filesystem::path& file);
  // Indexes a record by its input; records without a side suffix are ignored.
  void add(const Json& record);
  // The other side's record, or nullptr.
  const Json* partnerOf(const Json& record) const;
  std::size_t size() const { return by_key_.size(); }

 private:
  std::map<std::string, Json> by_key_;  // "folder/stem|side" -> record
};
// {"folder/stem", "front"|"back"} of an input path; nullopt without a side suffix.
std::optional<std::pair<std::string, std::string>> sideOf(std::string_view input);

// The minimised record of --claims: `idkit`, `status`, the keys named in
// `keep` (e.g. "ref"), `claims` {age_over_18, age_over_N, document_valid_until,
// document_valid, nationality, face_matched, pass} and `check` with generic
// details. No names, numbers, dates of birth, MRZ lines, barcode or OCR text,
// input paths or error messages.
Json claims(const Json& record, const Result& result, const std::vector<std::string>& keep);

// ---- the comparison rules, exposed for tests ----------------------------------

// How sure a printed reading is where it differs from `other`: the lowest
// confidence among the characters of `printed` that an edit alignment with
// `other` changes or deletes (a missing character: its neighbours'); 1 when
// the two are equal. `conf` has one value per character of `printed`.
double differenceConfidence(std::string_view printed, const std::vector<double>& conf, std::string_view other);

// Whether a printed reading that differs from `other` is a plausible misread:
// the same length, and wherever the two differ the OCR's runner-up character
// there (`runner_up`, one per character of `printed`, '\0' for none: id-ocr's
// char_alternatives) is `other`'s character. qr-id-photo-s31-0199 (bench/ocr.sh)
// printed 1985-06-15, read 1925-06-15 with the 2 at 0.97 and 8 its runner-up.
// Or one character shorter, the missing character the runner-up of a
// neighbour: td2-photo-s31-0209 printed HUIJSMANS, read HUISMANS surely with
// J the I's runner-up (a narrow J lost beside the I). Or one character
// longer, that character's runner-up the other's character beside it: one
// glyph read twice (td2-photo-s6464-0089: SWCRNLKN5 read SWCRNLKNS5, the S at
// 0.97 with 5 its runner-up).
bool explainedByRunnerUps(std::string_view printed, std::string_view runner_up, std::string_view other);

// Whether the print explains a printed value's difference from another
// source's `other` as a misreading: one question, asked by the field's kind.
// Each differing character (position by position where the two have one
// length, else along an edit alignment) is classified once: how surely it was
// read, whether its runner-up is `other`'s character, whether the two are
// look-alikes; the kind decides only how the classes add up.
// `conf` (one per character of `printed`, id-ocr's char_confidence; null when
// the field has none) and `runner_up` (one per character, '\0' for none:
// id-ocr's char_alternatives; empty when none) are the reading's.
// - A document number equal to `other` up to look-alikes of printed fonts
//   (O/0, I/1, D/0, S/5, B/8, Z/2, G/6: ocr::reconcile) is the same value:
//   `none`. Without character confidences, any other difference is `shown`.
// - A date (ISO, as `other`, digit for digit): `shown` where some digit that
//   differs was read surely (kStrongCharConfidence) and its runner-up is not
//   `other`'s digit: the print differs there, whatever else was misread.
//   Else `unsure` where a digit that differs was read with doubt, `misread`
//   where every one was read surely with `other`'s digit its runner-up. A
//   forged year read beside a blurred month is so a mismatch
//   (qr-id-photo-s31-0047: 1966 for 1985, the 6 at 0.99, the 6 for 8 at
//   0.9), where the lowest confidence of the difference left it unreadable.
// - A name of `other`'s length: `shown` where some letter that differs was
//   read surely, its runner-up not `other`'s letter and the two no
//   look-alikes (qr-id-photo-s79-0055: QUINTANA forged QUVNTANA, read
//   OUVNTANA, the V at 0.98, the O at 0.9); else as any other field.
// - Any other field, or a date not of `other`'s length: `unsure` where the
//   difference's characters were read below kStrongCharConfidence
//   (differenceConfidence); `misread` where the runner-ups explain it
//   (explainedByRunnerUps), or for a document number where they and
//   look-alikes together do (held-out td2-photo-s9191-0001: HGC1M7KPF read
//   HGCIM7KPE, the I at 0.99 for the 1, the E at 0.96 with F its runner-up);
//   else `shown`. `other`'s characters before the reading's first one were
//   not seen (a reading begun late under a glare spot): they show nothing,
//   `unsure` when nothing else differs, left out of the question otherwise.
enum class FieldKind { date, document_number, text };
enum class Difference { none, misread, unsure, shown };
Difference printedDifference(FieldKind kind, std::string_view printed, const std::vector<double>* conf,
                             std::string_view runner_up, std::string_view other);

// The payload of an idkit QR card (id-synth qr-id):
// "IDKIT1|state|document code|number|surname|given names|YYYY-MM-DD birth|sex|YYYY-MM-DD expiry|personal number".
// nullopt for any other text (wrong tag, field count, empty name or number).
struct IdkitPayload {
  std::string issuing_state, document_code, document_number, surname, given_names, birth_date, sex, expiry_date,
      personal_number;
};
std::optional<IdkitPayload> parseIdkitPayload(std::string_view text);

// The spellings of a printed name in the MRZ alphabet (A-Z, single spaces):
// the ICAO transliteration first (Ä -> AE, Ø -> OE, ß -> SS), then the
// base-letter one (Ä -> A) and the national XX one (Ä -> AXX, Ñ -> NXX).
std::vector<std::string> nameSpellings(std::string_view utf8);

// Doc 9303 part 3's truncation word by word: the MRZ word standing for each
// printed word (MRZ word i for printed word i), "" for each trailing printed
// word the cut dropped; nullopt where the MRZ has more words than the print.
// A kept word is the printed one cut, or (misread) not: nameMatches tests
// that each is a prefix, completedByPrint fills each out with the printed
// word's remaining letters. Views into `mrz_words`.
std::optional<std::vector<std::string_view>> alignedByTruncation(const std::vector<std::string>& mrz_words,
                                                                 const std::vector<std::string>& printed_words);

// Whether `mrz_name` (as read from the MRZ, A-Z and spaces) is a rendering of
// `printed` (any spelling). With `truncated` (the MRZ name field is full)
// each MRZ word may be a prefix of the printed one and trailing words may be
// missing, as Doc 9303 part 3 truncates.
bool nameMatches(std::string_view mrz_name, std::string_view printed, bool truncated);

// Whether the MRZ holds `printed` cut at the end of its name field, as Doc 9303
// part 3 cuts a name too long for it: `field_rest` is the part of the name
// field from where the name component starts to the field's end (the given
// names after "<<", or a surname with nothing after it), fillers included.
// Some spelling of `printed`, written with '<' between its words, must run
// past that end and, cut there, be `field_rest` up to trailing fillers. The
// cut may fall on a filler: "MARIE-THERESE" cut to six places is "MARIE<",
// which ends in '<' like a name that fits (td2-photo-s2020-0009). Umlauts
// are folded as nameMatches folds them, so that the MRZ's BJOERN<KLAUS< holds
// a print read "BJORN KLAUS-DIETER" without its umlaut's dots.
bool cutAtFieldEnd(std::string_view field_rest, std::string_view printed);

// A truncated name (`truncated`, words in the MRZ alphabet) completed by the
// printed reading's words (`printed`, the same alphabet): each word the cut
// shortened gets the printed word's remaining letters, each word it dropped
// the printed word, so that a printed difference is looked for only where the
// truncated name holds letters (Doc 9303 part 3, as nameMatches):
// fra-id-photo-s6464-0125's FRANCOISE<<FRA against the print PRANCOISE,
// FRANCOISE differs in the P alone. `truncated` as it is where it has more
// words than `printed`.
std::string completedByPrint(std::string_view truncated, std::string_view printed);

// Dates as ISO YYYY-MM-DD: whole years between birth and as_of (a 29 February
// birthday is reached on 1 March in common years); nullopt when malformed.
std::optional<int> ageOn(std::string_view birth_iso, std::string_view as_of_iso);

// Indonesian NIK (16 digits: area PPKKCC, birth DDMMYY with DD + 40 for women,
// serial): empty when the structure is valid, else why not.
std::string nikStructureError(std::string_view nik);
struct NikData {
  int day = 0, month = 0, year2 = 0;  // day without the +40
  char sex = 'M';
};
std::optional<NikData> parseNik(std::string_view nik);

}  // namespace idkit::check
