#pragma once

#include "engine/plan.h"

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace gkp {

// Versioned JSON form of a plan (docs/plan-format.md).
nlohmann::json toJson(const Plan &plan);
std::string planToString(const Plan &plan);

// Parses and validates against `model`: names, shapes, group sizes, index ranges. Throws
// gkp::Error naming the first bad field by its JSON path, e.g. "layers[3].kept[1][7]".
Plan planFromJson(const nlohmann::json &doc, const Model &model);
Plan loadPlan(const std::string &path, const Model &model);
Plan planFromString(const std::string &text, const Model &model);
void savePlan(const Plan &plan, const std::string &path); // atomic

} // namespace gkp
