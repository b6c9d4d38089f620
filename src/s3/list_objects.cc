// ListObjectsV2 page parsing and pagination; see list_objects.h.
#include "s3/list_objects.h"

#include <charconv>

#include "s3/uri_encode.h"
#include "s3/xml.h"

namespace s3pull::s3 {
namespace {

Status BadPage(std::string why) {
  return Status(StatusCode::kProtocolError, "ListObjectsV2 response: " + std::move(why));
}

// `text` as S3 sent it, %-decoded when the page was url-encoded.
Status DecodeField(std::string_view text, bool url_encoded, std::string_view what,
                   std::string& out) {
  if (!url_encoded) {
    out = std::string(text);
    return Status::Ok();
  }
  Result<std::string> decoded = UriDecode(text);
  if (!decoded.ok()) return BadPage("bad %-escape in " + std::string(what));
  out = std::move(*decoded);
  return Status::Ok();
}

Result<ListedObject> ParseContents(pugi::xml_node contents, bool url_encoded) {
  ListedObject object;
  pugi::xml_node key = contents.child("Key");
  if (!key) return BadPage("<Contents> without <Key>");
  if (Status s = DecodeField(key.text().get(), url_encoded, "<Key>", object.key); !s.ok()) {
    return s;
  }

  std::string_view size = contents.child("Size").text().get();
  auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), object.size);
  if (size.empty() || error != std::errc() || end != size.data() + size.size()) {
    return BadPage("bad <Size> '" + std::string(size.substr(0, 40)) + "'");
  }

  std::string_view etag = contents.child("ETag").text().get();
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  object.etag = std::string(etag);
  object.last_modified = contents.child("LastModified").text().get();
  return object;
}

}  // namespace

Result<ListPage> ParseListObjectsV2(std::string_view xml) {
  pugi::xml_document doc;
  if (Status status = ParseXml(xml, doc); !status.ok()) return BadPage(status.message());
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "ListBucketResult") {
    return BadPage("expected <ListBucketResult>, got <" + std::string(root.name()) + ">");
  }

  // Only key-like fields are encoded; the continuation token never is.
  bool url_encoded = std::string_view(root.child("EncodingType").text().get()) == "url";
  ListPage page;
  for (pugi::xml_node contents : root.children("Contents")) {
    Result<ListedObject> object = ParseContents(contents, url_encoded);
    if (!object.ok()) return object.status();
    page.objects.push_back(std::move(*object));
  }
  for (pugi::xml_node common : root.children("CommonPrefixes")) {
    std::string prefix;
    Status s = DecodeField(common.child("Prefix").text().get(), url_encoded,
                           "<CommonPrefixes><Prefix>", prefix);
    if (!s.ok()) return s;
    page.common_prefixes.push_back(std::move(prefix));
  }

  std::string_view truncated = root.child("IsTruncated").text().get();
  std::optional<bool> is_truncated = ParseXmlBool(truncated);
  if (!is_truncated) {
    return BadPage("bad <IsTruncated> '" + std::string(truncated.substr(0, 40)) + "'");
  }
  page.is_truncated = *is_truncated;
  page.next_continuation_token = root.child("NextContinuationToken").text().get();
  if (page.is_truncated && page.next_continuation_token.empty()) {
    return BadPage("truncated page without <NextContinuationToken>");
  }
  return page;
}

std::optional<ListParams> ListPaginator::NextParams() const {
  if (done_) return std::nullopt;
  return params_;
}

Status ListPaginator::OnPage(const ListPage& page) {
  ++pages_;
  if (!page.is_truncated) {
    done_ = true;
    return Status::Ok();
  }
  if (page.next_continuation_token.empty()) {
    done_ = true;
    return BadPage("truncated page without <NextContinuationToken>");
  }
  if (!seen_tokens_.insert(page.next_continuation_token).second) {
    done_ = true;
    return BadPage("continuation token repeated after " + std::to_string(pages_) +
                   " pages: the server is looping");
  }
  params_.continuation_token = page.next_continuation_token;
  return Status::Ok();
}

}  // namespace s3pull::s3
