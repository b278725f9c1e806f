// libjpeg error handling shared by idkit's JPEG code (codec.cpp, the region
// decode in deskew_decode.cpp): an error jumps back to the caller's setjmp
// with the library's message; a warning (corrupt data the library can skip)
// is not an error. The setjmp itself must stay in the calling function.
#pragma once
#include <csetjmp>
#include <cstdio>

#include <jpeglib.h>

namespace idkit::detail {

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] inline void jpegExit(j_common_ptr c) {
  auto* e = reinterpret_cast<JpegError*>(c->err);
  (*c->err->format_message)(c, e->message);
  std::longjmp(e->jump, 1);
}

inline void jpegQuiet(j_common_ptr, int) {}

// The error manager to put in cinfo.err, set up with the two handlers above.
inline jpeg_error_mgr* jpegErrorManager(JpegError& e) {
  jpeg_std_error(&e.mgr);
  e.mgr.error_exit = jpegExit;
  e.mgr.emit_message = jpegQuiet;
  return &e.mgr;
}

}  // namespace idkit::detail
