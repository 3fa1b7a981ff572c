// Prints lint findings for people (grouped per file, with lock, impact and fix) or as JSON for CI.
//
//   std::cout << format_findings_text(findings);
//   std::cout << format_findings_json(findings);  // {"files":[...],"errors":N,"warnings":M}
#pragma once

#include <string>
#include <vector>

#include "migrations/lint/finding.h"

namespace ficus::migrations {

std::string format_findings_text(const std::vector<Finding>& findings);
std::string format_findings_json(const std::vector<Finding>& findings);

}  // namespace ficus::migrations
