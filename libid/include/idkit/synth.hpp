// Synthetic specimen documents with ground truth: the samples/ corpus and the
// test data of every other idkit capability.
//
// A document is drawn flat at a chosen resolution following ICAO Doc 9303
// geometry (renderCards), then "captured" as a scanner or a phone would see it
// (capture), then encoded as JPEG. Everything is a pure function of the seed:
// random values come from std::mt19937_64 through formulas of our own (Rng),
// never through std:: distributions, whose output differs between libraries.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <opencv2/core.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <idkit/json.hpp>

#include <random>

namespace idkit::synth {

enum class DocType { td1, td2, td3, mrva, mrvb, fra_id, dl, qr_id };
enum class Capture { scan, photo, mixed };

std::string_view name(DocType t);
std::optional<DocType> parseDocType(std::string_view s);
std::span<const DocType> allDocTypes();
std::string_view name(Capture c);
std::optional<Capture> parseCapture(std::string_view s);

// Physical size in millimetres (width, height) and ICAO size class "ID1"/"ID2"/"ID3".
cv::Size2d sizeMm(DocType t);
std::string_view sizeClass(DocType t);
// Pixel size of the flat document at `dpi` (TD1 at 300 dpi: 1011 x 638).
cv::Size cardPixels(DocType t, double dpi);

// Deterministic random numbers on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : eng_(seed) {}
  uint64_t bits() { return eng_(); }
  double uniform() { return static_cast<double>(eng_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  int integer(int lo, int hi);  // inclusive
  double normal(double mean = 0, double sd = 1);
  bool chance(double p) { return uniform() < p; }
  template <class T>
  const T& pick(std::span<const T> items) {
    return items[static_cast<size_t>(integer(0, static_cast<int>(items.size()) - 1))];
  }
  template <class T, size_t N>
  const T& pick(const std::array<T, N>& items) {
    return pick(std::span<const T>(items));
  }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return pick(std::span<const T>(items));
  }
  // An independent stream for a sub-task, so adding draws in one part does
  // not change the others.
  Rng fork(uint64_t salt) { return Rng(mix(eng_() ^ mix(salt))); }
  static uint64_t mix(uint64_t x);  // splitmix64 finaliser

 private:
  std::mt19937_64 eng_;
};

struct Date {
  int y = 2000, m = 1, d = 1;
  std::string iso() const;  // YYYY-MM-DD
  auto operator<=>(const Date&) const = default;
};

// The holder and document data, before any rendering.
struct Person {
  DocType type = DocType::td3;
  std::string document_code;  // "P", "ID", "I", "V", "AC"...
  std::string issuing_state;  // ICAO 3-letter code
  std::string nationality;
  std::string state_name;     // as printed: "UTOPIA", "RÉPUBLIQUE FRANÇAISE"
  std::string surname;        // as printed, UTF-8 with diacritics
  std::string given_names;
  char sex = 'M';             // 'M', 'F', 'X' (MRZ '<')
  Date birth, issue, expiry;
  std::string document_number;
  std::string personal_number;  // optional data
  std::string place_of_birth;
  std::string authority;
  // Driving licence / visa extras.
  std::string street, city, postal_code, jurisdiction, iin;
  std::string vehicle_class, restrictions, endorsements, eye_colour, hair_colour;
  int height_cm = 0, weight_kg = 0;
  std::string visa_entries, visa_type, visa_duration;
  // Portrait look (procedural portraits).
  uint64_t face_seed = 0;
  // A tampered print (Options::tamper): the visual zone shows these, the MRZ
  // and the barcodes keep the true values above.
  std::optional<Date> printed_birth;
  std::optional<std::string> printed_surname;
  const Date& birthPrinted() const { return printed_birth ? *printed_birth : birth; }
  const std::string& surnamePrinted() const { return printed_surname ? *printed_surname : surname; }
};

// Reference date for "expired": fixed, so output does not depend on the clock.
inline constexpr Date kAsOf{2025, 6, 1};

Person randomPerson(DocType t, Rng& rng);

// What a forger changed on the printed document, nothing else.
enum class Tamper {
  none,
  birth_date,  // the printed date of birth one year later (visas print none: left as they are)
  surname,     // one letter of the printed surname replaced by another
};
std::optional<Tamper> parseTamper(std::string_view s);
// Applies `t` to the person's printed values; `rng` picks the surname's letter.
void tamperPrint(Person& p, Tamper t, Rng& rng);

// One drawn side of a document.
struct Card {
  std::string side = "front";  // "front" / "back"
  cv::Mat image;               // BGR, flat, at `dpi`
  double corner_radius_px = 0;  // ID-1 cards have rounded corners (3.18 mm), passports none
  double dpi = 300;
  Json truth;                  // side-specific truth in card pixels (fields, mrz, boxes)
};

struct RenderOptions {
  double dpi = 300;
  std::string faces_dir;  // face photos to use instead of drawn portraits
};

// Draws every side of the document (one side, two for driving licences).
std::vector<Card> renderCards(const Person& p, const RenderOptions& opts, Rng& rng);

// MRZ lines of the person's document (empty for documents without MRZ).
std::vector<std::string> mrzLines(const Person& p);
// AAMVA payload of a driving licence: names and address in ASCII (aamvaText).
std::string aamvaPayload(const Person& p);
// UTF-8 text as AAMVA encodes it: ASCII kept, other letters transliterated
// as in the MRZ (É -> E, Ü -> UE, ß -> SS, Ł -> L); unknown scripts dropped.
std::string aamvaText(std::string_view utf8);

// A captured image and where the document went.
struct Shot {
  cv::Mat image;
  cv::Matx33d homography;  // card pixels -> image pixels
  double angle_deg = 0;    // clockwise rotation of the document's top edge
  Json params;             // capture parameters for the truth
};

// Scanner: the card (drawn at the scan dpi) on a scanner page, slight rotation.
Shot captureScan(const Card& card, Rng& rng);
// Several documents a person laid on a flatbed: an A4 page (portrait) at the
// cards' dpi (all drawn at one), each card anywhere a few degrees off square,
// none overlapping. Cards with no room left are not placed.
struct PageShot {
  cv::Mat image;
  std::vector<size_t> placed;            // indices into the cards given, in page order
  std::vector<cv::Matx33d> homographies;  // card pixels -> page pixels, one per placed card
  std::vector<double> angles_deg;         // clockwise rotation of each placed card's top edge
  Json params;                            // capture parameters of the page
};
PageShot captureScanPage(std::span<const Card> cards, Rng& rng);
// Phone photo of `out_size`: perspective, any rotation, surfaces, blur, noise,
// uneven light, glare, a thumb.
Shot capturePhoto(const Card& card, cv::Size out_size, Rng& rng);

struct Options {
  std::optional<DocType> type;  // nullopt: every type in turn (index modulo 8)
  Capture capture = Capture::mixed;
  uint64_t seed = 1;
  int max_side = 0;   // 0: the natural size of the capture
  int quality = 0;    // JPEG quality; 0: random in 40..95
  cv::Size photo_size;  // fixed photo size; empty: a common phone size, 0.5 to 12 MP
  std::string faces_dir;
  // Scans of several documents: 0, or an A4 page with cards_min..cards_max
  // documents (of `type`, or each of a random type) per index. Their own
  // random streams: every other output stays as it was.
  int cards_min = 0, cards_max = 0;
  // A forged print: the same document (person, design and capture) with one
  // printed value changed; the truth says which ("tamper").
  Tamper tamper = Tamper::none;
};

struct Specimen {
  std::string suffix;          // "" or "-front" / "-back"
  std::vector<uchar> jpeg;     // encoded image
  cv::Size size;
  Json truth;
};

// Document number `index` of a batch: a pure function of (options, index).
// One specimen per side (driving licences give front and back); with
// cards_max > 0, one page whose truth lists every card under "documents".
std::vector<Specimen> generate(const Options& opts, uint64_t index);

// Truth of one side: card-pixel boxes of `card.truth` mapped into the shot,
// plus document, capture and person data. Used by generate().
Json truthOf(const Person& p, const Card& card, const Shot& shot, const cv::Matx33d& to_image,
             cv::Size image_size);

}  // namespace idkit::synth
