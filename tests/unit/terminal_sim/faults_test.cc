// The --fault syntax and which fault is in force for which family.

#include "adapters/terminal_sim/faults.h"

#include <string>

#include "gtest/gtest.h"

namespace onshi::sim {
namespace {

TEST(FaultSpecTest, BareModeAppliesToEveryFamilyWhereItMeansSomething) {
  FaultSet faults;
  std::string problem;
  ASSERT_TRUE(ParseFaultSpec("duplicate", &faults, &problem)) << problem;
  EXPECT_EQ(faults.For(FaultScope::kQualification), Fault::kDuplicate);
  EXPECT_EQ(faults.For(FaultScope::kFace), Fault::kDuplicate);
  EXPECT_EQ(faults.For(FaultScope::kCheckup), Fault::kDuplicate);

  FaultSet late;
  ASSERT_TRUE(ParseFaultSpec("late", &late, &problem));
  EXPECT_EQ(late.For(FaultScope::kBatch), Fault::kLate);
  // A check-in answers no request: it cannot be late.
  EXPECT_EQ(late.For(FaultScope::kFace), Fault::kNone);

  FaultSet forever;
  ASSERT_TRUE(ParseFaultSpec("processing-forever", &forever, &problem));
  EXPECT_EQ(forever.For(FaultScope::kBatch), Fault::kProcessingForever);
  EXPECT_EQ(forever.For(FaultScope::kBulkReference), Fault::kProcessingForever);
  EXPECT_EQ(forever.For(FaultScope::kQualification), Fault::kNone);
}

TEST(FaultSpecTest, ScopedModeOverridesTheBareOneForItsFamilyOnly) {
  FaultSet faults;
  std::string problem;
  ASSERT_TRUE(ParseFaultSpec("slow-write", &faults, &problem));
  ASSERT_TRUE(ParseFaultSpec("batch:processing-forever", &faults, &problem));
  ASSERT_TRUE(ParseFaultSpec("face:duplicate", &faults, &problem));
  EXPECT_EQ(faults.For(FaultScope::kBatch), Fault::kProcessingForever);
  EXPECT_EQ(faults.For(FaultScope::kFace), Fault::kDuplicate);
  EXPECT_EQ(faults.For(FaultScope::kMedication), Fault::kSlowWrite);
  EXPECT_EQ(faults.For(DocumentKind::kBatchResult), Fault::kProcessingForever);
  EXPECT_EQ(faults.For(DocumentKind::kFaceCheckin), Fault::kDuplicate);
  EXPECT_EQ(faults.ToString(), "slow-write,face:duplicate,batch:processing-forever");
}

TEST(FaultSpecTest, UnknownOrInapplicableSpecsAreRefusedAndChangeNothing) {
  FaultSet faults;
  std::string problem;
  EXPECT_FALSE(ParseFaultSpec("sometimes", &faults, &problem));
  EXPECT_FALSE(ParseFaultSpec("printer:silent", &faults, &problem));
  EXPECT_FALSE(ParseFaultSpec("face:late", &faults, &problem));
  EXPECT_FALSE(ParseFaultSpec("face:reject", &faults, &problem));
  EXPECT_FALSE(ParseFaultSpec("qualification:processing-forever", &faults, &problem));
  EXPECT_FALSE(ParseFaultSpec("medication:receipt-error", &faults, &problem));
  EXPECT_NE(problem.find("does not apply"), std::string::npos);
  EXPECT_TRUE(faults.empty());
  EXPECT_EQ(faults.ToString(), "none");
}

TEST(FaultSpecTest, EveryModeNameRoundTrips) {
  for (Fault f : {Fault::kNone, Fault::kSilent, Fault::kError, Fault::kMalformedAnswer,
                  Fault::kSlowWrite, Fault::kDuplicate, Fault::kDuplicateRenamed, Fault::kLate,
                  Fault::kOrphan, Fault::kOtherInstitution, Fault::kReject, Fault::kReceiptError,
                  Fault::kProcessingForever}) {
    Fault parsed = Fault::kNone;
    ASSERT_TRUE(ParseFault(FaultName(f), &parsed)) << FaultName(f);
    EXPECT_EQ(parsed, f);
  }
}

TEST(FaultSpecTest, ASingleFaultConvertsToEveryFamily) {
  const FaultSet faults = Fault::kSilent;
  EXPECT_EQ(faults.For(FaultScope::kQualification), Fault::kSilent);
  EXPECT_EQ(faults.For(FaultScope::kReference), Fault::kSilent);
  EXPECT_EQ(ScopeOf(DocumentKind::kBulkReferenceNumberResultRequest), FaultScope::kBulkReference);
  EXPECT_EQ(ScopeOf(DocumentKind::kCheckupResult), FaultScope::kCheckup);
}

}  // namespace
}  // namespace onshi::sim
