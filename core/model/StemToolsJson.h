#pragma once

// The session keys of the stem tools (automation, dynamic EQ, peak control, sidechain keys) as JSON, read
// and written for SessionJson.cpp. Internal to core/model.

#include "core/model/JsonFields.h"
#include "core/model/Session.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lathe::core {

nlohmann::json toJson(const AutomationLane& lane);
nlohmann::json toJson(const StemAutomationSettings& automation);
nlohmann::json toJson(const MasterAutomationSettings& automation);
nlohmann::json toJson(const std::vector<DynamicEqBandSettings>& bands, bool withKeys);
nlohmann::json toJson(const PeakControlSettings& peakControl);

// Readers of the keys in `parent` (missing = default). Every problem names the key path in --set syntax.
StemAutomationSettings readStemAutomation(JsonFields& parent);
MasterAutomationSettings readMasterAutomation(JsonFields& parent);
// withKeys: a stem's bands (key "self" or a stem id, checked later by checkStemKeys); the master's have none.
std::vector<DynamicEqBandSettings> readDynamicEq(JsonFields& parent, bool withKeys);
PeakControlSettings readPeakControl(JsonFields& parent);

// The key a stem's detectors hear: "self", or the one other stem its keyed dynamic EQ bands and compressor
// name. A stem listens to one key stem at most (checkStemKeys refuses two).
const std::string& stemKey(const StemSettings& stem);

// Every key names another stem of the session, and a stem's keys name one stem at most. Throws Error(source,
// "stems.<id>.dynamic_eq.<i>.key: ...").
void checkStemKeys(const std::vector<StemSettings>& stems, const std::string& source);

} // namespace lathe::core
