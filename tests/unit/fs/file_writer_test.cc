#include "fs/file_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "temp_dir.h"

namespace s3pull::fs {
namespace {

using testing::TempDir;

TEST(FileWriterTest, WritesToATempFileAndRenamesOnCommit) {
  TempDir dir;
  std::string final_path = dir.path() + "/a/b/c.txt";
  Result<FileWriter> writer = FileWriter::Create(final_path);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE(writer->Preallocate(11).ok());
  ASSERT_TRUE(writer->WriteAt(6, "world").ok());  // parts arrive in any order
  ASSERT_TRUE(writer->WriteAt(0, "hello ").ok());
  EXPECT_EQ(writer->bytes_written(), 11u);
  // Before the commit only the temporary file exists, beside the final path.
  EXPECT_EQ(dir.Files().size(), 1u);
  EXPECT_EQ(dir.Files().count("a/b/c.txt"), 0u);
  std::string temp = writer->temp_path();
  struct stat st;
  ASSERT_EQ(stat(temp.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(writer->Commit().ok());
  EXPECT_EQ(dir.Files(), std::set<std::string>{"a/b/c.txt"});
  EXPECT_EQ(dir.Read("a/b/c.txt"), "hello world");
  ASSERT_EQ(stat(final_path.c_str(), &st), 0);
  mode_t mask = umask(0);
  umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0666u & ~mask);
}

TEST(FileWriterTest, DurableCommitFlushesAndRenames) {
  TempDir dir;
  Result<FileWriter> writer = FileWriter::Create(dir.path() + "/sub/durable", dir.path());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->WriteAt(0, "kept").ok());
  ASSERT_TRUE(writer->Commit(FileWriter::Durability::kFsync).ok());
  EXPECT_EQ(dir.Files(), std::set<std::string>{"sub/durable"});
  EXPECT_EQ(dir.Read("sub/durable"), "kept");
}

TEST(FileWriterTest, DestroyedWithoutCommitLeavesNothing) {
  TempDir dir;
  {
    Result<FileWriter> writer = FileWriter::Create(dir.path() + "/x.bin");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer->WriteAt(0, "partial").ok());
  }
  EXPECT_TRUE(dir.Files().empty());
}

TEST(FileWriterTest, CommitReplacesAnExistingFile) {
  TempDir dir;
  for (std::string content : {"first", "second"}) {
    Result<FileWriter> writer = FileWriter::Create(dir.path() + "/f");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer->WriteAt(0, content).ok());
    ASSERT_TRUE(writer->Commit().ok());
  }
  EXPECT_EQ(dir.Read("f"), "second");
}

TEST(FileWriterTest, ParentThatIsAFileIsAnIoError) {
  TempDir dir;
  {
    Result<FileWriter> writer = FileWriter::Create(dir.path() + "/a");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer->Commit().ok());
  }
  Result<FileWriter> writer = FileWriter::Create(dir.path() + "/a/b");
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kIoError);
}

TEST(FileWriterTest, NeverWritesThroughASymlinkBelowTheRoot) {
  TempDir dest;
  TempDir outside;
  std::filesystem::create_directory_symlink(outside.path(), dest.path() + "/link");
  Result<FileWriter> writer = FileWriter::Create(dest.path() + "/link/deep/x.bin", dest.path());
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kUnsafePath);
  EXPECT_NE(writer.status().message().find("symlink"), std::string::npos);
  EXPECT_TRUE(outside.Files().empty());
  EXPECT_FALSE(std::filesystem::exists(outside.path() + "/deep"));
}

TEST(FileWriterTest, ReplacesASymlinkAtTheFinalNameInsteadOfFollowingIt) {
  TempDir dest;
  TempDir outside;
  std::filesystem::create_symlink(outside.path() + "/target", dest.path() + "/f");
  Result<FileWriter> writer = FileWriter::Create(dest.path() + "/f", dest.path());
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE(writer->WriteAt(0, "data").ok());
  ASSERT_TRUE(writer->Commit().ok());
  EXPECT_FALSE(std::filesystem::is_symlink(dest.path() + "/f"));
  EXPECT_EQ(dest.Read("f"), "data");
  EXPECT_FALSE(std::filesystem::exists(outside.path() + "/target"));
}

