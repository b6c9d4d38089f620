// MD5 (RFC 1321); see md5.h for why many messages go side by side.
#include "checksum/md5.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace s3pull::checksum {
namespace {

// RFC 1321's table: kK[i] = floor(2^32 * |sin(i + 1)|).
constexpr uint32_t kK[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};

// The message word step i reads, and how far it rotates.
constexpr size_t WordOf(size_t i) {
  return i < 16 ? i : i < 32 ? (5 * i + 1) % 16 : i < 48 ? (3 * i + 5) % 16 : (7 * i) % 16;
}
constexpr int ShiftOf(size_t i) {
  constexpr int kShifts[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};
  return kShifts[i / 16][i % 4];
}
// Each step updates one of the four words and the roles rotate: in step i,
// "a" is word (-i mod 4), "b" the one after it, and so on.
constexpr size_t Role(size_t i, size_t role) { return (64 + role - i) % 4; }

uint32_t LoadLe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

void StoreLe32(uint8_t* p, uint32_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}

// The order of the additions keeps the chain short: what needs only the
// older words (message, constant, the parts of f without b) is summed
// first, so the newest word "b" passes through as few operations as
// possible.
template <size_t I>
inline void ScalarStep(uint32_t (&s)[4], const uint32_t (&m)[16]) {
  constexpr size_t a = Role(I, 0), b = Role(I, 1), c = Role(I, 2), d = Role(I, 3);
  uint32_t sum = s[a] + (m[WordOf(I)] + kK[I]);
  if constexpr (I < 16) {
    sum += s[d] ^ (s[b] & (s[c] ^ s[d]));  // b ? c : d
  } else if constexpr (I < 32) {
    sum += s[c] & ~s[d];  // d ? b : c, as the sum of its two disjoint terms
    sum += s[b] & s[d];
  } else if constexpr (I < 48) {
    sum += s[b] ^ (s[c] ^ s[d]);
  } else {
    sum += s[c] ^ (s[b] | ~s[d]);
  }
  s[a] = s[b] + std::rotl(sum, ShiftOf(I));
}

template <size_t... I>
inline void ScalarRounds(uint32_t (&s)[4], const uint32_t (&m)[16], std::index_sequence<I...>) {
  (ScalarStep<I>(s, m), ...);
}

void ScalarBlocks(uint32_t (&state)[4], const uint8_t* p, size_t blocks) {
  for (; blocks > 0; --blocks, p += 64) {
    uint32_t m[16];
    for (size_t j = 0; j < 16; ++j) m[j] = LoadLe32(p + 4 * j);
    uint32_t s[4] = {state[0], state[1], state[2], state[3]};
    ScalarRounds(s, m, std::make_index_sequence<64>());
    for (size_t k = 0; k < 4; ++k) state[k] += s[k];
  }
}

constexpr size_t kMaxLanes = 16;

#if defined(__x86_64__)
// The 8-bit truth table of f(x, y, z) for vpternlogd, whose bit
// (x << 2 | y << 1 | z) is f's value there.
constexpr int TernaryTable(bool (*f)(bool, bool, bool)) {
  int table = 0;
  for (int i = 0; i < 8; ++i) {
    if (f((i >> 2) & 1, (i >> 1) & 1, i & 1)) table |= 1 << i;
  }
  return table;
}
constexpr int kRoundTables[4] = {
    TernaryTable([](bool x, bool y, bool z) { return x ? y : z; }),
    TernaryTable([](bool x, bool y, bool z) { return z ? x : y; }),
    TernaryTable([](bool x, bool y, bool z) { return x != y ? !z : z; }),
    TernaryTable([](bool x, bool y, bool z) { return y != (x || !z); }),
};

template <size_t I>
__attribute__((target("avx512f"))) inline void VectorStep(__m512i (&s)[4], const __m512i (&m)[16]) {
  constexpr size_t a = Role(I, 0), b = Role(I, 1), c = Role(I, 2), d = Role(I, 3);
  // Immediates: constant expressions even in an unoptimised build.
  constexpr int kTable = kRoundTables[I / 16];
  constexpr int kShift = ShiftOf(I);
  __m512i f = _mm512_ternarylogic_epi32(s[b], s[c], s[d], kTable);
  __m512i sum = _mm512_add_epi32(_mm512_add_epi32(s[a], f),
                                 _mm512_add_epi32(m[WordOf(I)], _mm512_set1_epi32(kK[I])));
  s[a] = _mm512_add_epi32(s[b], _mm512_maskz_rol_epi32(0xffff, sum, kShift));
}

template <size_t... I>
__attribute__((target("avx512f"))) inline void VectorRounds(__m512i (&s)[4], const __m512i (&m)[16],
                                                            std::index_sequence<I...>) {
  (VectorStep<I>(s, m), ...);
}

// Indexes for _mm512_permutex2var_epi32 that swap bit k of the register
// number with bit k of the word position, for the registers whose bit k is 0
// (`low`) and 1 (`high`); values of 16 and up pick the second register.
struct SwapIndexes {
  alignas(64) int32_t low[4][16];
  alignas(64) int32_t high[4][16];
};
constexpr SwapIndexes MakeSwapIndexes() {
  SwapIndexes indexes{};
  for (int k = 0; k < 4; ++k) {
    int bit = 1 << k;
    for (int c = 0; c < 16; ++c) {
      indexes.low[k][c] = (c & bit) ? 16 + (c ^ bit) : c;
      indexes.high[k][c] = (c & bit) ? 16 + c : c ^ bit;
    }
  }
  return indexes;
}
constexpr SwapIndexes kSwap = MakeSwapIndexes();

// Rows (one lane's 16 words each) into columns (one word of every lane
// each): a 16 x 16 transpose, as four rounds that each swap one bit of the
// row number with the same bit of the word position.
__attribute__((target("avx512f"))) inline void Transpose(__m512i (&m)[16]) {
  for (int k = 0; k < 4; ++k) {
    const int bit = 1 << k;
    const __m512i low = _mm512_load_si512(kSwap.low[k]);
    const __m512i high = _mm512_load_si512(kSwap.high[k]);
    for (int r = 0; r < 16; ++r) {
      if (r & bit) continue;
      __m512i a = m[r];
      __m512i b = m[r | bit];
      m[r] = _mm512_permutex2var_epi32(a, low, b);
      m[r | bit] = _mm512_permutex2var_epi32(a, high, b);
    }
  }
}

// `blocks` blocks of each of `lanes` (2..16) messages, lane l's at data[l],
// into states[l]. Unused lanes hash lane 0's bytes and are not stored.
__attribute__((target("avx512f"))) void VectorBlocks(uint32_t* const* states,
                                                     const uint8_t* const* data, size_t lanes,
                                                     size_t blocks) {
  alignas(64) uint32_t words[4][kMaxLanes];
  const uint8_t* rows[kMaxLanes];
  for (size_t l = 0; l < kMaxLanes; ++l) {
    size_t from = l < lanes ? l : 0;
    for (size_t k = 0; k < 4; ++k) words[k][l] = states[from][k];
    rows[l] = data[from];
  }
  __m512i state[4];
  for (size_t k = 0; k < 4; ++k) state[k] = _mm512_load_si512(words[k]);
  for (size_t offset = 0; blocks > 0; --blocks, offset += 64) {
    __m512i m[16];
    for (size_t l = 0; l < kMaxLanes; ++l) m[l] = _mm512_loadu_si512(rows[l] + offset);
    Transpose(m);
    __m512i s[4] = {state[0], state[1], state[2], state[3]};
    VectorRounds(s, m, std::make_index_sequence<64>());
    for (size_t k = 0; k < 4; ++k) state[k] = _mm512_add_epi32(state[k], s[k]);
  }
  for (size_t k = 0; k < 4; ++k) _mm512_store_si512(words[k], state[k]);
  for (size_t l = 0; l < lanes; ++l) {
    for (size_t k = 0; k < 4; ++k) states[l][k] = words[k][l];
  }
}

bool HasAvx512() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
}
#else
bool HasAvx512() { return false; }
void VectorBlocks(uint32_t* const*, const uint8_t* const*, size_t, size_t) {}
#endif

}  // namespace

