// AAMVA DL/ID card payloads: the text in the PDF417 code on the back of US and
// Canadian driving licences and identity cards.
//
// parse() is lenient the way real captures need: scanners and keyboard wedges
// mangle the header's control characters, strip separators or get subfile
// offsets wrong, so elements are found by their IDs, not by the offsets. Every
// element is kept raw (exact value, padding included) beside normalised fields
// that use the same keys as the MRZ layer (surname, given_names, birth_date...).
//
// compose() writes a standard-conformant payload (version 10 header, one DL or
// ID subfile, optional jurisdiction subfile) for the synthetic document generator.
#pragma once
#include <idkit/error.hpp>
#include <idkit/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idkit::aamva {

struct Element {
  std::string id;       // "DCS", "ZVA"
  std::string value;    // exactly as in the payload (padding kept)
  std::string subfile;  // "DL", "ID", "ZV" (type of the subfile it was read from)
};

struct Subfile {
  std::string type;  // "DL", "ID", "Z?"
  int offset = 0;    // as declared in the header (often wrong in real captures)
  int length = 0;
};

struct Result {
  std::string file_type;   // "ANSI " or "AAMVA"
  std::string iin;         // 6-digit issuer identification number
  int version = 0;         // AAMVA version number, 0 (pre-standard) .. 11
  std::optional<int> jurisdiction_version;  // absent in version 01
  std::vector<Subfile> subfiles;            // as declared in the header
  std::vector<Element> elements;            // every element, payload order
  std::string jurisdiction;                 // DAJ, e.g. "VA"
  std::string country;                      // "USA" or "CAN"
  std::string date_order;                   // "MMDDCCYY" or "CCYYMMDD", as read
  Json fields = Json::object();             // normalised, see docs/aamva.md
  std::vector<std::string> warnings;        // leniencies applied, oddities seen

  // First element with this ID, or nullptr.
  const Element* find(std::string_view id) const;
  // The `aamva` object of a barcode entry:
  // {"version","jurisdiction_version","iin","jurisdiction","country","fields","elements","warnings"}
  Json toJson() const;
};

// Parses a payload (the text a PDF417 reader returns). Fails with code
// "aamva_invalid" and a reason when no AAMVA header or no element is found.
Expected<Result> parse(std::string_view payload);

// True when the text starts the way an AAMVA payload does (cheap pre-check for
// a barcode reader deciding whether to call parse()).
bool looksLikeAamva(std::string_view text);

// Input of compose(): values as a person writes them; dates ISO (YYYY-MM-DD).
struct Card {
  std::string subfile_type = "DL";  // "DL" or "ID"
  std::string iin = "636000";
  int jurisdiction_version = 0;
  std::string jurisdiction;         // DAJ, e.g. "VA"
  std::string country = "USA";      // "USA" or "CAN" (decides the date order)
  std::string document_number;      // DAQ
  std::string surname;              // DCS
  std::string first_name;           // DAC
  std::string middle_names;         // DAD (empty: "NONE")
  std::string suffix;               // DCU (optional)
  std::string birth_date, issue_date, expiry_date;  // ISO
  char sex = 'X';                   // 'M', 'F', 'X' (written as 1, 2, 9)
  int height_cm = 0;                // 0: unknown; written as "070 in" in USA, "178 cm" in CAN
  std::string eye_colour = "UNK";   // ANSI D-20 code: BRO, BLU, ...
  std::string hair_colour;          // optional
  std::string street, street_2, city, postal_code;
  std::string vehicle_class = "C", restrictions = "NONE", endorsements = "NONE";
  std::string document_discriminator;   // DCF (empty: derived from number and issue date)
  std::string inventory_control;        // DCK (optional)
  std::vector<std::pair<std::string, std::string>> extra;  // more elements, e.g. {"DDK","1"}
  std::vector<std::pair<std::string, std::string>> jurisdiction_elements;  // {"ZVA","01"}
};

// A payload that parse() reads back to the same fields.
std::string compose(const Card& card);

}  // namespace idkit::aamva
