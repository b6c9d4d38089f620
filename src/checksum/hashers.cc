// Hashers and CRC combination; see hashers.h.
//
// The CRC maths, in short. All three CRCs are "reflected": bit i of a value
// is the coefficient of x^(width-1-i), and a message byte enters low bit
// first. With init and xorout both all ones, CRC(A||B) = CRC(A)*x^(8|B|) +
// CRC(B) mod P: the init's and xorout's contributions cancel. Multiplying by
// x^n mod P takes the product of the precomputed x^(2^k) for the set bits of
// n, so combining costs O(log n).
#include "checksum/hashers.h"

#include <isa-l/crc.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "checksum/md5.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace s3pull::checksum {
namespace {

// ---------------------------------------------------------------------------
// Polynomial arithmetic modulo a CRC polynomial, in reflected form.

constexpr uint64_t Reflect(uint64_t value, int width) {
  uint64_t out = 0;
  for (int i = 0; i < width; ++i) out |= ((value >> i) & 1) << (width - 1 - i);
  return out;
}

struct CrcSpec {
  int width;
  uint64_t poly;  // reflected, without the x^width term
  // x^(2^k) mod P for k < 67: enough for x^(8n) with any 64-bit byte count n.
  std::array<uint64_t, 67> x_pow2k;
  uint64_t mask() const { return width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1; }
};

constexpr uint64_t One(const CrcSpec& s) { return uint64_t{1} << (s.width - 1); }  // x^0

// a*b mod P: shift-and-add, multiplying b by x (a right shift, reflected)
// once per coefficient of a, from x^0 up.
constexpr uint64_t MulModP(uint64_t a, uint64_t b, const CrcSpec& s) {
  uint64_t product = 0;
  for (uint64_t bit = One(s); bit != 0; bit >>= 1) {
    if (a & bit) product ^= b;
    b = (b & 1) ? (b >> 1) ^ s.poly : b >> 1;
  }
  return product;
}

// x^n mod P, where `n` counts bits from k_offset up: n * 2^k_offset.
constexpr uint64_t XPow(uint64_t n, const CrcSpec& s, int k_offset = 0) {
  uint64_t result = One(s);
  for (int k = k_offset; n != 0; ++k, n >>= 1) {
    if (n & 1) result = MulModP(result, s.x_pow2k[k], s);
  }
  return result;
}

// `normal_poly` as the CRC catalogue writes it (most significant term first).
constexpr CrcSpec MakeSpec(int width, uint64_t normal_poly) {
  CrcSpec s{width, Reflect(normal_poly, width), {}};
  s.x_pow2k[0] = One(s) >> 1;  // x^1
  for (size_t k = 1; k < s.x_pow2k.size(); ++k) {
    s.x_pow2k[k] = MulModP(s.x_pow2k[k - 1], s.x_pow2k[k - 1], s);
  }
  return s;
}

// CRC-32/ISO-HDLC (zlib), CRC-32/ISCSI (Castagnoli), CRC-64/NVME.
constexpr CrcSpec kCrc32Spec = MakeSpec(32, 0x04C11DB7);
constexpr CrcSpec kCrc32cSpec = MakeSpec(32, 0x1EDC6F41);
constexpr CrcSpec kCrc64NvmeSpec = MakeSpec(64, 0xAD93D23594C93659);

const CrcSpec& SpecOf(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kCrc32:
      return kCrc32Spec;
    case HashAlgorithm::kCrc32c:
      return kCrc32cSpec;
    default:
      return kCrc64NvmeSpec;
  }
}

// ---------------------------------------------------------------------------
// CRC64NVME, our own: Debian 12's ISA-L (2.30) predates its CRC-64/NVME
// (crc64_rocksoft, 2.31). The updates below take and return the register
// (before the final xor).

