#include "fs/folders.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fs/file_writer.h"
#include "temp_dir.h"

namespace s3pull::fs {
namespace {

using testing::TempDir;

// Writes `content` at root/relative through `folders`, noted as finished.
void Write(FolderCache& folders, const std::string& root, const std::string& relative,
           const std::string& content) {
  Result<FileWriter> writer = FileWriter::Create(root + "/" + relative, root, &folders);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE(writer->WriteAt(0, content).ok());
  writer->NoteOrigin("\"etag\"");
  ASSERT_TRUE(writer->Commit().ok());
}

TEST(FolderCacheTest, FilesInOneFolderShareItsDescriptor) {
  TempDir dir;
  FolderCache folders;
  Result<FolderRef> a = folders.Open(dir.path() + "/x/y/a", dir.path(), /*create=*/true);
  Result<FolderRef> b = folders.Open(dir.path() + "/x/y/b", dir.path(), /*create=*/true);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ((*a)->path, dir.path() + "/x/y");
  EXPECT_EQ(folders.Find(dir.path() + "/x/y/c", dir.path()), *a);
  EXPECT_EQ(folders.Find(dir.path() + "/x/c", dir.path()), nullptr);
  // Another root checked other folders: not the same entry.
  EXPECT_EQ(folders.Find(dir.path() + "/x/y/c", dir.path() + "/x"), nullptr);
  Write(folders, dir.path(), "x/y/a", "A");
  Write(folders, dir.path(), "x/y/b", "B");
  EXPECT_EQ(dir.Files(), (std::set<std::string>{"x/y/a", "x/y/b"}));
}

TEST(FolderCacheTest, KeepsTheMostRecentlyUsedFolders) {
  TempDir dir;
  FolderCache folders(2);
  for (const char* name : {"/1/f", "/2/f", "/1/f", "/3/f"}) {
    ASSERT_TRUE(folders.Open(dir.path() + name, dir.path(), true).ok());
  }
  EXPECT_NE(folders.Find(dir.path() + "/1/f", dir.path()), nullptr);
  EXPECT_EQ(folders.Find(dir.path() + "/2/f", dir.path()), nullptr);  // the least recent
  EXPECT_NE(folders.Find(dir.path() + "/3/f", dir.path()), nullptr);
}

TEST(FolderCacheTest, AFolderHeldStaysOpenAfterItLeavesTheCache) {
  TempDir dir;
  FolderCache folders(1);
  Result<FileWriter> writer = FileWriter::Create(dir.path() + "/a/f", dir.path(), &folders);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(folders.Open(dir.path() + "/b/f", dir.path(), true).ok());  // evicts a/
  EXPECT_EQ(folders.Find(dir.path() + "/a/f", dir.path()), nullptr);
  ASSERT_TRUE(writer->WriteAt(0, "kept").ok());
  ASSERT_TRUE(writer->Commit().ok());
  EXPECT_EQ(dir.Read("a/f"), "kept");
}

TEST(FolderCacheTest, AFolderRemovedMeanwhileIsMadeAgain) {
  TempDir dir;
  FolderCache folders;
  Write(folders, dir.path(), "gone/a", "A");
  std::filesystem::remove_all(dir.path() + "/gone");
  Write(folders, dir.path(), "gone/b", "B");
  EXPECT_EQ(dir.Files(), std::set<std::string>{"gone/b"});
}

TEST(FolderCacheTest, AFolderEmptyWhenOpenedHasNoEarlierRunsFileToLookFor) {
  TempDir dir;
  {
    FolderCache earlier_run;
    Write(earlier_run, dir.path(), "old/f", "earlier");
  }
  std::filesystem::create_directory(dir.path() + "/hidden");
  { std::ofstream(dir.path() + "/hidden/.s3pull-0123456789abcdef.part") << "partial"; }
  FolderCache folders;
  Result<FolderRef> old = folders.Open(dir.path() + "/old/f", dir.path(), true);
  Result<FolderRef> hidden = folders.Open(dir.path() + "/hidden/f", dir.path(), true);
  Result<FolderRef> fresh = folders.Open(dir.path() + "/new/f", dir.path(), true);
  ASSERT_TRUE(old.ok() && hidden.ok() && fresh.ok());
  EXPECT_FALSE((*old)->empty_when_opened);
  EXPECT_FALSE((*hidden)->empty_when_opened);
  EXPECT_TRUE((*fresh)->empty_when_opened);
  ASSERT_NE(FindFinishedCopy(dir.path() + "/old/f", dir.path(), &folders), std::nullopt)
      << "no user.* extended attributes on " << dir.path() << "?";
  // What this run wrote in the folder it found empty is not looked for...
  Write(folders, dir.path(), "new/f", "this run");
  EXPECT_EQ(FindFinishedCopy(dir.path() + "/new/f", dir.path(), &folders), std::nullopt);
  // ...but the next run finds it.
  FolderCache next_run;
  EXPECT_NE(FindFinishedCopy(dir.path() + "/new/f", dir.path(), &next_run), std::nullopt);
}

TEST(FolderCacheTest, ASymlinkBelowTheRootIsRefusedWhateverIsCached) {
  TempDir dest;
  TempDir outside;
  std::filesystem::create_directory_symlink(outside.path(), dest.path() + "/link");
  // Named as a root by the user, the symlink is followed...
  std::string root = dest.path() + "/link";
  {
    FolderCache earlier_run;
    Write(earlier_run, root, "f", "through the root");
  }
  EXPECT_EQ(outside.Read("f"), "through the root");
  FolderCache folders;
  ASSERT_TRUE(folders.Open(root + "/f", root, /*create=*/false).ok());
  ASSERT_NE(FindFinishedCopy(root + "/f", root, &folders), std::nullopt)
      << "no user.* extended attributes on " << outside.path() << "?";
  // ...but below another root it is refused, though its folder is cached.
  Result<FileWriter> writer = FileWriter::Create(dest.path() + "/link/g", dest.path(), &folders);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kUnsafePath);
  EXPECT_EQ(FindFinishedCopy(dest.path() + "/link/f", dest.path(), &folders), std::nullopt);
}

}  // namespace
}  // namespace s3pull::fs
