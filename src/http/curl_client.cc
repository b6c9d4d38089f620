// CurlHttpClient implementation; see curl_client.h.
//
// Each in-flight request is a Transfer: an easy handle, its header list, the
// response headers gathered so far and the caller's handler. Finished
// transfers go back to a free list so their easy handles (and the buffers
// libcurl keeps in them) are reused.
#include "http/curl_client.h"

#include <curl/curl.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "common/ascii.h"
#include "http/address_spread.h"

namespace s3pull::http {
namespace {

// curl_global_init is not thread-safe and must run once per process.
void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The server's certificate or name did not verify: asking again cannot help.
bool IsUntrustedServer(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_ISSUER_ERROR || code == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

}  // namespace

const std::string* FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

// Where a transfer is on its way to sending its request.
enum class Stage {
  kHeld,       // waiting in the client: too many connections are being set up
  kSettingUp,  // with libcurl: connecting (TCP, TLS) or waiting for a connection
  kSending,    // its connection is ready: request sent, response under way
};

// libcurl's handles, freed by their own functions.
template <auto free_handle>
struct FreeWith {
  template <typename Handle>
  void operator()(Handle* handle) const {
    free_handle(handle);
  }
};
using EasyHandle = std::unique_ptr<CURL, FreeWith<curl_easy_cleanup>>;
using MultiHandle = std::unique_ptr<CURLM, FreeWith<curl_multi_cleanup>>;
using ShareHandle = std::unique_ptr<CURLSH, FreeWith<curl_share_cleanup>>;
using ListHandle = std::unique_ptr<curl_slist, FreeWith<curl_slist_free_all>>;

// Adds `line` to `list`; on failure (no memory) `list` stays as it was.
void Append(ListHandle& list, const char* line) {
  if (curl_slist* head = curl_slist_append(list.get(), line)) {
    (void)list.release();
    list.reset(head);
  }
}

struct Transfer {
  EasyHandle easy;
  Stage stage = Stage::kHeld;
  int* setting_up = nullptr;  // the client's count of transfers in Stage::kSettingUp
  ListHandle header_list;
  ListHandle connect_to;                     // one entry: the address this request goes to
  std::unique_ptr<ResponseHandler> handler;  // set while the transfer is in use
  Request request;
  int status = 0;
  Headers headers;
  bool headers_delivered = false;
  bool aborted = false;
  std::chrono::steady_clock::time_point last_activity;  // start, or the last byte received
  char error_text[CURL_ERROR_SIZE];  // libcurl's detailed message for a failed transfer
};

// The addresses of one host:port, handed out in turn.
struct SpreadTarget {
  std::vector<std::string> connect_to;  // empty: one address, nothing to spread
  size_t next = 0;
};

struct CurlHttpClient::Impl {
  CurlOptions options;
  // DNS answers and TLS sessions are shared by every easy handle, so a new
  // connection resumes a TLS session instead of a full handshake.
  ShareHandle share;
  MultiHandle multi;  // (declared after `share`: freed before it)
  std::unordered_map<std::string, SpreadTarget> spread;  // by "host:port"
  std::vector<std::unique_ptr<Transfer>> all;            // owns every Transfer ever made
  // Requests that could not be set up (no memory for an easy handle): they
  // fail at the next Poll(), not inside Start().
  std::vector<std::unique_ptr<ResponseHandler>> unstartable;
  std::vector<Transfer*> free_list;
  std::deque<Transfer*> held;  // oldest first
  int setting_up = 0;          // transfers in Stage::kSettingUp
  std::chrono::steady_clock::time_point last_stall_scan;

  // Hands the final response's status and headers to the handler once;
  // false when the handler wants the transfer aborted.
  static bool DeliverHeaders(Transfer* t) {
    if (t->headers_delivered) return true;
    t->headers_delivered = true;
    if (t->handler->OnHeaders(t->status, t->headers)) return true;
    t->aborted = true;
    return false;
  }

