// LoopPool; see loop_pool.h.
#include "transfer/loop_pool.h"

#include <system_error>
#include <utility>

namespace s3pull::transfer {

bool LoopPool::Start() {
  if (!make_client_) return false;
  std::unique_ptr<http::HttpClient> client = make_client_();
  if (!client) return false;
  http::HttpClient* http = client.get();
  clients_.push_back(std::move(client));
  int helper = share_.Join([http] { http->Wakeup(); });
  try {
    threads_.emplace_back([this, http, helper] { run_helper_(*http, helper); });
  } catch (const std::system_error&) {  // no thread to be had
    share_.Leave(helper, 0);
    return false;
  }
  return true;
}

void LoopPool::Join() {
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace s3pull::transfer
