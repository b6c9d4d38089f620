// What the parsers of S3's XML replies share (pugixml underneath).
#pragma once

#include <optional>
#include <pugixml.hpp>
#include <string_view>

#include "s3pull/status.h"

namespace s3pull::s3 {

// Parses `xml` into `doc`. Texts that are only whitespace are kept (a key
// " " must survive); the indentation between elements is dropped.
// kProtocolError "not XML: WHY at byte N".
Status ParseXml(std::string_view xml, pugi::xml_document& doc);

// An XML boolean as S3 writes it: "true" or "false" in any case, and an
// absent element (empty text) is false; anything else is nullopt.
std::optional<bool> ParseXmlBool(std::string_view text);

}  // namespace s3pull::s3