  static size_t OnHeaderLine(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    t->last_activity = std::chrono::steady_clock::now();
    std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
      // A new response begins (after a 1xx or a redirect): forget the last one.
      t->headers.clear();
      size_t space = line.find(' ');
      t->status = space == std::string_view::npos ? 0 : std::atoi(line.data() + space + 1);
      return line.size();
    }
    std::string_view trimmed = TrimAsciiSpace(line);
    if (trimmed.empty()) {
      // Returning less than the line's size makes libcurl abort the transfer.
      if (t->status >= 200 && !DeliverHeaders(t)) return 0;
      return line.size();
    }
    size_t colon = trimmed.find(':');
    if (colon != std::string_view::npos) {
      t->headers.emplace_back(AsciiLower(trimmed.substr(0, colon)),
                              std::string(TrimAsciiSpace(trimmed.substr(colon + 1))));
    }
    return line.size();
  }

  static size_t OnBodyData(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    t->last_activity = std::chrono::steady_clock::now();
    if (!DeliverHeaders(t)) return CURL_WRITEFUNC_ERROR;
    size_t n = size * count;
    if (!t->handler->OnBody(std::string_view(data, n))) {
      t->aborted = true;
      return CURL_WRITEFUNC_ERROR;
    }
    return n;
  }

  // libcurl's SSL-context callback: every new TLS connection verifies with
  // the one shared store instead of a store of its own.
  static CURLcode UseTrustStore(CURL*, void* ssl_ctx, void* user) {
    auto* store = static_cast<X509_STORE*>(user);
    if (X509_STORE_up_ref(store) != 1) return CURLE_OUT_OF_MEMORY;
    SSL_CTX_set_cert_store(static_cast<SSL_CTX*>(ssl_ctx), store);
    return CURLE_OK;
  }

  // libcurl's pre-request callback: the transfer's connection is made (or
  // reused) and its request goes out now.
  static int OnConnectionReady(void* user, char*, char*, int, int) {
    auto* t = static_cast<Transfer*>(user);
    // libcurl calls again when it resends on a fresh connection by itself.
    if (t->stage == Stage::kSettingUp) {
      t->stage = Stage::kSending;
      --*t->setting_up;
    }
    return CURL_PREREQFUNC_OK;
  }

  // Hands held transfers to libcurl while fewer than the limit are setting
  // up connections.
  void AdmitHeld() {
    while (!held.empty() && setting_up < options.max_connections_setting_up) {
      Transfer* t = held.front();
      held.pop_front();
      t->stage = Stage::kSettingUp;
      ++setting_up;
      t->last_activity = std::chrono::steady_clock::now();
      curl_multi_add_handle(multi.get(), t->easy.get());
    }
  }

  // A pooled transfer, or a new one; nullptr when libcurl has no memory left.
  Transfer* Acquire() {
    if (!free_list.empty()) {
      Transfer* t = free_list.back();
      free_list.pop_back();
      return t;
    }
    EasyHandle easy(curl_easy_init());
    if (!easy) return nullptr;
    auto t = std::make_unique<Transfer>();
    t->setting_up = &setting_up;
    t->easy = std::move(easy);
    all.push_back(std::move(t));
    return all.back().get();
  }

  // Fails the requests that could not be set up.
  void FailUnstartable(const TransportResult& result) {
    std::vector<std::unique_ptr<ResponseHandler>> handlers;
    handlers.swap(unstartable);
    for (std::unique_ptr<ResponseHandler>& handler : handlers) handler->OnComplete(result);
  }

  // The next address for the host of `url`, as a CONNECT_TO entry; nullptr
  // when the host has one address (or is one).
  const std::string* NextAddress(const std::string& url) {
    std::optional<HostPort> target = UrlHostPort(url);
    if (!target || IsIpLiteral(target->host)) return nullptr;
    std::string key = target->host + ":" + std::to_string(target->port);
    auto [it, inserted] = spread.try_emplace(key);
    if (inserted) {
      std::vector<std::string> addresses = ResolveAll(target->host);
      if (addresses.size() > 1) it->second.connect_to = ConnectToEntries(*target, addresses);
    }
    SpreadTarget& s = it->second;
    if (s.connect_to.empty()) return nullptr;
    return &s.connect_to[s.next++ % s.connect_to.size()];
  }