// Slicing-by-8: table k holds the register change of a byte followed by k
// zero bytes, so eight table lookups consume eight bytes at once.
using SlicingTables = std::array<std::array<uint64_t, 256>, 8>;
constexpr SlicingTables MakeSlicingTables(const CrcSpec& s) {
  SlicingTables t{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t r = i;
    for (int b = 0; b < 8; ++b) r = (r & 1) ? (r >> 1) ^ s.poly : r >> 1;
    t[0][i] = r;
  }
  for (size_t k = 1; k < t.size(); ++k) {
    for (size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  }
  return t;
}
constexpr SlicingTables kCrc64NvmeTables = MakeSlicingTables(kCrc64NvmeSpec);

uint64_t Crc64NvmeSlicing(uint64_t reg, const uint8_t* p, size_t n) {
  const SlicingTables& t = kCrc64NvmeTables;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    v ^= reg;
    reg = t[7][v & 0xff] ^ t[6][(v >> 8) & 0xff] ^ t[5][(v >> 16) & 0xff] ^ t[4][(v >> 24) & 0xff] ^
          t[3][(v >> 32) & 0xff] ^ t[2][(v >> 40) & 0xff] ^ t[1][(v >> 48) & 0xff] ^ t[0][v >> 56];
  }
  for (; n > 0; ++p, --n) reg = t[0][(reg ^ *p) & 0xff] ^ (reg >> 8);
  return reg;
}

#if defined(__x86_64__)
// Folding with carry-less multiplication (the method of Intel's "Fast CRC
// Computation for Generic Polynomials Using PCLMULQDQ"). A 16-byte block
// loaded little-endian is a reflected polynomial H*x^64 + L of degree < 128;
// moving it D bits further along the message means multiplying it by x^D,
// and H*x^(D+64) + L*x^D mod P is two 64x64 multiplications by constants.
// A reflected carry-less product comes out one bit short (bit k stands for
// x^(126-k), not x^(127-k)), so the constants are x^(D+63) and x^(D-1).
// Whatever is left folds into one block B; its CRC with a zero register,
// B*x^64 mod P, is the register.
constexpr uint64_t FoldKeyHi(uint64_t d) { return XPow(d + 63, kCrc64NvmeSpec); }
constexpr uint64_t FoldKeyLo(uint64_t d) { return XPow(d - 1, kCrc64NvmeSpec); }
// Four independent blocks in flight hide the multiply latency: each folds 512 bits on.
constexpr uint64_t kFoldLanesHi = FoldKeyHi(512), kFoldLanesLo = FoldKeyLo(512);
constexpr uint64_t kFoldOneHi = FoldKeyHi(128), kFoldOneLo = FoldKeyLo(128);

__attribute__((target("pclmul"))) inline __m128i Fold(__m128i block, __m128i keys) {
  return _mm_xor_si128(_mm_clmulepi64_si128(block, keys, 0x00),
                       _mm_clmulepi64_si128(block, keys, 0x11));
}

// Needs n >= 64.
__attribute__((target("pclmul"))) uint64_t Crc64NvmeClmul(uint64_t reg, const uint8_t* p,
                                                          size_t n) {
  auto load = [](const uint8_t* at) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
  };
  const __m128i lanes_keys =
      _mm_set_epi64x(static_cast<int64_t>(kFoldLanesLo), static_cast<int64_t>(kFoldLanesHi));
  const __m128i one_keys =
      _mm_set_epi64x(static_cast<int64_t>(kFoldOneLo), static_cast<int64_t>(kFoldOneHi));
  // Four named lanes, not an array: the compiler then keeps them in registers.
  __m128i x0 = _mm_xor_si128(load(p), _mm_cvtsi64_si128(static_cast<int64_t>(reg)));
  __m128i x1 = load(p + 16), x2 = load(p + 32), x3 = load(p + 48);
  for (p += 64, n -= 64; n >= 64; p += 64, n -= 64) {
    x0 = _mm_xor_si128(Fold(x0, lanes_keys), load(p));
    x1 = _mm_xor_si128(Fold(x1, lanes_keys), load(p + 16));
    x2 = _mm_xor_si128(Fold(x2, lanes_keys), load(p + 32));
    x3 = _mm_xor_si128(Fold(x3, lanes_keys), load(p + 48));
  }
  __m128i acc = _mm_xor_si128(Fold(x0, one_keys), x1);
  acc = _mm_xor_si128(Fold(acc, one_keys), x2);
  acc = _mm_xor_si128(Fold(acc, one_keys), x3);
  for (; n >= 16; p += 16, n -= 16) acc = _mm_xor_si128(Fold(acc, one_keys), load(p));
  uint8_t block[16];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(block), acc);
  return Crc64NvmeSlicing(Crc64NvmeSlicing(0, block, sizeof block), p, n);
}
#endif

