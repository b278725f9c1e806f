// Fictional but realistic holders and documents: real country codes and UTO,
// names that need transliteration or truncation, every sex, dates across two
// centuries, expired documents, long TD1 document numbers.
#include <algorithm>
#include <array>
#include <string>

#include <idkit/aamva.hpp>
#include <idkit/mrz.hpp>
#include <idkit/utf8.hpp>

#include "synth_internal.hpp"

namespace idkit::synth {

namespace {

struct Country {
  const char* code;        // ICAO code (Germany is "D")
  const char* printed;     // state name as printed on the document
  std::array<const char*, 10> surnames;
  std::array<const char*, 8> male;
  std::array<const char*, 8> female;
  std::array<const char*, 5> places;
};

// Names chosen to exercise the MRZ rules: diacritics (Ü->UE, ß->SS, Ø->OE,
// Å->AA, Þ->TH), apostrophes, hyphens, particles, very long names.
const std::array<Country, 14> kCountries{{
    {"UTO", "UTOPIA",
     {"ERIKSSON", "STORM", "VAN DER VAART-HOLMES", "O'REILLY", "QUINTANA DE LA PEÑA", "MASTERSON",
      "ABERNATHY-WOLFESCHLEGEL", "LI", "NGUYEN", "OKONKWO"},
     {"ANNA MARIA", "JOHN PAUL", "MAXIMILIAN ALEXANDER", "TOM", "OMAR", "KWAME", "LUCAS", "JEAN-PIERRE"},
     {"ANNA", "ISABELLA CHRISTINA", "MARIE-THÉRÈSE", "ZOE", "ELIZABETH ANNE", "AMARA", "MEI", "SOFIA"},
     {"ZENITH", "UTOPIA CITY", "NEW HOPE", "PORT AURORA", "ELDORADO"}},
    {"D", "BUNDESREPUBLIK DEUTSCHLAND",
     {"MÜLLER", "GROß", "SCHRÖDER", "MUSTERMANN", "KÖHLER-WEIß", "VON DER HEYDE", "BÄCKER", "ÖZDEMİR",
      "SCHMIDT", "HÖLZENBEIN"},
     {"JÜRGEN", "KLAUS-DIETER", "LUKAS", "FRIEDRICH WILHELM", "BJÖRN", "MAX", "TIMO", "HANS"},
     {"ERIKA", "JÜLIDE", "ANNE-SOPHIE", "GRETCHEN", "LEONIE", "MARIE LUISE", "KÄTHE", "HEIDI"},
     {"BERLIN", "MÜNCHEN", "KÖLN", "DÜSSELDORF", "HAMBURG"}},
    {"FRA", "RÉPUBLIQUE FRANÇAISE",
     {"DUPONT", "LEFÈVRE", "DE SAINT-EXUPÉRY", "MARTIN", "CHÂTEAUBRIAND", "N'DIAYE", "LAVOISIER",
      "D'ARTAGNAN", "BÉRANGER", "GARÇON"},
     {"JEAN-FRANÇOIS", "ÉTIENNE", "LOUIS", "HERVÉ", "JÉRÔME", "NOËL", "THÉO", "GAËL"},
     {"ÉLOÏSE", "FRANÇOISE", "CÉLINE", "HÉLÈNE", "MARIE-CLAIRE", "AURÉLIE", "CHLOÉ", "LÆTITIA"},
     {"PARIS", "LYON", "MARSEILLE", "TOULOUSE", "BORDEAUX"}},
    {"NOR", "NORGE",
     {"ØVERGÅRD", "SOLBAKKEN", "BRÅTEN", "HÆGELAND", "LØKKE", "NORDMANN", "ÅSLUND", "STRØM", "BERG",
      "FJÆRLI"},
     {"SØREN", "OLA", "BJØRN", "HÅKON", "JØRGEN", "ESPEN", "KÅRE", "ØYVIND"},
     {"KARI", "ÅSE", "INGRID", "SIGRÚN", "BØRGHILD", "SOLVEIG", "LIV", "TUVA"},
     {"OSLO", "BERGEN", "TROMSØ", "STAVANGER", "ÅLESUND"}},
    {"ESP", "ESPAÑA",
     {"GARCÍA LÓPEZ", "MUÑOZ", "ESPAÑOLA ESPAÑOLA", "DE LOS SANTOS", "NÚÑEZ DE BALBOA", "IBÁÑEZ",
      "FERNÁNDEZ-CASTAÑO", "PÉREZ", "RODRÍGUEZ", "SÁNCHEZ"},
     {"JOSÉ MARÍA", "IÑAKI", "ÁLVARO", "JOSÉ", "ÓSCAR", "RAMÓN", "JESÚS", "ÁNGEL"},
     {"CARMEN", "MARÍA DE LOS ÁNGELES", "INÉS", "LUCÍA", "BEGOÑA", "MARÍA JOSÉ", "SOLEDAD", "ROCÍO"},
     {"MADRID", "SEVILLA", "BILBAO", "VALÈNCIA", "A CORUÑA"}},
    {"NLD", "KONINKRIJK DER NEDERLANDEN",
     {"DE BRUIJN", "VAN DEN BERG", "JANSEN", "DE VRIES", "VAN 'T HOF", "BAKKER", "VAN DER MEULEN",
      "HUIJSMANS", "DIJKSTRA", "VAN BEETHOVEN-EIJKELENBOOM"},
     {"WILLEM", "DAAN", "JOOST", "PIETER JAN", "SEM", "BRAM", "THIJS", "RUUD"},
     {"ANNELIES", "FEMKE", "SANNE", "WILLEMIJN", "ROOS", "EVA", "LOTTE", "IJSBRAND"},
     {"AMSTERDAM", "'S-GRAVENHAGE", "ROTTERDAM", "UTRECHT", "GRONINGEN"}},
    {"BEL", "BELGIQUE - BELGIË",
     {"PEETERS", "JANSSENS", "DE SMET", "VAN DAMME", "DUBOIS", "LAMBERT", "MAES", "WILLEMS",
      "VANDENBROUCKE", "D'HONDT"},
     {"LUC", "WOUTER", "JEAN-LUC", "PIETER", "ARNAUD", "BART", "FRANÇOIS", "STIJN"},
     {"ELS", "NATHALIE", "ANNELEEN", "MARIE", "GOEDELE", "SARAH", "LIESBETH", "AMÉLIE"},
     {"BRUXELLES", "ANTWERPEN", "GENT", "LIÈGE", "BRUGGE"}},
    {"PRT", "PORTUGAL",
     {"CONCEIÇÃO", "GONÇALVES", "MAGALHÃES", "SOUSA E SILVA", "ASSUNÇÃO", "PEREIRA", "FERREIRA",
      "LOURENÇO DOS SANTOS", "ARAÚJO", "GUIMARÃES"},
     {"JOÃO", "ANTÓNIO", "SEBASTIÃO", "RUI", "GONÇALO", "TOMÁS", "VASCO", "FÁBIO"},
     {"INÊS", "CONCEIÇÃO", "MARIA JOÃO", "LEONOR", "BEATRIZ", "ANA", "CATARINA", "FÁTIMA"},
     {"LISBOA", "PORTO", "COIMBRA", "BRAGA", "ÉVORA"}},
    {"POL", "RZECZPOSPOLITA POLSKA",
     {"WÓJCIK", "ŁUKASZEWICZ", "KOWALSKA", "ZIELIŃSKI", "SZCZĘSNY", "BRZĘCZYSZCZYKIEWICZ", "NOWAK",
      "ŻÓŁKIEWSKI", "DĄBROWSKA", "LEWANDOWSKI"},
     {"ŁUKASZ", "PAWEŁ", "JANUSZ", "MACIEJ", "KRZYSZTOF", "ZBIGNIEW", "JAKUB", "WOJCIECH"},
     {"AGNIESZKA", "MAŁGORZATA", "KATARZYNA", "ŻANETA", "JADWIGA", "ZOFIA", "ALICJA", "GRAŻYNA"},
     {"WARSZAWA", "KRAKÓW", "ŁÓDŹ", "GDAŃSK", "WROCŁAW"}},
    {"ISL", "ÍSLAND",
     {"ÞÓRSDÓTTIR", "GUÐMUNDSSON", "JÓNSDÓTTIR", "SIGURÐSSON", "ÞORVALDSSON", "EINARSDÓTTIR",
      "MAGNÚSSON", "KRISTJÁNSDÓTTIR", "ÓLAFSSON", "HALLDÓRSSON"},
     {"ÞÓR", "GUÐMUNDUR", "EINAR", "SIGURÐUR", "ÓLAFUR", "HALLDÓR", "BJARNI", "JÓN"},
     {"SIGRÍÐUR", "GUÐRÚN", "ÞÓRUNN", "KRISTÍN", "HALLDÓRA", "BJÖRK", "ÁSTA", "EYDÍS"},
     {"REYKJAVÍK", "AKUREYRI", "HAFNARFJÖRÐUR", "SELFOSS", "HÚSAVÍK"}},
    {"TUR", "TÜRKİYE CUMHURİYETİ",
     {"ÇELİK", "ŞAHİN", "YILDIZ", "ÖZTÜRK", "DOĞAN", "AKSOY", "KARAGÖZ", "GÜNEŞ", "ÇAKIR", "ERDOĞAN"},
     {"MEHMET", "MUSTAFA", "ÇAĞRI", "OĞUZ", "İSMAİL", "EMRE", "BURAK", "YUSUF"},
     {"AYŞE", "FATMA", "ŞEYMA", "GÜLŞEN", "ÖZLEM", "ZEYNEP", "ELİF", "MERVE"},
     {"İSTANBUL", "ANKARA", "İZMİR", "BURSA", "ESKİŞEHİR"}},
    {"IDN", "REPUBLIK INDONESIA",
     {"SUSANTO", "WIJAYA", "HALIM", "SETIAWAN", "KUSUMAWARDHANI", "NUGROHO", "PRATAMA", "HIDAYAT",
      "SARASWATI", "SIREGAR"},
     {"BUDI", "AGUS", "DEWANTARA", "RIZKY", "ADITYA", "BAMBANG", "JOKO", "ARIF"},
     {"SITI NURHALIZA", "DEWI", "PUTRI", "AYU", "RATNA", "INDAH", "WULAN", "LESTARI"},
     {"JAKARTA", "BANDUNG", "SURABAYA", "YOGYAKARTA", "MEDAN"}},
    {"GBR", "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND",
     {"SMITH-JONES", "O'CONNOR", "MACDONALD", "FEATHERSTONEHAUGH", "WILLIAMS", "ST. JOHN-SMYTHE",
      "BROWN", "TAYLOR", "WRIGHT", "MCALLISTER"},
     {"OLIVER", "HARRY", "CHARLES PHILIP ARTHUR", "GEORGE", "JACK", "ALFIE", "ARCHIBALD", "NOAH"},
     {"OLIVIA", "AMELIA", "CHARLOTTE ELIZABETH", "ISLA", "POPPY", "EMILY", "FLORENCE", "GRACE"},
     {"LONDON", "MANCHESTER", "EDINBURGH", "CARDIFF", "BELFAST"}},
    {"CAN", "CANADA",
     {"TREMBLAY", "GAGNON", "CÔTÉ", "BOUCHARD", "O'BRIEN", "LÉVESQUE", "MACKENZIE", "BÉLANGER", "ROY",
      "LEBLANC-ST-PIERRE"},
     {"ÉMILE", "LIAM", "FÉLIX", "WILLIAM", "ETHAN", "JACOB", "SAMUEL", "ZACHARY"},
     {"GENEVIÈVE", "CHLOÉ", "EMMA", "OLIVIA", "ZOÉ", "CHARLOTTE", "MAÉLIE", "ALICE"},
     {"MONTRÉAL", "TORONTO", "VANCOUVER", "QUÉBEC", "HALIFAX"}},
}};

struct Jurisdiction {
  const char* code;
  const char* name;
  const char* iin;
  std::array<const char*, 3> cities;
};
// AAMVA issuer identification numbers of a few jurisdictions.
const std::array<Jurisdiction, 6> kJurisdictions{{
    {"VA", "VIRGINIA", "636000", {"RICHMOND", "NORFOLK", "ALEXANDRIA"}},
    {"CA", "CALIFORNIA", "636014", {"SACRAMENTO", "LOS ANGELES", "SAN DIEGO"}},
    {"TX", "TEXAS", "636015", {"AUSTIN", "HOUSTON", "EL PASO"}},
    {"NY", "NEW YORK", "636001", {"ALBANY", "BUFFALO", "BROOKLYN"}},
    {"FL", "FLORIDA", "636010", {"TALLAHASSEE", "MIAMI", "ORLANDO"}},
    {"WA", "WASHINGTON", "636045", {"OLYMPIA", "SEATTLE", "SPOKANE"}},
}};

const std::array<const char*, 10> kStreets{"MAIN ST",     "OAK AVE",      "WEST BROAD STREET",
                                           "ELM STREET",  "MAPLE DR",     "SUNSET BLVD",
                                           "LAKE SHORE RD", "2ND AVE APT 4B", "PINE CT",
                                           "MARTIN LUTHER KING JR BLVD"};

int daysIn(int y, int m) {
  static constexpr std::array<int, 12> d{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : d[static_cast<size_t>(m - 1)];
}

Date randomDate(Rng& rng, int y0, int y1) {
  Date d;
  d.y = rng.integer(y0, y1);
  d.m = rng.integer(1, 12);
  d.d = rng.integer(1, daysIn(d.y, d.m));
  return d;
}

Date addYears(Date d, int years, int minus_days = 0) {
  d.y += years;
  if (d.m == 2 && d.d == 29 && daysIn(d.y, 2) == 28) d.d = 28;
  for (int i = 0; i < minus_days; ++i) {
    if (--d.d == 0) {
      if (--d.m == 0) {
        d.m = 12;
        --d.y;
      }
      d.d = daysIn(d.y, d.m);
    }
  }
  return d;
}

std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng.integer(0, 9));
  return s;
}
std::string letters(Rng& rng, int n, std::string_view alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ") {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += alphabet[static_cast<size_t>(rng.integer(0, static_cast<int>(alphabet.size()) - 1))];
  return s;
}
std::string alnum(Rng& rng, int n) { return letters(rng, n, "CFGHJKLMNPRTVWXYZ0123456789"); }

std::string documentNumber(DocType t, const Country& c, Rng& rng) {
  switch (t) {
    case DocType::td1:
      // Long numbers (> 9 characters) overflow into the optional data.
      if (rng.chance(0.3)) return digits(rng, rng.integer(10, 14));
      return letters(rng, 1) + alnum(rng, 8);
    case DocType::td3:
      return std::string(c.code) == "D" ? letters(rng, 1, "CFGHJK") + alnum(rng, 8)
                                        : letters(rng, 2) + digits(rng, 7);
    case DocType::dl:
      return letters(rng, 1) + digits(rng, 8);
    case DocType::mrva:
    case DocType::mrvb:
      return letters(rng, 1) + digits(rng, 8);
    default:
      return letters(rng, 2) + alnum(rng, 7);
  }
}

}  // namespace

