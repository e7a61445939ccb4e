// Only the exact document patterns are file names; everything else is ignored.

#include "adapters/oqs_files/file_names.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace onshi::oqs {
namespace {

TEST(FileNamesTest, EachKindParsesWithItsId) {
  struct {
    const char* name;
    DocumentKind kind;
    FileForm form;
    const char* id;
  } cases[] = {
      {"OQSsiquc01req_202506020001.xml", DocumentKind::kQualificationRequest, FileForm::kXml,
       "202506020001"},
      {"OQSsiquc01res_202506020001.xml", DocumentKind::kQualificationAnswer, FileForm::kXml,
       "202506020001"},
      {"OQSsiquc01req_202506020001.err", DocumentKind::kQualificationRequest, FileForm::kErr,
       "202506020001"},
      {"OQSsiquc01res_face_27142063864da5260a16de5a3d3ad7_20260929160112.xml",
       DocumentKind::kFaceCheckin, FileForm::kXml, "27142063864da5260a16de5a3d3ad7_20260929160112"},
      {"OQSsiquc01req_A.xml", DocumentKind::kQualificationRequest, FileForm::kXml, "A"},
      {"OQSsiquc01res_a-b_C-9.xml", DocumentKind::kQualificationAnswer, FileForm::kXml, "a-b_C-9"},
      {"OQSsiquc01res_face.xml", DocumentKind::kQualificationAnswer, FileForm::kXml, "face"},
      {"OQSsiquc01res_faces_1.xml", DocumentKind::kQualificationAnswer, FileForm::kXml, "faces_1"},
      {"OQSmuquc01req_B1.xml", DocumentKind::kBatchUpload, FileForm::kXml, "B1"},
      {"OQSmuquc01res_B1.xml", DocumentKind::kBatchReceipt, FileForm::kXml, "B1"},
      {"OQSmuquc01req_B1.err", DocumentKind::kBatchUpload, FileForm::kErr, "B1"},
      {"OQSmuquc02req_B2.xml", DocumentKind::kBatchResultRequest, FileForm::kXml, "B2"},
      {"OQSmuquc02res_B2.xml", DocumentKind::kBatchResult, FileForm::kXml, "B2"},
      {"OQSmuquc02req_B2.err", DocumentKind::kBatchResultRequest, FileForm::kErr, "B2"},
      {"OQSmuquc02res_face_1.xml", DocumentKind::kBatchResult, FileForm::kXml, "face_1"},
      {"OQSsiimm01req_R1.xml", DocumentKind::kReferenceNumberRequest, FileForm::kXml, "R1"},
      {"OQSsiimm01res_R1.xml", DocumentKind::kReferenceNumberResult, FileForm::kXml, "R1"},
      {"OQSsiimm01req_R1.err", DocumentKind::kReferenceNumberRequest, FileForm::kErr, "R1"},
      {"OQSmuimm01req_M1.xml", DocumentKind::kBulkReferenceNumberUpload, FileForm::kXml, "M1"},
      {"OQSmuimm01res_M1.xml", DocumentKind::kBulkReferenceNumberReceipt, FileForm::kXml, "M1"},
      {"OQSmuimm01req_M1.err", DocumentKind::kBulkReferenceNumberUpload, FileForm::kErr, "M1"},
      {"OQSmuimm02req_M2.xml", DocumentKind::kBulkReferenceNumberResultRequest, FileForm::kXml,
       "M2"},
      {"OQSmuimm02res_M2.xml", DocumentKind::kBulkReferenceNumberResult, FileForm::kXml, "M2"},
      {"OQSmuimm02req_M2.err", DocumentKind::kBulkReferenceNumberResultRequest, FileForm::kErr,
       "M2"},
      {"YZKsiquc01req_022506020915000123.xml", DocumentKind::kMedicationRequest, FileForm::kXml,
       "022506020915000123"},
      {"YZKsiquc01res_Y1.xml", DocumentKind::kMedicationResult, FileForm::kXml, "Y1"},
      {"YZKsiquc01res_Y1.pdf", DocumentKind::kMedicationResult, FileForm::kPdf, "Y1"},
      {"YZKsiquc01req_Y1.err", DocumentKind::kMedicationRequest, FileForm::kErr, "Y1"},
      {"TKKsiquc01req_T1.xml", DocumentKind::kCheckupRequest, FileForm::kXml, "T1"},
      {"TKKsiquc01res_T1.xml", DocumentKind::kCheckupResult, FileForm::kXml, "T1"},
      {"TKKsiquc01res_T1.pdf", DocumentKind::kCheckupResult, FileForm::kPdf, "T1"},
      {"TKKsiquc01req_T1.err", DocumentKind::kCheckupRequest, FileForm::kErr, "T1"},
  };
  for (const auto& c : cases) {
    std::optional<FileName> parsed = ParseFileName(c.name);
    ASSERT_TRUE(parsed.has_value()) << c.name;
    EXPECT_EQ(parsed->kind, c.kind) << c.name;
    EXPECT_EQ(parsed->form, c.form) << c.name;
    EXPECT_EQ(parsed->file_id, c.id) << c.name;
  }
}

TEST(FileNamesTest, IdsOfOneToSixtyFourCharactersAreAccepted) {
  EXPECT_TRUE(ParseFileName("OQSsiquc01req_" + std::string(64, 'Z') + ".xml").has_value());
  EXPECT_FALSE(ParseFileName("OQSsiquc01req_" + std::string(65, 'Z') + ".xml").has_value());
  EXPECT_TRUE(ParseFileName("OQSsiquc01res_face_" + std::string(64, '0') + ".xml").has_value());
  EXPECT_FALSE(ParseFileName("OQSsiquc01res_face_" + std::string(65, '0') + ".xml").has_value());
  EXPECT_TRUE(ParseFileName("YZKsiquc01res_" + std::string(64, 'Z') + ".pdf").has_value());
  EXPECT_FALSE(ParseFileName("YZKsiquc01res_" + std::string(65, 'Z') + ".pdf").has_value());
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
           // PDFs only for medication and checkup results.
           std::string("OQSsiquc01res_ABC.pdf"),
           std::string("OQSsiquc01res_face_ABC.pdf"),
           std::string("OQSmuquc02res_ABC.pdf"),
           std::string("YZKsiquc01req_ABC.pdf"),
           std::string("TKKsiquc01req_ABC.pdf"),
           std::string("YZKsiquc01res_ABC.PDF"),
           std::string("YZKsiquc01res_ABC.pdf.tmp"),
           std::string("YZKsiquc01res_.pdf"),
           // .err only for request kinds.
           std::string("OQSmuquc01res_ABC.err"),
           std::string("YZKsiquc01res_ABC.err"),
           std::string("TKKsiquc01res_ABC.err"),
           std::string("OQSmuimm02res_ABC.err"),
           // Kinds onshi does not speak (yet), and near misses of those it does.
           std::string("OQSmuhvq01req_ABC.xml"),
           std::string("OQSmuonq01res_ABC.xml"),
           std::string("OQSmutic01req_ABC.xml"),
           std::string("CIPsiquc01req_ABC.xml"),
           std::string("OQSsiimm02req_ABC.xml"),
           std::string("OQSmuimm03req_ABC.xml"),
           std::string("OQSmuquc03res_ABC.xml"),
           std::string("YZKsiquc02req_ABC.xml"),
           std::string("TKKmuquc01req_ABC.xml"),
           std::string("yzksiquc01req_ABC.xml"),
           std::string("YZKsiquc01req_ABC.XML"),
           std::string("OQSmuquc02res_ABC.zip"),
           std::string("OQSmuquc01req_ABC"),
           std::string("OQSmuquc01req_.xml"),
           std::string("OQSmuimm01res_a b.xml"),
           std::string("TKKsiquc01res_../x.pdf"),
       }) {
    EXPECT_FALSE(ParseFileName(name).has_value()) << "[" << name << "]";
  }
}