  void Configure(Transfer* t) {
    CURL* e = t->easy.get();
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_URL, t->request.url.c_str());
    t->error_text[0] = '\0';
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error_text);
    curl_easy_setopt(e, CURLOPT_SHARE, share.get());
    t->connect_to.reset();
    if (options.spread_addresses) {
      if (const std::string* address = NextAddress(t->request.url)) {
        Append(t->connect_to, address->c_str());
        curl_easy_setopt(e, CURLOPT_CONNECT_TO, t->connect_to.get());
      }
    }
    curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
    // Each connection keeps a buffer this size: 64 KiB keeps 512 connections
    // within 32 MiB while still moving large bodies in few callbacks.
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 64L * 1024);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
    if (options.verify_tls && options.trust_store) {
      curl_easy_setopt(e, CURLOPT_CAINFO, nullptr);
      curl_easy_setopt(e, CURLOPT_CAPATH, nullptr);
      curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, &Impl::UseTrustStore);
      curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, options.trust_store->x509_store());
    } else if (!options.ca_bundle.empty()) {
      curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_bundle.c_str());
    }
    if (!options.user_agent.empty())
      curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
    if (t->request.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (t->request.method != "GET") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->request.method.c_str());
    }
    t->header_list.reset();
    std::string line;
    for (const auto& [name, value] : t->request.headers) {
      line.assign(name).append(": ").append(value);
      Append(t->header_list, line.c_str());
    }
    // Signed requests must not grow headers the signer did not see; "Accept"
    // is unsigned and harmless, but "Expect" is never wanted on a GET.
    Append(t->header_list, "Expect:");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->header_list.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::OnHeaderLine);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::OnBodyData);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &Impl::OnConnectionReady);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, t);
  }

  void Finish(CURLMsg* msg) {
    Transfer* t = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    TransportResult result;
    CURLcode code = msg->data.result;
    if (code != CURLE_OK) {
      result.ok = false;
      result.aborted_by_handler = t->aborted;
      result.error = t->error_text[0] != '\0' ? t->error_text : curl_easy_strerror(code);
      result.untrusted_server = IsUntrustedServer(code);
      AddContext(t->request.url, &result.error);
    } else {
      DeliverHeaders(t);  // a response with no body and no blank line seen
    }
    Complete(t, result);
  }

  // Names the server in a transport error that does not name it already,
  // and, for a certificate that did not verify, where the trusted
  // certificates came from.
  void AddContext(const std::string& url, std::string* error) const {
    std::string notes;
    std::optional<HostPort> target = UrlHostPort(url);
    if (target && error->find(target->host) == std::string::npos)
      notes = target->host + ":" + std::to_string(target->port);
    if (error->starts_with("SSL certificate problem"))
      notes += (notes.empty() ? "" : "; ") + ("trusted certificates: " + TrustSource());
    // What OpenSSL says when the other end answers in plain HTTP.
    if (error->find("wrong version number") != std::string::npos)
      notes += (notes.empty() ? "" : "; ") + std::string(
                                                 "the server did not answer in TLS: is "
                                                 "the port plain HTTP?");
    if (!notes.empty()) *error += " (" + notes + ")";
  }

  // Where the certificates that verify servers come from, for messages.
  std::string TrustSource() const {
    if (options.trust_store) return options.trust_store->source();
    return options.ca_bundle.empty() ? "libcurl's default CA file and folder" : options.ca_bundle;
  }

  // Ends the transfers that received nothing for the stall timeout (libcurl's
  // low-speed check averages over seconds, which is not "nothing for N s").
  void AbandonStalled() {
    auto now = std::chrono::steady_clock::now();
    if (now - last_stall_scan < std::chrono::milliseconds(200)) return;
    last_stall_scan = now;
    auto limit = std::chrono::seconds(options.stall_timeout_seconds);
    std::vector<Transfer*> stalled;
    for (auto& t : all) {
      if (t->handler != nullptr && t->stage != Stage::kHeld && now - t->last_activity > limit)
        stalled.push_back(t.get());
    }
    TransportResult result;
    result.ok = false;
    result.error =
        "stalled: nothing received for " + std::to_string(options.stall_timeout_seconds) + " s";
    for (Transfer* t : stalled) Complete(t, result);
  }

  // Detaches `t` from the multi handle, returns it to the pool, and tells
  // its handler how it ended.
  void Complete(Transfer* t, const TransportResult& result) {
    if (t->stage == Stage::kHeld) {
      held.erase(std::find(held.begin(), held.end(), t));
    } else {
      if (t->stage == Stage::kSettingUp) --setting_up;
      curl_multi_remove_handle(multi.get(), t->easy.get());
    }
    std::unique_ptr<ResponseHandler> handler = std::move(t->handler);
    t->request = Request{};
    t->headers.clear();
    free_list.push_back(t);
    handler->OnComplete(result);  // may Start() new requests, reusing t
  }
};