Person randomPerson(DocType t, Rng& rng) {
  Person p;
  p.type = t;
  const Country* c = &kCountries[0];
  if (t == DocType::fra_id) {
    c = &kCountries[2];
  } else if (t != DocType::dl) {
    // Utopia (the ICAO specimen state) for a third, real states otherwise.
    c = rng.chance(0.3) ? &kCountries[0] : &rng.pick(std::span<const Country>(kCountries));
  }
  p.issuing_state = c->code;
  p.state_name = c->printed;
  // Visa holders are mostly foreigners.
  const Country& holder =
      (t == DocType::mrva || t == DocType::mrvb) ? rng.pick(std::span<const Country>(kCountries)) : *c;
  p.nationality = holder.code;
  const double sx = rng.uniform();
  p.sex = sx < 0.46 ? 'M' : sx < 0.92 ? 'F' : 'X';
  p.surname = rng.pick(holder.surnames);
  const auto& firsts = p.sex == 'M' ? holder.male : p.sex == 'F' ? holder.female
                                                                 : (rng.chance(0.5) ? holder.male : holder.female);
  p.given_names = rng.pick(firsts);
  if (rng.chance(0.2)) {  // a second given name (some become too long for the MRZ)
    const std::string second = rng.pick(firsts);
    if (second != p.given_names) p.given_names.append(" ").append(second);
  }
  if (rng.chance(0.1)) p.surname.append(" ").append(rng.pick(holder.surnames));  // double surname
  p.place_of_birth = rng.pick(holder.places);
  p.authority = rng.pick(c->places);

  // Birth dates across two centuries; documents of minors are shorter-lived.
  p.birth = randomDate(rng, 1925, 2019);
  const int age_years = kAsOf.y - p.birth.y;
  const bool expired = rng.chance(0.2);
  int validity = (age_years < 18) ? 5 : (rng.chance(0.6) ? 10 : 5);
  if (t == DocType::dl) validity = rng.chance(0.5) ? 8 : 5;
  if (t == DocType::mrva || t == DocType::mrvb) validity = 1;
  const int latest_issue = kAsOf.y;
  const int earliest_issue = std::max(p.birth.y + 1, kAsOf.y - validity + 1);
  p.issue = randomDate(rng, std::min(earliest_issue, latest_issue), latest_issue);
  if (expired) p.issue = randomDate(rng, std::max(p.birth.y + 1, kAsOf.y - validity - 6), kAsOf.y - validity);
  if (p.issue > kAsOf) p.issue = addYears(kAsOf, 0, rng.integer(10, 300));
  if (p.issue < p.birth) p.issue = addYears(p.birth, 1);
  p.expiry = addYears(p.issue, validity, 1);
  if (t == DocType::mrva || t == DocType::mrvb) p.expiry = addYears(p.issue, 0, -rng.integer(30, 360));

  p.document_number = documentNumber(t, *c, rng);
  p.face_seed = rng.bits();

  switch (t) {
    case DocType::td3:
      p.document_code = "P";
      if (rng.chance(0.4)) p.personal_number = digits(rng, rng.integer(6, 12));
      break;
    case DocType::td1:
      p.document_code = rng.chance(0.7) ? "ID" : rng.chance(0.5) ? "IR" : "I";
      if (rng.chance(0.4)) p.personal_number = alnum(rng, rng.integer(5, 10));
      break;
    case DocType::td2:
      p.document_code = rng.chance(0.6) ? "I" : "IR";
      break;
    case DocType::mrva:
    case DocType::mrvb:
      p.document_code = rng.chance(0.8) ? "V" : "VC";
      p.visa_type = rng.chance(0.7) ? "C" : "D";
      p.visa_entries = rng.chance(0.6) ? "MULT" : rng.chance(0.5) ? "1" : "2";
      p.visa_duration = std::to_string(rng.integer(1, 90));
      p.personal_number = documentNumber(DocType::td3, *c, rng);  // the passport number
      break;
    case DocType::fra_id: {
      p.document_code = "ID";
      // YYMM of issue + department (2) + office (1) + serial (5).
      char ym[8];
      std::snprintf(ym, sizeof ym, "%02d%02d", p.issue.y % 100, p.issue.m);
      const std::string dept = std::to_string(rng.integer(10, 95));
      p.document_number = ym + dept + digits(rng, 1) + digits(rng, 5);
      p.personal_number = dept + digits(rng, 1) + digits(rng, 3);  // administrative code
      {
        // Valid 10 years; 15 when issued from 2014 to an adult (the rule id-mrz derives the
        // expiry by, since this card's MRZ carries none).
        const bool adult = p.issue >= addYears(p.birth, 18);
        p.expiry = addYears(p.issue, p.issue.y >= 2014 && adult ? 15 : 10, 1);
      }
      p.height_cm = rng.integer(150, 198);
      p.given_names = p.given_names.substr(0, p.given_names.find(' ')) +
                      (rng.chance(0.4) ? std::string(", ") + rng.pick(firsts) : "");
      break;
    }
    case DocType::dl: {
      const Jurisdiction& j = rng.pick(std::span<const Jurisdiction>(kJurisdictions));
      p.document_code = "DL";
      p.issuing_state = "USA";
      p.jurisdiction = j.code;
      p.state_name = j.name;
      p.iin = j.iin;
      p.city = rng.pick(j.cities);
      p.street = std::to_string(rng.integer(1, 9999)) + " " + rng.pick(kStreets);
      p.postal_code = digits(rng, 5) + (rng.chance(0.5) ? digits(rng, 4) : "0000");
      p.vehicle_class = rng.chance(0.85) ? "C" : "A";
      p.restrictions = rng.chance(0.7) ? "NONE" : "B";
      p.endorsements = rng.chance(0.8) ? "NONE" : "M";
      p.eye_colour = rng.pick(std::array<std::string, 5>{"BRO", "BLU", "GRN", "HAZ", "GRY"});
      p.hair_colour = rng.pick(std::array<std::string, 5>{"BRO", "BLK", "BLN", "RED", "GRY"});
      p.height_cm = rng.integer(150, 198);
      p.weight_kg = rng.integer(48, 120);
      break;
    }
    case DocType::qr_id:
      p.document_code = "ID";
      p.personal_number = digits(rng, 11);
      break;
  }
  return p;
}

