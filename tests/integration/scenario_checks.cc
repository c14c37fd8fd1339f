// SPDX-License-Identifier: Apache-2.0
#include "scenario_checks.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

namespace procleak::testing {
namespace {

constexpr size_t kShown = 600;  // characters of a JSON value quoted in a problem

const Json& Array(const Json& obj, const char* key) {
  static const Json kEmpty = Json::array();
  return obj.is_object() && obj.contains(key) && obj[key].is_array() ? obj[key] : kEmpty;
}

const Json& Member(const Json& obj, const char* key) {
  static const Json kMissing = "<missing>";
  return obj.is_object() && obj.contains(key) ? obj[key] : kMissing;
}

std::string Shown(const Json& value) {
  const std::string text = value.dump();
  return text.size() <= kShown ? text : text.substr(0, kShown) + "...";
}

// A string as it is, anything else as JSON.
std::string Text(const Json& value) {
  return value.is_string() ? value.get<std::string>() : Shown(value);
}

std::vector<pid_t> PidList(const Json& array) {
  std::vector<pid_t> pids;
  if (!array.is_array()) return pids;
  for (const Json& pid : array) {
    if (pid.is_number_integer()) pids.push_back(pid.get<pid_t>());
  }
  return pids;
}

std::string Listed(const std::vector<pid_t>& pids) { return Json(pids).dump(); }

bool AtWarning(const Json& finding) {
  const Json& severity = Member(finding, "severity");
  return severity == "warning" || severity == "critical";
}

// Every pid a chain of `group` holds.
std::set<pid_t> GroupPids(const Json& group) {
  std::set<pid_t> pids;
  for (const Json& chain : Array(group, "chains")) {
    for (pid_t pid : PidList(Member(chain, "pids"))) pids.insert(pid);
    const Json& root = Member(chain, "root_pid");
    if (root.is_number_integer()) pids.insert(root.get<pid_t>());
  }
  return pids;
}

bool Touches(const std::set<pid_t>& held, const std::set<pid_t>& pids) {
  return std::any_of(held.begin(), held.end(), [&](pid_t p) { return pids.count(p) != 0; });
}

std::vector<const Json*> GroupsHolding(const Json& doc, const std::set<pid_t>& pids) {
  std::vector<const Json*> out;
  for (const Json& group : Array(doc, "groups")) {
    if (Touches(GroupPids(group), pids)) out.push_back(&group);
  }
  return out;
}

std::vector<const Json*> FindingsNaming(const Json& doc, const std::set<pid_t>& pids) {
  std::vector<const Json*> out;
  for (const Json& finding : Array(doc, "findings")) {
    const std::vector<pid_t> named = PidList(Member(finding, "pids"));
    if (Touches({named.begin(), named.end()}, pids)) out.push_back(&finding);
  }
  return out;
}

std::set<pid_t> CopyPids(const Scenario& s) {
  std::set<pid_t> pids;
  for (const Copy& c : s.copies) {
    for (pid_t pid : c.pids()) pids.insert(pid);
  }
  return pids;
}

std::set<pid_t> ScenarioPids(const Scenario& s) {
  std::set<pid_t> pids = CopyPids(s);
  for (const auto& [pid, p] : s.processes) pids.insert(pid);
  return pids;
}

// "npm exec srv-delayed > sh > node 5x leak (spawner 123) roots [..]"
std::string Brief(const Json& group) {
  std::vector<pid_t> roots;
  for (const Json& chain : Array(group, "chains")) {
    const Json& root = Member(chain, "root_pid");
    if (root.is_number_integer()) roots.push_back(root.get<pid_t>());
  }
  return "\"" + Text(Member(group, "signature")) + "\" " + Text(Member(group, "count")) + "x " +
         Text(Member(group, "classification")) + " (" + Text(Member(group, "origin")) + ") roots " +
         Listed(roots);
}

const Json* ProcessEntry(const Json& doc, pid_t pid) {
  for (const Json& p : Array(doc, "processes")) {
    if (Member(p, "pid") == pid) return &p;
  }
  return nullptr;
}

// The pids of `copies` in order, chain after chain.
std::vector<pid_t> Concatenated(const std::vector<const Copy*>& copies) {
  std::vector<pid_t> out;
  for (const Copy* c : copies) {
    const std::vector<pid_t> pids = c->pids();
    out.insert(out.end(), pids.begin(), pids.end());
  }
  return out;
}

// The whole numbers written in `text`, as strings ("kill 12 34" -> {"12", "34"}).
std::set<std::string> Numbers(const std::string& text) {
  std::set<std::string> out;
  std::string digits;
  for (char c : text + " ") {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits += c;
    } else if (!digits.empty()) {
      out.insert(digits);
      digits.clear();
    }
  }
  return out;
}

// The group the scenario's copies are in: the one holding most of their roots.
const Json* CopiesGroup(const Scenario& s, const Json& doc) {
  const Json* best = nullptr;
  size_t best_roots = 0;
  for (const Json* group : GroupsHolding(doc, CopyPids(s))) {
    const std::set<pid_t> held = GroupPids(*group);
    size_t roots = 0;
    for (const Copy& c : s.copies) roots += held.count(c.root());
    if (best == nullptr || roots > best_roots) best = group, best_roots = roots;
  }
  return best;
}

// The scope fields every chain group and finding of the scenario must carry: its container
// (null on the host) and, outside containers, its cgroup, as processes[] shows the first root.
void CheckScope(const Scenario& s, const Json& doc, const Json& obj, const std::string& what,
                std::vector<std::string>* problems) {
  const Json* root = ProcessEntry(doc, s.copies.front().root());
  if (root == nullptr) {
    problems->push_back("copy " + std::to_string(s.copies.front().root()) + " not in processes[]");
    return;
  }
  if (Member(obj, "container") != Member(*root, "container")) {
    problems->push_back(what + ".container " + Shown(Member(obj, "container")) + ", want " +
                        Shown(Member(*root, "container")));
  }
  if (Member(*root, "container").is_null() && Member(obj, "cgroup") != Member(*root, "cgroup")) {
    problems->push_back(what + ".cgroup " + Shown(Member(obj, "cgroup")) + ", want " +
                        Shown(Member(*root, "cgroup")));
  }
}

void ExpectField(const Json& obj, const char* key, const Json& want, const std::string& what,
                 std::vector<std::string>* problems) {
  if (Member(obj, key) != want) {
    problems->push_back(what + "." + key + " " + Shown(Member(obj, key)) + ", want " + Shown(want));
  }
}

Json PidOrNull(pid_t pid) { return pid == 0 ? Json(nullptr) : Json(pid); }

Json ExpectedCount(const Scenario& s) {
  return s.expect.expected ? Json(*s.expect.expected) : Json(nullptr);
}

void CheckChains(const Scenario& s, const Json& group, std::vector<std::string>* problems) {
  std::vector<pid_t> want_roots, got_roots;
  for (const Copy& c : s.copies) want_roots.push_back(c.root());
  for (const Json& chain : Array(group, "chains")) {
    const Json& root = Member(chain, "root_pid");
    got_roots.push_back(root.is_number_integer() ? root.get<pid_t>() : 0);
    auto copy = std::find_if(s.copies.begin(), s.copies.end(),
                             [&](const Copy& c) { return root == c.root(); });
    if (copy == s.copies.end()) continue;  // reported with the roots
    const std::string what = "chain " + std::to_string(copy->root());
    if (PidList(Member(chain, "pids")) != copy->pids()) {
      problems->push_back(what + ".pids " + Shown(Member(chain, "pids")) +
                          ", want the whole copy " + Listed(copy->pids()));
    }
    if (s.expect.orphans_unchecked.empty()) {
      ExpectField(chain, "orphaned", copy->orphaned, what, problems);
    }
    if (s.expect.origin == "spawner" && !copy->orphaned) {
      ExpectField(chain, "spawner_pid", s.expect.spawner, what, problems);
    }
    if (!Member(chain, "started_at").is_string()) problems->push_back(what + ".started_at missing");
  }
  std::vector<pid_t> want_sorted = want_roots, got_sorted = got_roots;
  std::sort(want_sorted.begin(), want_sorted.end());
  std::sort(got_sorted.begin(), got_sorted.end());
  if (got_sorted != want_sorted) {
    problems->push_back("chain roots " + Listed(got_roots) + ", want exactly the copies " +
                        Listed(want_roots));
  } else if (got_roots != want_roots) {
    problems->push_back("chains " + Listed(got_roots) + " not oldest first: " + Listed(want_roots));
  }
}

// Evidence lines of `group` and of the findings naming the copies.
std::vector<std::string> EvidenceLines(const Scenario& s, const Json& doc, const Json& group) {
  std::vector<std::string> lines;
  std::vector<const Json*> sources = FindingsNaming(doc, CopyPids(s));
  sources.push_back(&group);
  for (const Json* source : sources) {
    for (const Json& line : Array(*source, "evidence")) {
      if (line.is_string()) lines.push_back(line);
    }
  }
  return lines;
}

void CheckNamespaceEvidence(const Scenario& s, const Json& doc, const Json& group,
                            std::vector<std::string>* problems) {
  const std::string spawner = std::to_string(s.expect.spawner);
  for (const std::string& line : EvidenceLines(s, doc, group)) {
    if (line.find("ns pid") == std::string::npos) continue;
    // A live spawner in the namespace is shown by its host pid with its ns pid beside it.
    if (s.expect.spawner == 0 || Numbers(line).count(spawner) != 0) return;
  }
  problems->push_back("no evidence line shows an in-namespace pid (\"ns pid\")" +
                      (s.expect.spawner != 0 ? " beside spawner " + spawner : std::string()) +
                      ": " + Shown(Member(group, "evidence")));
}

// One chain finding of `kind` on the copies: required or not, and its pids.
void CheckFinding(const Scenario& s, const Json& doc, const Json* group, const std::string& kind,
                  bool required, const std::vector<const Copy*>& named,
                  std::vector<std::string>* problems) {
  std::vector<const Json*> found;
  for (const Json* f : FindingsNaming(doc, CopyPids(s))) {
    if (Member(*f, "kind") == kind) found.push_back(f);
  }
  if (found.size() > 1) {
    problems->push_back(std::to_string(found.size()) + " " + kind + " findings name the copies");
  }
  if (found.empty()) {
    if (required) problems->push_back("no " + kind + " finding names the copies");
    return;
  }
  const Json& f = *found.front();
  if (!required && kind == "orphaned_chain") {
    problems->push_back("orphaned_chain where no copy is orphaned: " + Shown(f));
    return;
  }
  const std::string what = kind;
  if (!AtWarning(f)) problems->push_back(what + ".severity " + Shown(Member(f, "severity")));
  const std::vector<pid_t> want = Concatenated(named);
  if (PidList(Member(f, "pids")) != want) {
    problems->push_back(what + ".pids " + Shown(Member(f, "pids")) + ", want " + Listed(want));
  }
  const std::set<std::string> in_action = Numbers(
      Member(f, "action").is_string() ? Member(f, "action").get<std::string>() : std::string());
  for (const Copy* c : named) {
    if (in_action.count(std::to_string(c->root())) == 0) {
      problems->push_back(what + ".action does not name root " + std::to_string(c->root()) + ": " +
                          Shown(Member(f, "action")));
      break;
    }
  }
  if (group != nullptr) ExpectField(f, "signature", Member(*group, "signature"), what, problems);
  ExpectField(f, "spawner_pid", PidOrNull(s.expect.spawner), what, problems);
  if (kind == "duplicate_chain") {
    ExpectField(f, "count", static_cast<int>(s.copies.size()), what, problems);
    ExpectField(f, "expected", ExpectedCount(s), what, problems);
  }
  CheckScope(s, doc, f, what, problems);
  for (const char* text : {"message", "action"}) {
    if (!Member(f, text).is_string() || Member(f, text).get<std::string>().empty()) {
      problems->push_back(what + "." + text + " empty");
    }
  }
  if (Array(f, "evidence").empty()) problems->push_back(what + ".evidence empty");
}

}  // namespace

