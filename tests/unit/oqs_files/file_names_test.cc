// Only the exact document patterns are file names; everything else is ignored.

#include "adapters/oqs_files/file_names.h"

#include <string>

#include "gtest/gtest.h"

namespace onshi::oqs {
namespace {

TEST(FileNamesTest, EachKindParsesWithItsId) {
  struct {
    const char* name;
    FileKind kind;
    const char* id;
  } cases[] = {
      {"OQSsiquc01req_202506020001.xml", FileKind::kQualificationRequest, "202506020001"},
      {"OQSsiquc01res_202506020001.xml", FileKind::kQualificationAnswer, "202506020001"},
      {"OQSsiquc01req_202506020001.err", FileKind::kRejectedRequest, "202506020001"},
      {"OQSsiquc01res_face_27142063864da5260a16de5a3d3ad7_20260929160112.xml",
       FileKind::kFaceCheckin, "27142063864da5260a16de5a3d3ad7_20260929160112"},
      {"OQSsiquc01req_A.xml", FileKind::kQualificationRequest, "A"},
      {"OQSsiquc01res_a-b_C-9.xml", FileKind::kQualificationAnswer, "a-b_C-9"},
      {"OQSsiquc01res_face.xml", FileKind::kQualificationAnswer, "face"},
      {"OQSsiquc01res_faces_1.xml", FileKind::kQualificationAnswer, "faces_1"},
  };
  for (const auto& c : cases) {
    std::optional<FileName> parsed = ParseFileName(c.name);
    ASSERT_TRUE(parsed.has_value()) << c.name;
    EXPECT_EQ(parsed->kind, c.kind) << c.name;
    EXPECT_EQ(parsed->file_id, c.id) << c.name;
  }
}

TEST(FileNamesTest, IdsOfOneToSixtyFourCharactersAreAccepted) {
  EXPECT_TRUE(ParseFileName("OQSsiquc01req_" + std::string(64, 'Z') + ".xml").has_value());
  EXPECT_FALSE(ParseFileName("OQSsiquc01req_" + std::string(65, 'Z') + ".xml").has_value());
  EXPECT_TRUE(ParseFileName("OQSsiquc01res_face_" + std::string(64, '0') + ".xml").has_value());
  EXPECT_FALSE(ParseFileName("OQSsiquc01res_face_" + std::string(65, '0') + ".xml").has_value());
}

TEST(FileNamesTest, AnythingElseIsNotADocument) {
  const std::string nul_name("OQSsiquc01req_ab\0c.xml", 22);
  for (const std::string& name : {
           std::string(""),
           std::string("OQSsiquc01req_.xml"),
           std::string("OQSsiquc01res_.xml"),
           std::string("OQSsiquc01req_.err"),
           std::string("OQSsiquc01res_face_.xml"),
           std::string(".onshi-tmp-OQSsiquc01req_ABC.xml"),
           std::string(".onshi-tmp-7F3K9Q2M"),
           std::string("OQSsiquc01req_ABC.xml.tmp"),
           std::string("OQSsiquc01req_ABC.xml.xml"),
           std::string("OQSsiquc01req_ABC.tmp"),
           std::string("OQSsiquc01req_ABC.XML"),
           std::string("OQSsiquc01req_ABC.Xml"),
           std::string("OQSsiquc01req_ABC"),
           std::string("OQSsiquc01req_ABC.xml "),
           std::string(" OQSsiquc01req_ABC.xml"),
           std::string("oqssiquc01req_ABC.xml"),
           std::string("OQSSIQUC01REQ_ABC.xml"),
           std::string("OQSsiquc01REQ_ABC.xml"),
           std::string("OQSsiquc02req_ABC.xml"),
           std::string("OQSmuquc01req_ABC.xml"),
           std::string("YZKsiquc01req_ABC.xml"),
           std::string("OQSsiquc01res_ABC.err"),
           std::string("OQSsiquc01res_face_ABC.err"),
           std::string("OQSsiquc01req_../ABC.xml"),
           std::string("../OQSsiquc01req_ABC.xml"),
           std::string("req/OQSsiquc01req_ABC.xml"),
           std::string("OQSsiquc01req_a/b.xml"),
           std::string("OQSsiquc01req_a\\b.xml"),
           std::string("..\\OQSsiquc01req_ABC.xml"),
           std::string("OQSsiquc01req_A.B.xml"),
           std::string("OQSsiquc01req_A B.xml"),
           std::string("OQSsiquc01req_Ａ.xml"),
           std::string("OQSsiquc01req_ABC.xml\n"),
           std::string("OQSsiquc01req_ABC.xml:stream"),
           std::string("OQSsiquc01req_~ABC.xml"),
           std::string("OQSsiquc01res_face_../x.xml"),
           std::string("OQSsiquc01req_.xml.xml"),
           std::string("OQSsiquc01req_xml"),
           std::string(".xml"),
           std::string("OQSsiquc01req_"),
           nul_name,
       }) {
    EXPECT_FALSE(ParseFileName(name).has_value()) << "[" << name << "]";
  }
}

TEST(FileNamesTest, NamesForEachKindParseBack) {
  for (FileKind kind : {FileKind::kQualificationRequest, FileKind::kQualificationAnswer,
                        FileKind::kFaceCheckin, FileKind::kRejectedRequest}) {
    const std::string name = FileNameFor(kind, "7F3K9Q2M8X4T6B1C5D0E");
    std::optional<FileName> parsed = ParseFileName(name);
    ASSERT_TRUE(parsed.has_value()) << name;
    EXPECT_EQ(parsed->kind, kind);
    EXPECT_EQ(parsed->file_id, "7F3K9Q2M8X4T6B1C5D0E");
  }
  EXPECT_EQ(FileNameFor(FileKind::kQualificationRequest, "X1"), "OQSsiquc01req_X1.xml");
  EXPECT_EQ(FileNameFor(FileKind::kQualificationAnswer, "X1"), "OQSsiquc01res_X1.xml");
  EXPECT_EQ(FileNameFor(FileKind::kFaceCheckin, "X1"), "OQSsiquc01res_face_X1.xml");
  EXPECT_EQ(FileNameFor(FileKind::kRejectedRequest, "X1"), "OQSsiquc01req_X1.err");
}

TEST(FileNamesTest, InvalidIdsNeverBecomeNames) {
  for (const char* id : {"", "../x", "a/b", "a\\b", "a.b", " a", "Ａ"}) {
    EXPECT_EQ(FileNameFor(FileKind::kQualificationRequest, id), "") << id;
    EXPECT_FALSE(IsValidFileId(id)) << id;
  }
  EXPECT_EQ(FileNameFor(FileKind::kQualificationRequest, std::string(65, 'a')), "");
  // An answer id starting "face_" would read back as a face check-in.
  EXPECT_EQ(FileNameFor(FileKind::kQualificationAnswer, "face_1"), "");
  EXPECT_EQ(FileNameFor(FileKind::kFaceCheckin, "face_1"), "OQSsiquc01res_face_face_1.xml");
}

TEST(FileNamesTest, TempPrefixNeverMatchesADocument) {
  const std::string temp = std::string(kTempFilePrefix) + "OQSsiquc01res_X.xml";
  EXPECT_FALSE(ParseFileName(temp).has_value());
}

}  // namespace
}  // namespace onshi::oqs
