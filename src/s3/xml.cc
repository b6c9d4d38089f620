// XML helpers; see xml.h.
#include "s3/xml.h"

#include <string>

namespace s3pull::s3 {

Status ParseXml(std::string_view xml, pugi::xml_document& doc) {
  constexpr unsigned kOptions = pugi::parse_default | pugi::parse_ws_pcdata_single;
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size(), kOptions);
  if (!parsed) {
    return Status(StatusCode::kProtocolError, std::string("not XML: ") + parsed.description() +
                                                  " at byte " + std::to_string(parsed.offset));
  }
  return Status::Ok();
}

std::optional<bool> ParseXmlBool(std::string_view text) {
  auto equals = [text](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (size_t i = 0; i < text.size(); ++i) {
      if ((text[i] | 0x20) != word[i]) return false;
    }
    return true;
  };
  if (text.empty() || equals("false")) return false;
  if (equals("true")) return true;
  return std::nullopt;
}

}  // namespace s3pull::s3
