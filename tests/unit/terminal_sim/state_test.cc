// What the simulated terminal remembers, in memory and in its state file.

#include "adapters/terminal_sim/state.h"

#include <sys/stat.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/terminal_sim/sim_test_util.h"

namespace onshi::sim {
namespace {

using ::onshi::sim::testing::ReadFile;
using ::onshi::sim::testing::TempDir;
using ::onshi::sim::testing::WriteFileAtomically;

void Register(SimState& state, const std::string& scenario, const std::string& number) {
  ASSERT_TRUE(
      state
          .Update([&](v1::State& s) {
            (*(*s.mutable_institutions())["1310000016"].mutable_reference_numbers())[scenario] =
                number;
          })
          .ok());
}

TEST(SimStateTest, InMemoryStateAnswersWhatWasRecorded) {
  SimState state;
  Register(state, "valid-kyokai-honnin", "PT-1");
  EXPECT_EQ(state.ReferenceNumber("1310000016", "valid-kyokai-honnin"), "PT-1");
  EXPECT_EQ(state.HolderOf("1310000016", "PT-1"), "valid-kyokai-honnin");
  EXPECT_FALSE(state.ReferenceNumber("1310000024", "valid-kyokai-honnin").has_value());
  EXPECT_FALSE(state.Consents("1310000016", "valid-kyokai-honnin").has_value());
  EXPECT_EQ(*state.NextReceptionSequence(), 1);
  EXPECT_EQ(*state.NextReceptionSequence(), 2);
}

TEST(SimStateTest, DurableStateSurvivesReopeningAndIsPrivate) {
  TempDir dir;
  const std::string path = dir.path() + "/state.textproto";
  {
    absl::StatusOr<std::unique_ptr<SimState>> state = SimState::Open(path);
    ASSERT_TRUE(state.ok()) << state.status();
    Register(**state, "kouki-1wari", "PT-2");
    ASSERT_TRUE(
        (*state)
            ->Update([](v1::State& s) {
              v1::PatientConsents c;
              c.mutable_pharmacists_info()->set_flag(onshi::v1::CONSENT_FLAG_GIVEN);
              (*(*s.mutable_institutions())["1310000016"].mutable_consents())["kouki-1wari"] = c;
            })
            .ok());
    EXPECT_EQ(*(*state)->NextReceptionSequence(), 1);
  }
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Keyed by scenario id, never by insurance numbers.
  EXPECT_EQ(ReadFile(path).find("39139019"), std::string::npos);

  absl::StatusOr<std::unique_ptr<SimState>> again = SimState::Open(path);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->ReferenceNumber("1310000016", "kouki-1wari"), "PT-2");
  ASSERT_TRUE((*again)->Consents("1310000016", "kouki-1wari").has_value());
  EXPECT_EQ((*again)->Consents("1310000016", "kouki-1wari")->pharmacists_info().flag(),
            onshi::v1::CONSENT_FLAG_GIVEN);
  // The sequence goes on: a restarted simulator never hands out a number twice.
  EXPECT_EQ(*(*again)->NextReceptionSequence(), 2);
  EXPECT_EQ(TempDir::ListDir(dir.path()).size(), 1u) << "no temp file is left behind";
}

TEST(SimStateTest, AStateFileThatDoesNotParseIsRefusedWithoutQuotingIt) {
  TempDir dir;
  WriteFileAtomically(dir.path(), "state.textproto", "institutions { secret: 1 }");
  absl::StatusOr<std::unique_ptr<SimState>> state = SimState::Open(dir.path() + "/state.textproto");
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(ReasonOf(state.status()), "ONSHI_CONFIG_INVALID");
  EXPECT_EQ(std::string(state.status().message()).find("secret"), std::string::npos);
}

TEST(SimStateTest, AFailedWriteLeavesTheStateAsItWas) {
  TempDir dir;
  absl::StatusOr<std::unique_ptr<SimState>> state =
      SimState::Open(dir.path() + "/gone/state.textproto");
  ASSERT_TRUE(state.ok());
  absl::Status failed = (*state)->Update([](v1::State& s) { s.set_reception_sequence(5); });
  EXPECT_EQ(ReasonOf(failed), "ONSHI_TERMINAL_UNAVAILABLE");
  EXPECT_EQ((*state)->Snapshot().reception_sequence(), 0);
}

}  // namespace
}  // namespace onshi::sim
