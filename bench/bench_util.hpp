// Small helpers shared by the bench drivers.
#pragma once
#include <time.h>

#include <algorithm>
#include <vector>

namespace idkit::bench {

// CPU time of the calling thread in ms: the machine is shared, wall time is
// not ours alone; with OpenCV on one thread (setNumThreads(1)) the thread's
// CPU time is all the work.
inline double cpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Upper median (0 for no values).
inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace idkit::bench