std::string LeakChecksSkipped(const Scenario& s) {
  return s.expect.origin == "gone" ? s.expect.orphans_unchecked : std::string();
}

std::vector<std::string> LeakGroupProblems(const Scenario& s, const Json& doc) {
  std::vector<std::string> problems;
  if (!s.ready || s.copies.empty()) return {"the scenario did not come up"};
  const std::vector<const Json*> groups = GroupsHolding(doc, CopyPids(s));
  if (groups.size() != 1) {
    std::string all;
    for (const Json* g : groups) all += "\n    " + Brief(*g);
    problems.push_back(std::to_string(groups.size()) +
                       " groups hold the copies' processes, want 1:" + all);
  }
  const Json* group = CopiesGroup(s, doc);
  if (group == nullptr) return problems;
  const Json& g = *group;
  ExpectField(g, "count", static_cast<int>(s.copies.size()), "group", &problems);
  ExpectField(g, "classification", "leak", "group", &problems);
  ExpectField(g, "origin", s.expect.origin, "group", &problems);
  ExpectField(g, "spawner_pid", PidOrNull(s.expect.spawner), "group", &problems);
  ExpectField(g, "process_group", PidOrNull(s.expect.process_group), "group", &problems);
  ExpectField(g, "expected", ExpectedCount(s), "group", &problems);
  CheckScope(s, doc, g, "group", &problems);
  if (Array(g, "evidence").empty()) problems.push_back("group.evidence empty");
  CheckChains(s, g, &problems);
  if (s.expect.ns_evidence) CheckNamespaceEvidence(s, doc, g, &problems);
  return problems;
}

