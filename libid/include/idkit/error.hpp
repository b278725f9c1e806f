// Expected failures (bad input, nothing found) travel as values or as
// idkit::Failure; anything else that is thrown is an internal error.
#pragma once
#include <expected>
#include <stdexcept>
#include <string>

namespace idkit {

struct Error {
  std::string code;     // stable, snake_case: "too_large", "mrz_not_found"
  std::string message;  // one human sentence naming the input and the problem
};

template <class T>
using Expected = std::expected<T, Error>;

// Thrown for a failure that is the document's fault, not idkit's: it becomes an
// error record with this code and the batch goes on.
class Failure : public std::runtime_error {
 public:
  Failure(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  explicit Failure(const Error& e) : Failure(e.code, e.message) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

}  // namespace idkit
