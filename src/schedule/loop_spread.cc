// LoopSpreader implementation; see loop_spread.h.
#include "schedule/loop_spread.h"

#include <unistd.h>

#include <cstdio>

namespace s3pull::schedule {

bool LoopSpreader::Tick(double now, double loop_cpu, double machine_idle) {
  bool spread = false;
  if (start_ >= 0 && now > start_) {
    double seconds = now - start_;
    double busy = (loop_cpu - start_cpu_) / seconds;
    double idle = (machine_idle - start_idle_) / seconds;
    spread = work_waited_ && busy >= options_.busy && idle >= options_.idle_cores &&
             loops_ < options_.max_loops;
  }
  if (spread) ++loops_;
  start_ = now;
  start_cpu_ = loop_cpu;
  start_idle_ = machine_idle;
  work_waited_ = false;
  return spread;
}

std::optional<double> MachineIdleSeconds() {
  // First line: "cpu  user nice system idle iowait irq softirq ..." in clock ticks.
  FILE* stat = std::fopen("/proc/stat", "re");
  if (stat == nullptr) return std::nullopt;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0;
  int fields =
      std::fscanf(stat, "cpu %llu %llu %llu %llu %llu", &user, &nice, &system, &idle, &iowait);
  std::fclose(stat);
  long ticks_per_second = sysconf(_SC_CLK_TCK);
  if (fields != 5 || ticks_per_second <= 0) return std::nullopt;
  return static_cast<double>(idle + iowait) / static_cast<double>(ticks_per_second);
}

}  // namespace s3pull::schedule