TEST(FileWriterTest, RootItselfMayBeASymlinkTheUserNamed) {
  TempDir real;
  TempDir links;
  std::string root = links.path() + "/dest";
  std::filesystem::create_directory_symlink(real.path(), root);
  Result<FileWriter> writer = FileWriter::Create(root + "/a/b", root);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE(writer->Commit().ok());
  EXPECT_EQ(real.Files(), std::set<std::string>{"a/b"});
}

TEST(FileWriterTest, FolderMarkersAreMadeBeneathTheRootOnly) {
  TempDir dest;
  TempDir outside;
  ASSERT_TRUE(MakeDirectoriesBeneath(dest.path(), "x/y/").ok());
  EXPECT_TRUE(std::filesystem::is_directory(dest.path() + "/x/y"));
  std::filesystem::create_directory_symlink(outside.path(), dest.path() + "/link");
  EXPECT_EQ(MakeDirectoriesBeneath(dest.path(), "link/z").code(), StatusCode::kUnsafePath);
  EXPECT_FALSE(std::filesystem::exists(outside.path() + "/z"));
}

// Writes `content` to root/relative through a FileWriter that notes `etag`.
void WriteNoted(const std::string& root, const std::string& relative, const std::string& content,
                const std::string& etag) {
  Result<FileWriter> writer = FileWriter::Create(root + "/" + relative, root);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE(writer->WriteAt(0, content).ok());
  writer->NoteOrigin(etag);
  ASSERT_TRUE(writer->Commit().ok());
}

TEST(FinishedCopyTest, AFileAsItWasNotedIsFound) {
  TempDir dir;
  WriteNoted(dir.path(), "d/f", "finished", "\"etag-1\"");
  std::optional<FinishedCopy> copy = FindFinishedCopy(dir.path() + "/d/f", dir.path());
  ASSERT_TRUE(copy.has_value()) << "no user.* extended attributes on " << dir.path() << "?";
  EXPECT_EQ(copy->etag, "\"etag-1\"");
  EXPECT_EQ(copy->size, 8u);
  // Also without a root (a path the user named).
  EXPECT_TRUE(FindFinishedCopy(dir.path() + "/d/f", "").has_value());
}

TEST(FinishedCopyTest, ChangedMissingOrUnnotedFilesAreNotFound) {
  TempDir dir;
  WriteNoted(dir.path(), "edited", "finished", "\"e\"");
  WriteNoted(dir.path(), "unnoted", "finished", "");
  { std::ofstream(dir.path() + "/edited", std::ios::app) << "more"; }
  EXPECT_FALSE(FindFinishedCopy(dir.path() + "/edited", dir.path()).has_value());
  EXPECT_FALSE(FindFinishedCopy(dir.path() + "/unnoted", dir.path()).has_value());
  EXPECT_FALSE(FindFinishedCopy(dir.path() + "/missing", dir.path()).has_value());
  EXPECT_FALSE(FindFinishedCopy(dir.path() + "/no/such/folder/f", dir.path()).has_value());
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/no"));  // nothing was created
}

TEST(FinishedCopyTest, SymlinksAreNotFollowed) {
  TempDir dir;
  TempDir elsewhere;
  WriteNoted(elsewhere.path(), "sub/f", "finished", "\"e\"");
  // The final path, or a folder on the way, is a symlink to a noted file.
  std::filesystem::create_symlink(elsewhere.path() + "/sub/f", dir.path() + "/f");
  std::filesystem::create_symlink(elsewhere.path() + "/sub", dir.path() + "/sub");
  EXPECT_FALSE(FindFinishedCopy(dir.path() + "/f", dir.path()).has_value());
  EXPECT_FALSE(FindFinishedCopy(dir.path() + "/sub/f", dir.path()).has_value());
}

}  // namespace
}  // namespace s3pull::fs
