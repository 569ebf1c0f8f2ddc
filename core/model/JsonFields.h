#pragma once

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace lathe::core {

// The validation kit of Lathe's JSON formats: every problem a reader finds is an Error naming the file and
// the key path in --set syntax ("master.limiter.ceiling_dbtp: expected a number, found a string").

// A number as a message shows it: "%.10g".
std::string formatNumber(double value);
// "a number", "a string", "true/false", "a list", "an object", "null".
std::string describeType(const nlohmann::json& value);
// "master" + "limiter" -> "master.limiter"; "" + "song" -> "song".
std::string joinPath(const std::string& base, std::string_view key);
// "unknown key "gain_bd" (did you mean "gain_db"?); keys here: gain_db, mute, ..."
std::string unknownKeyProblem(std::string_view key, const std::vector<std::string>& valid);
// Non-empty and only 0-9: in a key path, a list index rather than a name.
bool isAllDigits(std::string_view text);

// Reads one JSON object, remembering which keys were asked for so the rest can be refused as unknown: a typo
// in a hand-edited session must not be silently ignored. Every getter leaves `out` untouched when the key is
// missing (the default stands) and throws Error(source, "<path>.<key>: <problem>") on a wrong type.
class JsonFields {
public:
    // Throws when `object` is not a JSON object. `source` names the file in errors and must outlive this.
    JsonFields(const nlohmann::json& object, std::string path, const std::string& source);

    const std::string& path() const { return path_; }
    void setPath(std::string path) { path_ = std::move(path); }
    std::string pathOf(std::string_view key) const { return joinPath(path_, key); }
    const std::string& source() const { return source_; }

    [[noreturn]] void fail(std::string_view key, const std::string& problem) const;

    // The value of `key`, or nullptr; either way `key` counts as known.
    const nlohmann::json* find(std::string_view key);
    void get(std::string_view key, bool& out);
    void get(std::string_view key, double& out); // finite
    void get(std::string_view key, int& out);    // whole, |x| <= 2e9
    void get(std::string_view key, std::string& out);
    const nlohmann::json* array(std::string_view key); // nullptr when missing; throws when not a list

    void rejectUnknownKeys(const std::vector<std::string>& alsoKnown = {}) const;

    double number(const nlohmann::json& value, const std::string& keyPath) const;
    int wholeNumber(const nlohmann::json& value, const std::string& keyPath) const;

    // Range checks of a value already read: lo <= value <= hi; lo < value <= hi; one of `allowed`.
    void range(std::string_view key, double value, double lo, double hi, std::string_view unit = {}) const;
    void above(std::string_view key, double value, double lo, double hi, std::string_view unit = {}) const;
    void oneOf(std::string_view key, const std::string& value,
               std::initializer_list<std::string_view> allowed) const;

private:
    const nlohmann::json& object_;
    std::string path_;
    const std::string& source_;
    std::vector<std::string> known_;
};

} // namespace lathe::core
