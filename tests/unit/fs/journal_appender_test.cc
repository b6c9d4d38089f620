#include "fs/journal_appender.h"

#include <gtest/gtest.h>

#include <string>

#include "fs/file_writer.h"
#include "temp_dir.h"

namespace s3pull::fs {
namespace {

using testing::TempDir;

// The text of the one journal in `dir`.
std::string JournalText(const TempDir& dir) {
  for (const std::string& file : dir.Files()) {
    if (file.ends_with(".journal")) return dir.Read(file);
  }
  return "(no journal)";
}

TEST(JournalAppenderTest, AppendsAfterTheWriterHasMovedOn) {
  TempDir dir;
  Result<FileWriter> writer = FileWriter::CreateResumable(dir.path() + "/big", dir.path());
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE(writer->ResetJournal("header\n").ok());
  Result<std::shared_ptr<JournalAppender>> appender = writer->OpenJournalAppender();
  ASSERT_TRUE(appender.ok()) << appender.status().ToString();
  ASSERT_TRUE(writer->WriteAt(0, "part").ok());
  EXPECT_TRUE((*appender)->Append("done 0\n").ok());
  EXPECT_EQ(JournalText(dir), "header\ndone 0\n");
  // The writer keeps the file for a later run; lines still on their way land.
  writer->Keep();
  EXPECT_TRUE((*appender)->Append("done 1\n").ok());
  EXPECT_EQ(JournalText(dir), "header\ndone 0\ndone 1\n");
}

TEST(JournalAppenderTest, ARetiredAppenderWritesNothing) {
  TempDir dir;
  Result<FileWriter> writer = FileWriter::CreateResumable(dir.path() + "/big", dir.path());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->ResetJournal("v1\n").ok());
  Result<std::shared_ptr<JournalAppender>> old = writer->OpenJournalAppender();
  ASSERT_TRUE(old.ok());
  (*old)->Retire();
  ASSERT_TRUE(writer->ResetJournal("v2\n").ok());
  EXPECT_TRUE((*old)->Append("done 3\n").ok());
  EXPECT_EQ(JournalText(dir), "v2\n");
}

}  // namespace
}  // namespace s3pull::fs
