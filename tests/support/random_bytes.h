// Reproducible test data: `size` pseudo-random bytes from `seed`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace s3pull::testing {

inline std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

}  // namespace s3pull::testing