TEST(FileNamesTest, NamesForEachKindAndFormParseBack) {
  std::set<std::string> names;
  for (DocumentKind kind : AllDocumentKinds()) {
    for (FileForm form : {FileForm::kXml, FileForm::kPdf, FileForm::kErr}) {
      const std::string name = FileNameFor(kind, "7F3K9Q2M8X4T6B1C5D0E", form);
      const bool exists = form == FileForm::kXml || (form == FileForm::kPdf && MayBePdf(kind)) ||
                          (form == FileForm::kErr && IsRequestKind(kind));
      if (!exists) {
        EXPECT_EQ(name, "") << DocumentKindName(kind);
        continue;
      }
      std::optional<FileName> parsed = ParseFileName(name);
      ASSERT_TRUE(parsed.has_value()) << name;
      EXPECT_EQ(parsed->kind, kind) << name;
      EXPECT_EQ(parsed->form, form) << name;
      EXPECT_EQ(parsed->file_id, "7F3K9Q2M8X4T6B1C5D0E");
      EXPECT_TRUE(names.insert(name).second) << "two kinds share " << name;
    }
  }
  EXPECT_EQ(FileNameFor(DocumentKind::kQualificationRequest, "X1"), "OQSsiquc01req_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kQualificationAnswer, "X1"), "OQSsiquc01res_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kFaceCheckin, "X1"), "OQSsiquc01res_face_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kQualificationRequest, "X1", FileForm::kErr),
            "OQSsiquc01req_X1.err");
  EXPECT_EQ(FileNameFor(DocumentKind::kBatchUpload, "X1"), "OQSmuquc01req_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kBatchReceipt, "X1"), "OQSmuquc01res_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kBatchResultRequest, "X1"), "OQSmuquc02req_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kBatchResult, "X1"), "OQSmuquc02res_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kReferenceNumberRequest, "X1"), "OQSsiimm01req_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kReferenceNumberResult, "X1"), "OQSsiimm01res_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kBulkReferenceNumberUpload, "X1"), "OQSmuimm01req_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kBulkReferenceNumberReceipt, "X1"), "OQSmuimm01res_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kBulkReferenceNumberResultRequest, "X1"),
            "OQSmuimm02req_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kBulkReferenceNumberResult, "X1"), "OQSmuimm02res_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kMedicationRequest, "X1"), "YZKsiquc01req_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kMedicationResult, "X1"), "YZKsiquc01res_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kMedicationResult, "X1", FileForm::kPdf),
            "YZKsiquc01res_X1.pdf");
  EXPECT_EQ(FileNameFor(DocumentKind::kCheckupRequest, "X1"), "TKKsiquc01req_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kCheckupResult, "X1"), "TKKsiquc01res_X1.xml");
  EXPECT_EQ(FileNameFor(DocumentKind::kCheckupResult, "X1", FileForm::kPdf),
            "TKKsiquc01res_X1.pdf");
}

