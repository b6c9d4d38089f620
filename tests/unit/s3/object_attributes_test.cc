#include "s3/object_attributes.h"

#include <gtest/gtest.h>

#include <string>

namespace s3pull::s3 {
namespace {

// The shape of AWS's GetObjectAttributes reply for an object uploaded in
// parts with CRC32 checksums (a first page of two parts out of three).
constexpr char kFirstPage[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<GetObjectAttributesOutput xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <ETag>6829c0b7ab7e67b47cb9851e28005368-3</ETag>
  <Checksum>
    <ChecksumCRC32>iUWSfg==-3</ChecksumCRC32>
    <ChecksumType>COMPOSITE</ChecksumType>
  </Checksum>
  <ObjectParts>
    <TotalPartsCount>3</TotalPartsCount>
    <PartNumberMarker>0</PartNumberMarker>
    <NextPartNumberMarker>2</NextPartNumberMarker>
    <MaxParts>2</MaxParts>
    <IsTruncated>true</IsTruncated>
    <Part>
      <ChecksumCRC32>W0QpDQ==</ChecksumCRC32>
      <PartNumber>1</PartNumber>
      <Size>5242880</Size>
    </Part>
    <Part>
      <ChecksumCRC32>OOrcdw==</ChecksumCRC32>
      <PartNumber>2</PartNumber>
      <Size>5242880</Size>
    </Part>
  </ObjectParts>
  <ObjectSize>11534336</ObjectSize>
</GetObjectAttributesOutput>)";

TEST(ObjectAttributesTest, ParsesChecksumAndParts) {
  Result<ObjectAttributes> parsed = ParseGetObjectAttributes(kFirstPage);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->etag, "6829c0b7ab7e67b47cb9851e28005368-3");
  EXPECT_EQ(parsed->size, 11534336u);
  EXPECT_EQ(parsed->checksum_algorithm, "CRC32");
  EXPECT_EQ(parsed->checksum, "iUWSfg==-3");
  EXPECT_EQ(parsed->checksum_type, "COMPOSITE");
  EXPECT_EQ(parsed->total_parts, 3u);
  ASSERT_EQ(parsed->parts.size(), 2u);
  EXPECT_EQ(parsed->parts[1].number, 2u);
  EXPECT_EQ(parsed->parts[1].size, 5242880u);
  EXPECT_EQ(parsed->parts[1].checksum_algorithm, "CRC32");
  EXPECT_EQ(parsed->parts[1].checksum, "OOrcdw==");
  EXPECT_TRUE(parsed->is_truncated);
  EXPECT_EQ(parsed->next_part_number_marker, 2u);
}

TEST(ObjectAttributesTest, AnObjectWithoutPartsOrChecksum) {
  // What servers that keep no part checksums answer (the ETag quoted here).
  Result<ObjectAttributes> parsed = ParseGetObjectAttributes(
      "<GetObjectAttributesOutput><ETag>\"abc-2\"</ETag><ObjectSize>10</ObjectSize>"
      "</GetObjectAttributesOutput>");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->etag, "abc-2");
  EXPECT_TRUE(parsed->checksum_algorithm.empty());
  EXPECT_TRUE(parsed->parts.empty());
  EXPECT_FALSE(parsed->is_truncated);
  EXPECT_EQ(parsed->total_parts, std::nullopt);
}

TEST(ObjectAttributesTest, RefusesWhatCannotBeRead) {
  const char* bad[] = {
      "not xml",
      "<ListBucketResult/>",
      "<GetObjectAttributesOutput><ObjectSize>-1</ObjectSize></GetObjectAttributesOutput>",
      "<GetObjectAttributesOutput><ObjectParts><Part><Size>5</Size></Part></ObjectParts>"
      "</GetObjectAttributesOutput>",
      "<GetObjectAttributesOutput><ObjectParts><Part><PartNumber>1</PartNumber>"
      "<Size>5x</Size></Part></ObjectParts></GetObjectAttributesOutput>",
      "<GetObjectAttributesOutput><Checksum><ChecksumCRC32>a</ChecksumCRC32>"
      "<ChecksumSHA1>b</ChecksumSHA1></Checksum></GetObjectAttributesOutput>",
      "<GetObjectAttributesOutput><ObjectParts><IsTruncated>true</IsTruncated></ObjectParts>"
      "</GetObjectAttributesOutput>",
      "<GetObjectAttributesOutput><ObjectParts><IsTruncated>maybe</IsTruncated></ObjectParts>"
      "</GetObjectAttributesOutput>",
  };
  for (const char* xml : bad) {
    Result<ObjectAttributes> parsed = ParseGetObjectAttributes(xml);
    EXPECT_FALSE(parsed.ok()) << xml;
    EXPECT_EQ(parsed.status().code(), StatusCode::kProtocolError) << xml;
    EXPECT_NE(parsed.status().message().find("GetObjectAttributes"), std::string::npos);
  }
}

}  // namespace
}  // namespace s3pull::s3
