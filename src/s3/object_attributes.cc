// GetObjectAttributes reply parsing; see object_attributes.h.
#include "s3/object_attributes.h"

#include "s3/get_object.h"
#include "s3/xml.h"

namespace s3pull::s3 {
namespace {

Status BadReply(std::string why) {
  return Status(StatusCode::kProtocolError, "GetObjectAttributes response: " + std::move(why));
}

// The number in <name> under `parent`; nullopt when the element is absent.
Status ReadNumber(pugi::xml_node parent, const char* name, std::optional<uint64_t>& out) {
  pugi::xml_node node = parent.child(name);
  if (!node) return Status::Ok();
  std::string_view text = node.text().get();
  out = ParseContentLength(text);  // a plain decimal, as Content-Length is
  if (!out)
    return BadReply("bad <" + std::string(name) + "> '" + std::string(text.substr(0, 40)) + "'");
  return Status::Ok();
}

// The <ChecksumALGORITHM> child of `parent`, if any.
Status ReadChecksum(pugi::xml_node parent, std::string& algorithm, std::string& value) {
  constexpr std::string_view kPrefix = "Checksum";
  for (pugi::xml_node child : parent.children()) {
    std::string_view name = child.name();
    if (!name.starts_with(kPrefix) || name == "ChecksumType" || name.size() == kPrefix.size()) {
      continue;
    }
    if (!algorithm.empty())
      return BadReply("more than one checksum in <" + std::string(parent.name()) + ">");
    algorithm = std::string(name.substr(kPrefix.size()));
    value = child.text().get();
  }
  return Status::Ok();
}

}  // namespace

Result<ObjectAttributes> ParseGetObjectAttributes(std::string_view xml) {
  pugi::xml_document doc;
  if (Status status = ParseXml(xml, doc); !status.ok()) return BadReply(status.message());
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "GetObjectAttributesOutput") {
    return BadReply("expected <GetObjectAttributesOutput>, got <" + std::string(root.name()) + ">");
  }
  ObjectAttributes attributes;
  std::string_view etag = root.child("ETag").text().get();
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  attributes.etag = std::string(etag);
  if (Status s = ReadNumber(root, "ObjectSize", attributes.size); !s.ok()) return s;

  pugi::xml_node checksum = root.child("Checksum");
  Status read = ReadChecksum(checksum, attributes.checksum_algorithm, attributes.checksum);
  if (!read.ok()) return read;
  attributes.checksum_type = checksum.child("ChecksumType").text().get();

  pugi::xml_node parts = root.child("ObjectParts");
  if (Status s = ReadNumber(parts, "TotalPartsCount", attributes.total_parts); !s.ok()) return s;
  for (pugi::xml_node node : parts.children("Part")) {
    std::optional<uint64_t> number;
    std::optional<uint64_t> size;
    if (Status s = ReadNumber(node, "PartNumber", number); !s.ok()) return s;
    if (Status s = ReadNumber(node, "Size", size); !s.ok()) return s;
    if (!number || !size) return BadReply("a <Part> without <PartNumber> or <Size>");
    ObjectPart part{*number, *size, "", ""};
    if (Status s = ReadChecksum(node, part.checksum_algorithm, part.checksum); !s.ok()) return s;
    attributes.parts.push_back(std::move(part));
  }
  std::string_view truncated = parts.child("IsTruncated").text().get();
  std::optional<bool> is_truncated = ParseXmlBool(truncated);
  if (!is_truncated) {
    return BadReply("bad <IsTruncated> '" + std::string(truncated.substr(0, 40)) + "'");
  }
  attributes.is_truncated = *is_truncated;
  std::optional<uint64_t> marker;
  if (Status s = ReadNumber(parts, "NextPartNumberMarker", marker); !s.ok()) return s;
  if (attributes.is_truncated && !marker) {
    return BadReply("truncated list of parts without <NextPartNumberMarker>");
  }
  attributes.next_part_number_marker = marker.value_or(0);
  return attributes;
}

}  // namespace s3pull::s3
