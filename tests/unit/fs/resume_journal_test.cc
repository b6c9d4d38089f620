#include "fs/resume_journal.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace s3pull::fs {
namespace {

const JournalKey kKey{"\"0123-4\"", 40 << 20, 8 << 20};

TEST(ResumeJournalTest, FormatIsStable) {
  // Journals written by one release are read by the next: the text is fixed.
  EXPECT_EQ(JournalHeader(kKey),
            "s3pull-journal 1\netag \"0123-4\"\nsize 41943040\npart-size 8388608\n");
  EXPECT_EQ(JournalDoneLine(3), "done 3\n");
}

TEST(ResumeJournalTest, DonePartsInTheOrderWritten) {
  std::string journal = JournalHeader(kKey) + JournalDoneLine(2) + JournalDoneLine(0);
  EXPECT_EQ(JournalDoneParts(journal, kKey, 5), (std::vector<uint64_t>{2, 0}));
  EXPECT_EQ(JournalDoneParts(JournalHeader(kKey), kKey, 5), std::vector<uint64_t>{});
}

TEST(ResumeJournalTest, AnotherVersionSizeOrPartSizeIsNotThisFilesJournal) {
  std::string journal = JournalHeader(kKey) + JournalDoneLine(1);
  for (JournalKey other : {JournalKey{"\"other-4\"", kKey.size, kKey.part_size},
                           JournalKey{kKey.etag, kKey.size + 1, kKey.part_size},
                           JournalKey{kKey.etag, kKey.size, kKey.part_size * 2}}) {
    EXPECT_FALSE(JournalDoneParts(journal, other, 5)) << JournalHeader(other);
  }
  EXPECT_FALSE(JournalDoneParts("", kKey, 5));
}

TEST(ResumeJournalTest, BadLinesCostOnlyThemselves) {
  std::string journal = JournalHeader(kKey) + "done 1\n" + "done x\n" + "done 9\n" +
                        "done 1\n" + "done 3 \n" + "note\n" + "done 4\n" + "done 2";  // torn
  EXPECT_EQ(JournalDoneParts(journal, kKey, 5), (std::vector<uint64_t>{1, 4}));
}

}  // namespace
}  // namespace s3pull::fs
