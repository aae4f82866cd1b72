// The JSON writer and reader of a RunReport (keys: docs/cosim.md "JSON fields"). The reader takes
// back what the writer wrote (derived values such as network totals and cycles per image are
// written for people and scripts, and recomputed on reading), so saved reports can be compared.
#pragma once

#include <accel/report/run_report.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace accel::report {

nlohmann::json to_json(const RunReport& r);
RunReport from_json(const nlohmann::json& j);  // nlohmann::json::exception on a missing or mistyped key

// to_json(r) into `path`, indented; std::runtime_error naming the file if it cannot be written.
void write_json(const RunReport& r, const std::string& path);

}  // namespace accel::report
