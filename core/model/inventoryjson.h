#pragma once

#include "model/inventory.h"

#include <nlohmann/json_fwd.hpp>

namespace gkp {

// The `gkp inspect --json` document.
nlohmann::json toJson(const Inventory &inventory);
nlohmann::json toJson(const ConvLayer &layer, const Inventory &inventory);

} // namespace gkp