CurlHttpClient::CurlHttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<CurlHttpClient>> CurlHttpClient::Create(const CurlOptions& options) {
  GlobalInitOnce();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->multi.reset(curl_multi_init());
  impl->share.reset(curl_share_init());
  if (!impl->multi || !impl->share) {
    return Status(StatusCode::kIoError, "cannot start libcurl: out of memory");
  }
  long max_conn = std::max(1, options.max_connections);
  curl_multi_setopt(impl->multi.get(), CURLMOPT_MAXCONNECTS, max_conn);
  curl_multi_setopt(impl->multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, max_conn);
  curl_share_setopt(impl->share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(impl->share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  return std::unique_ptr<CurlHttpClient>(new CurlHttpClient(std::move(impl)));
}

CurlHttpClient::~CurlHttpClient() {
  // Transfers in flight leave the multi handle before their easy handles go.
  for (auto& t : impl_->all) {
    if (t->handler != nullptr && t->stage != Stage::kHeld)
      curl_multi_remove_handle(impl_->multi.get(), t->easy.get());
  }
}

void CurlHttpClient::Start(Request request, std::unique_ptr<ResponseHandler> handler) {
  Transfer* t = impl_->Acquire();
  if (t == nullptr) {
    impl_->unstartable.push_back(std::move(handler));
    return;
  }
  t->request = std::move(request);
  t->handler = std::move(handler);
  t->status = 0;
  t->headers.clear();
  t->headers_delivered = false;
  t->aborted = false;
  impl_->Configure(t);
  t->stage = Stage::kHeld;
  impl_->held.push_back(t);
  impl_->AdmitHeld();
}

void CurlHttpClient::Poll(int timeout_ms) {
  int running = 0;
  TransportResult no_memory;
  no_memory.ok = false;
  no_memory.error = "cannot set up the request: libcurl is out of memory";
  impl_->FailUnstartable(no_memory);
  curl_multi_perform(impl_->multi.get(), &running);
  int queued = 0;
  bool any = false;
  while (CURLMsg* msg = curl_multi_info_read(impl_->multi.get(), &queued)) {
    if (msg->msg == CURLMSG_DONE) {
      impl_->Finish(msg);
      any = true;
    }
  }
  impl_->AbandonStalled();
  impl_->AdmitHeld();
  if (any) return;
  // With nothing in flight this still waits: for a retry's time, or for a
  // Wakeup() when hashing ends.
  curl_multi_poll(impl_->multi.get(), nullptr, 0, timeout_ms, nullptr);
}

void CurlHttpClient::Wakeup() { curl_multi_wakeup(impl_->multi.get()); }

void CurlHttpClient::CancelAll() {
  TransportResult cancelled;
  cancelled.ok = false;
  cancelled.cancelled = true;
  cancelled.error = "cancelled";
  // Handlers may start requests from OnComplete(), which can grow `all`.
  std::vector<Transfer*> running;
  for (auto& t : impl_->all) {
    if (t->handler != nullptr) running.push_back(t.get());
  }
  for (Transfer* t : running) impl_->Complete(t, cancelled);
  impl_->FailUnstartable(cancelled);
}

}  // namespace s3pull::http