std::optional<Tamper> parseTamper(std::string_view s) {
  if (s == "none") return Tamper::none;
  if (s == "birth_date") return Tamper::birth_date;
  if (s == "surname") return Tamper::surname;
  return std::nullopt;
}

void tamperPrint(Person& p, Tamper t, Rng& rng) {
  switch (t) {
    case Tamper::none: return;
    case Tamper::birth_date:
      // A visa prints no date of birth: nothing to forge.
      if (p.type != DocType::mrva && p.type != DocType::mrvb) p.printed_birth = addYears(p.birth, 1);
      return;
    case Tamper::surname: {
      // One plain letter of the name (a letter with a diacritic is several
      // bytes: left alone) becomes another letter.
      std::string s = p.surname;
      std::vector<size_t> at;
      for (size_t i = 0; i < s.size(); ++i)
        if (s[i] >= 'A' && s[i] <= 'Z') at.push_back(i);
      static constexpr std::string_view kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
      if (at.empty()) {
        s += kLetters[static_cast<size_t>(rng.integer(0, 25))];
      } else {
        const size_t i = at[static_cast<size_t>(rng.integer(0, static_cast<int>(at.size()) - 1))];
        // A shift of 1..25 places round the alphabet: never the same letter.
        s[i] = static_cast<char>('A' + (s[i] - 'A' + rng.integer(1, 25)) % 26);
      }
      p.printed_surname = s;
      return;
    }
  }
}

