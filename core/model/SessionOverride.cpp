#include "core/model/SessionOverride.h"

#include "core/Error.h"
#include "core/model/JsonFields.h"
#include "core/model/SessionDefaults.h"
#include "core/model/SessionJson.h"
#include "core/text/DecimalNumber.h"
#include "core/text/NearestName.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace lathe::core {

using nlohmann::json;

namespace {

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

std::vector<std::string> objectKeys(const json& j, bool topLevel) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : j.items())
        if (!topLevel || (key != "format" && key != "version")) keys.push_back(key);
    return keys;
}

const std::string kOverrideSource = "--set";

struct Assignment {
    std::string keyPath;
    std::string text;
};

Assignment splitAssignment(std::string_view assignment) {
    const auto equals = assignment.find('=');
    if (equals == std::string_view::npos)
        throw Error(kOverrideSource,
                    "\"" + std::string(assignment) +
                        "\" is not an assignment; write key.path=value, e.g. master.limiter.ceiling_dbtp=-1");
    Assignment a{trim(assignment.substr(0, equals)), trim(assignment.substr(equals + 1))};
    if (a.keyPath.empty())
        throw Error(kOverrideSource, "\"" + std::string(assignment) + "\" has no key path before '='");
    return a;
}

// The value keyPath names in root (a session's JSON). With anyEntry (checking against the format alone), any
// stem id or list index stands for the list's first entry.
json& overrideTarget(json& root, const std::string& keyPath, bool anyEntry) {
    std::vector<std::string> elements;
    for (std::size_t start = 0;;) {
        const auto dot = keyPath.find('.', start);
        elements.push_back(keyPath.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }

    json* node = &root;
    std::string walked;
    for (const std::string& element : elements) {
        const std::string here = joinPath(walked, element);
        if (element.empty())
            throw Error(kOverrideSource, keyPath + ": empty key (two dots in a row, or a dot at an end)");
        if (node->is_object()) {
            const std::vector<std::string> keys = objectKeys(*node, node == &root);
            if (std::find(keys.begin(), keys.end(), element) == keys.end())
                throw Error(kOverrideSource, here + ": " + unknownKeyProblem(element, keys));
            node = &(*node)[element];
        } else if (node->is_array()) {
            json* next = nullptr;
            if (anyEntry && !node->empty() && (walked == "stems" || isAllDigits(element)))
                next = &node->front();
            if (walked == "stems")
                for (auto& stem : *node)
                    if (!next && stem["id"] == element) next = &stem;
            if (!next && isAllDigits(element) && element.size() < 6 && std::stoul(element) < node->size())
                next = &(*node)[std::stoul(element)];
            if (!next) {
                std::string problem;
                if (walked == "stems") {
                    std::vector<std::string> ids;
                    for (const auto& stem : *node)
                        ids.push_back(stem["id"].get<std::string>());
                    problem = "no stem with id \"" + element + "\"" + didYouMean(element, ids) +
                              (ids.empty() ? "; this session has no stems"
                                           : "; stems: " + joinNames(ids) + " (or an index from 0 to " +
                                                 std::to_string(ids.size() - 1) + ")");
                } else {
                    problem = node->empty() ? "this list is empty"
                                            : "no entry " + element + "; use an index from 0 to " +
                                                  std::to_string(node->size() - 1);
                }
                throw Error(kOverrideSource, here + ": " + problem);
            }
            node = next;
        } else {
            throw Error(kOverrideSource,
                        here + ": " + walked + " is a single value and has no key \"" + element + "\"");
        }
        walked = here;
    }

    return *node;
}

// A list or a group of settings is replaced whole by JSON of the same kind (an automation lane, dynamic EQ
// bands, peak_control={"enabled":true}); what the JSON leaves out takes its default.
void assignJson(json& node, const std::string& keyPath, const std::string& text) {
    const bool list = node.is_array();
    const char open = list ? '[' : '{';
    if (text.empty() || text.front() != open) {
        if (list)
            throw Error(kOverrideSource, keyPath + ": this is a list; give it whole as JSON (e.g. " +
                                             keyPath +
                                             "=[[28,0],[28.2,1.5]] for a lane) or set one entry by its " +
                                             "index, e.g. " + keyPath + ".0");
        throw Error(kOverrideSource, keyPath + ": this is a group of settings; set one of its keys (" +
                                         joinNames(objectKeys(node, false)) + ") or give it whole as a " +
                                         "JSON object, e.g. " + keyPath + "={\"enabled\":true}");
    }
    json value = json::parse(text, nullptr, false);
    if (value.is_discarded()) throw Error(kOverrideSource, keyPath + ": \"" + text + "\" is not valid JSON");
    if (value.is_array() != list || (!list && !value.is_object()))
        throw Error(kOverrideSource, keyPath + ": expected " + (list ? "a list" : "an object") + ", found " +
                                         describeType(value));
    node = std::move(value);
}

// Parses text by the type of the value it replaces.
void assignOverride(json& node, const std::string& keyPath, const std::string& text) {
    if (node.is_array() || node.is_object()) {
        assignJson(node, keyPath, text);
    } else if (node.is_boolean()) {
        std::string lower = text;
        for (char& c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "true" || lower == "1" || lower == "on" || lower == "yes")
            node = true;
        else if (lower == "false" || lower == "0" || lower == "off" || lower == "no")
            node = false;
        else
            throw Error(kOverrideSource, keyPath +
                                             ": expected true or false (or on/off, yes/no, 1/0), found \"" +
                                             text + "\"");
    } else if (node.is_number()) {
        const std::optional<double> value = parseDecimalNumber(text);
        if (!value) throw Error(kOverrideSource, keyPath + ": expected a number, found \"" + text + "\"");
        if (node.is_number_integer() || node.is_number_unsigned()) {
            if (std::floor(*value) != *value || std::fabs(*value) > 2e9)
                throw Error(kOverrideSource, keyPath + ": expected a whole number, found \"" + text + "\"");
            node = static_cast<int64_t>(*value);
        } else {
            node = *value;
        }
    } else if (node.is_string()) {
        node = text;
    }
}

// A session holding one entry in every list, each valid on its own (a single crossover can take any allowed
// frequency), for checking an assignment against the format alone.
Session overrideFormatSession() {
    Session s;
    StemSettings stem;
    stem.id = "stem";
    stem.path = "stem.wav";
    stem.eq.emplace_back();
    stem.dynamic_eq.emplace_back();
    stem.automation.gain_db.push_back({});
    stem.automation.width.push_back({0, 1});
    s.stems.push_back(stem);
    s.master.eq.emplace_back();
    s.master.dynamic_eq.emplace_back();
    s.master.automation.gain_db.push_back({});
    s.master.multiband.crossovers_hz = {1000};
    s.master.multiband.bands = defaultMultibandBands(2);
    return s;
}

} // namespace

void applyOverride(Session& session, std::string_view assignment) {
    const Assignment a = splitAssignment(assignment);
    json root = toJson(session);
    assignOverride(overrideTarget(root, a.keyPath, false), a.keyPath, a.text);
    session = sessionFromJson(root, kOverrideSource);
}

void checkOverride(std::string_view assignment) {
    const Assignment a = splitAssignment(assignment);
    json root = toJson(overrideFormatSession());
    assignOverride(overrideTarget(root, a.keyPath, true), a.keyPath, a.text);
    try {
        sessionFromJson(root, kOverrideSource, false); // which stems a key may name: the session's to say
    } catch (const Error& e) {
        // Only the assigned value changed, so the problem is about it; the message names the key as the user
        // wrote it, not as it sits in the stand-in session ("stems.stem.gain_db", "master.eq.0.q").
        const std::string& problem = e.problem();
        const auto colon = problem.find(": ");
        throw Error(kOverrideSource,
                    a.keyPath + (colon == std::string::npos ? ": " + problem : problem.substr(colon)));
    }
}

} // namespace lathe::core