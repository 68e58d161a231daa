#pragma once

#include "model/channeldeps.h"
#include "model/inventory.h"

#include <nlohmann/json_fwd.hpp>

namespace gkp {

// The `gkp inspect --json` document.
nlohmann::json toJson(const Inventory &inventory);
nlohmann::json toJson(const ConvLayer &layer, const Inventory &inventory);
// The `gkp inspect --groups-json` document: coupled channel families, members by layer name.
nlohmann::json toJson(const ChannelDependencies &deps, const Inventory &inventory);

} // namespace gkp