std::vector<std::string> mrzLines(const Person& p) {
  using F = mrz::Format;
  F fmt;
  switch (p.type) {
    case DocType::td1: fmt = F::TD1; break;
    case DocType::td2: fmt = F::TD2; break;
    case DocType::td3: fmt = F::TD3; break;
    case DocType::mrva: fmt = F::MRVA; break;
    case DocType::mrvb: fmt = F::MRVB; break;
    case DocType::fra_id: fmt = F::FrenchID; break;
    default: return {};
  }
  mrz::Fields f;
  f.document_code = p.document_code;
  f.issuing_state = p.issuing_state;
  f.document_number = p.type == DocType::mrva || p.type == DocType::mrvb ? p.personal_number
                                                                           : p.document_number;
  f.surname = p.surname;
  f.given_names = p.given_names;
  // The French card prints given names "A, B"; the MRZ separates them with "<<".
  for (size_t i; (i = f.given_names.find(", ")) != std::string::npos;) f.given_names.replace(i, 2, "  ");
  f.nationality = p.nationality;
  f.birth_date = p.birth.iso();
  // Unspecified sex is '<' on most documents, 'X' on some newer ones.
  f.sex = p.sex == 'X' ? ((p.face_seed & 1) ? "X" : "<") : std::string(1, p.sex);
  f.expiry_date = p.expiry.iso();
  if (p.type == DocType::fra_id) {
    f.administrative_code = p.personal_number;
    f.expiry_date.clear();
  } else if (p.type != DocType::mrva && p.type != DocType::mrvb) {
    f.optional_data = p.personal_number;
  }
  return mrz::compose(fmt, f);
}