std::vector<std::string> LeakFindingProblems(const Scenario& s, const Json& doc) {
  std::vector<std::string> problems;
  if (!s.ready || s.copies.empty()) return {"the scenario did not come up"};
  const Json* group = CopiesGroup(s, doc);
  const size_t keep = static_cast<size_t>(s.expect.expected.value_or(1));
  std::vector<const Copy*> surplus, orphans;
  for (size_t i = 0; i < s.copies.size(); ++i) {
    if (i + keep < s.copies.size()) surplus.push_back(&s.copies[i]);
    if (s.copies[i].orphaned) orphans.push_back(&s.copies[i]);
  }
  // A gone group may also carry duplicate_chain; when it does, it names the surplus too.
  CheckFinding(s, doc, group, "duplicate_chain", s.expect.duplicate, surplus, &problems);
  if (s.expect.orphans_unchecked.empty()) {
    CheckFinding(s, doc, group, "orphaned_chain", s.expect.orphans, orphans, &problems);
  }
  for (const Json* f : FindingsNaming(doc, CopyPids(s))) {
    const Json& kind = Member(*f, "kind");
    if (AtWarning(*f) && kind != "duplicate_chain" && kind != "orphaned_chain") {
      problems.push_back("unexpected finding on the copies: " + Shown(*f));
    }
  }
  return problems;
}

