#include "core/model/JsonFields.h"

#include "core/Error.h"
#include "core/text/NearestName.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lathe::core {

using nlohmann::json;

std::string formatNumber(double v) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g", v);
    return buffer;
}

std::string describeType(const json& v) {
    switch (v.type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::boolean:
        return "true/false";
    case json::value_t::string:
        return "a string";
    case json::value_t::array:
        return "a list";
    case json::value_t::object:
        return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return "a number";
    default:
        return "something else";
    }
}

std::string joinPath(const std::string& base, std::string_view key) {
    return base.empty() ? std::string(key) : base + "." + std::string(key);
}

std::string unknownKeyProblem(std::string_view key, const std::vector<std::string>& valid) {
    std::string message = "unknown key \"" + std::string(key) + "\"" + didYouMean(key, valid);
    if (!valid.empty()) message += "; keys here: " + joinNames(valid);
    return message;
}

bool isAllDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

JsonFields::JsonFields(const json& object, std::string path, const std::string& source)
    : object_(object), path_(std::move(path)), source_(source) {
    if (!object_.is_object())
        throw Error(source_, (path_.empty() ? std::string("session") : path_) +
                                 ": expected an object, found " + describeType(object_));
}

void JsonFields::fail(std::string_view key, const std::string& problem) const {
    throw Error(source_, pathOf(key) + ": " + problem);
}

const json* JsonFields::find(std::string_view key) {
    known_.emplace_back(key);
    const auto it = object_.find(std::string(key));
    return it == object_.end() ? nullptr : &*it;
}

void JsonFields::get(std::string_view key, bool& out) {
    if (const json* v = find(key)) {
        if (!v->is_boolean()) fail(key, "expected true or false, found " + describeType(*v));
        out = v->get<bool>();
    }
}

void JsonFields::get(std::string_view key, double& out) {
    if (const json* v = find(key)) out = number(*v, pathOf(key));
}

void JsonFields::get(std::string_view key, int& out) {
    if (const json* v = find(key)) out = wholeNumber(*v, pathOf(key));
}

void JsonFields::get(std::string_view key, std::string& out) {
    if (const json* v = find(key)) {
        if (!v->is_string()) fail(key, "expected a string, found " + describeType(*v));
        out = v->get<std::string>();
    }
}

const json* JsonFields::array(std::string_view key) {
    const json* v = find(key);
    if (v && !v->is_array()) fail(key, "expected a list, found " + describeType(*v));
    return v;
}

void JsonFields::rejectUnknownKeys(const std::vector<std::string>& alsoKnown) const {
    for (const auto& [key, value] : object_.items()) {
        const bool isKnown = std::find(known_.begin(), known_.end(), key) != known_.end() ||
                             std::find(alsoKnown.begin(), alsoKnown.end(), key) != alsoKnown.end();
        if (!isKnown) {
            std::vector<std::string> valid = alsoKnown;
            valid.insert(valid.end(), known_.begin(), known_.end());
            fail(key, unknownKeyProblem(key, valid));
        }
    }
}

double JsonFields::number(const json& v, const std::string& keyPath) const {
    if (!v.is_number()) throw Error(source_, keyPath + ": expected a number, found " + describeType(v));
    const double d = v.get<double>();
    if (!std::isfinite(d)) throw Error(source_, keyPath + ": expected a finite number");
    return d;
}

int JsonFields::wholeNumber(const json& v, const std::string& keyPath) const {
    const double d = number(v, keyPath);
    if (std::floor(d) != d || std::fabs(d) > 2e9)
        throw Error(source_, keyPath + ": expected a whole number, found " + formatNumber(d));
    return static_cast<int>(d);
}

void JsonFields::range(std::string_view key, double value, double lo, double hi,
                       std::string_view unit) const {
    if (!(value >= lo && value <= hi))
        fail(key, formatNumber(value) + " is out of range; use " + formatNumber(lo) + " to " +
                      formatNumber(hi) + (unit.empty() ? "" : " " + std::string(unit)));
}

void JsonFields::above(std::string_view key, double value, double lo, double hi,
                       std::string_view unit) const {
    if (!(value > lo && value <= hi))
        fail(key, formatNumber(value) + " is out of range; use more than " + formatNumber(lo) + ", up to " +
                      formatNumber(hi) + (unit.empty() ? "" : " " + std::string(unit)));
}

void JsonFields::oneOf(std::string_view key, const std::string& value,
                       std::initializer_list<std::string_view> allowed) const {
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
    std::string list;
    for (auto a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
    fail(key, "\"" + value + "\" is not one of " + list);
}

} // namespace lathe::core