TEST(FileNamesTest, EachRequestsAnswerNameIsItsNameWithReqReplacedByRes) {
  for (DocumentKind kind : AllDocumentKinds()) {
    if (!IsRequestKind(kind)) continue;
    std::string expected = FileNameFor(kind, "ID1");
    const size_t at = expected.find("req_");
    ASSERT_NE(at, std::string::npos) << expected;
    expected.replace(at, 4, "res_");
    EXPECT_EQ(FileNameFor(*AnswerKindOf(kind), "ID1"), expected) << DocumentKindName(kind);
  }
}

TEST(FileNamesTest, EachKindLivesInItsFolder) {
  for (DocumentKind kind : AllDocumentKinds()) {
    const absl::string_view folder = FolderOf(kind);
    if (IsRequestKind(kind)) {
      EXPECT_EQ(folder, "req") << DocumentKindName(kind);
    } else if (kind == DocumentKind::kFaceCheckin) {
      EXPECT_EQ(folder, "face");
    } else {
      EXPECT_EQ(folder, "res") << DocumentKindName(kind);
    }
  }
  EXPECT_EQ(FolderOf(static_cast<DocumentKind>(0)), "");
  EXPECT_EQ(FolderOf(static_cast<DocumentKind>(99)), "");
}

TEST(FileNamesTest, InvalidIdsAndOutOfRangeKindsNeverBecomeNames) {
  for (const char* id : {"", "../x", "a/b", "a\\b", "a.b", " a", "Ａ"}) {
    for (DocumentKind kind : AllDocumentKinds()) {
      EXPECT_EQ(FileNameFor(kind, id), "") << id;
    }
    EXPECT_FALSE(IsValidFileId(id)) << id;
  }
  EXPECT_EQ(FileNameFor(DocumentKind::kQualificationRequest, std::string(65, 'a')), "");
  // An answer id starting "face_" would read back as a face check-in.
  EXPECT_EQ(FileNameFor(DocumentKind::kQualificationAnswer, "face_1"), "");
  EXPECT_EQ(FileNameFor(DocumentKind::kFaceCheckin, "face_1"), "OQSsiquc01res_face_face_1.xml");
  // Other answers have no such clash.
  EXPECT_EQ(FileNameFor(DocumentKind::kBatchResult, "face_1"), "OQSmuquc02res_face_1.xml");
  EXPECT_EQ(FileNameFor(static_cast<DocumentKind>(0), "X1"), "");
  EXPECT_EQ(FileNameFor(static_cast<DocumentKind>(99), "X1"), "");
}

TEST(FileNamesTest, TempPrefixNeverMatchesADocument) {
  for (DocumentKind kind : AllDocumentKinds()) {
    const std::string temp = std::string(kTempFilePrefix) + FileNameFor(kind, "X");
    EXPECT_FALSE(ParseFileName(temp).has_value()) << temp;
  }
}

}  // namespace
}  // namespace onshi::oqs