std::string_view Md5Hasher::FillTail(std::string_view bytes) {
  if (tail_size_ == 0) return bytes;
  size_t take = std::min(bytes.size(), sizeof(tail_) - tail_size_);
  std::memcpy(tail_ + tail_size_, bytes.data(), take);
  tail_size_ += take;
  if (tail_size_ == sizeof(tail_)) {
    ScalarBlocks(state_, tail_, 1);
    tail_size_ = 0;
  }
  return bytes.substr(take);
}

void Md5Hasher::KeepTail(std::string_view bytes) {
  std::memcpy(tail_ + tail_size_, bytes.data(), bytes.size());
  tail_size_ += bytes.size();
}

void Md5Hasher::Update(std::string_view bytes) {
  length_ += bytes.size();
  std::string_view rest = FillTail(bytes);
  size_t blocks = rest.size() / 64;
  ScalarBlocks(state_, reinterpret_cast<const uint8_t*>(rest.data()), blocks);
  KeepTail(rest.substr(blocks * 64));
}

Digest Md5Hasher::Finish() {
  uint64_t bits = length_ * 8;
  tail_[tail_size_++] = 0x80;
  if (tail_size_ > 56) {
    std::memset(tail_ + tail_size_, 0, sizeof(tail_) - tail_size_);
    ScalarBlocks(state_, tail_, 1);
    tail_size_ = 0;
  }
  std::memset(tail_ + tail_size_, 0, 56 - tail_size_);
  StoreLe32(tail_ + 56, static_cast<uint32_t>(bits));
  StoreLe32(tail_ + 60, static_cast<uint32_t>(bits >> 32));
  ScalarBlocks(state_, tail_, 1);
  Digest digest(16);
  for (size_t k = 0; k < 4; ++k) StoreLe32(digest.data() + 4 * k, state_[k]);
  return digest;
}

