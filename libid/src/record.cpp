#include <filesystem>

#include <idkit/record.hpp>

namespace idkit {

std::string_view toString(Status s) {
  switch (s) {
    case Status::ok: return "ok";
    case Status::rejected: return "rejected";
    case Status::error: return "error";
  }
  return "error";
}

Status parseStatus(std::string_view s) {
  if (s == "rejected") return Status::rejected;
  if (s == "error") return Status::error;
  return Status::ok;
}

Json newRecord(std::string_view input) {
  Json r = Json::object();
  r["idkit"] = kRecordVersion;
  r["input"] = std::string(input);
  return r;
}

Json errorRecord(std::string_view input, std::string_view tool, std::string_view code,
                 std::string_view message) {
  Json r = newRecord(input);
  addError(r, tool, code, message);
  return r;
}

void addError(Json& record, std::string_view tool, std::string_view code,
              std::string_view message) {
  Json& errors = record["errors"];
  if (!errors.is_array()) errors = Json::array();
  errors.push_back({{"tool", std::string(tool)},
                    {"code", std::string(code)},
                    {"message", std::string(message)}});
  mergeStatus(record, Status::error);
}

Status recordStatus(const Json& record) {
  auto it = record.find("status");
  if (it == record.end() || !it->is_string()) return Status::ok;
  return parseStatus(it->get_ref<const std::string&>());
}

void mergeStatus(Json& record, Status s) {
  record["status"] = std::string(toString(worst(recordStatus(record), s)));
}

static std::string stringAt(const Json& record, const char* key) {
  auto it = record.find(key);
  if (it != record.end() && it->is_string()) return it->get<std::string>();
  return {};
}

std::string workingImagePath(const Json& record) {
  std::string image = stringAt(record, "image");
  return image.empty() ? stringAt(record, "input") : image;
}

std::string inputStem(const Json& record) {
  return std::filesystem::path(stringAt(record, "input")).stem().string();
}

}  // namespace idkit