uint64_t Crc64NvmeUpdate(uint64_t reg, const uint8_t* p, size_t n) {
#if defined(__x86_64__)
  static const bool has_clmul = __builtin_cpu_supports("pclmul");
  if (has_clmul && n >= 64) return Crc64NvmeClmul(reg, p, n);
#endif
  return Crc64NvmeSlicing(reg, p, n);
}

// ISA-L's CRC32 takes and returns the final value (it inverts inside);
// CRC32C takes and returns the register, with an int length, and a
// non-const pointer that it only reads.
uint64_t Crc32Update(uint64_t reg, const uint8_t* p, size_t n) {
  return ~crc32_gzip_refl(~static_cast<uint32_t>(reg), p, n) & 0xffffffffu;
}

uint64_t Crc32cUpdate(uint64_t reg, const uint8_t* p, size_t n) {
  constexpr size_t kMaxChunk = size_t{1} << 30;
  auto r = static_cast<unsigned>(reg);
  while (n > 0) {
    size_t chunk = std::min(n, kMaxChunk);
    r = crc32_iscsi(const_cast<uint8_t*>(p), static_cast<int>(chunk), r);
    p += chunk;
    n -= chunk;
  }
  return r;
}

class CrcHasher final : public Hasher {
 public:
  using UpdateFn = uint64_t (*)(uint64_t reg, const uint8_t* p, size_t n);
  CrcHasher(HashAlgorithm algorithm, UpdateFn update)
      : algorithm_(algorithm), update_(update), reg_(SpecOf(algorithm).mask()) {}
  void Update(std::string_view bytes) override {
    reg_ = update_(reg_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  Digest Finish() override { return CrcDigest(algorithm_, reg_ ^ SpecOf(algorithm_).mask()); }

 private:
  HashAlgorithm algorithm_;
  UpdateFn update_;
  uint64_t reg_;
};

// ---------------------------------------------------------------------------
// OpenSSL digests.

// A check that cannot hash must not pass: stop loudly.
void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "s3pull: OpenSSL %s failed\n", what);
    std::abort();
  }
}

// Fetched once: OpenSSL 3 would otherwise look the name up on every init.
const EVP_MD* FetchMd(HashAlgorithm algorithm) {
  static const EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  const EVP_MD* md = algorithm == HashAlgorithm::kSha1 ? sha1 : sha256;
  Check(md != nullptr, "digest fetch");
  return md;
}

class EvpHasher final : public Hasher {
 public:
  explicit EvpHasher(HashAlgorithm algorithm) : ctx_(EVP_MD_CTX_new()) {
    Check(ctx_ != nullptr, "digest context");
    Check(EVP_DigestInit_ex2(ctx_.get(), FetchMd(algorithm), nullptr) == 1, "digest init");
  }
  void Update(std::string_view bytes) override {
    Check(EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) == 1, "digest update");
  }
  Digest Finish() override {
    Digest digest(EVP_MD_CTX_get_size(ctx_.get()));
    Check(EVP_DigestFinal_ex(ctx_.get(), digest.data(), nullptr) == 1, "digest final");
    return digest;
  }

 private:
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

}  // namespace

std::string_view AlgorithmName(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kCrc32:
      return "CRC32";
    case HashAlgorithm::kCrc32c:
      return "CRC32C";
    case HashAlgorithm::kCrc64Nvme:
      return "CRC64NVME";
    case HashAlgorithm::kSha1:
      return "SHA1";
    case HashAlgorithm::kSha256:
      return "SHA256";
    case HashAlgorithm::kMd5:
      return "MD5";
  }
  return "";
}

size_t DigestSize(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kCrc32:
      return 4;
    case HashAlgorithm::kCrc32c:
      return 4;
    case HashAlgorithm::kCrc64Nvme:
      return 8;
    case HashAlgorithm::kSha1:
      return 20;
    case HashAlgorithm::kSha256:
      return 32;
    case HashAlgorithm::kMd5:
      return 16;
  }
  return 0;
}

bool IsCrc(HashAlgorithm algorithm) {
  return algorithm == HashAlgorithm::kCrc32 || algorithm == HashAlgorithm::kCrc32c ||
         algorithm == HashAlgorithm::kCrc64Nvme;
}

