#include "transfer/disk_flusher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fs/file_writer.h"
#include "temp_dir.h"

namespace s3pull::transfer {
namespace {

using testing::TempDir;

TEST(DiskFlusherTest, WritesEveryLineInOrderByTheTimeItIsGone) {
  TempDir dir;
  std::vector<fs::FileWriter> writers;
  std::vector<std::shared_ptr<fs::JournalAppender>> journals;
  for (const char* name : {"a", "b"}) {
    Result<fs::FileWriter> writer =
        fs::FileWriter::CreateResumable(dir.path() + "/" + name, dir.path());
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE(writer->ResetJournal(std::string(name) + "\n").ok());
    Result<std::shared_ptr<fs::JournalAppender>> journal = writer->OpenJournalAppender();
    ASSERT_TRUE(journal.ok());
    journals.push_back(*journal);
    writers.push_back(std::move(*writer));
  }
  {
    DiskFlusher flusher;
    for (int i = 0; i < 100; ++i) {
      flusher.Append(journals[i % 2], "done " + std::to_string(i) + "\n");
    }
  }
  std::string expected_a = "a\n";
  std::string expected_b = "b\n";
  for (int i = 0; i < 100; ++i) {
    (i % 2 == 0 ? expected_a : expected_b) += "done " + std::to_string(i) + "\n";
  }
  std::vector<std::string> texts;
  for (const std::string& file : dir.Files()) {
    if (file.ends_with(".journal")) texts.push_back(dir.Read(file));
  }
  ASSERT_EQ(texts.size(), 2u);
  std::sort(texts.begin(), texts.end());
  EXPECT_EQ(texts, (std::vector<std::string>{expected_a, expected_b}));
}

}  // namespace
}  // namespace s3pull::transfer