std::vector<std::string> LegitProblems(const Scenario& s, const Json& doc) {
  std::vector<std::string> problems;
  if (!s.ready) return {"the scenario did not come up"};
  const std::set<pid_t> pids = ScenarioPids(s);
  for (const Json* f : FindingsNaming(doc, pids)) {
    if (!AtWarning(*f)) continue;
    std::vector<pid_t> ours;
    for (pid_t pid : PidList(Member(*f, "pids"))) {
      if (pids.count(pid) != 0) ours.push_back(pid);
    }
    problems.push_back(Text(Member(*f, "kind")) + "/" + Text(Member(*f, "severity")) +
                       " names its pids " + Listed(ours) + ": " + Text(Member(*f, "message")));
  }
  for (const Json* g : GroupsHolding(doc, pids)) {
    if (Member(*g, "classification") == "leak") problems.push_back("leak group " + Brief(*g));
  }
  for (const Json& g : Array(doc, "groups")) {
    const std::set<pid_t> held = GroupPids(g);
    int sets = 0;
    for (const std::vector<pid_t>& apart : s.apart)
      sets += Touches(held, {apart.begin(), apart.end()});
    if (sets > 1) problems.push_back("one group joins look-alikes " + Brief(g));
  }
  return problems;
}

std::set<size_t> WarningsOn(const Scenario& s, const Json& doc) {
  std::set<size_t> out;
  const Json& findings = Array(doc, "findings");
  for (const Json* f : FindingsNaming(doc, ScenarioPids(s))) {
    if (AtWarning(*f)) out.insert(static_cast<size_t>(f - &findings[0]));
  }
  return out;
}

std::vector<std::string> ProcessFieldProblems(const Scenario& s, const Json& doc) {
  std::vector<std::string> problems;
  for (const auto& [pid, p] : s.processes) {
    const Json* entry = ProcessEntry(doc, pid);
    const std::string what = "process " + std::to_string(pid) + " (" + Joined(p.argv) + ")";
    if (entry == nullptr) {
      problems.push_back(what + " not in processes[]");
      continue;
    }
    ExpectField(*entry, "pgid", p.pgid, what, &problems);
    ExpectField(*entry, "sid", p.sid, what, &problems);
    ExpectField(*entry, "tty_nr", p.tty_nr, what, &problems);
    auto ns = s.ns_pids.find(pid);
    ExpectField(*entry, "ns_pid", ns == s.ns_pids.end() ? Json(nullptr) : Json(ns->second), what,
                &problems);
  }
  return problems;
}

std::string Expected(const Scenario& s) {
  if (!s.leak) return "no leak group, no warning";
  std::ostringstream out;
  const size_t keep = static_cast<size_t>(s.expect.expected.value_or(1));
  size_t orphans = 0;
  for (const Copy& c : s.copies) orphans += c.orphaned;
  out << "1 group " << s.copies.size() << "x" << s.copies.front().processes.size() << " leak ("
      << s.expect.origin << ")";
  if (s.expect.duplicate) out << "; dup " << s.copies.size() - keep << " chains";
  if (s.expect.orphans) out << "; orphaned " << orphans << " chains";
  return out.str();
}

std::string Found(const Scenario& s, const Json& doc) {
  const std::set<pid_t> pids = s.leak ? CopyPids(s) : ScenarioPids(s);
  std::ostringstream out;
  const std::vector<const Json*> groups = GroupsHolding(doc, pids);
  out << groups.size() << (groups.size() == 1 ? " group" : " groups");
  for (const Json* g : groups) {
    out << " " << Text(Member(*g, "count")) << "x " << Text(Member(*g, "classification"));
  }
  for (const Json* f : FindingsNaming(doc, pids)) {
    out << "; " << Text(Member(*f, "kind")) << "/" << Text(Member(*f, "severity")) << " "
        << PidList(Member(*f, "pids")).size() << " pids";
  }
  return out.str();
}

}  // namespace procleak::testing
