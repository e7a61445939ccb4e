// The scenario catalogue of docs/simulator.md against the dataset and the tests: every dataset
// patient is catalogued, every catalogued id is exercised by a test of this directory (quoted
// there, as the argument of Exercises or as a row of a scenario table), and there are at least
// 40 of them.

#include <dirent.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/unit/terminal_sim/sim_test_util.h"

namespace onshi::sim {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The ids of the catalogue's tables: first cells "| `id` |" under "## Scenario catalogue", up to
// the next "## " heading.
std::vector<std::string> CataloguedIds() {
  const std::string doc = Slurp(ONSHI_SIM_DOC);
  std::vector<std::string> ids;
  bool inside = false;
  const std::regex row(R"(^\| `([a-z0-9-]+)` \|)");
  for (absl::string_view line : absl::StrSplit(doc, '\n')) {
    if (absl::StartsWith(line, "## ")) inside = line == "## Scenario catalogue";
    const std::string text(line);
    std::smatch sm;
    if (inside && std::regex_search(text, sm, row)) ids.push_back(sm[1]);
  }
  return ids;
}

// Every test source of this directory but this one, by name.
std::map<std::string, std::string> TestSources() {
  std::map<std::string, std::string> sources;
  DIR* dir = ::opendir(ONSHI_SIM_TEST_DIR);
  if (dir == nullptr) return sources;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (absl::EndsWith(name, "_test.cc") && name != "catalogue_test.cc") {
      sources[name] = Slurp(std::string(ONSHI_SIM_TEST_DIR) + "/" + name);
    }
  }
  ::closedir(dir);
  return sources;
}

TEST(CatalogueTest, HasAtLeastFortyScenariosEachOnce) {
  const std::vector<std::string> ids = CataloguedIds();
  EXPECT_GE(ids.size(), 40u);
  std::set<std::string> seen;
  for (const std::string& id : ids) EXPECT_TRUE(seen.insert(id).second) << id << " twice";
}

TEST(CatalogueTest, EveryDatasetPatientIsCatalogued) {
  const std::vector<std::string> ids = CataloguedIds();
  const std::set<std::string> catalogued(ids.begin(), ids.end());
  for (const v1::Patient& p : testing::TestDataset().patients()) {
    EXPECT_EQ(catalogued.count(p.scenario()), 1u) << p.scenario() << " is not in the catalogue";
  }
}

TEST(CatalogueTest, EveryCataloguedScenarioIsExercisedByATest) {
  const std::map<std::string, std::string> sources = TestSources();
  ASSERT_GE(sources.size(), 5u) << "the test sources were not found";
  for (const std::string& id : CataloguedIds()) {
    const std::string quoted = "\"" + id + "\"";
    bool found = false;
    for (const auto& [name, text] : sources) {
      if (absl::StrContains(text, quoted)) found = true;
    }
    EXPECT_TRUE(found) << "no test quotes the catalogued scenario " << quoted;
  }
}

TEST(CatalogueTest, EveryExercisedScenarioIsCatalogued) {
  const std::vector<std::string> ids = CataloguedIds();
  const std::set<std::string> catalogued(ids.begin(), ids.end());
  const std::regex call(R"re(Exercises\("([a-z0-9-]+)"\))re");
  for (const auto& [name, text] : TestSources()) {
    for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) {
      EXPECT_EQ(catalogued.count((*it)[1]), 1u)
          << name << " exercises " << (*it)[1] << ", which the catalogue does not list";
    }
  }
}

}  // namespace
}  // namespace onshi::sim