std::unique_ptr<Hasher> NewHasher(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kCrc32:
      return std::make_unique<CrcHasher>(algorithm, Crc32Update);
    case HashAlgorithm::kCrc32c:
      return std::make_unique<CrcHasher>(algorithm, Crc32cUpdate);
    case HashAlgorithm::kCrc64Nvme:
      return std::make_unique<CrcHasher>(algorithm, Crc64NvmeUpdate);
    case HashAlgorithm::kMd5:
      return std::make_unique<Md5Hasher>();
    default:
      return std::make_unique<EvpHasher>(algorithm);
  }
}

void UpdateEach(std::span<Hasher* const> hashers, std::span<const std::string_view> inputs) {
  std::vector<Md5Hasher*> md5s;
  std::vector<std::string_view> md5_inputs;
  for (size_t i = 0; i < hashers.size(); ++i) {
    if (auto* md5 = dynamic_cast<Md5Hasher*>(hashers[i])) {
      md5s.push_back(md5);
      md5_inputs.push_back(inputs[i]);
    } else {
      hashers[i]->Update(inputs[i]);
    }
  }
  Md5Hasher::UpdateMany(md5s, md5_inputs);
}

Digest HashBytes(HashAlgorithm algorithm, std::string_view bytes) {
  std::unique_ptr<Hasher> hasher = NewHasher(algorithm);
  hasher->Update(bytes);
  return hasher->Finish();
}

uint64_t CombineCrc(HashAlgorithm algorithm, uint64_t crc_a, uint64_t crc_b, uint64_t length_b) {
  const CrcSpec& s = SpecOf(algorithm);
  // x^(8 * length_b): the powers table from k = 3 on is x^(8 * 2^k').
  return MulModP(crc_a & s.mask(), XPow(length_b, s, 3), s) ^ (crc_b & s.mask());
}

uint64_t CrcValue(std::span<const uint8_t> digest) {
  uint64_t value = 0;
  for (uint8_t byte : digest) value = (value << 8) | byte;
  return value;
}

Digest CrcDigest(HashAlgorithm algorithm, uint64_t crc) {
  Digest digest(DigestSize(algorithm));
  for (size_t i = digest.size(); i-- > 0; crc >>= 8) digest[i] = static_cast<uint8_t>(crc);
  return digest;
}

namespace {

class PartsHasher final : public Hasher {
 public:
  PartsHasher(HashAlgorithm algorithm, std::vector<uint64_t> part_sizes)
      : algorithm_(algorithm),
        sizes_(std::move(part_sizes)),
        hasher_(NewHasher(algorithm)),
        left_(sizes_.empty() ? 0 : sizes_[0]) {}

  void Update(std::string_view bytes) override {
    while (!bytes.empty()) {
      if (left_ == 0 && index_ + 1 < sizes_.size()) {
        EndPart();
        continue;
      }
      // Past the last part, everything goes into it.
      size_t take =
          left_ == 0 ? bytes.size() : static_cast<size_t>(std::min<uint64_t>(left_, bytes.size()));
      hasher_->Update(bytes.substr(0, take));
      left_ -= std::min<uint64_t>(left_, take);
      bytes.remove_prefix(take);
    }
  }

  Digest Finish() override {
    while (index_ + 1 < sizes_.size()) EndPart();
    Digest last = hasher_->Finish();
    digests_.insert(digests_.end(), last.begin(), last.end());
    return std::move(digests_);
  }

 private:
  void EndPart() {
    Digest digest = hasher_->Finish();
    digests_.insert(digests_.end(), digest.begin(), digest.end());
    hasher_ = NewHasher(algorithm_);
    left_ = sizes_[++index_];
  }

  HashAlgorithm algorithm_;
  std::vector<uint64_t> sizes_;
  std::unique_ptr<Hasher> hasher_;  // the current part's
  size_t index_ = 0;                // the current part
  uint64_t left_;                   // bytes of the current part still to come
  Digest digests_;                  // the finished parts'
};

}  // namespace

std::unique_ptr<Hasher> NewPartsHasher(HashAlgorithm algorithm, std::vector<uint64_t> part_sizes) {
  return std::make_unique<PartsHasher>(algorithm, std::move(part_sizes));
}

}  // namespace s3pull::checksum