std::string aamvaText(std::string_view utf8) {
  // Each UTF-8 sequence on its own: ASCII stays as it is (spaces, hyphens and
  // apostrophes belong in AAMVA names), anything else takes the MRZ letters.
  std::string out;
  for (size_t i = 0; i < utf8.size();) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    const size_t len = utf8::charLength(utf8, i);
    if (b < 0x80) {
      if (b >= 0x20 && b < 0x7F) out += static_cast<char>(b);
    } else {
      out += mrz::transliterate(utf8.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string aamvaPayload(const Person& p) {
  // AAMVA data elements are ASCII (ISO 646): issuers print "MÜLLER" on the card
  // and encode "MUELLER", as in the MRZ. The truth's barcode text is this payload.
  aamva::Card c;
  c.subfile_type = "DL";
  c.iin = p.iin;
  c.jurisdiction = p.jurisdiction;
  c.country = "USA";
  c.document_number = aamvaText(p.document_number);
  c.surname = aamvaText(p.surname);
  const std::string given = aamvaText(p.given_names);
  const auto space = given.find(' ');
  c.first_name = given.substr(0, space);
  c.middle_names = space == std::string::npos ? "" : given.substr(space + 1);
  c.birth_date = p.birth.iso();
  c.issue_date = p.issue.iso();
  c.expiry_date = p.expiry.iso();
  c.sex = p.sex;
  c.height_cm = p.height_cm;
  c.eye_colour = p.eye_colour;
  c.hair_colour = p.hair_colour;
  c.street = aamvaText(p.street);
  c.city = aamvaText(p.city);
  c.postal_code = p.postal_code;
  c.vehicle_class = p.vehicle_class;
  c.restrictions = p.restrictions;
  c.endorsements = p.endorsements;
  c.extra = {{"DAW", std::to_string(static_cast<int>(p.weight_kg * 2.2046 + 0.5))}};
  return aamva::compose(c);
}

}  // namespace idkit::synth