int Md5Hasher::Lanes() { return HasAvx512() ? static_cast<int>(kMaxLanes) : 1; }

void Md5Hasher::UpdateMany(std::span<Md5Hasher* const> hashers,
                           std::span<const std::string_view> inputs) {
  struct Lane {
    Md5Hasher* hasher;
    const uint8_t* data;
    size_t blocks;
    std::string_view tail;
  };
  std::vector<Lane> lanes;
  lanes.reserve(hashers.size());
  for (size_t i = 0; i < hashers.size(); ++i) {
    hashers[i]->length_ += inputs[i].size();
    std::string_view rest = hashers[i]->FillTail(inputs[i]);
    size_t blocks = rest.size() / 64;
    lanes.push_back({hashers[i], reinterpret_cast<const uint8_t*>(rest.data()), blocks,
                     rest.substr(blocks * 64)});
  }
  // Up to 16 messages with blocks left run together for as many blocks as
  // the shortest has; a message left alone finishes on its own.
  for (;;) {
    Lane* group[kMaxLanes];
    size_t count = 0;
    for (Lane& lane : lanes) {
      if (lane.blocks > 0 && count < kMaxLanes) group[count++] = &lane;
    }
    if (count == 0) break;
    if (count == 1 || !HasAvx512()) {
      for (size_t g = 0; g < count; ++g) {
        ScalarBlocks(group[g]->hasher->state_, group[g]->data, group[g]->blocks);
        group[g]->blocks = 0;
      }
      continue;
    }
    size_t run = group[0]->blocks;
    uint32_t* states[kMaxLanes];
    const uint8_t* data[kMaxLanes];
    for (size_t g = 0; g < count; ++g) {
      run = std::min(run, group[g]->blocks);
      states[g] = group[g]->hasher->state_;
      data[g] = group[g]->data;
    }
    VectorBlocks(states, data, count, run);
    for (size_t g = 0; g < count; ++g) {
      group[g]->data += run * 64;
      group[g]->blocks -= run;
    }
  }
  for (Lane& lane : lanes) lane.hasher->KeepTail(lane.tail);
}

}  // namespace s3pull::checksum
